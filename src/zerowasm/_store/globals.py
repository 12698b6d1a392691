"""Global instances.

Spec: Core 2.0 §4.2.9 (exec/runtime.html#global-instances). A numeric global lives in
an 8-byte cell of native memory (a ctypes buffer) that compiled code reads through a
one-element ``memoryview`` (``cell[0]``): format ``Q`` for i32/i64 (unsigned, the internal
convention), ``d`` for f32/f64. The native tier will reach the same bytes by address.
A reference global's cell is a one-element list, since Python objects cannot live in
native memory.
"""

from __future__ import annotations

import ctypes
from typing import Any

from .._types import GlobalType, ValType
from .._values import FROM_INTERNAL, TO_INTERNAL

__all__ = ["Global"]


def _numeric_cell(value_type: ValType) -> Any:
    storage = (ctypes.c_uint64 * 1)()
    view = memoryview(storage).cast("B")
    return storage, view.cast("d" if value_type in (ValType.F32, ValType.F64) else "Q")


class Global:
    """A global variable. ``Global(GlobalType(I32, mutable=True), 0)``.

    ``value`` reads and writes it in the public convention (signed ints); writing an
    immutable global from the host is refused with ``AttributeError``.
    """

    def __init__(self, type: GlobalType, value: Any = None, *, _internal: bool = False) -> None:  # noqa: A002
        self.type = type
        content = type.content
        if content in (ValType.FUNCREF, ValType.EXTERNREF):
            self._storage = None
            self.cell: Any = [None]
        else:
            self._storage, self.cell = _numeric_cell(content)
        if value is None and content not in (ValType.FUNCREF, ValType.EXTERNREF):
            value = 0
        self.cell[0] = value if _internal else TO_INTERNAL[content](value)

    @property
    def address(self) -> int:
        """Address of the numeric cell (for native code); 0 for reference globals."""
        return ctypes.addressof(self._storage) if self._storage is not None else 0

    @property
    def value(self) -> Any:
        return FROM_INTERNAL[self.type.content](self.cell[0])

    @value.setter
    def value(self, value: Any) -> None:
        if not self.type.mutable:
            raise AttributeError("global is immutable")
        self.cell[0] = TO_INTERNAL[self.type.content](value)

    def get_internal(self) -> Any:
        return self.cell[0]

    def __repr__(self) -> str:
        return "<Global %s%s = %r>" % ("mut " if self.type.mutable else "", self.type.content,
                                        self.value)
