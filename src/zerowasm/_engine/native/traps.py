"""Trap codes shared by the machine code and the Python side.

Machine code that traps puts one of these codes in ``eax`` and jumps to the module's
common trap stub, which unwinds to the innermost entry thunk; the thunk returns the
negated code to Python, which raises the matching :class:`zerowasm.Trap`.
"""

from __future__ import annotations

from typing import Dict

from ..._errors import TrapKind

__all__ = ["UNREACHABLE", "DIVIDE_BY_ZERO", "INTEGER_OVERFLOW", "INVALID_CONVERSION",
           "OUT_OF_BOUNDS_MEMORY", "OUT_OF_BOUNDS_TABLE", "UNDEFINED_ELEMENT",
           "UNINITIALIZED_ELEMENT", "TYPE_MISMATCH", "STACK_EXHAUSTED", "NULL_REFERENCE",
           "HOST", "INTERRUPTED", "BUSY", "KINDS"]

UNREACHABLE = 1
DIVIDE_BY_ZERO = 2
INTEGER_OVERFLOW = 3
INVALID_CONVERSION = 4
OUT_OF_BOUNDS_MEMORY = 5
OUT_OF_BOUNDS_TABLE = 6
UNDEFINED_ELEMENT = 7
UNINITIALIZED_ELEMENT = 8
TYPE_MISMATCH = 9
STACK_EXHAUSTED = 10
NULL_REFERENCE = 11
#: a call out of native code raised a Python exception (kept aside by the dispatcher)
HOST = 12
INTERRUPTED = 13
#: the instance is running in another thread (returned by the entry thunk itself)
BUSY = 100

KINDS: Dict[int, TrapKind] = {
    UNREACHABLE: TrapKind.UNREACHABLE,
    DIVIDE_BY_ZERO: TrapKind.INTEGER_DIVIDE_BY_ZERO,
    INTEGER_OVERFLOW: TrapKind.INTEGER_OVERFLOW,
    INVALID_CONVERSION: TrapKind.INVALID_CONVERSION_TO_INTEGER,
    OUT_OF_BOUNDS_MEMORY: TrapKind.OUT_OF_BOUNDS_MEMORY_ACCESS,
    OUT_OF_BOUNDS_TABLE: TrapKind.OUT_OF_BOUNDS_TABLE_ACCESS,
    UNDEFINED_ELEMENT: TrapKind.UNDEFINED_ELEMENT,
    UNINITIALIZED_ELEMENT: TrapKind.UNINITIALIZED_ELEMENT,
    TYPE_MISMATCH: TrapKind.INDIRECT_CALL_TYPE_MISMATCH,
    STACK_EXHAUSTED: TrapKind.CALL_STACK_EXHAUSTED,
    NULL_REFERENCE: TrapKind.NULL_REFERENCE,
    INTERRUPTED: TrapKind.INTERRUPTED,
}
