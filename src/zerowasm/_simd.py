"""Bit-exact semantics of the 128-bit vector instructions, for the engines.

Spec: Core 2.0 §4.3 (exec/numerics.html) and §4.4.3 (exec/instructions.html#vector-
instructions).

Theory of operation
-------------------
A ``v128`` is a Python ``int`` in ``[0, 2**128)`` whose little-endian bytes are the
vector's bytes: lane ``i`` of a shape with ``w``-bit lanes is bits ``i*w .. i*w+w-1``.
Constants, locals, globals, ``select``, the bitwise instructions and equality of whole
vectors are then plain int operations, and a lane is ``(v >> i*w) & mask``. Operations
that act lane by lane take one of three routes, cheapest first:

* *SWAR* ("SIMD within a register") on the int: lane-wise ``add``/``sub`` of any width
  are a masked add plus an exclusive or that cancels the carries between lanes; shifts by
  a constant are a shift and a mask (the compiler inlines those, see
  :mod:`zerowasm._engine.pycompile.vector`); ``avgr_u``, ``eq``/``ne`` and ``all_true``
  work the same way;
* ``bytes`` methods: ``swizzle`` and ``shuffle`` are one ``bytes.translate`` (the
  translation table is the source vectors' bytes), ``popcnt`` a translate through a
  table of bit counts, ``bitmask`` a translate into ASCII binary digits parsed by
  ``int(..., 2)``;
* ``struct``: the int becomes bytes (``int.to_bytes``), a precompiled ``struct.Struct``
  unpacks the lanes (``<16b``, ``<8H``, ``<4f``...), one expression per lane computes the
  results, and they are packed back (``int.from_bytes``). These functions are generated
  from a one-line template per instruction (:func:`_lanewise`), unrolled so that no
  Python-level loop runs per lane, and compiled on first use (:func:`simd_helper`).

f32 lanes are unpacked with ``<f``, which gives the exact f32 value as a double (a
signaling NaN comes back quiet: every f32x4 operation that consumes a NaN must return a
quiet one anyway, so only the bit-moving instructions, which never go through ``<f``,
must keep NaN payloads). Results are computed in double and packed with ``<f``, whose C
conversion rounds to nearest once: innocuous double rounding for ``+ - * / sqrt`` (see
:mod:`zerowasm._numeric`). ``struct`` refuses (``OverflowError``) a finite double that
rounds beyond the f32 range; those calls redo the lanes through :func:`f32_round`, as
division by zero goes through :func:`f64_div`. NaN results are those of the hardware
(canonical in, canonical out; a new NaN is canonical), as §4.3.3 allows. ``pmin``/
``pmax`` select whole lanes by bits, so they return an operand exactly.

Everything here is a plain function of plain values: thread-safe, no state.
"""

from __future__ import annotations

import functools
import struct
import threading
from typing import Any, Callable, Dict, List, Tuple

from . import _numeric
from ._numeric import f32_to_bits

__all__ = ["SIMD_HELPERS", "simd_helper", "helper_names", "MASK128", "SHAPES", "lane_masks",
           "shl_mask", "shr_mask", "splat_factor", "v128_to_bytes", "v128_from_bytes"]

MASK128 = (1 << 128) - 1

#: shape -> (lane width in bits, lane count)
SHAPES: Dict[str, Tuple[int, int]] = {
    "i8x16": (8, 16), "i16x8": (16, 8), "i32x4": (32, 4), "i64x2": (64, 2),
    "f32x4": (32, 4), "f64x2": (64, 2),
}

_from_bytes = int.from_bytes


def v128_to_bytes(v: int) -> bytes:
    """The 16 bytes of a vector (lane 0 first)."""
    return v.to_bytes(16, "little")


def v128_from_bytes(data: bytes) -> int:
    """The vector whose 16 bytes are ``data``."""
    return _from_bytes(data, "little")


def splat_factor(width: int) -> int:
    """The int with a 1 in the lowest bit of every ``width``-bit lane (``x * factor``
    copies a lane value into every lane)."""
    return sum(1 << (i * width) for i in range(128 // width))


def lane_masks(width: int) -> Tuple[int, int]:
    """``(low, high)``: every lane's bits below its top bit, and every lane's top bit."""
    ones = splat_factor(width)
    high = ones << (width - 1)
    return MASK128 ^ high, high


def shl_mask(width: int, k: int) -> int:
    """The bits ``v << k`` keeps so that no lane's bits cross into the next lane."""
    return (((1 << width) - 1) ^ ((1 << k) - 1)) * splat_factor(width)


def shr_mask(width: int, k: int) -> int:
    """The bits ``v >> k`` keeps so that no lane's bits come from the lane above."""
    return ((1 << (width - k)) - 1) * splat_factor(width)


# --------------------------------------------------------------------------------------
# SWAR: lane-wise arithmetic on the whole int

def _add(width: int) -> Callable[[int, int], int]:
    low, high = lane_masks(width)

    def add(a: int, b: int) -> int:
        return ((a & low) + (b & low)) ^ ((a ^ b) & high)
    return add


def _sub(width: int) -> Callable[[int, int], int]:
    low, high = lane_masks(width)

    def sub(a: int, b: int) -> int:
        return ((a | high) - (b & low)) ^ ((a ^ b ^ high) & high)
    return sub


def _neg(width: int) -> Callable[[int], int]:
    low, high = lane_masks(width)

    def neg(a: int) -> int:
        return (high - (a & low)) ^ ((a & high) ^ high)
    return neg


def _avgr_u(width: int) -> Callable[[int, int], int]:
    low, _ = lane_masks(width)

    def avgr_u(a: int, b: int) -> int:
        # (a + b + 1) >> 1 per lane == (a | b) - ((a ^ b) >> 1), with no borrows
        return (a | b) - (((a ^ b) >> 1) & low)
    return avgr_u


def _nonzero_lanes(width: int) -> Callable[[int], int]:
    """``z -> `` the lanes' top bits set exactly where the lane of ``z`` is not zero."""
    low, high = lane_masks(width)

    def nonzero(z: int) -> int:
        return (((z & low) + low) | z) & high
    return nonzero


def _eq(width: int) -> Callable[[int, int], int]:
    nonzero = _nonzero_lanes(width)
    shift = width - 1
    lane = (1 << width) - 1

    def eq(a: int, b: int) -> int:
        return MASK128 ^ ((nonzero(a ^ b) >> shift) * lane)
    return eq


def _ne(width: int) -> Callable[[int, int], int]:
    nonzero = _nonzero_lanes(width)
    shift = width - 1
    lane = (1 << width) - 1

    def ne(a: int, b: int) -> int:
        return (nonzero(a ^ b) >> shift) * lane
    return ne


def _all_true(width: int) -> Callable[[int], int]:
    nonzero = _nonzero_lanes(width)
    _, high = lane_masks(width)

    def all_true(a: int) -> int:
        return 1 if nonzero(a) == high else 0
    return all_true


def _shifts(width: int) -> Tuple[Callable[[int, int], int], Callable[[int, int], int],
                                 Callable[[int, int], int]]:
    """``shl``, ``shr_s``, ``shr_u`` by a run-time count (taken modulo the lane width).

    Spec: Core 2.0 §4.3.2 (ishl, ishr_s, ishr_u) lane-wise, §4.4.3 (shape.shl ...).
    """
    left = tuple(shl_mask(width, k) for k in range(width))
    right = tuple(shr_mask(width, k) for k in range(width))
    fill = tuple(((1 << k) - 1) << (width - k) for k in range(width))
    _, high = lane_masks(width)
    top = width - 1
    mod = width - 1

    def shl(a: int, k: int) -> int:
        k &= mod
        return (a << k) & left[k]

    def shr_u(a: int, k: int) -> int:
        k &= mod
        return (a >> k) & right[k]

    def shr_s(a: int, k: int) -> int:
        k &= mod
        return ((a >> k) & right[k]) | (((a & high) >> top) * fill[k])
    return shl, shr_s, shr_u


# --------------------------------------------------------------------------------------
# bytes tricks: swizzle, shuffle, popcnt, bitmask

_POPCNT_TABLE = bytes(bin(i).count("1") for i in range(256))
_BINARY_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def i8x16_swizzle(a: int, s: int) -> int:
    """``i8x16.swizzle``: lane i is ``a[s[i]]``, or 0 when ``s[i] >= 16``.

    Spec: Core 2.0 §4.4.3 (exec/instructions.html#xref-syntax-instructions-syntax-instr-
    vec-mathsf-i8x16-swizzle).
    """
    # the table: a's 16 bytes, then 240 zero bytes
    return _from_bytes(s.to_bytes(16, "little").translate(a.to_bytes(256, "little")), "little")


def i8x16_shuffle(lanes: bytes, a: int, b: int) -> int:
    """``i8x16.shuffle lanes``: lane i is byte ``lanes[i]`` of ``a`` ++ ``b`` (every lane
    index below 32, checked by validation). Spec: Core 2.0 §4.4.3 (i8x16.shuffle)."""
    return _from_bytes(lanes.translate((a | b << 128).to_bytes(256, "little")), "little")


def i8x16_popcnt(a: int) -> int:
    """``i8x16.popcnt``: the number of one bits of every byte. Spec: §4.3.2 (ipopcnt)."""
    return _from_bytes(a.to_bytes(16, "little").translate(_POPCNT_TABLE), "little")


def _mul(width: int) -> Callable[[int, int], int]:
    """``i16x8.mul``/``i32x4.mul``. When one operand has all lanes equal (a splat, as
    vectorized code multiplies by a constant), the even and the odd lanes are each
    multiplied at once: every product fits its lane and the free lane above it.
    Otherwise lane by lane through ``struct``. Spec: Core 2.0 §4.3.2 (imul)."""
    ones = splat_factor(width)
    lane = (1 << width) - 1
    even = splat_factor(2 * width) * lane
    lanes_name = "i%dx%d_mul_lanes" % (width, 128 // width)

    def mul(a: int, b: int) -> int:
        c = b & lane
        if b != c * ones:
            c = a & lane
            if a != c * ones:
                return int(simd_helper(lanes_name)(a, b))
            a = b
        return ((a & even) * c & even) | (((a >> width) & even) * c & even) << width
    return mul


def _compare(width: int, signed: bool) -> Dict[str, Callable[[int, int], int]]:
    """``lt``/``gt``/``le``/``ge`` (all ones where it holds) and ``min``/``max`` of
    ``width``-bit lanes, signed or not, from one SWAR test: even lanes, then odd lanes,
    each in a slot of twice their width, compute ``(a | 2**width) - b`` at once; the
    bit ``2**width`` of a slot survives exactly where ``a >= b``. Signed lanes are
    compared after flipping their sign bits. Spec: Core 2.0 §4.3.2 (ilt ... imin, imax)."""
    lane = (1 << width) - 1
    even = splat_factor(2 * width) * lane
    top = splat_factor(2 * width) << width
    flip = lane_masks(width)[1] if signed else 0

    def ge(a: int, b: int) -> int:
        a ^= flip
        b ^= flip
        e = ((a & even) | top) - (b & even)
        o = (((a >> width) & even) | top) - ((b >> width) & even)
        return (((e & top) >> width) | (o & top)) * lane

    def lt(a: int, b: int) -> int:
        return MASK128 ^ ge(a, b)

    def gt(a: int, b: int) -> int:
        return MASK128 ^ ge(b, a)

    def le(a: int, b: int) -> int:
        return ge(b, a)

    def minimum(a: int, b: int) -> int:
        return a ^ ((a ^ b) & ge(a, b))

    def maximum(a: int, b: int) -> int:
        return b ^ ((a ^ b) & ge(a, b))
    sign = "s" if signed else "u"
    return {"ge_" + sign: ge, "lt_" + sign: lt, "gt_" + sign: gt, "le_" + sign: le,
            "min_" + sign: minimum, "max_" + sign: maximum}


def _bitmask(width: int) -> Callable[[int], int]:
    """``shape.bitmask``: bit i of the i32 result is the top bit of lane i.

    The lanes' top bits are moved to the lowest byte of each lane; the big-endian bytes
    of those (every ``width/8``-th one) are translated to ASCII ``0``/``1`` and parsed.
    """
    step = width // 8
    ones = splat_factor(width)
    shift = width - 1

    def bitmask(a: int) -> int:
        return int(((a >> shift) & ones).to_bytes(16, "big")[step - 1::step]
                   .translate(_BINARY_DIGITS), 2)
    return bitmask


def v128_any_true(a: int) -> int:
    """``v128.any_true``. Spec: Core 2.0 §4.4.3."""
    return 1 if a else 0


def v128_bitselect(a: int, b: int, c: int) -> int:
    """``v128.bitselect``: bits of ``a`` where ``c`` is 1, of ``b`` where it is 0.

    Spec: Core 2.0 §4.3.2 (ibitselect).
    """
    return b ^ ((a ^ b) & c)


# --------------------------------------------------------------------------------------
# struct: lanes unpacked, computed one expression each, packed back

_FORMATS = {"i8": "b", "u8": "B", "i16": "h", "u16": "H", "i32": "i", "u32": "I",
            "i64": "q", "u64": "Q", "f32": "f", "f64": "d"}
_STRUCTS: Dict[str, struct.Struct] = {}


def _codec(kind: str, count: int) -> struct.Struct:
    fmt = "<%d%s" % (count, _FORMATS[kind])
    codec = _STRUCTS.get(fmt)
    if codec is None:
        codec = _STRUCTS[fmt] = struct.Struct(fmt)
    return codec


def _struct_namespace() -> Dict[str, Any]:
    namespace: Dict[str, Any] = {"from_bytes": _from_bytes}
    for kind in _FORMATS:
        width = int(kind[1:])
        count = 128 // width
        for n in (count, count // 2):
            name = "%s_%d" % (kind, n)
            codec = _codec(kind, n)
            namespace["unpack_" + name] = codec.unpack
            namespace["pack_" + name] = codec.pack
    for name in ("f32_round", "f64_div", "f64_min", "f64_max", "f64_sqrt", "f64_ceil",
                 "f64_floor", "f64_trunc", "f64_nearest", "i32_trunc_sat_f64_s",
                 "i32_trunc_sat_f64_u"):
        namespace[name] = getattr(_numeric, name)
    return namespace


_NAMESPACE = _struct_namespace()
#: name -> a function making the (source, docstring) of a lane-by-lane helper, compiled on
#: first use
_SOURCES: Dict[str, Callable[[], Tuple[str, str]]] = {}


def _lanewise(name: str, *args: Any, **kwargs: Any) -> None:
    """Register the helper ``name`` built by :func:`_lanewise_source` on first use."""
    _SOURCES[name] = functools.partial(_lanewise_source, name, *args, **kwargs)


def _lanewise_source(name: str, operands: str, lanes: str, result: str, doc: str,
                     inputs: int = 2, fallback: str = "", half: str = "") -> Tuple[str, str]:
    """The source of ``name(a[, b])``, lane by lane, and its docstring.

    ``operands`` is the lane kind the operands are unpacked as (``i8``, ``u16``, ``f32``
    ...), ``result`` the kind of the result lanes; ``lanes`` is the expression of one
    result lane, with ``{i}`` for the lane index, ``x{i}``/``y{i}`` for the operands'
    lanes (``{j}`` is ``2*i``, ``{k}`` is ``2*i+1``, for pairwise operations).
    ``half`` (``low``/``high``) takes the operands from half of their lanes, for widening
    operations; a narrowing result fills the low half and the rest is zero (``_zero``
    forms) or the second operand's lanes. ``fallback`` is a second lane expression for
    when ``struct`` refuses the fast results (OverflowError for f32 beyond the range,
    ZeroDivisionError for a zero divisor).
    """
    in_width = int(operands[1:])
    out_width = int(result[1:])
    in_count = 128 // in_width
    out_count = 128 // out_width
    args = "a, b" if inputs == 2 else "a"
    lines = ["def %s(%s):" % (name, args)]
    if half:
        used = in_count // 2
        start = 0 if half == "low" else 8
        names = ", ".join("x%d" % i for i in range(used))
        lines.append("    %s, = unpack_%s_%d(a.to_bytes(16, 'little')[%d:%d])"
                     % (names, operands, used, start, start + 8))
        if inputs == 2:
            lines.append("    %s, = unpack_%s_%d(b.to_bytes(16, 'little')[%d:%d])"
                         % (names.replace("x", "y"), operands, used, start, start + 8))
    else:
        for var, arg in (("x", "a"), ("y", "b"))[:inputs]:
            names = ", ".join("%s%d" % (var, i) for i in range(in_count))
            lines.append("    %s, = unpack_%s_%d(%s.to_bytes(16, 'little'))"
                         % (names, operands, in_count, arg))

    def pack(template: str) -> str:
        values = ", ".join(template.format(i=i, j=2 * i, k=2 * i + 1) for i in range(out_count))
        return "from_bytes(pack_%s_%d(%s), 'little')" % (result, out_count, values)

    if fallback:
        lines.append("    try:")
        lines.append("        return " + pack(lanes))
        lines.append("    except (OverflowError, ZeroDivisionError):")
        lines.append("        return " + pack(fallback))
    else:
        lines.append("    return " + pack(lanes))
    return "\n".join(lines), doc


def _narrow(name: str, *args: Any) -> None:
    """Register the helper ``name`` built by :func:`_narrow_source` on first use."""
    _SOURCES[name] = functools.partial(_narrow_source, name, *args)


def _narrow_source(name: str, operands: str, result: str, lo: int, hi: int,
                   doc: str) -> Tuple[str, str]:
    """``narrow``: the lanes of ``a`` then of ``b``, saturated to ``[lo, hi]``."""
    count = 128 // int(operands[1:])
    clamp = "({hi} if (s := {v}) > {hi} else ({lo} if s < {lo} else s))"
    values = [clamp.format(v="x%d" % i, lo=lo, hi=hi) for i in range(count)]
    values += [clamp.format(v="y%d" % i, lo=lo, hi=hi) for i in range(count)]
    lines = ["def %s(a, b):" % name,
             "    %s, = unpack_%s_%d(a.to_bytes(16, 'little'))"
             % (", ".join("x%d" % i for i in range(count)), operands, count),
             "    %s, = unpack_%s_%d(b.to_bytes(16, 'little'))"
             % (", ".join("y%d" % i for i in range(count)), operands, count),
             "    return from_bytes(pack_%s_%d(%s), 'little')" % (result, 2 * count,
                                                                     ", ".join(values))]
    return "\n".join(lines), doc


def _define_integer() -> None:
    """The integer lane operations that need lanes (Spec: Core 2.0 §4.3.2 lane-wise)."""
    for shape, bits in (("i8x16", 8), ("i16x8", 16), ("i32x4", 32), ("i64x2", 64)):
        s, u = "i%d" % bits, "u%d" % bits
        lo, hi, top = -(1 << (bits - 1)), (1 << (bits - 1)) - 1, (1 << bits) - 1
        ones = "0x%x" % top
        for op, kind, test in (("lt_s", s, "<"), ("lt_u", u, "<"), ("gt_s", s, ">"),
                               ("gt_u", u, ">"), ("le_s", s, "<="), ("le_u", u, "<="),
                               ("ge_s", s, ">="), ("ge_u", u, ">=")):
            if (bits == 64 and kind == u) or bits < 64:
                continue  # no i64x2 unsigned comparisons; 8- to 32-bit lanes: SWAR
            _lanewise("%s_%s" % (shape, op), kind, "%s if x{i} %s y{i} else 0" % (ones, test),
                      u, "``%s.%s``: all ones where it holds. Spec: §4.3.2 (i%s)."
                      % (shape, op, op.replace("_", "")))
        _lanewise(shape + "_abs", s, "-x{i} if x{i} < 0 else x{i}", u,
                  "``%s.abs``: -MIN stays MIN. Spec: Core 2.0 §4.3.2 (iabs)." % shape, inputs=1)
        _lanewise(shape + ("_mul" if bits == 64 else "_mul_lanes"), u,
                  "(x{i} * y{i}) & %s" % ones, u,
                  "``%s.mul`` modulo 2**%d. Spec: Core 2.0 §4.3.2 (imul)." % (shape, bits))
        if bits <= 16:
            sat_s = ("(%d if (s := x{i} %%s y{i}) > %d else (%d if s < %d else s))"
                     % (hi, hi, lo, lo))
            for op, lane, kind in (("add_sat_s", sat_s % "+", s),
                                   ("add_sat_u", "(%d if (s := x{i} + y{i}) > %d else s)"
                                    % (top, top), u),
                                   ("sub_sat_s", sat_s % "-", s),
                                   ("sub_sat_u", "(x{i} - y{i} if x{i} > y{i} else 0)", u)):
                _lanewise("%s_%s" % (shape, op), kind, lane, kind,
                          "``%s.%s``: saturating. Spec: Core 2.0 §4.3.2 (i%s)."
                          % (shape, op, op.replace("_", "")))
    _lanewise("i16x8_q15mulr_sat_s", "i16",
              "(32767 if (s := (x{i} * y{i} + 16384) >> 15) > 32767 else s)", "i16",
              "``i16x8.q15mulr_sat_s``: rounding Q15 product, saturated. Spec: §4.3.2 "
              "(iq15mulrsat_s).")
    _lanewise("i32x4_dot_i16x8_s", "i16", "(x{j} * y{j} + x{k} * y{k}) & 0xffffffff", "u32",
              "``i32x4.dot_i16x8_s``: sums of adjacent signed products. Spec: §4.4.3.")
    _narrow("i8x16_narrow_i16x8_s", "i16", "i8", -128, 127,
            "``i8x16.narrow_i16x8_s``. Spec: Core 2.0 §4.3.2 (narrow_s), §4.4.3.")
    _narrow("i8x16_narrow_i16x8_u", "i16", "u8", 0, 255,
            "``i8x16.narrow_i16x8_u`` (signed input). Spec: §4.3.2 (narrow_u), §4.4.3.")
    _narrow("i16x8_narrow_i32x4_s", "i32", "i16", -32768, 32767,
            "``i16x8.narrow_i32x4_s``. Spec: Core 2.0 §4.3.2 (narrow_s), §4.4.3.")
    _narrow("i16x8_narrow_i32x4_u", "i32", "u16", 0, 65535,
            "``i16x8.narrow_i32x4_u`` (signed input). Spec: §4.3.2 (narrow_u), §4.4.3.")
    for wide, narrow in (("i16x8", "i8x16"), ("i32x4", "i16x8"), ("i64x2", "i32x4")):
        bits = int(narrow[1:].split("x")[0])
        wide_bits = 2 * bits
        for sign in "su":
            kind = ("i" if sign == "s" else "u") + str(bits)
            out = "u%d" % wide_bits
            mask = "0x%x" % ((1 << wide_bits) - 1)
            for half in ("low", "high"):
                _lanewise("%s_extend_%s_%s_%s" % (wide, half, narrow, sign), kind,
                          "x{i} & %s" % mask, out,
                          "``%s.extend_%s_%s_%s``. Spec: Core 2.0 §4.4.3 (vextend)."
                          % (wide, half, narrow, sign), inputs=1, half=half)
                _lanewise("%s_extmul_%s_%s_%s" % (wide, half, narrow, sign), kind,
                          "(x{i} * y{i}) & %s" % mask, out,
                          "``%s.extmul_%s_%s_%s``. Spec: Core 2.0 §4.4.3 (vextmul)."
                          % (wide, half, narrow, sign), half=half)
            if wide != "i64x2":
                _lanewise("%s_extadd_pairwise_%s_%s" % (wide, narrow, sign), kind,
                          "(x{j} + x{k}) & %s" % mask, out,
                          "``%s.extadd_pairwise_%s_%s``. Spec: §4.4.3 (vextadd_pairwise)."
                          % (wide, narrow, sign), inputs=1)


def _define_float() -> None:
    """The floating-point lane operations (Spec: Core 2.0 §4.3.3 lane-wise)."""
    for shape, kind, bits in (("f32x4", "f32", 32), ("f64x2", "f64", 64)):
        ones = "0x%x" % ((1 << bits) - 1)
        ints = "u%d" % bits
        for op, test in (("eq", "=="), ("ne", "!="), ("lt", "<"), ("gt", ">"), ("le", "<="),
                         ("ge", ">=")):
            _lanewise("%s_%s" % (shape, op), kind, "%s if x{i} %s y{i} else 0" % (ones, test),
                      ints, "``%s.%s``: all ones where it holds. Spec: §4.3.3 (f%s)."
                      % (shape, op, op))
        rounded = kind == "f32"
        for op, symbol in (("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/")):
            lane = "x{i} %s y{i}" % symbol
            slow = ("f64_div(x{i}, y{i})" if op == "div" else lane)
            if rounded:
                slow = "f32_round(%s)" % slow
            _lanewise("%s_%s" % (shape, op), kind, lane, kind,
                      "``%s.%s``. Spec: Core 2.0 §4.3.3 (f%s)." % (shape, op, op),
                      fallback=slow if (rounded or op == "div") else "")
        for op in ("min", "max"):
            _lanewise("%s_%s" % (shape, op), kind, "f64_%s(x{i}, y{i})" % op, kind,
                      "``%s.%s``: NaN if either is, -0 < +0. Spec: §4.3.3 (f%s)."
                      % (shape, op, op))
        for op in ("ceil", "floor", "trunc", "nearest", "sqrt"):
            _lanewise("%s_%s" % (shape, op), kind, "f64_%s(x{i})" % op, kind,
                      "``%s.%s``. Spec: Core 2.0 §4.3.3 (f%s)." % (shape, op, op), inputs=1,
                      fallback="f32_round(f64_%s(x{i}))" % op if op == "sqrt" and rounded else "")
        _pminmax(shape, kind, bits)
    _lanewise("i32x4_trunc_sat_f32x4_s", "f32", "i32_trunc_sat_f64_s(x{i})", "u32",
              "``i32x4.trunc_sat_f32x4_s``. Spec: §4.3.4 (trunc_sat_s).", inputs=1)
    _lanewise("i32x4_trunc_sat_f32x4_u", "f32", "i32_trunc_sat_f64_u(x{i})", "u32",
              "``i32x4.trunc_sat_f32x4_u``. Spec: §4.3.4 (trunc_sat_u).", inputs=1)
    # an i32 is exact as a double; ``<f`` then rounds it to f32 once (never overflows)
    _lanewise("f32x4_convert_i32x4_s", "i32", "float(x{i})", "f32",
              "``f32x4.convert_i32x4_s``. Spec: §4.3.4 (convert_s).", inputs=1)
    _lanewise("f32x4_convert_i32x4_u", "u32", "float(x{i})", "f32",
              "``f32x4.convert_i32x4_u``. Spec: §4.3.4 (convert_u).", inputs=1)
    _lanewise("f64x2_convert_low_i32x4_s", "i32", "float(x{i})", "f64",
              "``f64x2.convert_low_i32x4_s``. Spec: §4.3.4 (convert_s).", inputs=1, half="low")
    _lanewise("f64x2_convert_low_i32x4_u", "u32", "float(x{i})", "f64",
              "``f64x2.convert_low_i32x4_u``. Spec: §4.3.4 (convert_u).", inputs=1, half="low")
    _lanewise("f64x2_promote_low_f32x4", "f32", "x{i}", "f64",
              "``f64x2.promote_low_f32x4`` (NaNs quiet). Spec: §4.3.4 (promote).", inputs=1,
              half="low")


def _pminmax(shape: str, kind: str, bits: int) -> None:
    """``pmin``/``pmax``: ``b < a ? b : a`` (``a < b ? b : a``) on whole lanes, bit-exact."""
    for op in ("pmin", "pmax"):
        name = "%s_%s" % (shape, op)
        _SOURCES[name] = functools.partial(_pminmax_source, name, op, kind, bits)


def _pminmax_source(name: str, op: str, kind: str, bits: int) -> Tuple[str, str]:
    count = 128 // bits
    ints = "u%d" % bits
    test = "y{i} < x{i}" if op == "pmin" else "x{i} < y{i}"
    lanes = ", ".join(("q{i} if %s else p{i}" % test).format(i=i) for i in range(count))
    lines = ["def %s(a, b):" % name,
             "    ab = a.to_bytes(16, 'little')",
             "    bb = b.to_bytes(16, 'little')",
             "    %s, = unpack_%s_%d(ab)" % (", ".join("x%d" % i for i in range(count)),
                                             kind, count),
             "    %s, = unpack_%s_%d(bb)" % (", ".join("y%d" % i for i in range(count)),
                                             kind, count),
             "    %s, = unpack_%s_%d(ab)" % (", ".join("p%d" % i for i in range(count)),
                                             ints, count),
             "    %s, = unpack_%s_%d(bb)" % (", ".join("q%d" % i for i in range(count)),
                                             ints, count),
             "    return from_bytes(pack_%s_%d(%s), 'little')" % (ints, count, lanes)]
    return "\n".join(lines), "``%s``. Spec: Core 2.0 §4.3.3 (f%s)." % (
        name.replace("_", ".", 1), op)


_define_integer()
_define_float()


def i32x4_trunc_sat_f64x2_s_zero(a: int) -> int:
    """``i32x4.trunc_sat_f64x2_s_zero``. Spec: Core 2.0 §4.3.4 (trunc_sat_s), §4.4.3."""
    x0, x1 = _UNPACK_F64(a.to_bytes(16, "little"))
    return (_numeric.i32_trunc_sat_f64_s(x0)
            | _numeric.i32_trunc_sat_f64_s(x1) << 32)


def i32x4_trunc_sat_f64x2_u_zero(a: int) -> int:
    """``i32x4.trunc_sat_f64x2_u_zero``. Spec: Core 2.0 §4.3.4 (trunc_sat_u), §4.4.3."""
    x0, x1 = _UNPACK_F64(a.to_bytes(16, "little"))
    return (_numeric.i32_trunc_sat_f64_u(x0)
            | _numeric.i32_trunc_sat_f64_u(x1) << 32)


def f32x4_demote_f64x2_zero(a: int) -> int:
    """``f32x4.demote_f64x2_zero``. Spec: Core 2.0 §4.3.4 (demote), §4.4.3."""
    x0, x1 = _UNPACK_F64(a.to_bytes(16, "little"))
    return (f32_to_bits(_numeric.f32_demote_f64(x0))
            | f32_to_bits(_numeric.f32_demote_f64(x1)) << 32)


_UNPACK_F64 = _codec("f64", 2).unpack
_PACK_I16X8 = _codec("i16", 8).pack
_PACK_I32X4 = _codec("i32", 4).pack
_PACK_I64X2 = _codec("i64", 2).pack


def lanes_i16x8(lanes: Tuple[int, ...]) -> int:
    """The vector of 8 16-bit lanes from values in ``[-32768, 65536)`` (the lanes of
    ``v128.load8x8_s``/``_u``). Spec: Core 2.0 §4.4.7 (v128.loadMxN_sx)."""
    return _from_bytes(_PACK_I16X8(*lanes), "little")


def lanes_i32x4(lanes: Tuple[int, ...]) -> int:
    """The vector of 4 32-bit lanes from 16-bit values, signed or not (``load16x4``)."""
    return _from_bytes(_PACK_I32X4(*lanes), "little")


def lanes_i64x2(lanes: Tuple[int, ...]) -> int:
    """The vector of 2 64-bit lanes from 32-bit values, signed or not (``load32x2``)."""
    return _from_bytes(_PACK_I64X2(*lanes), "little")


def _functions() -> Dict[str, Callable[..., Any]]:
    helpers: Dict[str, Callable[..., Any]] = {}
    for shape, (width, _) in SHAPES.items():
        if shape[0] != "i":
            continue
        helpers[shape + "_add"] = _add(width)
        helpers[shape + "_sub"] = _sub(width)
        helpers[shape + "_neg"] = _neg(width)
        helpers[shape + "_eq"] = _eq(width)
        helpers[shape + "_ne"] = _ne(width)
        helpers[shape + "_all_true"] = _all_true(width)
        helpers[shape + "_bitmask"] = _bitmask(width)
        if width in (16, 32):
            helpers[shape + "_mul"] = _mul(width)
        if width < 64:
            for signed in (True, False):
                for op, function in _compare(width, signed).items():
                    helpers["%s_%s" % (shape, op)] = function
        shl, shr_s, shr_u = _shifts(width)
        helpers[shape + "_shl"] = shl
        helpers[shape + "_shr_s"] = shr_s
        helpers[shape + "_shr_u"] = shr_u
        if width <= 16:
            helpers[shape + "_avgr_u"] = _avgr_u(width)
    others: Tuple[Callable[..., Any], ...] = (
        i8x16_swizzle, i8x16_shuffle, i8x16_popcnt, v128_any_true, v128_bitselect,
        i32x4_trunc_sat_f64x2_s_zero, i32x4_trunc_sat_f64x2_u_zero, f32x4_demote_f64x2_zero,
        lanes_i16x8, lanes_i32x4, lanes_i64x2)
    for other in others:
        helpers[other.__name__] = other
    for name, function in list(helpers.items()):
        if function.__name__ != name:
            function.__name__ = function.__qualname__ = name
    return helpers


_HELPERS: Dict[str, Callable[..., Any]] = _functions()
_lock = threading.Lock()


def simd_helper(name: str) -> Callable[..., Any]:
    """The helper function of vector instruction ``name`` (``"i16x8_add_sat_s"``).

    Lane-by-lane helpers are compiled from their source on first use (compiling all of
    them would add ~25 ms to every import of zerowasm). Raises KeyError for an unknown
    name.
    """
    function = _HELPERS.get(name)
    if function is None:
        make = _SOURCES[name]
        with _lock:
            function = _HELPERS.get(name)
            if function is None:
                source, doc = make()
                code = compile(source, "<zerowasm._simd %s>" % name, "exec")
                exec(code, _NAMESPACE)  # noqa: S102 - source built from the templates above
                function = _NAMESPACE[name]
                function.__doc__ = doc
                _HELPERS[name] = function
    return function


def helper_names() -> List[str]:
    """Every name :func:`simd_helper` knows."""
    return sorted(set(_HELPERS) | set(_SOURCES))


#: What generated code needs to reach the vector helpers.
SIMD_HELPERS: Dict[str, Callable[..., Any]] = {"simd_helper": simd_helper}
