"""Rebuild the benchmark guests: ``python benchmarks/guests/build.py``.

Each ``NAME.c`` here becomes ``NAME.wasm`` (wasm32, freestanding, -O2), compiled with
the ``ziglang`` package from PyPI (``pip install ziglang``, part of the ``bench``
extra). The built ``.wasm`` files are committed, so running the benchmarks or the
tests never needs a compiler.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent

FLAGS = ["-target", "wasm32-freestanding", "-O2", "-nostdlib",
         "-Wl,--no-entry", "-Wl,--strip-debug"]


def build(source: pathlib.Path) -> pathlib.Path:
    """Compile one C source next to itself; return the .wasm path."""
    output = source.with_suffix(".wasm")
    command = [sys.executable, "-m", "ziglang", "cc", *FLAGS, "-o", str(output), str(source)]
    subprocess.run(command, check=True)
    return output


def main() -> None:
    for source in sorted(HERE.glob("*.c")):
        output = build(source)
        print("%s -> %s (%d bytes)" % (source.name, output.name, output.stat().st_size))


if __name__ == "__main__":
    main()
