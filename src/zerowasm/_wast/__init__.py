"""The ``.wast`` script runner: the spec test suite's driver and ``zerowasm wast``.

Scripts are converted to JSON + ``.wasm`` by WABT's ``wast2json`` (:mod:`.convert`, cached),
then run command by command through the public API (:mod:`.runner`), comparing results by
bits (:mod:`.values`) against the ``spectest`` host module (:mod:`.spectest`).
:mod:`.report` prints the per-script and total counts.
"""

from __future__ import annotations

from .convert import (
    ConversionError,
    Wast2JsonNotFound,
    convert_wast,
    default_cache_dir,
    find_wast2json,
)
from .report import format_mismatch_tally, format_totals, run_wast_file, run_wast_files
from .runner import FileResult, Problem, ScriptRunner, run_script

__all__ = [
    "ConversionError",
    "Wast2JsonNotFound",
    "convert_wast",
    "default_cache_dir",
    "find_wast2json",
    "format_mismatch_tally",
    "format_totals",
    "run_wast_file",
    "run_wast_files",
    "FileResult",
    "Problem",
    "ScriptRunner",
    "run_script",
]
