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


@pytest.fixture(autouse=True)
def _native_tier_off_afterwards() -> Any:
    """Enabling the native tier is process-wide (native global cells, mirrored table
    lists); undo it after each test so other test directories see the defaults."""
    from zerowasm._engine import native
    from zerowasm._store import globals as globals_module
    from zerowasm._store import table as table_module
    saved = (globals_module.NATIVE_CELLS, table_module.ELEMENT_LIST_FACTORY, native._enabled)
    yield
    globals_module.NATIVE_CELLS, table_module.ELEMENT_LIST_FACTORY, native._enabled = saved


@pytest.fixture
def rt() -> Any:
    """A runtime with every function forced native."""
    runtime = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="native"))
    assert runtime.engine.name == "native"
    return runtime


@pytest.fixture
def py_rt() -> Any:
    return zerowasm.Runtime(zerowasm.RuntimeConfig(tier="python"))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """After the forced-native spec run: how much of it ran in machine code."""
    module = __import__("sys").modules.get("test_spec_native")
    if module is None or not module.COVERAGE.get("invokes"):
        return
    c = module.COVERAGE
    terminalreporter.write_line(
        "native tier, spec suite forced native: %d commands passed, %d failed; %d of %d "
        "invokes (%.1f%%) entered machine code; %d functions native, %d left in Python"
        % (c["passed"], c["failed"], c["native invokes"], c["invokes"],
           100.0 * c["native invokes"] / max(1, c["invokes"]), c["native functions"],
           c["python-tier functions"]))
    reasons = ", ".join("%s (%d)" % (r, n) for r, n in module.REASONS.most_common(8))
    if reasons:
        terminalreporter.write_line("  kept in Python because of: " + reasons)
