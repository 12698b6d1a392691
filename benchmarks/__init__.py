"""zerowasm's side-by-side benchmarks (issue 6): ``python -m benchmarks``.

Runs the same workloads on zerowasm, pwasm, pywasm, wasmtime and plain Python in one
process, prints absolute numbers and ratios against zerowasm, and writes
``docs/benchmarks.md`` and ``docs/benchmarks.png``. See ``python -m benchmarks --help``
and docs/benchmarks.md ("How to run").

The checkout's ``src/`` comes first on ``sys.path``, so the benchmarks measure this
working tree's zerowasm even where it is not installed (PyPy).
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SRC = os.path.join(ROOT, "src")
if os.path.isdir(os.path.join(_SRC, "zerowasm")) and _SRC not in sys.path:
    sys.path.insert(0, _SRC)
