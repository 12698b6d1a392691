"""The native tier's boundary with Python: calls, values, traps, host functions,
re-entrancy, threads, and the tier switch."""

from __future__ import annotations

import math
import os
import struct
import subprocess
import sys
import threading
import time
from typing import Any, List

import pytest
from native_util import native_functions

import zerowasm
from wat import wat


def _instance(rt: Any, text: str, imports: Any = None) -> Any:
    instance = rt.instantiate(rt.compile(wat(text)), imports or {})
    return instance


ARITH = """
(module
  (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "addf") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
  (func (export "addd") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)
  (func (export "id32") (param f32) (result f32) local.get 0)
  (func (export "bits32") (param f32) (result i32) local.get 0 i32.reinterpret_f32)
  (func (export "from_bits32") (param i32) (result f32) local.get 0 f32.reinterpret_i32)
  (func (export "swap") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    local.get 3 local.get 2 local.get 1 local.get 0)
  (func (export "many")
        (param i32 i64 i32 i64 i32 i64 i32 i64 f64 f32 f64 f32 f64 f32 f64 f32 f64 f32 i32)
        (result f64)
    local.get 0 f64.convert_i32_s local.get 1 f64.convert_i64_s f64.add
    local.get 6 f64.convert_i32_s f64.add local.get 7 f64.convert_i64_s f64.add
    local.get 16 f64.add local.get 17 f64.promote_f32 f64.add
    local.get 18 f64.convert_i32_s f64.add)
  (func (export "none"))
)
"""


def test_values_cross_the_boundary(rt: Any) -> None:
    inst = _instance(rt, ARITH)
    e = inst.exports
    assert native_functions(inst) == set(range(10))
    assert e.add(1, 2) == 3
    assert e.add(-5, 2) == -3
    assert e.add(0xFFFFFFFF, 1) == 0
    assert e.add64(2 ** 63 - 1, 1) == -2 ** 63
    assert e.add64(-1, 0xFFFFFFFFFFFFFFFF) == -2
    assert e.addf(1.5, 2.25) == 3.75
    assert e.addd(0.1, 0.2) == 0.1 + 0.2
    assert e.none() is None
    assert e.swap(7, -8, 1.5, 2.5) == (2.5, 1.5, -8, 7)
    args = [1, 2, 3, 4, 5, 6, 7, 8, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11]
    assert e.many(*args) == 1 + 2 + 7 + 8 + 9.0 + 10.0 + 11


def test_f32_nan_payloads_survive(rt: Any) -> None:
    e = _instance(rt, ARITH).exports
    for bits in (0x7FA00000, 0xFFC00001, 0x7F800001, 0x7FC12345):
        value = e.from_bits32(bits - (1 << 32) if bits >> 31 else bits)
        assert math.isnan(value)
        assert e.bits32(value) & 0xFFFFFFFF == bits
        assert e.bits32(e.id32(value)) & 0xFFFFFFFF == bits


def test_argument_errors_match_the_python_tier(rt: Any) -> None:
    e = _instance(rt, ARITH).exports
    with pytest.raises(TypeError):
        e.add(1)
    with pytest.raises(TypeError):
        e.add(1, "2")
    with pytest.raises(TypeError):
        e.add(True, 2)
    with pytest.raises(OverflowError):
        e.add(1 << 32, 2)
    with pytest.raises(OverflowError):
        e.add64(1 << 64, 0)
    assert e.addd(1, 2) == 3.0


TRAPS = """
(module
  (memory 1)
  (func $inner (param i32) (result i32)
    local.get 0 i32.const 0 i32.div_u)
  (func $middle (export "div0") (param i32) (result i32)
    local.get 0 call $inner i32.const 1 i32.add)
  (func (export "unreachable") unreachable)
  (func (export "oob") (param i32) (result i32) local.get 0 i32.load)
  (func (export "overflow") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s)
  (func $runaway (export "runaway") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $runaway)
  (func (export "trunc") (param f64) (result i32) local.get 0 i32.trunc_f64_s)
)
"""


def test_traps_have_kinds_messages_and_backtraces(rt: Any) -> None:
    e = _instance(rt, TRAPS).exports
    with pytest.raises(zerowasm.Trap) as info:
        e.div0(5)
    assert info.value.kind == zerowasm.TrapKind.INTEGER_DIVIDE_BY_ZERO
    assert info.value.message == "integer divide by zero"
    assert [f.function_index for f in info.value.frames] == [0, 1]
    with pytest.raises(zerowasm.Trap, match="unreachable"):
        e.unreachable()
    with pytest.raises(zerowasm.Trap, match="out of bounds memory access"):
        e.oob(65533)
    with pytest.raises(zerowasm.Trap, match="integer overflow"):
        e.overflow()
    with pytest.raises(zerowasm.Trap, match="invalid conversion to integer"):
        e.trunc(math.nan)
    with pytest.raises(zerowasm.Trap, match="integer overflow"):
        e.trunc(2.0 ** 31)
    assert e.trunc(-2147483648.9) == -2 ** 31
    # still usable after traps
    assert e.oob(0) == 0


def test_unbounded_recursion_traps(rt: Any) -> None:
    e = _instance(rt, TRAPS).exports
    for _ in range(3):
        with pytest.raises(zerowasm.Trap) as info:
            e.runaway(0)
        assert info.value.kind == zerowasm.TrapKind.CALL_STACK_EXHAUSTED
    assert e.oob(4) == 0


HOST = """
(module
  (import "env" "log" (func $log (param i32 i64 f32 f64) (result i32)))
  (import "env" "again" (func $again (param i32) (result i32)))
  (import "env" "pair" (func $pair (result f64 i32)))
  (func (export "call_log") (param i32) (result i32)
    local.get 0 i64.const -2 f32.const 1.5 f64.const 2.5 call $log i32.const 1 i32.add)
  (func (export "reenter") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 100
    else local.get 0 i32.const 1 i32.sub call $again i32.const 1 i32.add end)
  (func (export "pair") (result f64) call $pair f64.convert_i32_s f64.add)
  (func (export "trap") (result i32) unreachable)
)
"""


def test_host_calls_values_and_exceptions(rt: Any) -> None:
    seen: List[Any] = []
    state: dict = {}

    def log(a: int, b: int, c: float, d: float) -> int:
        seen.append((a, b, c, d))
        if a == 13:
            raise KeyError("thirteen")
        return a * 2

    def again(n: int) -> int:
        return state["inst"].exports.reenter(n)

    inst = _instance(rt, HOST, {"env": {"log": log, "again": again, "pair": lambda: (0.5, 3)}})
    state["inst"] = inst
    e = inst.exports
    assert e.call_log(-4) == -7
    assert seen == [(-4, -2, 1.5, 2.5)]
    error = KeyError("x")
    with pytest.raises(KeyError) as info:
        e.call_log(13)
    assert info.value.args == ("thirteen",)
    del error
    assert e.reenter(5) == 105          # host -> wasm -> host, five levels deep
    assert e.pair() == 3.5


def test_nested_traps_unwind_only_their_own_segment(rt: Any) -> None:
    state: dict = {}
    caught: List[str] = []

    def again(n: int) -> int:
        if n == 2:
            try:
                state["inst"].exports.trap()
            except zerowasm.Trap as trap:
                caught.append(trap.message)
            raise ValueError("from the host at depth 2")
        return state["inst"].exports.reenter(n)

    inst = _instance(rt, HOST, {"env": {"log": lambda *a: 0, "again": again,
                                        "pair": lambda: (0.0, 0)}})
    state["inst"] = inst
    with pytest.raises(ValueError, match="depth 2"):
        inst.exports.reenter(6)
    assert caught == ["unreachable"]
    assert inst.exports.reenter(1) == 101


def test_python_tier_and_native_tier_call_each_other(rt: Any, monkeypatch: Any) -> None:
    # $py is kept in the Python tier; it calls native code and is called by it
    from zerowasm._engine.native import function as function_module
    original = function_module.FunctionCompiler.compile

    def compile_(self: Any) -> None:
        if self.index == 1:
            raise function_module.Unsupported("kept in Python by the test")
        original(self)
    monkeypatch.setattr(function_module.FunctionCompiler, "compile", compile_)
    text = """
    (module
      (table 2 funcref) (elem (i32.const 0) $native $py)
      (func $native (param i32) (result i32) local.get 0 i32.const 3 i32.mul)
      (func $py (param i32) (result i32)
        (drop (table.get 0 (i32.const 0)))
        local.get 0 call $native i32.const 1 i32.add)
      (func (export "f") (param i32) (result i32) local.get 0 call $py)
      (func (export "g") (param i32) (result i32)
        local.get 0 i32.const 1 call_indirect (param i32) (result i32)))
    """
    inst = _instance(rt, text)
    assert native_functions(inst) == {0, 2, 3}
    assert inst.exports.f(5) == 16
    assert inst.exports.g(5) == 16


def test_call_indirect_edges(rt: Any) -> None:
    text = """
    (module
      (type $ii (func (param i32) (result i32)))
      (table 4 funcref) (elem (i32.const 0) $double $other)
      (func $double (type $ii) local.get 0 i32.const 2 i32.mul)
      (func $other (param i64) (result i64) local.get 0)
      (func (export "call") (param i32 i32) (result i32)
        local.get 0 local.get 1 call_indirect (type $ii))
      (func (export "set") (param i32)
        local.get 0 i32.const 0 i32.const 1 table.copy))
    """
    inst = _instance(rt, text)
    e = inst.exports
    assert e.call(21, 0) == 42
    with pytest.raises(zerowasm.Trap, match="indirect call type mismatch"):
        e.call(1, 1)
    with pytest.raises(zerowasm.Trap, match="uninitialized element"):
        e.call(1, 2)
    with pytest.raises(zerowasm.Trap, match="undefined element"):
        e.call(1, 4)
    with pytest.raises(zerowasm.Trap, match="undefined element"):
        e.call(1, -1)
    # the host rewrites the table: native code sees it at once
    table = inst.exports["table"] if "table" in inst.exports else inst.tables[0]
    table.elements[3] = table.elements[0]
    assert e.call(4, 3) == 8
    table.elements[0] = None
    with pytest.raises(zerowasm.Trap, match="uninitialized element"):
        e.call(1, 0)
    table.grow(2, table.elements[3])
    assert e.call(5, 5) == 10


def test_memory_edges_and_growth(rt: Any) -> None:
    text = """
    (module
      (memory 1 3)
      (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u)
      (func (export "load64") (param i32) (result i64) local.get 0 i64.load)
      (func (export "far") (param i32) (result i32) local.get 0 i32.load offset=0xFFFFFFF0)
      (func (export "store") (param i32 i64) local.get 0 local.get 1 i64.store)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
      (func (export "size") (result i32) memory.size)
      (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
      (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy))
    """
    inst = _instance(rt, text)
    e = inst.exports
    memory = inst.memories[0]
    assert e.load8(65535) == 0
    assert e.load64(65528) == 0
    for address in (65536, 65529, -1, 0x7FFFFFFF, 0x80000000):
        with pytest.raises(zerowasm.Trap, match="out of bounds"):
            e.load64(address)
    with pytest.raises(zerowasm.Trap, match="out of bounds"):
        e.far(0)
    with pytest.raises(zerowasm.Trap, match="out of bounds"):
        e.far(-1)
    e.store(65528, -1)
    assert memory.read(65528, 8) == b"\xff" * 8
    assert e.grow(1) == 1
    assert e.size() == 2
    assert e.load64(65536 + 8) == 0
    e.store(131064, 0x0102030405060708)
    assert memory.read(131064, 8) == bytes(range(8, 0, -1))
    assert e.grow(2) == -1
    assert memory.grow(1) == 2             # the host grows it: native code sees it
    assert e.load8(3 * 65536 - 1) == 0
    e.fill(10, 0xAB, 5)
    assert memory.read(10, 5) == b"\xab" * 5
    e.copy(12, 10, 5)
    assert memory.read(10, 7) == b"\xab" * 7
    with pytest.raises(zerowasm.Trap, match="out of bounds"):
        e.fill(3 * 65536 - 2, 0, 3)
    with pytest.raises(zerowasm.Trap, match="out of bounds"):
        e.copy(0, 3 * 65536, 1)
    e.fill(3 * 65536, 0, 0)                # length 0 at the end is fine


def test_globals_shared_with_the_python_tier(rt: Any) -> None:
    text = """
    (module
      (global $g (export "g") (mut i32) (i32.const 7))
      (global $f (export "f") (mut f32) (f32.const 1.5))
      (global $k i64 (i64.const -3))
      (func (export "bump") (result i32)
        global.get $g i32.const 1 i32.add global.set $g global.get $g)
      (func (export "setf") (param f32) local.get 0 global.set $f)
      (func (export "getf") (result f32) global.get $f)
      (func (export "k") (result i64) global.get $k))
    """
    inst = _instance(rt, text)
    e = inst.exports
    assert e.bump() == 8
    e.g.value = 41
    assert e.bump() == 42
    assert e.g.value == 42
    e.setf(2.25)
    assert e.f.value == 2.25
    e.f.value = -0.5
    assert e.getf() == -0.5
    assert e.k() == -3


def test_one_instance_runs_on_one_thread(rt: Any) -> None:
    started = threading.Event()
    release = threading.Event()
    text = """
    (module
      (import "env" "wait" (func $wait))
      (func (export "hold") call $wait)
      (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
    """

    def wait() -> None:
        started.set()
        release.wait(5)

    inst = _instance(rt, text, {"env": {"wait": wait}})
    worker = threading.Thread(target=inst.exports.hold)
    worker.start()
    try:
        assert started.wait(5)
        with pytest.raises(RuntimeError, match="another thread"):
            inst.exports.add(1, 2)
    finally:
        release.set()
        worker.join()
    assert inst.exports.add(1, 2) == 3


def test_the_gil_is_released(rt: Any) -> None:
    text = """
    (module (func (export "spin") (param i32) (result i32) (local i32)
      block loop local.get 0 i32.eqz br_if 1
        local.get 1 local.get 0 i32.add local.set 1
        local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end local.get 1))
    """
    module = rt.compile(wat(text))
    a = rt.instantiate(module)
    b = rt.instantiate(module)
    n = 100_000_000
    ticks = []
    done = threading.Event()

    def ticker() -> None:
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        a.exports.spin(n)
    finally:
        done.set()
        t.join()
    assert len(ticks) >= 5          # Python ran in another thread meanwhile
    assert b.exports.spin(10) == 55


def test_kill_switch_and_default_tier() -> None:
    code = ("import zerowasm; r = zerowasm.Runtime(); print(r.config.tier, r.engine.name)")
    env = dict(os.environ, ZEROWASM_TIER="native", ZEROWASM_NATIVE="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["native", "python"]
    env = dict(os.environ)
    env.pop("ZEROWASM_TIER", None)
    env.pop("ZEROWASM_NATIVE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["python", "python"]
    env["ZEROWASM_TIER"] = "native"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["native", "native"]


def test_state_created_before_the_tier_falls_back(py_rt: Any) -> None:
    # a mutable global made before any native runtime exists has a Python cell: the
    # instance importing it runs in the Python tier, and still works
    code = """
import zerowasm, sys
sys.path.insert(0, %r)
from wat import wat
g = zerowasm.Global(zerowasm.GlobalType(zerowasm.I32, mutable=True), 5)
rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="native"))
m = rt.compile(wat('(module (import "e" "g" (global $g (mut i32))) '
                   '(func (export "f") (result i32) global.get $g))'))
i = rt.instantiate(m, {"e": {"g": g}})
print(i.exports.f(), i.namespace.get("__native__"))
""" % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["5", "False"]


def test_struct_sanity() -> None:
    assert struct.calcsize("P") == 8


def test_recursion_on_a_small_thread_stack_traps() -> None:
    code = """
import sys, threading, zerowasm
sys.path.insert(0, %r)
from wat import wat
threading.stack_size(256 * 1024)
rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="native"))
inst = rt.instantiate(rt.compile(wat(
    '(module (func $r (export "r") (param i32) (result i32) '
    'local.get 0 i32.const 1 i32.add call $r))')))
out = []
def run():
    try:
        inst.exports.r(0)
    except zerowasm.Trap as trap:
        out.append(trap.message)
t = threading.Thread(target=run)
t.start()
t.join()
print(out)
""" % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "['call stack exhausted']", result.stderr[-2000:]
