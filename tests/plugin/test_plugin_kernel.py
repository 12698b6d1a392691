"""The Python kernel: allocation, reuse, bounds, reset (the behaviour Extism's
runtime/src/tests/kernel.rs pins down), driven directly and through a guest."""

from __future__ import annotations

import pytest

import zerowasm.plugin as extism
from wat import wat
from zerowasm.plugin._kernel import FIRST_BLOCK, Kernel


def test_alloc_zero_is_null() -> None:
    assert Kernel().alloc(0) == 0


def test_fresh_blocks_have_their_length() -> None:
    k = Kernel()
    offsets = [k.alloc(n) for n in (1, 7, 100, 65536 * 3)]
    assert offsets[0] == FIRST_BLOCK and all(offsets)
    assert [k.length(p) for p in offsets] == [1, 7, 100, 65536 * 3]
    assert len(set(offsets)) == 4


def test_length_is_zero_inside_a_block_and_after_free() -> None:
    k = Kernel()
    p = k.alloc(16)
    assert k.length(p + 1) == 0 and k.length(0) == 0 and k.length(10 ** 12) == 0
    k.free(p)
    assert k.length(p) == 0


def test_freed_block_is_reused_first_fit() -> None:
    k = Kernel()
    a = k.alloc(64)
    b = k.alloc(64)
    k.alloc(8)  # keeps a and b away from the top
    k.free(a)
    assert k.alloc(64) == a
    k.free(b)
    assert k.alloc(10) == b  # a smaller request reuses the block, same offset
    assert k.length(b) == 10


def test_big_free_block_is_split() -> None:
    k = Kernel()
    a = k.alloc(1000)
    k.alloc(8)
    k.free(a)
    assert k.alloc(100) == a
    assert k.alloc(100) == a + 100  # the split-off tail


def test_free_at_the_top_returns_space() -> None:
    k = Kernel()
    a = k.alloc(50)
    b = k.alloc(50)
    k.free(a)
    k.free(b)
    assert k.top == FIRST_BLOCK
    assert k.alloc(80) == a


def test_reset_gives_the_first_offset_again() -> None:
    k = Kernel()
    first = k.alloc(10)
    k.alloc(20)
    k.error_set(first)
    k.reset()
    assert k.error_get() == 0 and k.alloc(5) == first


def test_large_allocations_and_failure() -> None:
    k = Kernel()
    assert k.alloc(100 * 65536) != 0
    capped = Kernel(max_pages=2)
    assert capped.alloc(3 * 65536) == 0  # does not fit: 0, no trap
    assert capped.alloc(1000) != 0


def test_out_of_bounds_loads_and_stores_are_ignored() -> None:
    k = Kernel()
    far = 1 << 40
    assert k.load_u8(far) == 0 and k.load_u64(far) == 0 and k.load_u64(k.size - 4) == 0
    k.store_u8(far, 1)
    k.store_u64(far, 1)
    p = k.alloc(8)
    k.store_u64(p, 0x0102030405060708)
    assert k.load_u64(p) == 0x0102030405060708 and k.load_u8(p) == 8


def test_input_loads() -> None:
    k = Kernel()
    k.set_input(b"abcdefghij")
    assert k.input_load_u8(0) == ord("a") and k.input_load_u8(10) == 0
    assert k.input_load_u64(2) == int.from_bytes(b"cdefghij", "little")
    assert k.input_load_u64(3) == 0  # would read past the end
    k.free(k.input_offset)
    assert k.input_length == 0


def test_error_set_get() -> None:
    k = Kernel()
    p = k.new_block(b"boom")
    k.error_set(p)
    assert k.error_get() == p and k.error_message() == "boom"


ALLOC_TWICE = r"""
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    (local $a i64) (local $b i64) (local $out i64)
    (local.set $a (call $alloc (i64.const 32)))
    (call $free (local.get $a))
    (local.set $b (call $alloc (i64.const 32)))
    (local.set $out (call $alloc (i64.const 16)))
    (call $store_u64 (local.get $out) (i64.sub (local.get $a) (local.get $b)))
    (call $store_u64 (i64.add (local.get $out) (i64.const 8)) (call $length (local.get $b)))
    (call $output_set (local.get $out) (i64.const 16))
    (i32.const 0)))
"""


def test_guest_sees_reuse_and_a_fresh_kernel_each_call() -> None:
    plugin = extism.Plugin(wat(ALLOC_TWICE), functions=[])
    for _ in range(3):
        out = plugin.call("run", b"input bytes")
        assert out == (0).to_bytes(8, "little") + (32).to_bytes(8, "little")


def test_kernel_memory_cap_fails_input_allocation() -> None:
    plugin = extism.Plugin({"wasm": [{"data": wat(ALLOC_TWICE)}], "memory": {"max_pages": 2}},
                           functions=[])
    with pytest.raises(extism.OutOfMemory):
        plugin.call("run", b"x" * (3 * 65536))
    assert plugin.call("run", b"small")  # still usable
