"""Script values: turning wast2json's JSON values into Python arguments, and checking results.

Theory of operation
-------------------
``wast2json`` writes every constant of a script as ``{"type": T, "value": V}`` where ``V`` is
a decimal string: the *unsigned* integer for i32/i64, the *bit pattern* for f32/f64, the
host-reference number for ``ref.extern N``, or a keyword (``"null"``, ``"nan:canonical"``,
``"nan:arithmetic"``). The public API takes and returns Python values (signed ints, floats,
``None`` or objects for references), so arguments are built from the bit patterns and
results are compared the other way round: integers modulo 2^n, floats *by bits* (so that
``-0.0`` differs from ``0.0`` and a NaN's payload is checked), references by identity.

A ``v128`` is ``{"type": "v128", "lane_type": "i8"|...|"f64", "value": [lane, ...]}``, one
decimal string per lane (unsigned integer or float bit pattern, lane 0 first, or a NaN
pattern for a float lane). The public API takes and returns a v128 as an unsigned int below
2^128 whose little-endian bytes are the vector's, so lane ``i`` of width ``w`` is bits
``i*w .. i*w+w-1``; results are compared lane by lane.

NaN patterns (Spec: Core 2.0 §4.3.3, exec/numerics.html#nan-propagation, and the script
format in the spec interpreter's README): ``nan:canonical`` is a quiet NaN whose payload is
exactly the top mantissa bit, with either sign; ``nan:arithmetic`` is any NaN whose top
mantissa bit (the quiet bit) is set.

Everything here but :func:`float_to_bits` / :func:`float_from_bits` is plain integer
arithmetic, testable without the runtime.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

__all__ = [
    "ExternRef",
    "UnsupportedValue",
    "F32_CANONICAL_NAN", "F32_QUIET_NAN_MASK", "F64_CANONICAL_NAN", "F64_QUIET_NAN_MASK",
    "is_canonical_nan", "is_arithmetic_nan",
    "to_signed", "int_matches", "float_bits_match",
    "float_to_bits", "float_from_bits",
    "parse_argument", "extern_ref", "match_result", "normalize_results",
    "v128_from_lanes", "v128_matches",
    "describe_expected", "describe_actual",
]

#: Bit layout constants. The quiet-NaN mask is the exponent (all ones) plus the quiet bit.
F32_SIGN = 0x8000_0000
F32_CANONICAL_NAN = 0x7FC0_0000
F32_QUIET_NAN_MASK = 0x7FC0_0000
F64_SIGN = 0x8000_0000_0000_0000
F64_CANONICAL_NAN = 0x7FF8_0000_0000_0000
F64_QUIET_NAN_MASK = 0x7FF8_0000_0000_0000

_INT_BITS = {"i32": 32, "i64": 64}
_FLOAT_BITS = {"f32": 32, "f64": 64}
_REF_TYPES = ("funcref", "externref")
_LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}


class UnsupportedValue(Exception):
    """A script value the runner does not support (a funcref argument, an unknown type)."""


class ExternRef:
    """The host object standing for the script's ``ref.extern N``.

    One object per ``N`` and per script run, so results are compared by identity.
    """

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number

    def __repr__(self) -> str:
        return "ref.extern %d" % self.number


# -- pure bit-level checks ---------------------------------------------------------------


def is_canonical_nan(bits: int, width: int) -> bool:
    """``nan:canonical``: the canonical quiet NaN, either sign."""
    if width == 32:
        return bits & ~F32_SIGN & 0xFFFF_FFFF == F32_CANONICAL_NAN
    return bits & ~F64_SIGN & 0xFFFF_FFFF_FFFF_FFFF == F64_CANONICAL_NAN


def is_arithmetic_nan(bits: int, width: int) -> bool:
    """``nan:arithmetic``: a NaN with the quiet bit set, any payload, either sign."""
    mask = F32_QUIET_NAN_MASK if width == 32 else F64_QUIET_NAN_MASK
    return bits & mask == mask


def to_signed(value: int, width: int) -> int:
    """Reinterpret an unsigned ``width``-bit integer as two's complement."""
    value &= (1 << width) - 1
    return value - (1 << width) if value >> (width - 1) else value


def int_matches(actual: Any, expected_unsigned: int, width: int) -> bool:
    """An integer result matches if it is in range (signed or unsigned) and equal mod 2^n."""
    if not isinstance(actual, int) or isinstance(actual, bool):
        return False
    if not -(1 << (width - 1)) <= actual < (1 << width):
        return False
    return (actual - expected_unsigned) % (1 << width) == 0


def float_bits_match(actual_bits: int, expected: str, width: int) -> bool:
    """Compare a float result's bit pattern with a script value (bits or a NaN pattern)."""
    if expected == "nan:canonical":
        return is_canonical_nan(actual_bits, width)
    if expected == "nan:arithmetic":
        return is_arithmetic_nan(actual_bits, width)
    return actual_bits == int(expected)


# -- conversions through the runtime's numeric conventions -------------------------------

_numeric_cache: Dict[str, Callable[..., Any]] = {}


def _numeric(name: str) -> Callable[..., Any]:
    """Fetch a conversion from the runtime's numeric module (imported on first use)."""
    fn = _numeric_cache.get(name)
    if fn is None:
        from .. import _numeric

        fn = getattr(_numeric, name)
        _numeric_cache[name] = fn
    return fn


def float_to_bits(value: float, width: int) -> int:
    """The bit pattern of an f32/f64 result (an f32 is a double holding an f32 value)."""
    return int(_numeric("f32_to_bits" if width == 32 else "f64_to_bits")(value))


def float_from_bits(bits: int, width: int) -> float:
    """The Python float the public API takes for an f32/f64 bit pattern."""
    return float(_numeric("f32_from_bits" if width == 32 else "f64_from_bits")(bits))


# -- arguments ---------------------------------------------------------------------------


def parse_argument(value: Mapping[str, Any], externs: Dict[int, ExternRef]) -> Any:
    """Build the Python argument for a script constant.

    ``externs`` maps ``N`` to the :class:`ExternRef` made for ``ref.extern N`` (filled on
    demand, so the same ``N`` is always the same object within a run).
    """
    vtype = value["type"]
    raw: Any = value.get("value")
    if vtype in _INT_BITS:
        return to_signed(int(raw), _INT_BITS[vtype])
    if vtype in _FLOAT_BITS:
        return float_from_bits(int(raw), _FLOAT_BITS[vtype])
    if vtype in _REF_TYPES:
        if raw == "null":
            return None
        if vtype == "externref":
            return extern_ref(int(raw), externs)
        raise UnsupportedValue("funcref argument %r cannot be written in a script" % (raw,))
    if vtype == "v128":
        return v128_from_lanes(value)
    raise UnsupportedValue("unknown value type %r" % (vtype,))


def _lane_width(value: Mapping[str, Any]) -> int:
    lane_type = value.get("lane_type")
    if lane_type not in _LANE_BITS:
        raise UnsupportedValue("unknown v128 lane type %r" % (lane_type,))
    return _LANE_BITS[lane_type]


def v128_from_lanes(value: Mapping[str, Any]) -> int:
    """The unsigned 128-bit int of a script ``v128`` constant (integer lanes only, or float
    lanes given as bit patterns)."""
    width = _lane_width(value)
    mask = (1 << width) - 1
    result = 0
    for i, lane in enumerate(value["value"]):
        result |= (int(lane) & mask) << (i * width)
    return result


def v128_matches(actual: Any, expected: Mapping[str, Any]) -> bool:
    """Compare a v128 result (an int) with a script value lane by lane; float lanes may be
    NaN patterns."""
    if not isinstance(actual, int) or isinstance(actual, bool) or not 0 <= actual < 1 << 128:
        return False
    width = _lane_width(expected)
    mask = (1 << width) - 1
    is_float = expected["lane_type"][0] == "f"
    for i, lane in enumerate(expected["value"]):
        bits = (actual >> (i * width)) & mask
        if is_float:
            if not float_bits_match(bits, lane, width):
                return False
        elif bits != int(lane) & mask:
            return False
    return True


def _describe_v128(value: int, lane_type: str) -> str:
    width = _LANE_BITS.get(lane_type, 32)
    mask = (1 << width) - 1
    lanes = [(value >> (i * width)) & mask for i in range(128 // width)]
    if lane_type[0] == "f":
        return "v128:%s[%s]" % (lane_type, " ".join("0x%0*x" % (width // 4, b) for b in lanes))
    return "v128:%s[%s]" % (lane_type, " ".join(str(to_signed(b, width)) for b in lanes))


def extern_ref(number: int, externs: Dict[int, ExternRef]) -> ExternRef:
    ref = externs.get(number)
    if ref is None:
        ref = externs[number] = ExternRef(number)
    return ref


# -- results -----------------------------------------------------------------------------


def match_result(expected: Mapping[str, Any], actual: Any,
                 externs: Dict[int, ExternRef]) -> bool:
    """Does one result value match one expected script value?

    Raises :class:`UnsupportedValue` for a value type it does not know.
    """
    vtype = expected["type"]
    if vtype == "either":
        return any(match_result(option, actual, externs) for option in expected["values"])
    raw: Any = expected.get("value")
    if vtype in _INT_BITS:
        return int_matches(actual, int(raw), _INT_BITS[vtype])
    if vtype in _FLOAT_BITS:
        if not isinstance(actual, float):
            return False
        width = _FLOAT_BITS[vtype]
        return float_bits_match(float_to_bits(actual, width), raw, width)
    if vtype in _REF_TYPES:
        if raw == "null":
            return actual is None
        if raw is None:  # `(ref.func)` / `(ref.extern)`: any non-null reference
            return actual is not None
        if vtype == "externref":
            ref = extern_ref(int(raw), externs)
            return actual is ref or (not isinstance(actual, ExternRef) and actual == ref)
        return actual is not None
    if vtype == "v128":
        return v128_matches(actual, expected)
    raise UnsupportedValue("unknown value type %r" % (vtype,))


def describe_expected(expected: Mapping[str, Any]) -> str:
    """Script-like text for an expected value: ``i32:-1``, ``f32:nan:canonical``, ..."""
    vtype = expected["type"]
    if vtype == "either":
        return "either(%s)" % ", ".join(describe_expected(v) for v in expected["values"])
    raw: Any = expected.get("value")
    if vtype == "v128" and isinstance(raw, list):
        lane_type = expected.get("lane_type", "i32")
        if all(lane.isdigit() for lane in raw):
            return _describe_v128(v128_from_lanes(expected), lane_type)
        return "v128:%s[%s]" % (lane_type, " ".join(raw))
    if raw is None:
        return "%s:<non-null>" % vtype if vtype in _REF_TYPES else vtype
    if vtype in _INT_BITS and isinstance(raw, str) and raw.isdigit():
        return "%s:%d" % (vtype, to_signed(int(raw), _INT_BITS[vtype]))
    if vtype in _FLOAT_BITS and isinstance(raw, str) and raw.isdigit():
        width = _FLOAT_BITS[vtype]
        return "%s:0x%0*x" % (vtype, width // 4, int(raw)) + _float_hint(int(raw), width)
    return "%s:%s" % (vtype, raw)


def describe_actual(actual: Any, expected: Optional[Mapping[str, Any]] = None) -> str:
    """Text for a result value, showing float bits when a float was expected."""
    vtype = expected.get("type") if expected is not None else None
    if vtype == "v128" and isinstance(actual, int) and expected is not None:
        return _describe_v128(actual, expected.get("lane_type", "i32"))
    if vtype in _FLOAT_BITS and isinstance(actual, float):
        width = _FLOAT_BITS[vtype]
        try:
            bits = float_to_bits(actual, width)
        except Exception:  # noqa: BLE001 - only for display
            return repr(actual)
        return "%s:0x%0*x" % (vtype, width // 4, bits) + _float_hint(bits, width)
    return repr(actual)


def _float_hint(bits: int, width: int) -> str:
    """`` (1.5)`` after a bit pattern, to make reports readable."""
    import struct

    if width == 32:
        value = struct.unpack("<f", struct.pack("<I", bits & 0xFFFF_FFFF))[0]
    else:
        value = struct.unpack("<d", struct.pack("<Q", bits & 0xFFFF_FFFF_FFFF_FFFF))[0]
    return " (%r)" % value


def normalize_results(result: Any, count: int) -> Tuple[List[Any], Optional[str]]:
    """Turn an exported function's return value into a list of ``count`` results.

    The public API returns ``None`` for no result, the value for one, a tuple for several.
    Returns the list and, if the shape is wrong, a description of the problem.
    """
    if count == 0:
        if result is None or result == ():
            return [], None
        return [result], "expected no result, got %r" % (result,)
    if count == 1:
        if isinstance(result, tuple):
            if len(result) == 1:
                return [result[0]], None
            return list(result), "expected 1 result, got %d: %r" % (len(result), result)
        return [result], None
    if not isinstance(result, (tuple, list)):
        return [result], "expected %d results, got %r" % (count, result)
    if len(result) != count:
        return list(result), "expected %d results, got %d: %r" % (count, len(result), result)
    return list(result), None
