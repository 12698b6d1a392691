"""Values crossing the host boundary: Python values <-> the engines' internal convention.

The public convention (as in wasmtime-py): i32/i64 results are signed Python ints and
arguments may be given in the signed or the unsigned range; f32/f64 are floats (an f32
argument is rounded to single precision); references are ``None`` (null), a
:class:`zerowasm.Function` (funcref) or any Python object (externref). A v128 is an
unsigned int below 2**128 whose little-endian bytes are the vector's (lane ``i`` of
``w``-bit lanes is bits ``i*w`` to ``i*w+w-1``); an argument may also be a negative int
down to -2**127 (two's complement) or 16 bytes. :func:`v128_to_lanes` and
:func:`v128_from_lanes` view one as lanes (Spec: Core 2.0 §4.3.1, vector lanes).
The internal convention is documented in :mod:`zerowasm._engine.protocol`: integers are
unsigned, and an f32 is a double holding an f32 value.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, Iterable, Tuple, Union

from ._numeric import f32_from_bits, f32_round, f32_to_bits
from ._types import ValType

__all__ = ["to_internal", "from_internal", "TO_INTERNAL", "FROM_INTERNAL", "default_value",
           "v128_to_lanes", "v128_from_lanes"]


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
    if value.__class__ is not int:
        if isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
            if len(data) != 16:
                raise ValueError("expected 16 bytes for v128, got %d" % len(data))
            return int.from_bytes(data, "little")
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected an int or 16 bytes for v128, got %s"
                            % type(value).__name__)
        value = int(value)
    if not -(1 << 127) <= value < (1 << 128):
        raise OverflowError("%d does not fit in v128" % value)
    return value & 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF


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


#: shape -> (struct lane format for unsigned, signed, lane count)
_SHAPE_FORMATS = {"i8x16": ("<16B", "<16b"), "i16x8": ("<8H", "<8h"), "i32x4": ("<4I", "<4i"),
                  "i64x2": ("<2Q", "<2q"), "f32x4": ("<4I", "<4f"), "f64x2": ("<2Q", "<2d")}


def v128_to_lanes(value: Union[int, bytes], shape: str = "i32x4",
                  signed: bool = False) -> Tuple[Any, ...]:
    """The lanes of a v128 value (an int as exported functions return it, or 16 bytes).

    ``shape`` is ``"i8x16"``, ``"i16x8"``, ``"i32x4"``, ``"i64x2"``, ``"f32x4"`` or
    ``"f64x2"``; integer lanes are unsigned unless ``signed``; float lanes are Python
    floats (``f32x4`` lanes through C ``float``, so a signaling NaN comes back quiet: use
    an integer shape for exact NaN bits). Lane 0 first.
    """
    formats = _SHAPE_FORMATS.get(shape)
    if formats is None:
        raise ValueError("unknown v128 shape %r (expected one of %s)"
                         % (shape, ", ".join(_SHAPE_FORMATS)))
    data = _v128_in(value).to_bytes(16, "little")
    fmt = formats[1] if signed or shape[0] == "f" else formats[0]
    return struct.unpack(fmt, data)


def v128_from_lanes(shape: str, lanes: Iterable[Any]) -> int:
    """The v128 int with the given lanes (lane 0 first): integers signed or unsigned (taken
    modulo 2**width), floats for ``f32x4``/``f64x2``. The inverse of :func:`v128_to_lanes`."""
    formats = _SHAPE_FORMATS.get(shape)
    if formats is None:
        raise ValueError("unknown v128 shape %r (expected one of %s)"
                         % (shape, ", ".join(_SHAPE_FORMATS)))
    values = list(lanes)
    count = int(shape.split("x")[1])
    if len(values) != count:
        raise ValueError("%s has %d lanes, got %d values" % (shape, count, len(values)))
    if shape[0] == "f":
        data = struct.pack(formats[1], *values)
    else:
        width = 128 // count
        mask = (1 << width) - 1
        data = struct.pack(formats[0], *(int(v) & mask for v in values))
    return int.from_bytes(data, "little")


def default_value(value_type: ValType) -> Any:
    """Spec: Core 2.0 §4.2.1 (exec/runtime.html#default-val): zero or null."""
    if value_type in (ValType.F32, ValType.F64):
        return 0.0
    if value_type in (ValType.FUNCREF, ValType.EXTERNREF):
        return None
    return 0
