"""What a runtime remembers about modules it compiled: in memory, and on disk.

Theory of operation
-------------------
Compiling a module is decode (fast: function bodies stay raw bytes), validation (the
expensive part: every instruction of every body, ~0.4 s for a 1 MB module on CPython)
and code generation, which the Python engine does lazily per function and can keep on
disk (``RuntimeConfig(cache_dir=...)``, :mod:`._engine.pycompile.cache`).

* **In memory**: a :class:`Runtime` keeps the last :data:`MEMORY_ENTRIES` modules it
  compiled, keyed by their exact bytes (a ``bytes`` key compares equal only to the same
  bytes, so there are no false hits). Compiling the same bytes again returns the same
  :class:`Module`, with everything it has compiled so far.
* **On disk**: once a module has validated, an empty marker file
  ``<cache_dir>/validated/<key>`` records it, where ``key`` is a BLAKE2b hash of the
  module's bytes and of the validator's own sources. A later process that finds the
  marker checks only the module-level rules and leaves function bodies to be validated
  (and their block structure recorded) when the engine first compiles them -- and
  functions whose compiled code is in the cache are never looked at again. The cache
  directory is therefore trusted, as wasmtime trusts its own cache: whoever can write to
  it can also plant compiled code.
"""

from __future__ import annotations

import collections
import hashlib
import os
import threading
from typing import Any, Iterator, List, Optional, Sequence, Union, overload

from ._syntax import ModuleSyntax
from ._validate.info import FunctionInfo

__all__ = ["MEMORY_ENTRIES", "ModuleMemory", "validated_key", "is_validated",
           "mark_validated", "DeferredFunctionInfos"]

#: Modules a runtime keeps in memory (least recently compiled dropped first).
MEMORY_ENTRIES = 16

_VALIDATOR_KEY: Optional[bytes] = None


def _validator_key() -> bytes:
    """A hash of the decoder's and validator's sources: a new version re-validates."""
    global _VALIDATOR_KEY
    if _VALIDATOR_KEY is None:
        digest = hashlib.blake2b(digest_size=16)
        root = os.path.dirname(os.path.abspath(__file__))
        for folder in ("_binary", "_validate"):
            path = os.path.join(root, folder)
            for name in sorted(os.listdir(path)):
                if name.endswith(".py"):
                    with open(os.path.join(path, name), "rb") as f:
                        digest.update(name.encode() + b"\0" + f.read())
        for name in ("_opcodes.py", "_types.py", "_syntax.py"):
            with open(os.path.join(root, name), "rb") as f:
                digest.update(f.read())
        _VALIDATOR_KEY = digest.digest()
    return _VALIDATOR_KEY


def validated_key(wasm: bytes) -> str:
    """The name of ``wasm``'s marker: its BLAKE2b hash with the validator's."""
    digest = hashlib.blake2b(wasm, digest_size=24)
    digest.update(_validator_key())
    return digest.hexdigest()


def _marker(cache_dir: str, key: str) -> str:
    return os.path.join(cache_dir, "validated", key)


def is_validated(cache_dir: str, key: str) -> bool:
    """Whether a module with this key validated before (see the module docstring)."""
    return os.path.exists(_marker(cache_dir, key))


def mark_validated(cache_dir: str, key: str) -> None:
    """Remember that the module with this key validated (best effort)."""
    path = _marker(cache_dir, key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "ab"):
            pass
    except OSError:
        pass


class DeferredFunctionInfos(Sequence[FunctionInfo]):
    """The function infos of a module known to be valid, each computed on first use."""

    def __init__(self, module: ModuleSyntax) -> None:
        self._module = module
        self._infos: List[Optional[FunctionInfo]] = [None] * len(module.functions)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._infos)

    def _get(self, index: int) -> FunctionInfo:
        info = self._infos[index]
        if info is None:
            from ._validate import validate_function
            with self._lock:
                info = self._infos[index]
                if info is None:
                    info = self._infos[index] = validate_function(self._module, index)
        return info

    @overload
    def __getitem__(self, index: int) -> FunctionInfo: ...

    @overload
    def __getitem__(self, index: slice) -> List[FunctionInfo]: ...

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if isinstance(index, slice):
            return [self._get(i) for i in range(*index.indices(len(self._infos)))]
        if index < 0:
            index += len(self._infos)
        if not 0 <= index < len(self._infos):
            raise IndexError(index)
        return self._get(index)

    def __iter__(self) -> Iterator[FunctionInfo]:
        for i in range(len(self._infos)):
            yield self._get(i)


class ModuleMemory:
    """A runtime's last few compiled modules, by their bytes."""

    def __init__(self, size: int = MEMORY_ENTRIES) -> None:
        self._size = size
        self._entries: collections.OrderedDict[bytes, Any] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, wasm: bytes) -> Any:
        with self._lock:
            module = self._entries.get(wasm)
            if module is not None:
                self._entries.move_to_end(wasm)
            return module

    def put(self, wasm: bytes, module: Any) -> None:
        with self._lock:
            self._entries[wasm] = module
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
