"""The abstract syntax of a decoded module: what the decoder produces and later stages read.

Spec: Core 2.0 §2.5 (syntax/modules.html). Index spaces are as the spec defines them:
imported entities come first in each space. Function bodies keep their raw code bytes;
``zerowasm._binary.code.decode_body`` turns them into instruction tuples on demand, so
that a large module is not held in memory as millions of tuples.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple, Union

from ._types import ExternKind, FunctionType, GlobalType, MemoryType, TableType, ValType

__all__ = [
    "Import", "Export", "Function", "Global", "ElementSegment", "DataSegment",
    "CustomSection", "NameSection", "ModuleSyntax", "ConstantExpression", "ElementMode",
]

#: A constant expression: the decoded instruction tuples, without the final ``end``.
ConstantExpression = List[tuple]


class Import:
    """Spec: Core 2.0 §2.5.11. ``desc`` is a type index (functions) or the extern type."""

    __slots__ = ("module", "name", "kind", "desc")

    def __init__(self, module: str, name: str, kind: ExternKind,
                 desc: Union[int, TableType, MemoryType, GlobalType]) -> None:
        self.module = module
        self.name = name
        self.kind = kind
        self.desc = desc

    def __repr__(self) -> str:
        return "Import(%r, %r, %s, %r)" % (self.module, self.name, self.kind, self.desc)


class Export:
    """Spec: Core 2.0 §2.5.10."""

    __slots__ = ("name", "kind", "index")

    def __init__(self, name: str, kind: ExternKind, index: int) -> None:
        self.name = name
        self.kind = kind
        self.index = index

    def __repr__(self) -> str:
        return "Export(%r, %s, %d)" % (self.name, self.kind, self.index)


class Function:
    """A function defined in the module. Spec: Core 2.0 §2.5.3.

    ``locals`` are the declared locals (parameters excluded), expanded; ``code`` is the
    body's instruction bytes (up to and including the final ``end``) and ``offset`` the
    position of ``code[0]`` in the module, for error messages.
    """

    __slots__ = ("type_index", "locals", "code", "offset")

    def __init__(self, type_index: int, locals: Tuple[ValType, ...] = (),
                 code: bytes = b"", offset: int = 0) -> None:
        self.type_index = type_index
        self.locals = locals
        self.code = code
        self.offset = offset


class Global:
    """Spec: Core 2.0 §2.5.6."""

    __slots__ = ("type", "init")

    def __init__(self, type: GlobalType, init: ConstantExpression) -> None:  # noqa: A002
        self.type = type
        self.init = init


class ElementMode:
    PASSIVE = "passive"
    ACTIVE = "active"
    DECLARATIVE = "declarative"


class ElementSegment:
    """Spec: Core 2.0 §2.5.7. ``init`` holds one constant expression per element
    (a ``ref.func`` for the function-index encodings)."""

    __slots__ = ("type", "init", "mode", "table", "offset")

    def __init__(self, type: ValType, init: List[ConstantExpression], mode: str,  # noqa: A002
                 table: int = 0, offset: Optional[ConstantExpression] = None) -> None:
        self.type = type
        self.init = init
        self.mode = mode
        self.table = table
        self.offset = offset


class DataSegment:
    """Spec: Core 2.0 §2.5.8. ``mode`` is ``"active"`` or ``"passive"``."""

    __slots__ = ("init", "mode", "memory", "offset")

    def __init__(self, init: bytes, mode: str, memory: int = 0,
                 offset: Optional[ConstantExpression] = None) -> None:
        self.init = init
        self.mode = mode
        self.memory = memory
        self.offset = offset


class CustomSection:
    """Spec: Core 2.0 §5.5.3. ``after`` is the id of the last non-custom section before it."""

    __slots__ = ("name", "data", "after")

    def __init__(self, name: str, data: bytes, after: int = 0) -> None:
        self.name = name
        self.data = data
        self.after = after

    def __repr__(self) -> str:
        return "CustomSection(%r, %d bytes)" % (self.name, len(self.data))


class NameSection:
    """The ``name`` custom section. Spec: Core 2.0 §7.4.1 (appendix/custom.html)."""

    __slots__ = ("module", "functions", "locals")

    def __init__(self) -> None:
        self.module: Optional[str] = None
        self.functions: Dict[int, str] = {}
        self.locals: Dict[int, Dict[int, str]] = {}


class ModuleSyntax:
    """A decoded module. Spec: Core 2.0 §2.5 (syntax/modules.html)."""

    def __init__(self) -> None:
        self.types: List[FunctionType] = []
        self.imports: List[Import] = []
        #: type index of every function in the function index space (imports first)
        self.function_types: List[int] = []
        self.functions: List[Function] = []          # defined functions only
        self.tables: List[TableType] = []            # whole index space, imports first
        self.memories: List[MemoryType] = []         # whole index space, imports first
        self.globals: List[GlobalType] = []          # whole index space, imports first
        self.global_inits: List[Global] = []         # defined globals only
        self.exports: List[Export] = []
        self.start: Optional[int] = None
        self.elements: List[ElementSegment] = []
        self.datas: List[DataSegment] = []
        self.data_count: Optional[int] = None
        self.custom_sections: List[CustomSection] = []
        self.names: NameSection = NameSection()
        self.imported_function_count = 0
        self.imported_table_count = 0
        self.imported_memory_count = 0
        self.imported_global_count = 0

    def function_type(self, function_index: int) -> FunctionType:
        return self.types[self.function_types[function_index]]

    def function_name(self, function_index: int) -> Optional[str]:
        return self.names.functions.get(function_index)
