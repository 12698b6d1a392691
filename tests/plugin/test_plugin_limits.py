"""Limits that stop a runaway guest -- and the host keeps working afterwards.

Each runaway (an infinite loop, infinite recursion, unbounded memory growth, a host
function that never returns) is stopped by its limit; then the same plugin serves a
normal call.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import zerowasm.plugin as extism
from wat import wat

RUNAWAY = wat(r"""
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (func (export "ok") (result i32)
    (local $p i64)
    (local.set $p (call $alloc (i64.const 2)))
    (call $store_u8 (local.get $p) (i32.const 111))
    (call $store_u8 (i64.add (local.get $p) (i64.const 1)) (i32.const 107))
    (call $output_set (local.get $p) (i64.const 2))
    (i32.const 0))
  (func (export "spin") (result i32)
    (loop (br 0))
    (i32.const 0))
  (func $count (param $n i32) (result i32)
    (local $i i32)
    (loop
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "count_10k") (result i32)
    (drop (call $count (i32.const 10000)))
    (i32.const 0))
  (func $recurse (result i32) (i32.add (call $recurse) (i32.const 1)))
  (func (export "recurse") (result i32) (call $recurse))
  (func (export "grow_forever") (result i32)
    (loop
      (br_if 0 (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable)
  (func (export "grow_until_refused") (result i32)
    (loop
      (br_if 0 (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (memory.size)))
""")


def plugin(**kw: Any) -> extism.Plugin:
    manifest = {"wasm": [{"data": RUNAWAY}]}
    manifest.update(kw.pop("manifest", {}))
    return extism.Plugin(manifest, functions=kw.pop("functions", []), **kw)


def test_infinite_loop_stopped_by_timeout() -> None:
    p = plugin(manifest={"timeout_ms": 200})
    for _ in range(3):
        start = time.monotonic()
        with pytest.raises(extism.Timeout):
            p.call("spin", "")
        assert time.monotonic() - start < 0.2 + 0.3
        assert p.call("ok", "") == b"ok"


def test_timeout_keyword_overrides_the_manifest() -> None:
    p = plugin(timeout_ms=50)
    start = time.monotonic()
    with pytest.raises(extism.Timeout):
        p.call("spin", "")
    assert time.monotonic() - start < 0.4


def test_cancel_from_another_thread() -> None:
    p = plugin()
    handle = p.cancel_handle()
    assert handle.cancel() is False  # nothing running
    timer = threading.Timer(0.2, handle.cancel)
    timer.start()
    with pytest.raises(extism.Cancelled):
        p.call("spin", "")
    timer.join()
    assert p.call("ok", "") == b"ok"


def test_many_near_deadline_calls_never_leak_the_interruption() -> None:
    p = plugin(timeout_ms=2)
    outcomes = set()
    for _ in range(50):
        try:
            p.call("count_10k", "")
            outcomes.add("ok")
        except extism.Timeout:
            outcomes.add("timeout")
    assert outcomes <= {"ok", "timeout"}
    total = 0
    for i in range(200000):  # a stray async exception would surface here
        total += i
    assert total == 19999900000
    assert plugin().call("ok", "") == b"ok"


def test_fuel_stops_an_infinite_loop() -> None:
    p = plugin(fuel=5000)
    with pytest.raises(extism.FuelExhausted, match="plugin ran out of fuel"):
        p.call("spin", "")
    assert p.fuel_consumed == 5000
    assert p.call("ok", "") == b"ok"


def test_fuel_is_deterministic_and_per_call() -> None:
    p = plugin(fuel=10 ** 7)
    p.call("count_10k", "")
    first = p.fuel_consumed
    p.call("count_10k", "")
    assert p.fuel_consumed == first and first is not None and first > 10000
    with pytest.raises(extism.FuelExhausted):
        plugin(fuel=first - 1).call("count_10k", "")
    plugin(fuel=first).call("count_10k", "")


def test_infinite_recursion_traps() -> None:
    p = plugin()
    with pytest.raises(extism.TrapError, match="call stack exhausted"):
        p.call("recurse", "")
    assert p.call("ok", "") == b"ok"


def test_memory_growth_budget_per_call() -> None:
    p = plugin(manifest={"memory": {"max_pages": 8}})
    with pytest.raises(extism.OutOfMemory, match="oom"):
        p.call("grow_forever", "")
    assert p.call("ok", "") == b"ok"


def test_memory_hard_cap_makes_grow_fail_as_the_spec_says() -> None:
    p = plugin(max_memory_pages=5)
    # memory.grow returns -1 at the cap; the guest goes on and reports the size
    with pytest.raises(extism.GuestError) as info:
        p.call("grow_until_refused", "")
    assert info.value.rc == 5
    with pytest.raises(extism.OutOfMemory):
        p.call("grow_forever", "")
    assert p.call("ok", "") == b"ok"


def test_memory_that_starts_too_large_is_oom() -> None:
    p = plugin(manifest={"memory": {"max_pages": 0}})
    with pytest.raises(extism.OutOfMemory, match="oom"):
        p.call("ok", "")


def test_timeout_stops_the_guest_once_a_slow_host_function_returns() -> None:
    # host code is never interrupted; the guest stops at its next check point
    returned = []

    @extism.host_fn(name="slow", signature=([], []))
    def slow(plugin: Any, params: Any, results: Any) -> None:
        time.sleep(0.3)
        returned.append(True)
    module = wat(r"""
    (module
      (import "extism:host/user" "slow" (func $slow))
      (func (export "run") (result i32) (call $slow) (loop (br 0)) (i32.const 0)))""")
    p = extism.Plugin({"wasm": [{"data": module}], "timeout_ms": 100}, functions=[slow])
    with pytest.raises(extism.Timeout):
        p.call("run", "")
    assert returned == [True]


def test_host_function_exception_fails_the_call() -> None:
    @extism.host_fn(name="boom", signature=([], []))
    def boom(plugin: Any, params: Any, results: Any) -> None:
        raise ValueError("bad thing")
    module = wat(r"""
    (module
      (import "extism:host/user" "boom" (func $boom))
      (func (export "run") (result i32) (call $boom) (i32.const 0)))""")
    p = extism.Plugin(module, functions=[boom])
    with pytest.raises(extism.HostFunctionError) as info:
        p.call("run", "")
    assert "bad thing" in str(info.value) and isinstance(info.value.__cause__, ValueError)
