"""Stopping native code: interrupt() from another thread, and Ctrl-C (SIGINT) while a
guest spins without calling out, or calls out all the time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

import zerowasm
from wat import wat
from zerowasm._engine import native

SPIN = """
(module
  (import "env" "tick" (func $tick))
  (func (export "spin") (loop br 0))
  (func (export "spin_calls") (loop call $tick br 0))
  (func (export "ok") (result i32) i32.const 7))
"""


def test_interrupt_from_another_thread(rt: Any) -> None:
    inst = rt.instantiate(rt.compile(wat(SPIN)), {"env": {"tick": lambda: None}})
    assert inst.exports.ok() == 7
    errors = []

    def run() -> None:
        try:
            inst.exports.spin()
        except zerowasm.Trap as trap:
            errors.append(trap.kind)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.2)
    assert worker.is_alive()
    start = time.monotonic()
    assert native.interrupt(inst)
    worker.join(5)
    assert not worker.is_alive()
    assert time.monotonic() - start < 1.0
    assert errors == [zerowasm.TrapKind.INTERRUPTED]
    assert inst.exports.ok() == 7          # usable afterwards


CTRL_C = """
import os, signal, sys, threading, time
sys.path.insert(0, %(tests)r)
import zerowasm
from wat import wat
rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="native"))
inst = rt.instantiate(rt.compile(wat(%(source)r)), {"env": {"tick": lambda: None}})
threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
start = time.monotonic()
try:
    inst.exports.%(export)s()
except KeyboardInterrupt:
    print("KeyboardInterrupt after %%.2fs" %% (time.monotonic() - start))
print("ok", inst.exports.ok())
"""


@pytest.mark.parametrize("export", ["spin", "spin_calls"])
def test_ctrl_c_stops_a_spinning_guest(export: str) -> None:
    code = CTRL_C % {"tests": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                     "source": SPIN, "export": export}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=30)
    assert "KeyboardInterrupt after" in result.stdout, result.stdout + result.stderr
    assert "ok 7" in result.stdout
    assert "Exception ignored" not in result.stderr, result.stderr
