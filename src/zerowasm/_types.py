"""Leaf module: value types, function types, limits and external types.

Spec: Core 2.0 §2.3 (syntax/types.html). Value types are :class:`ValType`, an
``IntEnum`` whose values are the binary encodings, so decoded bytes are used directly.
"""

from __future__ import annotations

import enum
from typing import Optional, Tuple, Union

__all__ = [
    "ValType",
    "I32", "I64", "F32", "F64", "V128", "FUNCREF", "EXTERNREF",
    "NUMERIC_TYPES", "REFERENCE_TYPES",
    "FunctionType",
    "Limits",
    "TableType",
    "MemoryType",
    "GlobalType",
    "ExternKind",
    "ExternType",
    "BLOCKTYPE_EMPTY",
    "PAGE_SIZE",
    "MAX_PAGES",
]

PAGE_SIZE = 65536
MAX_PAGES = 65536


class ValType(enum.IntEnum):
    """A value type; the value is its binary encoding (Spec: Core 2.0 §5.3.1-5.3.4)."""

    I32 = 0x7F
    I64 = 0x7E
    F32 = 0x7D
    F64 = 0x7C
    V128 = 0x7B
    FUNCREF = 0x70
    EXTERNREF = 0x6F

    def __str__(self) -> str:
        return self.name.lower()

    @property
    def is_reference(self) -> bool:
        return self in (ValType.FUNCREF, ValType.EXTERNREF)


I32 = ValType.I32
I64 = ValType.I64
F32 = ValType.F32
F64 = ValType.F64
V128 = ValType.V128
FUNCREF = ValType.FUNCREF
EXTERNREF = ValType.EXTERNREF
NUMERIC_TYPES = frozenset((I32, I64, F32, F64))
REFERENCE_TYPES = frozenset((FUNCREF, EXTERNREF))

#: Block types are kept as the binary format's signed 33-bit integer: a value >= 0 is a
#: type index, -0x40 is the empty type, and -1..-17 are the single-result value types
#: (0x7F as s33 is -1, ...). Spec: Core 2.0 §5.4.1 (binary/instructions.html#control-instructions).
BLOCKTYPE_EMPTY = -0x40


class FunctionType:
    """``[params] -> [results]``. Hashable and compared structurally.

    Spec: Core 2.0 §2.3.5 (syntax/types.html#function-types).
    """

    __slots__ = ("params", "results", "_hash")

    def __init__(self, params: Tuple[ValType, ...] = (), results: Tuple[ValType, ...] = ()) -> None:
        self.params = tuple(ValType(p) for p in params)
        self.results = tuple(ValType(r) for r in results)
        self._hash = hash((self.params, self.results))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FunctionType) and self.params == other.params
                and self.results == other.results)

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return "FunctionType(%s -> %s)" % (
            "[" + ", ".join(map(str, self.params)) + "]",
            "[" + ", ".join(map(str, self.results)) + "]")

    __str__ = __repr__


class Limits:
    """``{min, max?}``. Spec: Core 2.0 §2.3.6 (syntax/types.html#limits)."""

    __slots__ = ("min", "max")

    def __init__(self, min: int, max: Optional[int] = None) -> None:  # noqa: A002
        self.min = min
        self.max = max

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Limits) and (self.min, self.max) == (other.min, other.max)

    def __hash__(self) -> int:
        return hash((self.min, self.max))

    def __repr__(self) -> str:
        return "Limits(%d, %r)" % (self.min, self.max)

    def matches(self, other: Limits) -> bool:
        """Import subtyping: ``self`` (actual) matches ``other`` (expected).

        Spec: Core 2.0 §4.5.2.2 (exec/modules.html#limits).
        """
        if self.min < other.min:
            return False
        if other.max is None:
            return True
        return self.max is not None and self.max <= other.max


class TableType:
    """Spec: Core 2.0 §2.3.7 (syntax/types.html#table-types)."""

    __slots__ = ("element", "limits")

    def __init__(self, element: ValType, limits: Limits) -> None:
        self.element = ValType(element)
        self.limits = limits

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TableType) and self.element == other.element
                and self.limits == other.limits)

    def __hash__(self) -> int:
        return hash((self.element, self.limits))

    def __repr__(self) -> str:
        return "TableType(%s, %r)" % (self.element, self.limits)


class MemoryType:
    """Spec: Core 2.0 §2.3.8 (syntax/types.html#memory-types)."""

    __slots__ = ("limits",)

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemoryType) and self.limits == other.limits

    def __hash__(self) -> int:
        return hash(self.limits)

    def __repr__(self) -> str:
        return "MemoryType(%r)" % (self.limits,)


class GlobalType:
    """Spec: Core 2.0 §2.3.9 (syntax/types.html#global-types)."""

    __slots__ = ("content", "mutable")

    def __init__(self, content: ValType, mutable: bool = False) -> None:
        self.content = ValType(content)
        self.mutable = mutable

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, GlobalType) and self.content == other.content
                and self.mutable == other.mutable)

    def __hash__(self) -> int:
        return hash((self.content, self.mutable))

    def __repr__(self) -> str:
        return "GlobalType(%s, mutable=%r)" % (self.content, self.mutable)


class ExternKind(enum.IntEnum):
    """Import/export kinds, valued as in the binary format (Spec: Core 2.0 §5.5.5)."""

    FUNCTION = 0
    TABLE = 1
    MEMORY = 2
    GLOBAL = 3

    def __str__(self) -> str:
        return self.name.lower()


ExternType = Union[FunctionType, TableType, MemoryType, GlobalType]
