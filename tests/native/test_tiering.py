"""Tier "auto" (hot functions move to native code) and the on-disk code cache."""

from __future__ import annotations

import os
from typing import Any

import pytest

import zerowasm
from wat import wat
from zerowasm._engine import native
from zerowasm._engine.native import module as module_module
from zerowasm._engine.pycompile import PythonEngine

TEXT = """
(module
  (global $g (mut i32) (i32.const 0))
  (func $inc (export "inc") (result i32)
    global.get $g i32.const 1 i32.add global.set $g global.get $g)
  (func (export "twice") (result i32) call $inc drop call $inc)
  (func (export "refs") (result i32) (ref.is_null (ref.null func))))
"""


def _state(instance: Any) -> Any:
    return instance.namespace.get(native.NATIVE_KEY)


def test_auto_small_module_is_native_at_once() -> None:
    rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="auto"))
    inst = rt.instantiate(rt.compile(wat(TEXT)))
    assert inst.exports.inc() == 1
    assert _state(inst)
    assert inst.exports.refs() == 1          # reference instructions: Python tier


def test_auto_large_module_tiers_up_when_hot(monkeypatch: Any) -> None:
    monkeypatch.setattr(native, "AUTO_EAGER_BYTES", 0)
    monkeypatch.setattr(native, "HOT_CALLS", 5)
    rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="auto"))
    module = rt.compile(wat(TEXT))
    inst = rt.instantiate(module)
    for expected in range(1, 5):
        assert inst.exports.inc() == expected
    assert _state(inst) is None               # still in the Python tier
    assert inst.exports.twice() == 6          # twice + inc calls: inc reaches 5 calls
    assert inst.exports.inc() == 7
    assert _state(inst)
    assert inst.functions[0].call is _state(inst).wrappers[0]
    assert inst.exports.refs() == 1
    # another instance of a module already compiled goes native on its first call
    other = rt.instantiate(module)
    assert other.exports.inc() == 1
    assert other.exports.inc() == 2
    assert _state(other)


def test_code_cache_round_trip(tmp_path: Any, monkeypatch: Any) -> None:
    directory = str(tmp_path)
    data = wat(TEXT)

    def runtime() -> Any:
        rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="python"))
        engine = native.native_engine(PythonEngine(), "native", cache_dir=directory)
        assert engine is not None
        rt.engine = engine
        return rt

    rt = runtime()
    inst = rt.instantiate(rt.compile(data))
    assert inst.exports.twice() == 2
    files = [name for name in os.listdir(directory) if name.startswith("native-")]
    assert len(files) == 1

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("compiled again instead of loading the cache")
    monkeypatch.setattr(module_module.ModuleCompiler, "compile", refuse)
    rt = runtime()
    inst = rt.instantiate(rt.compile(data))
    assert inst.exports.twice() == 2
    assert _state(inst)

    # a corrupt file is ignored (the module compiles again)
    monkeypatch.undo()
    path = os.path.join(directory, files[0])
    with open(path, "r+b") as f:
        f.seek(-3, 2)
        f.write(b"xyz")
    rt = runtime()
    inst = rt.instantiate(rt.compile(data))
    assert inst.exports.twice() == 2
    assert _state(inst)


def test_invalid_tier_is_refused() -> None:
    with pytest.raises(ValueError):
        zerowasm.Runtime(zerowasm.RuntimeConfig(tier="fast"))
