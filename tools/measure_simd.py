"""Measure the v128 representation and vectorized against scalar code (RATIONALE.md).

    python tools/measure_simd.py          # CPython
    PYTHONPATH=src pypy3 tools/measure_simd.py

Part 1 times one lane-wise operation in the candidate representations of a v128:

* ``int`` (chosen): an unsigned int below 2**128; ``i32x4.add`` as the SWAR expression the
  compiler inlines, and as a ``struct`` helper (unpack, add, pack) for comparison;
* ``bytes``: 16 bytes, lanes through ``struct`` directly (no int conversion);
* ``tuple``: the lanes of one shape as a tuple of ints (every other shape must convert).

Part 2 runs the C guest of tests/testdata/simd built scalar and with ``-msimd128`` on the
Python tier and prints both times and their ratio per function.
"""

from __future__ import annotations

import struct
import sys
import time
import timeit
from pathlib import Path
from typing import Any, Callable, Dict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import zerowasm  # noqa: E402
from zerowasm._simd import lane_masks, simd_helper  # noqa: E402

N = 200_000


def _ns(statement: str, namespace: Dict[str, Any]) -> float:
    best = min(timeit.repeat(statement, globals=namespace, number=N, repeat=5))
    return best / N * 1e9


def part1() -> None:
    low, high = lane_masks(32)
    u4 = struct.Struct("<4I")
    a_int = 0x0123456789ABCDEF_FEDCBA9876543210
    b_int = 0x1111111122222222_33333333FFFFFFFF
    ns: Dict[str, Any] = {
        "a": a_int, "b": b_int, "L": low, "H": high, "fb": int.from_bytes,
        "ab": a_int.to_bytes(16, "little"), "bb": b_int.to_bytes(16, "little"),
        "unpack": u4.unpack, "pack": u4.pack,
        "at": u4.unpack(a_int.to_bytes(16, "little")),
        "bt": u4.unpack(b_int.to_bytes(16, "little")),
        "mul": simd_helper("i32x4_mul"), "s": 7282 * 0x00000001_00000001_00000001_00000001,
    }

    def add_bytes(x: bytes, y: bytes) -> bytes:
        a0, a1, a2, a3 = u4.unpack(x)
        b0, b1, b2, b3 = u4.unpack(y)
        return u4.pack((a0 + b0) & 0xFFFFFFFF, (a1 + b1) & 0xFFFFFFFF,
                       (a2 + b2) & 0xFFFFFFFF, (a3 + b3) & 0xFFFFFFFF)

    def add_int_struct(x: int, y: int) -> int:
        a0, a1, a2, a3 = u4.unpack(x.to_bytes(16, "little"))
        b0, b1, b2, b3 = u4.unpack(y.to_bytes(16, "little"))
        return int.from_bytes(u4.pack((a0 + b0) & 0xFFFFFFFF, (a1 + b1) & 0xFFFFFFFF,
                                      (a2 + b2) & 0xFFFFFFFF, (a3 + b3) & 0xFFFFFFFF), "little")

    def add_tuple(x: tuple, y: tuple) -> tuple:
        return ((x[0] + y[0]) & 0xFFFFFFFF, (x[1] + y[1]) & 0xFFFFFFFF,
                (x[2] + y[2]) & 0xFFFFFFFF, (x[3] + y[3]) & 0xFFFFFFFF)

    ns.update(add_bytes=add_bytes, add_int_struct=add_int_struct, add_tuple=add_tuple)
    rows = [
        ("i32x4.add  int, SWAR inline (chosen)", "((a & L) + (b & L)) ^ ((a ^ b) & H)"),
        ("i32x4.add  int, struct helper", "add_int_struct(a, b)"),
        ("i32x4.add  bytes, struct helper", "add_bytes(ab, bb)"),
        ("i32x4.add  tuple of lanes", "add_tuple(at, bt)"),
        ("v128.and   int (chosen)", "a & b"),
        ("v128.and   bytes", "(fb(ab, 'little') & fb(bb, 'little')).to_bytes(16, 'little')"),
        ("v128.and   tuple of lanes",
         "(at[0] & bt[0], at[1] & bt[1], at[2] & bt[2], at[3] & bt[3])"),
        ("i32x4.mul  int, general (struct)", "mul(a, b)"),
        ("i32x4.mul  int, by a splat (SWAR)", "mul(a, s)"),
        ("i32.add    scalar, for scale", "(a + b) & 0xFFFFFFFF"),
    ]
    print("%s %d.%d: ns per operation" % (sys.implementation.name, *sys.version_info[:2]))
    for label, statement in rows:
        print("  %-42s %7.1f" % (label, _ns(statement, ns)))


def part2() -> None:
    data = ROOT / "tests" / "testdata" / "simd"
    rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="python"))
    builds = {name: rt.instantiate(rt.load(str(data / ("simd_%s.wasm" % name))))
              for name in ("scalar", "vector")}
    calls: Dict[str, Callable[[Any], Any]] = {
        "sum_u32(16384)": lambda e: e.sum_u32(16384),
        "sum_bytes(65536)": lambda e: e.sum_bytes(65536),
        "count_greater(16384)": lambda e: e.count_greater(16384, 0),
        "brighten(65536)": lambda e: e.brighten(65536, 40),
        "blur3x3(256x256)": lambda e: e.blur3x3(256, 256),
        "grayscale(16384)": lambda e: e.grayscale(16384),
        "dot_f32(32768)": lambda e: e.dot_f32(32768),
        "mix_bytes(65536)": lambda e: e.mix_bytes(65536),
    }
    print("C guest, Python tier: ms (scalar build, -msimd128 build, scalar/vector)")
    for label, call in calls.items():
        times = {}
        for name, instance in builds.items():
            instance.exports.fill(7)
            call(instance.exports)  # compile first
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                call(instance.exports)
                best = min(best, time.perf_counter() - start)
            times[name] = best * 1e3
        print("  %-22s %9.2f %9.2f %6.2fx" % (label, times["scalar"], times["vector"],
                                              times["scalar"] / times["vector"]))


if __name__ == "__main__":
    part1()
    part2()
