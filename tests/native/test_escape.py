"""Sandbox escape tests: what stops a guest from touching memory that is not its own.

In-process tests of the checks themselves (edges of memory, offsets near 2**32, growth
between accesses, bad ``call_indirect`` entries, recursion) are in test_boundary.py. Here:
with the bounds checks compiled out, an access past the end must kill the process with
SIGSEGV on the reservation's inaccessible pages, never return a value.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

PROGRAM = """
import sys
sys.path.insert(0, %(tests)r)
import zerowasm
from zerowasm._engine.native import memory
memory.UNSAFE_SKIP_BOUNDS_CHECKS = True
from wat import wat
rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="native"))
inst = rt.instantiate(rt.compile(wat('''
(module (memory 1)
  (func (export "ok") (param i32) (result i64) local.get 0 i64.load)
  (func (export "load") (param i32) (result i64) local.get 0 i64.load offset=%(offset)d))
''')))
print("inside", inst.exports.ok(65528), flush=True)
print("VALUE", inst.exports.load(%(address)d), flush=True)
"""


@pytest.mark.parametrize("address,offset", [(65536, 0), (-8, 0), (0, 0xFFFFFFF8),
                                            (-1, 0xFFFFFFFF), (0x7FFFFFFF, 0x7FFFFFFF)])
def test_out_of_bounds_without_checks_faults(address: int, offset: int) -> None:
    code = PROGRAM % {"tests": os.path.dirname(HERE), "address": address, "offset": offset}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert "inside 0" in result.stdout
    assert "VALUE" not in result.stdout
    assert result.returncode == -signal.SIGSEGV, result.stderr[-2000:]
