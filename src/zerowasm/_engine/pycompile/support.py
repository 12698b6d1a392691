"""Run-time helpers of generated code: bulk memory and table operations, traps.

Spec: Core 2.0 §4.4.6 (exec/instructions.html#table-instructions) and §4.4.7
(#memory-instructions), the 2.0 (bulk memory) semantics: the whole range is checked
before anything is written, and an out-of-range access traps even for a length of 0
when the start lies beyond the end.

These helpers raise :class:`~zerowasm.Trap` themselves and never let an ``IndexError``
or ``struct.error`` escape (the generated code treats those as memory faults only when
raised in its own frame, see :func:`is_memory_fault`).
"""

from __future__ import annotations

import struct
from types import TracebackType
from typing import Any, Dict, List, Optional

from ... import _numeric
from ..._errors import Trap, TrapKind

__all__ = ["RUNTIME_HELPERS", "is_memory_fault", "interrupted", "out_of_fuel",
           "indirect_call_trap", "memory_fill",
           "memory_copy", "memory_init", "table_get", "table_set", "table_fill",
           "table_copy", "table_init"]

_MEMORY = TrapKind.OUT_OF_BOUNDS_MEMORY_ACCESS
_TABLE = TrapKind.OUT_OF_BOUNDS_TABLE_ACCESS

#: Code objects of the Python helpers generated code calls for loads and stores: an
#: out-of-bounds error raised directly inside one of them is a memory fault too.
_ACCESS_CODES = frozenset((_numeric.f32_load.__code__, _numeric.f32_store.__code__,
                           _numeric.f64_load.__code__, _numeric.f64_store.__code__))


def is_memory_fault(error: BaseException) -> bool:
    """True when ``error`` (``struct.error``/``IndexError``) comes from a memory access
    of the generated function that caught it, not from deeper code (a host function's
    own ``IndexError`` must reach the host untouched)."""
    tb: Optional[TracebackType] = error.__traceback__
    if tb is None:
        return False
    inner = tb.tb_next
    if inner is None:
        return True
    return inner.tb_next is None and inner.tb_frame.f_code in _ACCESS_CODES


def indirect_call_trap(table: List[Any], index: int, type_id: int) -> None:
    """Raise the trap ``call_indirect`` hits. Spec: Core 2.0 §4.4.8 (call_indirect)."""
    if index >= len(table):
        raise Trap(TrapKind.UNDEFINED_ELEMENT)
    entry = table[index]
    if entry is None:
        raise Trap(TrapKind.UNINITIALIZED_ELEMENT)
    raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH)


def memory_fill(memory: memoryview, d: int, value: int, n: int) -> None:
    """``memory.fill``. Spec: Core 2.0 §4.4.7 (memory.fill)."""
    if d + n > len(memory):
        raise Trap(_MEMORY)
    if n:
        memory[d:d + n] = bytes((value & 0xFF,)) * n


def memory_copy(dst: memoryview, src: memoryview, d: int, s: int, n: int) -> None:
    """``memory.copy`` (overlapping ranges copy as if through a buffer).

    Spec: Core 2.0 §4.4.7 (memory.copy).
    """
    if s + n > len(src) or d + n > len(dst):
        raise Trap(_MEMORY)
    if n:
        dst[d:d + n] = src[s:s + n].tobytes()


def memory_init(memory: memoryview, data: bytes, d: int, s: int, n: int) -> None:
    """``memory.init``. Spec: Core 2.0 §4.4.7 (memory.init)."""
    if s + n > len(data) or d + n > len(memory):
        raise Trap(_MEMORY)
    if n:
        memory[d:d + n] = data[s:s + n]


def table_get(table: List[Any], index: int) -> Any:
    """``table.get``. Spec: Core 2.0 §4.4.6 (table.get)."""
    if index >= len(table):
        raise Trap(_TABLE)
    return table[index]


def table_set(table: List[Any], index: int, value: Any) -> None:
    """``table.set``. Spec: Core 2.0 §4.4.6 (table.set)."""
    if index >= len(table):
        raise Trap(_TABLE)
    table[index] = value


def table_fill(table: List[Any], i: int, value: Any, n: int) -> None:
    """``table.fill``. Spec: Core 2.0 §4.4.6 (table.fill)."""
    if i + n > len(table):
        raise Trap(_TABLE)
    if n:
        table[i:i + n] = [value] * n


def table_copy(dst: List[Any], src: List[Any], d: int, s: int, n: int) -> None:
    """``table.copy``. Spec: Core 2.0 §4.4.6 (table.copy)."""
    if s + n > len(src) or d + n > len(dst):
        raise Trap(_TABLE)
    if n:
        dst[d:d + n] = src[s:s + n]


def table_init(table: List[Any], elements: List[Any], d: int, s: int, n: int) -> None:
    """``table.init``. Spec: Core 2.0 §4.4.6 (table.init)."""
    if s + n > len(elements) or d + n > len(table):
        raise Trap(_TABLE)
    if n:
        table[d:d + n] = elements[s:s + n]


def _struct_helpers() -> Dict[str, Any]:
    helpers: Dict[str, Any] = {}
    for name, fmt in (("u16", "<H"), ("s16", "<h"), ("u32", "<I"), ("s32", "<i"),
                      ("u64", "<Q"), ("f64", "<d")):
        codec = struct.Struct(fmt)
        helpers["ld_" + name] = codec.unpack_from
        helpers["st_" + name] = codec.pack_into
    return helpers


#: Everything generated code may name besides the instance's own names.
def interrupted(cell: List[int]) -> None:
    """An interrupt check point found the runtime's interrupt cell set: clear it and stop
    the running call (:meth:`zerowasm.Runtime.interrupt`)."""
    cell[0] = 0
    raise Trap(TrapKind.INTERRUPTED)


def out_of_fuel(cell: List[int]) -> None:
    """A check point took the runtime's fuel below zero: none is left
    (:meth:`zerowasm.Runtime.set_fuel`)."""
    cell[0] = 0
    raise Trap(TrapKind.FUEL_EXHAUSTED)


RUNTIME_HELPERS: Dict[str, Any] = dict(
    _struct_helpers(),
    struct_error=struct.error,
    Trap=Trap,
    TrapKind=TrapKind,
    TRAP_MEMORY=_MEMORY,
    TRAP_UNREACHABLE=TrapKind.UNREACHABLE,
    is_memory_fault=is_memory_fault,
    interrupted=interrupted,
    out_of_fuel=out_of_fuel,
    indirect_call_trap=indirect_call_trap,
    memory_fill=memory_fill,
    memory_copy=memory_copy,
    memory_init=memory_init,
    table_get=table_get,
    table_set=table_set,
    table_fill=table_fill,
    table_copy=table_copy,
    table_init=table_init,
)
