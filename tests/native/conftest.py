"""Fixtures for the native tier's tests: skipped where the tier cannot run."""

from __future__ import annotations

from typing import Any

import pytest

import zerowasm  # noqa: E402
from zerowasm._engine.native import available, probe_failure  # noqa: E402


def pytest_collection_modifyitems(config: Any, items: Any) -> None:
    if available():
        return
    reason = "native tier unavailable here: %s" % (probe_failure() or "disabled")
    for item in items:
        if "tests/native" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def rt() -> Any:
    """A runtime with every function forced native."""
    runtime = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="native"))
    assert runtime.engine.name == "native"
    return runtime


@pytest.fixture
def py_rt() -> Any:
    return zerowasm.Runtime(zerowasm.RuntimeConfig(tier="python"))
