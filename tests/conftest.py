"""Shared pytest wiring: the spec suite's totals in the terminal summary."""

from __future__ import annotations

from typing import Any, List

import pytest

_SPEC_RESULTS = pytest.StashKey[List[Any]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SPEC_RESULTS] = []


@pytest.fixture
def spec_results(request: pytest.FixtureRequest) -> List[Any]:
    """Where the spec tests put each script's :class:`zerowasm._wast.FileResult`."""
    return request.config.stash[_SPEC_RESULTS]


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    """After a run that included spec scripts: the command totals over all of them."""
    results = config.stash.get(_SPEC_RESULTS, [])
    if not results:
        return
    from zerowasm._wast.report import format_mismatch_tally, format_totals

    terminalreporter.write_line("spec suite (%d scripts, commands): %s"
                                % (len(results), format_mismatch_tally(results)))
    terminalreporter.write_line("spectest: " + format_totals(results))
