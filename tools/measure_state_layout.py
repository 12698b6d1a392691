"""Measure what native-reachable state costs the Python tier (issue 2, item 9).

Runs the same loops with native-reachable state (globals in ctypes cells read through a
one-element memoryview; memory a slice of the fixed-base reservation) and with the
Python-only alternatives (globals in one-element lists, the default; memory a bytearray
swapped into the instance namespace). Prints medians and ratios.

    python tools/measure_state_layout.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import zerowasm
from zerowasm._store import globals as globals_module

WAT = """
(module
  (memory (export "memory") 1)
  (global $sp (mut i32) (i32.const 4096))
  (global $acc (mut i64) (i64.const 0))
  ;; a C-like function: bump the stack pointer global, work, restore it
  (func $leaf (param i32) (result i32)
    (local $frame i32)
    global.get $sp i32.const 16 i32.sub local.tee $frame global.set $sp
    local.get $frame local.get 0 i32.store
    local.get $frame i32.load i32.const 1 i32.add
    local.get $frame i32.const 16 i32.add global.set $sp)
  (func (export "globals") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    block loop
      local.get $i local.get $n i32.ge_u br_if 1
      local.get $s local.get $i call $leaf i32.add local.set $s
      global.get $acc i64.const 1 i64.add global.set $acc
      local.get $i i32.const 1 i32.add local.set $i br 0
    end end local.get $s)
  (func (export "loads") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    block loop
      local.get $i local.get $n i32.ge_u br_if 1
      local.get $i i32.const 1020 i32.and i32.const 2 i32.shl
      local.get $i i32.store
      local.get $s local.get $i i32.const 1020 i32.and i32.const 2 i32.shl i32.load i32.add
      local.set $s
      local.get $i i32.const 1 i32.add local.set $i br 0
    end end local.get $s))
"""


def assemble() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "m.wat")
        src.write_text(WAT)
        out = Path(tmp, "m.wasm")
        subprocess.run(["wat2wasm", str(src), "-o", str(out)], check=True)
        return out.read_bytes()


def python_only(instance: zerowasm.Instance) -> None:
    ns = instance.namespace
    for i, memory in enumerate(instance.memories):
        ns["M%d" % i] = memoryview(bytearray(memory.data_size))


def median_time(fn, n: int, repeat: int = 7) -> float:
    fn(n)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rt = zerowasm.Runtime()
    module = rt.compile(assemble())
    globals_module.NATIVE_CELLS = True
    native_layout = rt.instantiate(module)
    globals_module.NATIVE_CELLS = False
    plain = rt.instantiate(module)
    python_only(plain)
    n = 200_000
    print("Python %s, %s" % (sys.version.split()[0], sys.implementation.name))
    for case in ("globals", "loads"):
        a = median_time(native_layout.exports[case], n)
        b = median_time(plain.exports[case], n)
        print("%-8s native-reachable %.1f ms   python-only %.1f ms   ratio %.3f"
              % (case, a * 1e3, b * 1e3, a / b))


if __name__ == "__main__":
    main()
