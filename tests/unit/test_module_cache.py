"""Compiling a module again: the runtime's memory of modules, and ``cache_dir`` on disk."""

from __future__ import annotations

import os
from typing import Any

import pytest

from wat import wat
from zerowasm import Runtime, RuntimeConfig, ValidationError
from zerowasm._module_cache import DeferredFunctionInfos, validated_key

GUEST = wat(r"""
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call 1 (i64.sub (local.get 0) (i64.const 1))))))))
""")


def test_same_bytes_in_the_same_runtime_give_the_same_module() -> None:
    runtime = Runtime()
    first = runtime.compile(GUEST)
    assert runtime.compile(bytearray(GUEST)) is first
    assert runtime.compile(memoryview(GUEST)) is first
    assert runtime.compile(GUEST, name="other") is not first
    assert Runtime().compile(GUEST) is not first


def test_disk_cache_skips_full_validation_the_second_time(tmp_path: Any) -> None:
    config = RuntimeConfig(cache_dir=str(tmp_path))
    first = Runtime(config).compile(GUEST)
    assert not isinstance(first.function_infos, DeferredFunctionInfos)
    assert os.path.exists(os.path.join(str(tmp_path), "validated", validated_key(GUEST)))
    runtime = Runtime(config)
    again = runtime.compile(GUEST)
    assert isinstance(again.function_infos, DeferredFunctionInfos)
    instance = runtime.instantiate(again)
    assert instance.exports.add(2, 3) == 5
    assert instance.exports.fac(20) == 2432902008176640000


def test_an_invalid_module_is_never_marked(tmp_path: Any) -> None:
    invalid = wat('(module (func (result i32) (i64.const 0)))', '--no-check')
    config = RuntimeConfig(cache_dir=str(tmp_path))
    for _ in range(2):
        with pytest.raises(ValidationError, match="type mismatch"):
            Runtime(config).compile(invalid)
    assert not os.path.exists(os.path.join(str(tmp_path), "validated", validated_key(invalid)))


def test_a_different_module_is_validated_in_full(tmp_path: Any) -> None:
    config = RuntimeConfig(cache_dir=str(tmp_path))
    Runtime(config).compile(GUEST)
    changed = GUEST.replace(b"\x6a", b"\x6b")   # i32.add -> i32.sub: another module
    assert changed != GUEST
    module = Runtime(config).compile(changed)
    assert not isinstance(module.function_infos, DeferredFunctionInfos)


def test_compiled_code_comes_back_from_disk(tmp_path: Any) -> None:
    config = RuntimeConfig(cache_dir=str(tmp_path))
    runtime = Runtime(config)
    assert runtime.instantiate(runtime.compile(GUEST)).exports.add(1, 2) == 3
    files = [name for _, _, names in os.walk(str(tmp_path)) for name in names
             if name.endswith(".code")]
    assert files
    # a corrupt entry is ignored and rebuilt
    for folder, _, names in os.walk(str(tmp_path)):
        for name in names:
            if name.endswith(".code"):
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(b"not marshal data")
    runtime = Runtime(config)
    assert runtime.instantiate(runtime.compile(GUEST)).exports.add(40, 2) == 42
