"""The runtime: configuration, compilation of modules, instantiation.

Spec: Core 2.0 §7.1 (appendix/embedding.html): ``module_decode`` + ``module_validate``
are :meth:`Runtime.compile`, ``module_instantiate`` is :meth:`Runtime.instantiate`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import weakref
from typing import Any, List, Mapping, Optional, Union

from ._binary import decode_module
from ._engine.pycompile import PythonEngine
from ._instance import Instance, instantiate
from ._module_cache import (
    DeferredFunctionInfos,
    ModuleMemory,
    is_validated,
    mark_validated,
    validated_key,
)
from ._syntax import CustomSection, ModuleSyntax
from ._types import ExternKind, ExternType
from ._validate import validate_module, validate_module_rules

__all__ = ["Runtime", "RuntimeConfig", "Module", "ImportType", "ExportType"]


def _default_call_depth() -> int:
    # CPython 3.11+ does not use the C stack for Python-to-Python calls, so deep Wasm
    # recursion is safe; 3.9/3.10 recurse in C for every call and need a lower bound.
    if sys.implementation.name == "cpython" and sys.version_info < (3, 11):
        return 3000
    return 10000


def _default_tier() -> str:
    tier = os.environ.get("ZEROWASM_TIER", "").strip().lower()
    return tier if tier in ("python", "native", "auto") else "python"


@dataclasses.dataclass(frozen=True)
class RuntimeConfig:
    """Runtime settings (immutable).

    ``max_call_depth``: Wasm call depth at which a guest traps with "call stack
    exhausted" (approximate: host frames count too). ``max_memory_pages``: a cap on
    every memory's size, so ``memory.grow`` past it returns -1 as the spec says for a
    failed grow. ``max_table_elements``: the same for tables. ``tier``: ``"python"``
    (Wasm compiled to Python), ``"native"`` (every function the native x86-64 compiler
    handles runs as machine code, where the platform allows it; the rest in Python) or
    ``"auto"``; the default comes from ``ZEROWASM_TIER`` (else ``"python"``), and
    ``ZEROWASM_NATIVE=0`` turns the native tier off whatever is asked.

    ``interruptible``: compile check points at every function entry and loop header so
    that :meth:`Runtime.interrupt` (from any thread) stops a running guest with
    ``Trap(INTERRUPTED)``. ``consume_fuel``: charge every function entry and loop
    iteration with the number of instructions it may run (:meth:`Runtime.set_fuel`);
    when the fuel runs out the guest traps with ``Trap(FUEL_EXHAUSTED)``. Both are off
    by default because the checks cost time (see RATIONALE.md, "Stopping a guest");
    fuel is counted by the Python tier only, so it turns the native tier off.
    ``cache_dir``: a directory where compiled code is kept across processes (None: no
    disk cache).
    """

    max_call_depth: int = dataclasses.field(default_factory=_default_call_depth)
    max_memory_pages: Optional[int] = None
    max_table_elements: Optional[int] = None
    tier: str = dataclasses.field(default_factory=_default_tier)
    interruptible: bool = False
    consume_fuel: bool = False
    cache_dir: Optional[str] = None


class ImportType:
    """One import of a module: ``module``, ``name`` and ``type`` (an extern type)."""

    __slots__ = ("module", "name", "kind", "type")

    def __init__(self, module: str, name: str, kind: ExternKind, type: ExternType) -> None:  # noqa: A002
        self.module = module
        self.name = name
        self.kind = kind
        self.type = type

    def __repr__(self) -> str:
        return "ImportType(%r, %r, %r)" % (self.module, self.name, self.type)


class ExportType:
    """One export of a module: ``name`` and ``type`` (an extern type)."""

    __slots__ = ("name", "kind", "type")

    def __init__(self, name: str, kind: ExternKind, type: ExternType) -> None:  # noqa: A002
        self.name = name
        self.kind = kind
        self.type = type

    def __repr__(self) -> str:
        return "ExportType(%r, %r)" % (self.name, self.type)


class Module:
    """A decoded and validated module, ready to instantiate any number of times."""

    def __init__(self, syntax: ModuleSyntax, function_infos: List[Any], engine: Any,
                 name: Optional[str] = None) -> None:
        self.syntax = syntax
        self.function_infos = function_infos
        self.engine = engine
        self.engine_module = engine.prepare(syntax, function_infos)
        self.name = name if name is not None else syntax.names.module

    @property
    def imports(self) -> List[ImportType]:
        types = self.syntax.types
        # desc is a type index exactly when kind is FUNCTION (mypy cannot see that)
        return [ImportType(imp.module, imp.name, imp.kind,
                           types[imp.desc] if imp.kind == ExternKind.FUNCTION  # type: ignore[index]
                           else imp.desc)  # type: ignore[arg-type]
                for imp in self.syntax.imports]

    @property
    def exports(self) -> List[ExportType]:
        s = self.syntax
        result = []
        for export in s.exports:
            if export.kind == ExternKind.FUNCTION:
                extern_type: ExternType = s.function_type(export.index)
            elif export.kind == ExternKind.TABLE:
                extern_type = s.tables[export.index]
            elif export.kind == ExternKind.MEMORY:
                extern_type = s.memories[export.index]
            else:
                extern_type = s.globals[export.index]
            result.append(ExportType(export.name, export.kind, extern_type))
        return result

    @property
    def custom_sections(self) -> List[CustomSection]:
        return list(self.syntax.custom_sections)

    def __repr__(self) -> str:
        return "<Module %s: %d functions>" % (self.name or "", len(self.syntax.function_types))


class Runtime:
    """Compiles and instantiates modules. ``Runtime(RuntimeConfig(...))``."""

    def __init__(self, config: Optional[RuntimeConfig] = None) -> None:
        self.config = config = config or RuntimeConfig()
        self.engine: Any = PythonEngine(cache_dir=config.cache_dir,
                                        interruptible=config.interruptible,
                                        consume_fuel=config.consume_fuel)
        #: read by every check point of this runtime's code (see RuntimeConfig)
        self._interrupt_cell = [0]
        self._fuel_cell = [0]
        self._instances: weakref.WeakSet[Instance] = weakref.WeakSet()
        self._native = False
        self._modules = ModuleMemory()
        if config.tier not in ("python", "native", "auto"):
            raise ValueError("tier must be 'python', 'native' or 'auto', not %r" % (config.tier,))
        if config.tier != "python" and not config.consume_fuel:
            from ._engine.native import native_engine
            engine = native_engine(self.engine, config.tier, cache_dir=config.cache_dir)
            if engine is not None:
                self.engine = engine
                self._native = True
        needed = self.config.max_call_depth + 200
        if sys.getrecursionlimit() < needed:
            sys.setrecursionlimit(needed)

    def compile(self, wasm: Union[bytes, bytearray, memoryview],
                name: Optional[str] = None) -> Module:
        """Decode and validate ``wasm``; raises DecodeError or ValidationError.

        The runtime remembers the last modules it compiled: the same bytes again give
        the same :class:`Module` (with the code compiled for it so far). With
        ``cache_dir``, a module that validated once is not validated again in full by
        a later process (see :mod:`zerowasm._module_cache`).
        """
        data = bytes(wasm)
        module = self._modules.get(data)
        if module is not None and (name is None or name == module.name):
            return module
        syntax = decode_module(data)
        cache_dir = self.config.cache_dir
        infos: Any
        if cache_dir:
            key = validated_key(data)
            if is_validated(cache_dir, key):
                validate_module_rules(syntax)
                infos = DeferredFunctionInfos(syntax)
            else:
                infos = validate_module(syntax)
                mark_validated(cache_dir, key)
        else:
            infos = validate_module(syntax)
        module = Module(syntax, infos, self.engine, name)
        self._modules.put(data, module)
        return module

    def load(self, path: str) -> Module:
        """Compile the module in file ``path``."""
        with open(path, "rb") as f:
            return self.compile(f.read())

    def instantiate(self, module: Module, imports: Optional[Mapping[str, Any]] = None) -> Instance:
        """Link ``imports`` (module name -> {name: extern} or an Instance) and instantiate.

        Raises LinkError when an import is missing or mistyped, and Trap when an
        element or data segment is out of bounds or the start function traps.
        """
        instance = instantiate(self, module, imports)
        if self._native:
            self._instances.add(instance)
        return instance

    # ------------------------------------------------------------------ stopping a guest
    def interrupt(self) -> None:
        """Stop the guest call running in this runtime (callable from any thread, or from
        a signal handler): it traps with ``Trap(TrapKind.INTERRUPTED)`` at its next
        function entry or loop header. If no call is running, the next call stops at
        its first check point. Needs ``RuntimeConfig(interruptible=True)``."""
        if not self.config.interruptible:
            raise RuntimeError("this runtime cannot be interrupted: create it with "
                               "RuntimeConfig(interruptible=True)")
        self._interrupt_cell[0] = 1
        if self._native:
            from ._engine.native import interrupt as interrupt_native
            for instance in list(self._instances):
                interrupt_native(instance)

    def _interrupt_delivered(self) -> None:
        """A ``Trap(INTERRUPTED)`` reached the host: the request is used up everywhere."""
        self._interrupt_cell[0] = 0
        if self._native:
            from ._engine.native import clear_interrupt
            for instance in list(self._instances):
                clear_interrupt(instance)

    def set_fuel(self, fuel: int) -> None:
        """Give the guests of this runtime ``fuel`` units (about one per instruction
        executed) to spend from now on. Needs ``RuntimeConfig(consume_fuel=True)``."""
        self._require_fuel()
        if not isinstance(fuel, int) or isinstance(fuel, bool) or fuel < 0:
            raise ValueError("fuel must be a non-negative int, not %r" % (fuel,))
        self._fuel_cell[0] = fuel

    def get_fuel(self) -> int:
        """The fuel left (0 after a ``Trap(FUEL_EXHAUSTED)``)."""
        self._require_fuel()
        return max(self._fuel_cell[0], 0)

    def _require_fuel(self) -> None:
        if not self.config.consume_fuel:
            raise RuntimeError("this runtime does not meter fuel: create it with "
                               "RuntimeConfig(consume_fuel=True)")
