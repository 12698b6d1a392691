"""An on-disk cache of compiled functions (opt-in: ``PythonEngine(cache_dir=...)``).

Theory of operation
-------------------
Generating and compiling the Python of a large function costs milliseconds; a module
with thousands of functions pays it on every start. The cache keeps each function's
code object (``marshal``) in ``<cache_dir>/<module key>/f<index>.code``.

The *module key* is a SHA-256 over everything the generated code depends on: the
compiler itself (the source of every module of this package) and its options (check
points, :class:`.compiler.Checks`), the Python
implementation and bytecode version (``sys.implementation.cache_tag`` and
``sys.version_info``), and the module's types, function types, global types, import
counts, function names and every function's locals and body. A stale or corrupt entry
can therefore only be a missing one: a file that cannot be read or unmarshalled is
ignored and the function compiled again. Files are written to a temporary name and
renamed into place, so concurrent processes never see half a file.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from types import CodeType
from typing import Optional

from ..._syntax import ModuleSyntax

__all__ = ["CodeCache", "module_key"]

_COMPILER_KEY: Optional[str] = None


def _compiler_key() -> str:
    """A hash of this package's sources: any change to the compiler changes the key."""
    global _COMPILER_KEY
    if _COMPILER_KEY is None:
        digest = hashlib.sha256()
        folder = os.path.dirname(os.path.abspath(__file__))
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as f:
                    digest.update(name.encode() + b"\0" + f.read() + b"\0")
        for dependency in ("_numeric.py", "_opcodes.py"):
            path = os.path.join(folder, "..", "..", dependency)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    digest.update(f.read())
        _COMPILER_KEY = digest.hexdigest()
    return _COMPILER_KEY


def module_key(module: ModuleSyntax, variant: str = "") -> str:
    """The cache key of ``module`` compiled with options ``variant`` (see the module
    docstring)."""
    digest = hashlib.sha256()
    digest.update(_compiler_key().encode())
    digest.update(variant.encode() + b"\0")
    digest.update(repr((sys.implementation.cache_tag, tuple(sys.version_info))).encode())
    digest.update(repr([(t.params, t.results) for t in module.types]).encode())
    digest.update(repr(module.function_types).encode())
    digest.update(repr([(g.content, g.mutable) for g in module.globals]).encode())
    digest.update(repr((module.imported_function_count, module.imported_table_count,
                        module.imported_memory_count, module.imported_global_count,
                        len(module.tables), len(module.memories))).encode())
    digest.update(repr(sorted(module.names.functions.items())).encode())
    for function in module.functions:
        digest.update(repr((function.type_index, function.locals, len(function.code))).encode())
        digest.update(function.code)
    return digest.hexdigest()


class CodeCache:
    """The cached code objects of one module."""

    def __init__(self, directory: str, module: ModuleSyntax, variant: str = "") -> None:
        self._root = directory
        self._module: Optional[ModuleSyntax] = module
        self._variant = variant
        self._directory: Optional[str] = None

    @property
    def directory(self) -> str:
        """``<cache_dir>/<module key>``, computed on first use (hashing every body of a
        large module takes milliseconds a load that hits the cache should not pay)."""
        if self._directory is None:
            assert self._module is not None
            self._directory = os.path.join(self._root,
                                           module_key(self._module, self._variant)[:40])
            self._module = None
        return self._directory

    def _path(self, function_index: int) -> str:
        return os.path.join(self.directory, "f%d.code" % function_index)

    def load(self, function_index: int) -> Optional[CodeType]:
        """The cached code object of ``function_index``, or None."""
        try:
            with open(self._path(function_index), "rb") as f:
                code = marshal.load(f)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return code if isinstance(code, CodeType) else None

    def store(self, function_index: int, code: CodeType) -> None:
        """Remember ``code`` (best effort: a cache that cannot be written is skipped)."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    marshal.dump(code, f)
                os.replace(temporary, self._path(function_index))
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass
