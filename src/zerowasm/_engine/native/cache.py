"""An on-disk cache of compiled native code (opt-in, beside the Python tier's cache).

Theory of operation
-------------------
A module's blob is position independent and instance independent (:mod:`.module`),
so the whole :class:`.module.CompiledCode` can be kept: ``marshal`` of plain data (bytes,
ints, strings, lists, dicts) in ``<cache_dir>/native-<key>.bin``, behind a magic line and
a SHA-256 of the payload (a corrupt file is ignored and the module compiled again).

The *key* is a SHA-256 over everything the code depends on: this package's sources
(the compiler), the opcode table and body decoder, the zerowasm version, the CPU
features the compiler used (code for a CPU with ``lzcnt`` does not run on one without),
the machine, and the module's types, globals, table/memory/import counts and every
function body. Files are written under a temporary name and renamed into place.

Like the Python tier's cache, the directory must be trusted: its files are machine
code this process will run.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import platform
import tempfile
from typing import Optional

from ..._syntax import ModuleSyntax
from .codemem import cpu_features
from .module import CompiledCode

__all__ = ["NativeCodeCache", "native_module_key"]

_MAGIC = b"zerowasm native code 1\n"
_compiler_key: Optional[str] = None


def _sources_key() -> str:
    global _compiler_key
    if _compiler_key is None:
        digest = hashlib.sha256()
        folder = os.path.dirname(os.path.abspath(__file__))
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as f:
                    digest.update(name.encode() + b"\0" + f.read() + b"\0")
        root = os.path.join(folder, "..", "..")
        for dependency in ("_opcodes.py", os.path.join("_binary", "code.py")):
            path = os.path.join(root, dependency)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    digest.update(f.read())
        try:
            from ... import __version__
            digest.update(str(__version__).encode())
        except ImportError:  # pragma: no cover
            pass
        _compiler_key = digest.hexdigest()
    return _compiler_key


def native_module_key(module: ModuleSyntax) -> str:
    digest = hashlib.sha256()
    digest.update(_sources_key().encode())
    digest.update(repr((sorted(cpu_features().items()), platform.machine())).encode())
    digest.update(repr([(t.params, t.results) for t in module.types]).encode())
    digest.update(repr(module.function_types).encode())
    digest.update(repr([(g.content, g.mutable) for g in module.globals]).encode())
    digest.update(repr((module.imported_function_count, module.imported_table_count,
                        module.imported_memory_count, module.imported_global_count,
                        len(module.tables), len(module.memories))).encode())
    for function in module.functions:
        digest.update(repr((function.type_index, function.locals, len(function.code))).encode())
        digest.update(function.code)
    return digest.hexdigest()


class NativeCodeCache:
    """Compiled native code of modules, kept in ``directory``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _path(self, module: ModuleSyntax) -> str:
        return os.path.join(self.directory, "native-%s.bin" % native_module_key(module)[:40])

    def has(self, module: ModuleSyntax) -> bool:
        return os.path.exists(self._path(module))

    def load(self, module: ModuleSyntax) -> Optional[CompiledCode]:
        try:
            with open(self._path(module), "rb") as f:
                data = f.read()
        except OSError:
            return None
        if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 32:
            return None
        checksum = data[len(_MAGIC):len(_MAGIC) + 32]
        payload = data[len(_MAGIC) + 32:]
        if hashlib.sha256(payload).digest() != checksum:
            return None
        try:
            state = marshal.loads(payload)
            return CompiledCode.from_state(tuple(state))
        except (ValueError, EOFError, TypeError):
            return None

    def store(self, module: ModuleSyntax, compiled: CompiledCode) -> None:
        """Best effort: a cache that cannot be written is skipped."""
        try:
            payload = marshal.dumps(compiled.to_state())
            os.makedirs(self.directory, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
                os.replace(temporary, self._path(module))
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, ValueError):
            pass
