"""The native tier: Wasm compiled to x86-64 machine code, from Python, with ctypes.

Theory of operation
-------------------
:class:`NativeEngine` wraps the Python engine. Its per-module state,
:class:`NativeModule`, compiles the whole module once (the first time any instance
calls a function) into one position-independent blob (:mod:`.module`); functions the
native compiler cannot handle stay in the Python tier and are reached from native code
through call-out stubs. Each instance gets its context and wrappers the first time it
runs (:mod:`.instance`); from then on ``f{i}`` in its namespace is the native function
for every function compiled natively, so both tiers call each other through the
namespace and ``Function.call`` exactly as the engine protocol says.

The tier is used only where :func:`.codemem.probe` passes (x86-64 Linux, CPython, W^X
executable memory works), and only when asked: ``RuntimeConfig(tier="native")`` or
``ZEROWASM_TIER=native``; ``ZEROWASM_NATIVE=0`` turns it off whatever else says. An
instance whose state machine code cannot reach (a memory without the fixed-base
reservation, a mutable global created before the tier was enabled) runs entirely in
the Python tier.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Dict, List, Optional

from ..._syntax import ModuleSyntax
from . import control, floating, integer, memory, reference, tableops, variable  # noqa: F401
from . import layout as L
from .cache import NativeCodeCache
from .codemem import CodeMemory, probe, probe_failure
from .function import Unsupported
from .instance import (
    DEFAULT_STACK_BUDGET,
    NativeInstance,
    NativeUnavailable,
    install_unraisable_hook,
)
from .module import CompiledCode, ModuleCompiler
from .tables import NATIVE_KEY, synced_elements

#: tier "auto": modules with at most this many bytes of code compile at their first call
AUTO_EAGER_BYTES = 64 * 1024
#: tier "auto": calls after which a Python-tier function counts as hot
HOT_CALLS = 1000
_COUNTED_KEY = "__native_counted__"

__all__ = ["NativeEngine", "NativeModule", "available", "native_engine", "enable",
           "Unsupported", "probe_failure", "interrupt", "clear_interrupt"]

_enabled = False
_enable_lock = threading.Lock()


def available() -> bool:
    """Whether the native tier can run in this process (``ZEROWASM_NATIVE=0``: never)."""
    if os.environ.get("ZEROWASM_NATIVE", "").strip() in ("0", "false", "no", "off"):
        return False
    return probe()


def enable() -> None:
    """Make new globals and funcref tables reachable from machine code (process-wide).

    Globals get native cells and tables a :class:`.tables.SyncedElements` list; state
    created earlier stays as it was, and instances that use it run in the Python tier.
    """
    global _enabled
    with _enable_lock:
        if _enabled:
            return
        from ..._store import globals as globals_module
        from ..._store import table as table_module
        globals_module.NATIVE_CELLS = True
        table_module.ELEMENT_LIST_FACTORY = synced_elements
        install_unraisable_hook()
        _enabled = True


def native_engine(python_engine: Any, tier: str, stack_budget: Optional[int] = None,
                  cache_dir: Optional[str] = None) -> Optional[NativeEngine]:
    """A native engine over ``python_engine``, or None where the tier is unavailable."""
    if not available():
        return None
    enable()
    return NativeEngine(python_engine, tier, stack_budget or DEFAULT_STACK_BUDGET, cache_dir)


def interrupt(instance: Any) -> bool:
    """Stop the native code running in ``instance`` (callable from any thread): it traps
    with ``Trap(INTERRUPTED)`` at its next loop header or function entry (or its next
    call does, if none is running). False when the instance has no native code."""
    native = instance.namespace.get(NATIVE_KEY)
    if not native:
        return False
    native.interrupt()
    return True


def clear_interrupt(instance: Any) -> None:
    """Forget an interrupt request of ``instance`` that no check point has seen yet."""
    native = instance.namespace.get(NATIVE_KEY)
    if native:
        native.interrupt_requested = False
        native.q[L.INTERRUPT // 8] = 0


class NativeModule:
    """Per-module state: the Python tier's module, and the compiled blob once built."""

    def __init__(self, engine: NativeEngine, python: Any, module: ModuleSyntax,
                 function_infos: List[Any]) -> None:
        self.engine = engine
        self.python = python
        self.syntax = module
        self.function_infos = function_infos
        self.compiled: Optional[CompiledCode] = None
        self.code: Optional[CodeMemory] = None
        self.failure: Optional[str] = None
        self._lock = threading.Lock()
        self._instance_lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # source_of, code_of, ...: the Python tier's per-module API
        return getattr(self.python, name)

    def compile(self) -> Optional[CompiledCode]:
        """Compile the module's native blob (once; None if nothing could be compiled),
        or load it from the engine's code cache."""
        if self.compiled is not None or self.failure is not None:
            return self.compiled
        with self._lock:
            if self.compiled is None and self.failure is None:
                try:
                    cache = self.engine.cache
                    compiled = cache.load(self.syntax) if cache is not None else None
                    if compiled is None:
                        compiled = ModuleCompiler(self.syntax, self.function_infos).compile()
                        if cache is not None and compiled.native:
                            cache.store(self.syntax, compiled)
                    if not compiled.native:
                        self.failure = "no function could be compiled"
                    else:
                        self.code = CodeMemory(compiled.code)
                        self.compiled = compiled
                except Exception as error:  # never fail the program: fall back
                    self.failure = "%s: %s" % (type(error).__name__, error)
        return self.compiled

    def _eager(self) -> bool:
        """Tier "auto": compile at the first call when that is cheap (a small module,
        or one in the code cache); otherwise only once a function is hot."""
        if self.compiled is not None or self.failure is not None:
            return True
        size = sum(len(function.code) for function in self.syntax.functions)
        if size <= AUTO_EAGER_BYTES:
            return True
        cache = self.engine.cache
        return bool(cache is not None and cache.has(self.syntax))

    def native_instance(self, namespace: Dict[str, Any]) -> Optional[NativeInstance]:
        native = namespace.get(NATIVE_KEY)
        if native is not None:
            return native or None
        compiled = self.compile()
        with self._instance_lock:          # one native state per instance, even if two
            native = namespace.get(NATIVE_KEY)   # threads make their first calls at once
            if native is not None:
                return native or None
            if compiled is None:
                namespace[NATIVE_KEY] = False
                return None
            assert self.code is not None
            try:
                native = NativeInstance(self, namespace["instance"], compiled, self.code,
                                        self.engine.stack_budget)
            except NativeUnavailable:
                namespace[NATIVE_KEY] = False
                return None
            namespace[NATIVE_KEY] = native
            native.bind_all()
            return native

    def bind(self, namespace: Dict[str, Any], function_index: int) -> Callable[..., Any]:
        if self.engine.tier == "auto" and NATIVE_KEY not in namespace and not self._eager():
            return self._counting(namespace, function_index)
        native = self.native_instance(namespace)
        if native is not None:
            wrapper = native.wrappers.get(function_index)
            if wrapper is not None:
                return wrapper
        return self.python.bind(namespace, function_index)

    def _counting(self, namespace: Dict[str, Any], function_index: int) -> Callable[..., Any]:
        """The Python-tier function, counting its calls: the ``HOT_CALLS``-th call (or any
        call once another instance made the module native) moves the instance to the
        native tier."""
        function = self.python.bind(namespace, function_index)
        key = "f%d" % function_index
        count = 0
        module = self

        def counting(*args: Any) -> Any:
            nonlocal count
            count += 1
            if count >= HOT_CALLS or module.compiled is not None:
                module.tier_up(namespace)
            return function(*args)
        counting.__name__ = "counting_" + key
        counted = namespace.setdefault(_COUNTED_KEY, {})
        counted[function_index] = function
        return counting

    def tier_up(self, namespace: Dict[str, Any]) -> None:
        """Move an instance that started in the Python tier to native code."""
        counted = namespace.pop(_COUNTED_KEY, None)
        if counted is None:
            return
        native = self.native_instance(namespace)
        instance = namespace["instance"]
        for index, function in counted.items():
            if native is not None and index in native.wrappers:
                continue                       # bind_all rebound it
            namespace["f%d" % index] = function
            instance.functions[index].call = function


class NativeEngine:
    """Engine protocol implementation: the Python engine plus native code.

    ``tier``: "native" compiles every module at its first call; "auto" does so for small
    modules and cached ones, and otherwise starts in the Python tier and moves an
    instance to native code once one of its functions is hot. ``cache_dir`` (default:
    the Python engine's) keeps compiled code on disk.
    """

    name = "native"

    def __init__(self, python_engine: Any, tier: str, stack_budget: int,
                 cache_dir: Optional[str] = None) -> None:
        self.python = python_engine
        self.HELPERS = python_engine.HELPERS
        self.tier = tier
        self.stack_budget = stack_budget
        cache_dir = cache_dir or getattr(python_engine, "cache_dir", None)
        self.cache: Optional[NativeCodeCache] = NativeCodeCache(cache_dir) if cache_dir else None

    def prepare(self, module: ModuleSyntax, function_infos: Optional[list] = None) -> NativeModule:
        python = self.python.prepare(module, function_infos)
        return NativeModule(self, python, module, python.function_infos)
