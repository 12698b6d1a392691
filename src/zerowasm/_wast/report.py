"""Running several scripts and printing the conformance report (``zerowasm wast``).

Output, per script: ``PATH: N passed, N failed, N skipped``; at the end the tally of
message mismatches on its own line, then ``N passed, N failed, N skipped`` alone on the
last line. With ``verbose``, each failure (and each message mismatch and skip reason) is
listed before its script's line as ``PATH:LINE: COMMAND: what was expected, what happened``.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, List, Optional, Sequence, TextIO, Union

from .convert import ConversionError, Wast2JsonNotFound, convert_wast
from .runner import FileResult, run_script

__all__ = ["run_wast_file", "run_wast_files", "format_totals", "format_mismatch_tally"]


def run_wast_file(path: Union[str, Path], cache_dir: Optional[Path] = None,
                  features: Sequence[str] = (),
                  runtime_factory: Optional[Callable[[], Any]] = None) -> FileResult:
    """Convert (cached) and run one ``.wast`` script.

    A script that cannot be read or converted is one failed command in the result.
    Raises :class:`Wast2JsonNotFound` when ``wast2json`` is not installed.
    """
    display = str(path)
    try:
        json_path = convert_wast(path, cache_dir=cache_dir, features=features)
    except (OSError, ConversionError) as error:
        result = FileResult(display)
        result.add_failure(0, "convert", str(error))
        return result
    return run_script(json_path, display, runtime_factory)


def format_problem(path: str, line: int, command: str, message: str) -> str:
    first, _, rest = message.partition("\n")
    text = "%s:%d: %s: %s" % (path, line, command, first)
    if rest:
        text += "\n" + "\n".join("    " + part for part in rest.split("\n"))
    return text


def format_verbose(result: FileResult) -> List[str]:
    """The failure, mismatch and skip lines of one script."""
    lines = [format_problem(result.path, p.line, p.command, p.message)
             for p in result.failures]
    lines += [format_problem(result.path, p.line, p.command, "message mismatch: " + p.message)
              for p in result.mismatches]
    lines += ["%s: skipped %d: %s" % (result.path, count, reason)
              for reason, count in sorted(result.skip_reasons.items())]
    return lines


def format_mismatch_tally(results: Iterable[FileResult]) -> str:
    """``message mismatches: N`` with a per-command breakdown when N > 0."""
    tally: collections.Counter[str] = collections.Counter()
    for result in results:
        for problem in result.mismatches:
            tally[problem.command] += 1
    total = sum(tally.values())
    if not total:
        return "message mismatches: 0"
    return "message mismatches: %d (%s)" % (total, ", ".join(
        "%s %d" % item for item in sorted(tally.items())))


def format_totals(results: Iterable[FileResult]) -> str:
    """``N passed, N failed, N skipped`` summed over scripts."""
    passed = failed = skipped = 0
    for result in results:
        passed += result.passed
        failed += result.failed
        skipped += result.skipped
    return "%d passed, %d failed, %d skipped" % (passed, failed, skipped)


def run_wast_files(paths: Sequence[Union[str, Path]], verbose: bool = False,
                   out: Optional[TextIO] = None, features: Sequence[str] = (),
                   cache_dir: Optional[Path] = None,
                   runtime_factory: Optional[Callable[[], Any]] = None) -> int:
    """Run scripts, print the report, and return the exit status (0: nothing failed)."""
    stream = out if out is not None else sys.stdout
    results: List[FileResult] = []
    for path in paths:
        try:
            result = run_wast_file(path, cache_dir=cache_dir, features=features,
                                   runtime_factory=runtime_factory)
        except Wast2JsonNotFound as error:
            print("zerowasm wast: error: %s" % error, file=sys.stderr)
            return 2
        results.append(result)
        if verbose:
            for line in format_verbose(result):
                print(line, file=stream)
        else:  # a script that could not be read or converted always says why
            for problem in result.failures:
                if problem.command == "convert":
                    print(format_problem(result.path, problem.line, problem.command,
                                         problem.message), file=stream)
        print("%s: %s" % (result.path, result.summary()), file=stream)
        stream.flush()
    print(format_mismatch_tally(results), file=stream)
    print(format_totals(results), file=stream)
    return 1 if any(result.failed for result in results) else 0
