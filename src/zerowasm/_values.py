"""Values crossing the host boundary: Python values <-> the engines' internal convention.

The public convention (as in wasmtime-py): i32/i64 results are signed Python ints and
arguments may be given in the signed or the unsigned range; f32/f64 are floats (an f32
argument is rounded to single precision); references are ``None`` (null), a
:class:`zerowasm.Function` (funcref) or any Python object (externref).
The internal convention is documented in :mod:`zerowasm._engine.protocol`: integers are
unsigned, and an f32 is a double holding an f32 value.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ._numeric import f32_from_bits, f32_round, f32_to_bits
from ._types import ValType

__all__ = ["to_internal", "from_internal", "TO_INTERNAL", "FROM_INTERNAL", "default_value"]


def _i32_in(value: Any) -> int:
    if value.__class__ is not int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected an int for i32, got %s" % type(value).__name__)
        value = int(value)
    if not -0x80000000 <= value <= 0xFFFFFFFF:
        raise OverflowError("%d does not fit in i32" % value)
    return value & 0xFFFFFFFF


def _i64_in(value: Any) -> int:
    if value.__class__ is not int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected an int for i64, got %s" % type(value).__name__)
        value = int(value)
    if not -0x8000000000000000 <= value <= 0xFFFFFFFFFFFFFFFF:
        raise OverflowError("%d does not fit in i64" % value)
    return value & 0xFFFFFFFFFFFFFFFF


def _f64_in(value: Any) -> float:
    if value.__class__ is float:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("expected a float for f64, got %s" % type(value).__name__)
    return float(value)


def _f32_in(value: Any) -> float:
    value = _f64_in(value)
    if value != value:
        # keep the NaN's payload (signaling or not): its top 23 mantissa bits
        return f32_from_bits(f32_to_bits(value))
    return f32_round(value)


def _funcref_in(value: Any) -> Any:
    from ._store.function import Function
    if value is not None and not isinstance(value, Function):
        raise TypeError("expected zerowasm.Function or None for funcref, got %s"
                        % type(value).__name__)
    return value


def _externref_in(value: Any) -> Any:
    return value


def _v128_in(value: Any) -> int:
    raise TypeError("v128 values are not supported yet")


def _i32_out(value: int) -> int:
    return value - 0x100000000 if value & 0x80000000 else value


def _i64_out(value: int) -> int:
    return value - 0x10000000000000000 if value & 0x8000000000000000 else value


def _same(value: Any) -> Any:
    return value


TO_INTERNAL: Dict[ValType, Callable[[Any], Any]] = {
    ValType.I32: _i32_in, ValType.I64: _i64_in, ValType.F32: _f32_in, ValType.F64: _f64_in,
    ValType.FUNCREF: _funcref_in, ValType.EXTERNREF: _externref_in, ValType.V128: _v128_in,
}
FROM_INTERNAL: Dict[ValType, Callable[[Any], Any]] = {
    ValType.I32: _i32_out, ValType.I64: _i64_out, ValType.F32: _same, ValType.F64: _same,
    ValType.FUNCREF: _same, ValType.EXTERNREF: _same, ValType.V128: _same,
}


def to_internal(value_type: ValType, value: Any) -> Any:
    return TO_INTERNAL[value_type](value)


def from_internal(value_type: ValType, value: Any) -> Any:
    return FROM_INTERNAL[value_type](value)


def default_value(value_type: ValType) -> Any:
    """Spec: Core 2.0 §4.2.1 (exec/runtime.html#default-val): zero or null."""
    if value_type in (ValType.F32, ValType.F64):
        return 0.0
    if value_type in (ValType.FUNCREF, ValType.EXTERNREF):
        return None
    return 0
