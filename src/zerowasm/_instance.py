"""Module instances: linking imports, allocating state, running segments and start.

Spec: Core 2.0 §4.5.4 (exec/modules.html#instantiation). The order is the spec's:

1. resolve and type-check every import (``LinkError``: "unknown import",
   "incompatible import type");
2. allocate functions, tables, memories and globals (global initializers see imported
   globals and ``ref.func``), build the exports;
3. for each element segment in order: an active one is copied into its table and
   dropped, a declarative one dropped; then for each data segment in order: an active
   one is copied into memory and dropped. An out-of-bounds segment traps, and what was
   already written stays written (the instance is not returned);
4. run the start function, if any.

All instance state the compiled code reads lives in one namespace dict (see
:mod:`zerowasm._engine.protocol`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional

from ._errors import LinkError, Trap, TrapKind
from ._numeric import f32_from_bits, f64_from_bits
from ._opcodes import Op
from ._store.function import Function, type_id
from ._store.globals import Global
from ._store.memory import Memory
from ._store.table import Table
from ._syntax import ElementMode
from ._types import ExternKind, FunctionType, GlobalType, MemoryType, TableType

if TYPE_CHECKING:
    from ._runtime import Module, Runtime

__all__ = ["Instance", "Exports", "instantiate"]

Extern = Any  # Function | Table | Memory | Global


class Exports(Mapping[str, Extern]):
    """An instance's exports by name; attribute access works too (``exports.fib``)."""

    def __init__(self, items: Dict[str, Extern]) -> None:
        self._items = items

    def __getitem__(self, name: str) -> Extern:
        return self._items[name]

    def __getattr__(self, name: str) -> Extern:
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError("no export named %r" % name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return "Exports(%s)" % ", ".join(self._items)


class Instance:
    """An instantiated module. ``exports`` maps export names to Function/Memory/Table/Global.

    Spec: Core 2.0 §4.2.5 (exec/runtime.html#module-instances).
    """

    def __init__(self, module: Module, runtime: Runtime) -> None:
        self.module = module
        self.runtime = runtime
        self.functions: List[Function] = []
        self.tables: List[Table] = []
        self.memories: List[Memory] = []
        self.globals: List[Global] = []
        self.namespace: Dict[str, Any] = {}
        self.exports: Exports = Exports({})

    @property
    def memory(self) -> Optional[Memory]:
        """Memory 0 (exported or not), for host functions that receive the caller."""
        return self.memories[0] if self.memories else None

    def __repr__(self) -> str:
        return "<Instance of %s>" % (self.module.name or "module")


def _extern_kind(value: Any) -> Optional[ExternKind]:
    if isinstance(value, Function):
        return ExternKind.FUNCTION
    if isinstance(value, Table):
        return ExternKind.TABLE
    if isinstance(value, Memory):
        return ExternKind.MEMORY
    if isinstance(value, Global):
        return ExternKind.GLOBAL
    if callable(value):
        return ExternKind.FUNCTION
    return None


def _lookup(imports: Mapping[str, Any], module_name: str, name: str) -> Any:
    namespace = imports.get(module_name)
    if namespace is None:
        raise LinkError("unknown import: module %r not provided (import %r.%r)"
                        % (module_name, module_name, name))
    if isinstance(namespace, Instance):
        namespace = namespace.exports
    try:
        return namespace[name]
    except (KeyError, TypeError):
        raise LinkError("unknown import: %r.%r" % (module_name, name)) from None


def _link_import(runtime: Runtime, imp: Any, value: Any, module_types: List[FunctionType]) -> Any:
    """Check one import against its declared type. Spec: Core 2.0 §4.5.2 (matching)."""
    where = "%r.%r" % (imp.module, imp.name)
    kind = _extern_kind(value)
    if kind != imp.kind:
        raise LinkError("incompatible import type for %s: expected %s, got %s"
                        % (where, imp.kind, kind or type(value).__name__))
    if kind == ExternKind.FUNCTION:
        expected = module_types[imp.desc]
        if not isinstance(value, Function):
            value = Function(expected, value, name=imp.name)
        if value.type != expected:
            raise LinkError("incompatible import type for %s: expected %s, got %s"
                            % (where, expected, value.type))
    elif kind == ExternKind.TABLE:
        expected_table: TableType = imp.desc
        if value.type.element != expected_table.element or not _limits_match(
                value.size, value.type.limits.max, expected_table.limits):
            raise LinkError("incompatible import type for %s: expected %r, got %r"
                            % (where, expected_table, value.type))
    elif kind == ExternKind.MEMORY:
        expected_memory: MemoryType = imp.desc
        if not _limits_match(value.size, value.type.limits.max, expected_memory.limits):
            raise LinkError("incompatible import type for %s: expected %r, got %r"
                            % (where, expected_memory, value.type))
    else:
        expected_global: GlobalType = imp.desc
        if value.type != expected_global:
            raise LinkError("incompatible import type for %s: expected %r, got %r"
                            % (where, expected_global, value.type))
    return value


def _limits_match(current_min: int, current_max: Optional[int], expected: Any) -> bool:
    """Spec: Core 2.0 §4.5.2.2: the current size counts as the actual minimum."""
    if current_min < expected.min:
        return False
    if expected.max is None:
        return True
    return current_max is not None and current_max <= expected.max


def _evaluate_constant(expression: List[tuple], namespace: Dict[str, Any],
                       globals_: List[Global]) -> Any:
    """Evaluate a constant expression (Spec: Core 2.0 §3.3.10 / §4.4.10)."""
    stack: List[Any] = []
    for instruction in expression:
        op = instruction[0]
        if op == Op.I32_CONST or op == Op.I64_CONST or op == Op.V128_CONST:
            stack.append(instruction[1])
        elif op == Op.F32_CONST:
            stack.append(f32_from_bits(instruction[1]))
        elif op == Op.F64_CONST:
            stack.append(f64_from_bits(instruction[1]))
        elif op == Op.REF_NULL:
            stack.append(None)
        elif op == Op.REF_FUNC:
            stack.append(namespace["F%d" % instruction[1]])
        elif op == Op.GLOBAL_GET:
            stack.append(globals_[instruction[1]].cell[0])
        elif op in _EXTENDED:
            b = stack.pop()
            a = stack.pop()
            stack.append(_EXTENDED[op](a, b))
        else:  # pragma: no cover - rejected by validation
            raise LinkError("unsupported constant instruction %r" % (instruction,))
    return stack[-1]


_EXTENDED: Dict[int, Callable[[int, int], int]] = {
    int(Op.I32_ADD): lambda a, b: (a + b) & 0xFFFFFFFF,
    int(Op.I32_SUB): lambda a, b: (a - b) & 0xFFFFFFFF,
    int(Op.I32_MUL): lambda a, b: (a * b) & 0xFFFFFFFF,
    int(Op.I64_ADD): lambda a, b: (a + b) & 0xFFFFFFFFFFFFFFFF,
    int(Op.I64_SUB): lambda a, b: (a - b) & 0xFFFFFFFFFFFFFFFF,
    int(Op.I64_MUL): lambda a, b: (a * b) & 0xFFFFFFFFFFFFFFFF,
}


def _memory_rebinder(instance: Instance, name: str) -> Callable[[memoryview], None]:
    import weakref
    ref = weakref.ref(instance)

    def rebind(view: memoryview) -> None:
        target = ref()
        if target is not None:
            target.namespace[name] = view
    return rebind


def instantiate(runtime: Runtime, module: Module, imports: Optional[Mapping[str, Any]]) -> Instance:
    """Instantiate ``module``. Spec: Core 2.0 §4.5.4 (exec/modules.html#instantiation)."""
    syntax = module.syntax
    imports = imports or {}
    config = runtime.config
    instance = Instance(module, runtime)
    ns = dict(module.engine.HELPERS)
    instance.namespace = ns
    ns["instance"] = instance
    ns["IR"] = runtime._interrupt_cell
    ns["FU"] = runtime._fuel_cell
    types = syntax.types

    # 1. imports
    resolved = [_link_import(runtime, imp, _lookup(imports, imp.module, imp.name), types)
                for imp in syntax.imports]

    # 2. allocation
    for k, function_type in enumerate(types):
        ns["TY%d" % k] = type_id(function_type)
    for imp, value in zip(syntax.imports, resolved):
        if imp.kind == ExternKind.FUNCTION:
            i = len(instance.functions)
            instance.functions.append(value)
            ns["F%d" % i] = value
            ns["f%d" % i] = value.bind_caller(instance)
        elif imp.kind == ExternKind.TABLE:
            instance.tables.append(value)
        elif imp.kind == ExternKind.MEMORY:
            instance.memories.append(value)
        else:
            instance.globals.append(value)
    base = syntax.imported_function_count
    for defined, function in enumerate(syntax.functions):
        index = base + defined
        fn = Function(types[function.type_index], name=syntax.names.functions.get(index))
        fn.instance = instance
        fn.index = index
        fn.call = _lazy_stub(module, ns, fn, index)
        instance.functions.append(fn)
        ns["F%d" % index] = fn
        ns["f%d" % index] = fn.call
    for table_type in syntax.tables[syntax.imported_table_count:]:
        instance.tables.append(Table(table_type, max_elements_cap=config.max_table_elements))
    for memory_type in syntax.memories[syntax.imported_memory_count:]:
        instance.memories.append(Memory(memory_type, max_pages_cap=config.max_memory_pages))
    for global_def in syntax.global_inits:
        value = _evaluate_constant(global_def.init, ns, instance.globals)
        instance.globals.append(Global(global_def.type, value, _internal=True))
    for i, table in enumerate(instance.tables):
        ns["t%d" % i] = table
        ns["T%d" % i] = table.elements
    for i, memory in enumerate(instance.memories):
        ns["m%d" % i] = memory
        ns["M%d" % i] = memory.view
        memory.observe(_memory_rebinder(instance, "M%d" % i))
    for i, global_ in enumerate(instance.globals):
        ns["g%d" % i] = global_.cell if global_.type.mutable else global_.cell[0]
    elements: List[List[Any]] = [
        [_evaluate_constant(expression, ns, instance.globals) for expression in segment.init]
        for segment in syntax.elements]
    datas: List[bytes] = [segment.init for segment in syntax.datas]
    ns["E"] = elements
    ns["D"] = datas
    exports: Dict[str, Extern] = {}
    spaces: Dict[ExternKind, List[Any]] = {
        ExternKind.FUNCTION: instance.functions, ExternKind.TABLE: instance.tables,
        ExternKind.MEMORY: instance.memories, ExternKind.GLOBAL: instance.globals}
    for export in syntax.exports:
        exports[export.name] = spaces[export.kind][export.index]
    instance.exports = Exports(exports)

    # 3. segments, in order
    for i, segment in enumerate(syntax.elements):
        if segment.mode == ElementMode.ACTIVE:
            assert segment.offset is not None
            offset = _evaluate_constant(segment.offset, ns, instance.globals)
            table = instance.tables[segment.table]
            values = elements[i]
            if offset + len(values) > len(table.elements):
                raise Trap(TrapKind.OUT_OF_BOUNDS_TABLE_ACCESS, "element segment %d" % i)
            table.elements[offset:offset + len(values)] = values
            elements[i] = []
        elif segment.mode == ElementMode.DECLARATIVE:
            elements[i] = []
    for i, data_segment in enumerate(syntax.datas):
        if data_segment.mode == "active":
            assert data_segment.offset is not None
            offset = _evaluate_constant(data_segment.offset, ns, instance.globals)
            memory = instance.memories[data_segment.memory]
            init = data_segment.init
            if offset + len(init) > memory.view.nbytes:
                raise Trap(TrapKind.OUT_OF_BOUNDS_MEMORY_ACCESS, "data segment %d" % i)
            memory.view[offset:offset + len(init)] = init
            datas[i] = b""

    # 4. start function
    if syntax.start is not None:
        start = instance.functions[syntax.start]
        start()
    return instance


def _lazy_stub(module: Module, ns: Dict[str, Any], fn: Function, index: int) -> Callable[..., Any]:
    """Compile function ``index`` on its first call, then call it."""
    key = "f%d" % index

    def stub(*args: Any) -> Any:
        compiled = module.engine_module.bind(ns, index)
        ns[key] = compiled
        fn.call = compiled
        result = compiled(*args)
        # an engine may itself return a stub that rebinds the namespace on first call
        fn.call = ns[key]
        return result
    stub.__name__ = "compile_" + key
    return stub

