"""The core 2.0 spec suite with every function forced to the native tier.

Functions the native compiler does not handle (every function using v128, for one) run
in the Python tier, so each script
must pass entirely; the terminal summary says how many ``invoke`` commands actually
entered machine code (the coverage of this suite) and which reasons kept functions in
Python.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

import zerowasm
from zerowasm._engine import native
from zerowasm._store import function as function_module
from zerowasm._wast import Wast2JsonNotFound, find_wast2json, run_wast_file
from zerowasm._wast.report import format_verbose

REPO = Path(__file__).resolve().parents[2]
SPEC_DIR = Path(os.environ.get("ZEROWASM_SPEC_DIR")
                or REPO.parent / "shared" / "testsuite" / "spec" / "core-2.0")
SCRIPTS = sorted(SPEC_DIR.glob("*.wast")) if SPEC_DIR.is_dir() else []

#: filled by the tests, printed by conftest.pytest_terminal_summary
COVERAGE: collections.Counter = collections.Counter()
REASONS: collections.Counter = collections.Counter()


@pytest.fixture
def count_native(monkeypatch: Any) -> Iterator[None]:
    original = function_module.Function.__call__
    original_compile = native.NativeModule.compile

    def count(function: Any) -> None:
        COVERAGE["invokes"] += 1
        instance = function.instance
        if function.host is None and instance is not None:
            state = instance.namespace.get(native.NATIVE_KEY)
            if state and function.index in state.wrappers:
                COVERAGE["native invokes"] += 1

    def call(self: Any, *args: Any) -> Any:
        count(self)
        return original(self, *args)

    def compile_(self: Any) -> Any:
        first = self.compiled is None and self.failure is None
        compiled = original_compile(self)
        if first and compiled is not None:
            COVERAGE["native functions"] += len(compiled.native)
            COVERAGE["python-tier functions"] += len(compiled.unsupported)
            for reason in compiled.unsupported.values():
                REASONS[reason] += 1
        return compiled

    # calls from Python go through generated per-signature subclasses of Function
    # (function_module._call_class / _entry_class): count through a subclass of each
    counting: Dict[type, type] = {}

    def counted(make_class: Any) -> Any:
        def make(key: Any) -> type:
            cls = make_class(key)
            wrapped = counting.get(cls)
            if wrapped is None:
                inner = cls.__call__

                def counting_call(self: Any, *args: Any) -> Any:
                    count(self)
                    return inner(self, *args)
                wrapped = counting[cls] = type("Function", (cls,), {
                    "__slots__": (), "__call__": counting_call})
            return wrapped
        return make

    monkeypatch.setattr(function_module.Function, "__call__", call)
    monkeypatch.setattr(function_module, "_call_class", counted(function_module._call_class))
    monkeypatch.setattr(function_module, "_entry_class", counted(function_module._entry_class))
    monkeypatch.setattr(native.NativeModule, "compile", compile_)
    yield


@pytest.mark.parametrize("script", SCRIPTS or [None],
                         ids=[p.stem for p in SCRIPTS] or ["spec-suite-absent"])
def test_spec_script_native(script: Optional[Path], count_native: None) -> None:
    if script is None:
        pytest.skip("spec test suite not found at %s" % SPEC_DIR)
    try:
        find_wast2json()
    except Wast2JsonNotFound as error:
        pytest.skip(str(error))
    result = run_wast_file(script, runtime_factory=lambda: zerowasm.Runtime(
        zerowasm.RuntimeConfig(tier="native")))
    COVERAGE["passed"] += result.passed
    COVERAGE["failed"] += result.failed
    if result.failed:
        problems: List[str] = format_verbose(result)[:40]
        pytest.fail("%s: %s\n%s" % (script.name, result.summary(), "\n".join(problems)),
                    pytrace=False)
