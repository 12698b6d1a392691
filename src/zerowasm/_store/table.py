"""Table instances.

Spec: Core 2.0 §4.2.7 (exec/runtime.html#table-instances) and §4.5.3.2 (growtable).
``elements`` is a Python list that lives as long as the table (grow extends it in place),
so compiled code can bind it once. Entries are reference values: a
:class:`~zerowasm._store.function.Function` or ``None`` for funcref tables, any Python
object or ``None`` for externref tables.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Union

from .._types import Limits, TableType, ValType

__all__ = ["Table", "MAX_TABLE_SIZE"]

#: The spec allows 2**32 - 1 elements; a Python list of that size cannot exist, so tables
#: are capped at 10 million elements (wasmtime's default limit is the same order).
MAX_TABLE_SIZE = 10_000_000

#: Set by the native tier when it is enabled: makes a funcref table's element list (a
#: ``list`` subclass that mirrors writes into an array machine code reads; see
#: ``zerowasm._engine.native.tables``). Called as ``factory(elements, maximum)``.
ELEMENT_LIST_FACTORY: Optional[Callable[[List[Any], int], List[Any]]] = None


class Table:
    """A table of references. ``Table(TableType(FUNCREF, Limits(10, 20)))``."""

    def __init__(self, type: TableType, init: Any = None, *,  # noqa: A002
                 max_elements_cap: Optional[int] = None) -> None:
        self.type = type
        maximum = type.limits.max if type.limits.max is not None else 0xFFFFFFFF
        maximum = min(maximum, MAX_TABLE_SIZE)
        if max_elements_cap is not None:
            maximum = min(maximum, max_elements_cap)
        self._maximum = maximum
        if type.limits.min > maximum:
            from .._errors import InstantiationError
            raise InstantiationError("table of %d elements exceeds the limit of %d"
                                     % (type.limits.min, maximum))
        self.elements: List[Any] = [init] * type.limits.min
        if ELEMENT_LIST_FACTORY is not None and type.element == ValType.FUNCREF:
            self.elements = ELEMENT_LIST_FACTORY(self.elements, maximum)

    @property
    def size(self) -> int:
        return len(self.elements)

    @property
    def element_type(self) -> ValType:
        return self.type.element

    def grow(self, delta: int, init: Any = None) -> int:
        """Grow by ``delta`` entries set to ``init``; return the old size or -1."""
        old = len(self.elements)
        if delta < 0 or old + delta > self._maximum:
            return -1
        self.elements.extend([init] * delta)
        return old

    def get(self, index: int) -> Any:
        if not 0 <= index < len(self.elements):
            raise IndexError("table index %d out of bounds (size %d)" % (index, len(self.elements)))
        return self.elements[index]

    def set(self, index: int, value: Any) -> None:
        if not 0 <= index < len(self.elements):
            raise IndexError("table index %d out of bounds (size %d)" % (index, len(self.elements)))
        _check_reference(self.type.element, value)
        self.elements[index] = value

    def __len__(self) -> int:
        return len(self.elements)

    def __repr__(self) -> str:
        return "<Table %s %d/%d>" % (self.type.element, len(self.elements), self._maximum)


def _check_reference(element_type: ValType, value: Any) -> None:
    from .function import Function
    if element_type == ValType.FUNCREF and value is not None and not isinstance(value, Function):
        raise TypeError("a funcref table holds zerowasm.Function or None, not %s"
                        % type(value).__name__)


TableLike = Union[Table, Limits]
