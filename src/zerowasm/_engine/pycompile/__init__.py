"""The Python engine: Wasm function bodies compiled to Python source, exec'd lazily.

:class:`PythonEngine` implements :class:`zerowasm._engine.protocol.Engine`. ``prepare``
is cheap; a function is compiled (Wasm -> Python source -> code object) the first time
any instance calls it, and the code object is cached on the :class:`PythonModule` so
every later instance only ``exec``\\ s it into its namespace. With
``PythonEngine(cache_dir=...)`` code objects are also kept on disk (:mod:`.cache`), so
the next process skips the compilation.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Mapping, Optional

from ... import _numeric, _simd
from ..._syntax import ModuleSyntax
from ..._validate.info import FunctionInfo
from .cache import CodeCache
from .compiler import NO_CHECKS, Checks, compile_function
from .support import RUNTIME_HELPERS
from .vector import VECTOR_CODECS

__all__ = ["PythonEngine", "PythonModule", "HELPERS", "compile_function", "Checks"]

#: Every name generated code uses besides the instance's own (``f3``, ``M0``, ...).
HELPERS: Dict[str, Any] = dict(_numeric.NUMERIC_HELPERS)
HELPERS.update(RUNTIME_HELPERS)
HELPERS.update(_simd.SIMD_HELPERS)
HELPERS.update(VECTOR_CODECS)


class PythonModule:
    """Per-module state of the Python engine: sources and code objects, by function."""

    def __init__(self, module: ModuleSyntax, function_infos: List[FunctionInfo],
                 cache_dir: Optional[str] = None, checks: Checks = NO_CHECKS) -> None:
        self.module = module
        self.function_infos = function_infos
        self.checks = checks
        self._sources: Dict[int, str] = {}
        self._codes: Dict[int, Any] = {}
        self._lock = threading.Lock()
        self._disk: Optional[CodeCache] = (CodeCache(cache_dir, module, checks.key)
                                           if cache_dir else None)

    def source_of(self, function_index: int) -> str:
        """The generated Python source of defined function ``function_index``."""
        source = self._sources.get(function_index)
        if source is None:
            defined = function_index - self.module.imported_function_count
            source = compile_function(self.module, defined, self.function_infos[defined],
                                      self.checks)
            self._sources[function_index] = source
        return source

    def code_of(self, function_index: int) -> Any:
        """The code object (module level: constants + ``def f{i}``), compiled once."""
        code = self._codes.get(function_index)
        if code is None:
            with self._lock:
                code = self._codes.get(function_index)
                if code is None and self._disk is not None:
                    code = self._disk.load(function_index)
                    if code is not None:
                        self._codes[function_index] = code
                if code is None:
                    name = self.module.function_name(function_index)
                    if name:  # any UTF-8 string: keep it printable and short
                        name = "".join(ch if ch.isprintable() else "\\x%02x" % ord(ch)
                                       for ch in name[:200])
                    filename = "<wasm:func %s>" % (name if name else "f%d" % function_index)
                    code = compile(self.source_of(function_index), filename, "exec")
                    self._codes[function_index] = code
                    if self._disk is not None:
                        self._disk.store(function_index, code)
        return code

    def bind(self, namespace: Dict[str, Any], function_index: int) -> Callable[..., Any]:
        """Define ``f{function_index}`` in ``namespace`` (compiling on first use in this
        module) and return it. The runtime calls this lazily, on the first call."""
        exec(self.code_of(function_index), namespace)
        function: Callable[..., Any] = namespace["f%d" % function_index]
        return function

    def stub(self, namespace: Dict[str, Any], function_index: int) -> Callable[..., Any]:
        """A callable that binds the function on its first call, then calls through."""
        key = "f%d" % function_index

        def lazy(*args: Any) -> Any:
            function = self.bind(namespace, function_index)
            namespace[key] = function
            return function(*args)
        lazy.__name__ = "compile_" + key
        return lazy


class PythonEngine:
    """Compiles Wasm to Python source. Spec: Core 2.0 §4 (exec/index.html)."""

    name = "python"
    HELPERS: Mapping[str, Any] = HELPERS

    def __init__(self, cache_dir: Optional[str] = None, interruptible: bool = False,
                 consume_fuel: bool = False) -> None:
        #: where compiled functions are kept across processes (None: not at all)
        self.cache_dir = cache_dir
        #: check points compiled into every function (interrupt cell ``IR``, fuel ``FU``)
        self.checks = Checks(interruptible, consume_fuel)

    def prepare(self, module: ModuleSyntax, function_infos: Optional[list] = None) -> PythonModule:
        """Per-module preparation (no compilation happens here)."""
        if function_infos is None:
            from ..._validate import validate_module
            function_infos = validate_module(module)
        return PythonModule(module, function_infos, self.cache_dir, self.checks)
