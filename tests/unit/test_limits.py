"""Stopping a guest: ``RuntimeConfig(interruptible=True)`` / ``Runtime.interrupt()`` and
``RuntimeConfig(consume_fuel=True)`` / ``Runtime.set_fuel()``: check points at function
entries and loop headers, in every shape of control flow the Python tier generates."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from wat import wat
from zerowasm import Runtime, RuntimeConfig, Trap, TrapKind

GUEST = wat(r"""
(module
  (func (export "spin") (loop (br 0)))
  (func (export "count") (param i32) (result i32) (local i32)
    (loop
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1))
  (func $rec (export "rec") (call $rec))
  ;; an interpreter loop: a br_table switch inside a loop (a dispatch region)
  (func (export "switch_spin") (param i32) (local i32)
    (loop $top
      (block $c (block $b (block $a
        (br_table $a $b $c (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br $top))
        (local.set 1 (i32.add (local.get 1) (i32.const 2))) (br $top))
      (local.set 1 (i32.add (local.get 1) (i32.const 3))) (br $top)))
  (func (export "ok") (result i32) (i32.const 7)))
""")


def _runtime(**options: Any) -> Any:
    runtime = Runtime(RuntimeConfig(tier="python", **options))
    return runtime, runtime.instantiate(runtime.compile(GUEST))


def _stops_within(runtime: Any, call: Any, seconds: float = 0.1) -> float:
    timer = threading.Timer(seconds, runtime.interrupt)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(Trap) as info:
            call()
    finally:
        timer.cancel()
    assert info.value.kind is TrapKind.INTERRUPTED
    return time.monotonic() - start


@pytest.mark.parametrize("name, args", [("spin", ()), ("switch_spin", (0,)),
                                        ("switch_spin", (2,))])
def test_interrupt_from_another_thread_stops_a_loop(name: str, args: tuple) -> None:
    runtime, instance = _runtime(interruptible=True)
    elapsed = _stops_within(runtime, lambda: instance.exports[name](*args))
    assert elapsed < 5.0
    # the request is used up: the instance keeps working
    assert instance.exports.ok() == 7
    assert instance.exports.count(100) == 100


def test_interrupt_before_a_call_stops_the_next_call_only() -> None:
    runtime, instance = _runtime(interruptible=True)
    runtime.interrupt()
    with pytest.raises(Trap) as info:
        instance.exports.ok()
    assert info.value.kind is TrapKind.INTERRUPTED
    assert instance.exports.ok() == 7


def test_checks_are_not_compiled_unless_asked_for() -> None:
    plain = Runtime(RuntimeConfig(tier="python")).compile(GUEST)
    source = plain.engine_module.source_of(1)
    assert "IR[" not in source and "FU[" not in source
    checked = Runtime(RuntimeConfig(tier="python", interruptible=True,
                                    consume_fuel=True)).compile(GUEST)
    source = checked.engine_module.source_of(1)
    assert source.count("IR[0]") == 2 and source.count("FU[0] -=") == 2  # entry + loop


def test_without_the_options_the_api_says_how_to_enable_them() -> None:
    runtime, _ = _runtime()
    with pytest.raises(RuntimeError, match="interruptible=True"):
        runtime.interrupt()
    with pytest.raises(RuntimeError, match="consume_fuel=True"):
        runtime.set_fuel(10)
    with pytest.raises(RuntimeError, match="consume_fuel=True"):
        runtime.get_fuel()


def test_fuel_counts_instructions_per_loop_iteration() -> None:
    runtime, instance = _runtime(consume_fuel=True)
    runtime.set_fuel(10 ** 9)
    instance.exports.count(1000)
    thousand = 10 ** 9 - runtime.get_fuel()
    runtime.set_fuel(10 ** 9)
    instance.exports.count(2000)
    two_thousand = 10 ** 9 - runtime.get_fuel()
    per_iteration = two_thousand - thousand
    assert per_iteration % 1000 == 0
    # local.get, i32.const, i32.add, local.set, local.get, local.get, i32.lt_u, br_if, end
    assert 8 <= per_iteration // 1000 <= 10
    assert thousand == 1000 * (per_iteration // 1000) + (thousand % 1000)


def test_fuel_is_deterministic_and_runs_out_exactly() -> None:
    runtime, instance = _runtime(consume_fuel=True)
    runtime.set_fuel(10 ** 9)
    instance.exports.count(500)
    needed = 10 ** 9 - runtime.get_fuel()
    fresh, other = _runtime(consume_fuel=True)
    fresh.set_fuel(needed)
    assert other.exports.count(500) == 500
    assert fresh.get_fuel() == 0
    fresh.set_fuel(needed - 1)
    with pytest.raises(Trap) as info:
        other.exports.count(500)
    assert info.value.kind is TrapKind.FUEL_EXHAUSTED
    assert fresh.get_fuel() == 0


@pytest.mark.parametrize("name, args", [("spin", ()), ("rec", ()), ("switch_spin", (1,))])
def test_fuel_stops_runaway_guests(name: str, args: tuple) -> None:
    runtime, instance = _runtime(consume_fuel=True)
    runtime.set_fuel(5000)
    with pytest.raises(Trap) as info:
        instance.exports[name](*args)
    assert info.value.kind is TrapKind.FUEL_EXHAUSTED
    runtime.set_fuel(100)
    assert instance.exports.ok() == 7


def test_fuel_and_interrupts_together() -> None:
    runtime, instance = _runtime(consume_fuel=True, interruptible=True)
    runtime.set_fuel(10 ** 15)
    _stops_within(runtime, instance.exports.spin)
    runtime.set_fuel(50)
    with pytest.raises(Trap) as info:
        instance.exports.spin()
    assert info.value.kind is TrapKind.FUEL_EXHAUSTED


def test_set_fuel_rejects_bad_values() -> None:
    runtime, _ = _runtime(consume_fuel=True)
    for bad in (-1, 1.5, True, "10"):
        with pytest.raises(ValueError):
            runtime.set_fuel(bad)  # type: ignore[arg-type]


@pytest.fixture
def native_tier_restored() -> Any:
    """Creating a native runtime switches globals and tables to native-reachable state
    process-wide; put the defaults back for the tests that follow."""
    from zerowasm._engine import native
    from zerowasm._store import globals as globals_module
    from zerowasm._store import table as table_module
    saved = (globals_module.NATIVE_CELLS, table_module.ELEMENT_LIST_FACTORY, native._enabled)
    yield native
    globals_module.NATIVE_CELLS, table_module.ELEMENT_LIST_FACTORY, native._enabled = saved


def test_interrupt_stops_native_code_too(native_tier_restored: Any) -> None:
    native = native_tier_restored
    if not native.available():
        pytest.skip("the native tier is not available here")
    runtime = Runtime(RuntimeConfig(tier="native", interruptible=True))
    instance = runtime.instantiate(runtime.compile(GUEST))
    _stops_within(runtime, instance.exports.spin)
    assert instance.exports.count(10) == 10
    runtime.interrupt()   # nothing running: the next call stops at its first check point
    with pytest.raises(Trap) as info:
        instance.exports.spin()
    assert info.value.kind is TrapKind.INTERRUPTED
    assert instance.exports.count(10) == 10


def test_disk_cache_keeps_checked_and_plain_code_apart(tmp_path: Any) -> None:
    from zerowasm._engine.pycompile.cache import CodeCache
    module = Runtime().compile(GUEST).syntax
    plain = CodeCache(str(tmp_path), module).directory
    checked = CodeCache(str(tmp_path), module, "i1-f0").directory
    assert plain != checked
