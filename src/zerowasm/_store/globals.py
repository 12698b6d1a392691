"""Global instances.

Spec: Core 2.0 §4.2.9 (exec/runtime.html#global-instances). Compiled code reads and
writes a mutable global through its *cell*: ``cell[0]``. A cell is either

* a one-element Python list (the default): the fastest cell for the Python tier, or
* a one-element ``memoryview`` over 8 bytes of native memory (a ctypes buffer; format
  ``Q`` for i32/i64, ``d`` for f32/f64), which machine code can reach by address.

Both support ``cell[0]``, so the same compiled Python code runs with either. Native cells
cost the Python tier 20-25% on global-heavy code on CPython 3.11 and 5-10x per access on
PyPy (``tools/measure_state_layout.py``; RATIONALE.md), so they are used only when asked
for (``native=True``, or ``NATIVE_CELLS`` set process-wide by the native tier when it is
enabled). Reference globals always use a list: Python objects cannot live in native
memory; so do v128 globals (a 128-bit int, which the native tier never compiles code for).
"""

from __future__ import annotations

import ctypes
from typing import Any, Optional

from .._types import GlobalType, ValType
from .._values import FROM_INTERNAL, TO_INTERNAL

__all__ = ["Global", "NATIVE_CELLS"]

#: Whether new numeric globals get native cells; the native tier turns this on.
NATIVE_CELLS = False


def _numeric_cell(value_type: ValType) -> Any:
    storage = (ctypes.c_uint64 * 1)()
    view = memoryview(storage).cast("B")
    return storage, view.cast("d" if value_type in (ValType.F32, ValType.F64) else "Q")


class Global:
    """A global variable. ``Global(GlobalType(I32, mutable=True), 0)``.

    ``value`` reads and writes it in the public convention (signed ints); writing an
    immutable global from the host is refused with ``AttributeError``.
    """

    def __init__(self, type: GlobalType, value: Any = None, *,  # noqa: A002
                 native: Optional[bool] = None, _internal: bool = False) -> None:
        self.type = type
        content = type.content
        if native is None:
            native = NATIVE_CELLS
        if content in (ValType.FUNCREF, ValType.EXTERNREF, ValType.V128) or not native:
            self._storage = None
            self.cell: Any = [None]
        else:
            self._storage, self.cell = _numeric_cell(content)
        if value is None and content not in (ValType.FUNCREF, ValType.EXTERNREF):
            value = 0
        self.cell[0] = value if _internal else TO_INTERNAL[content](value)

    @property
    def address(self) -> int:
        """Address of the native cell (for machine code); 0 for a list cell."""
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
