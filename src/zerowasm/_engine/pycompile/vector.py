"""Vector (SIMD) instructions (Spec: Core 2.0 §4.4.3, exec/instructions.html#vector-
instructions, and the vector memory instructions of §4.4.7).

A ``v128`` is an unsigned Python int below 2**128 (see :mod:`zerowasm._simd`), so what is
a bit operation on the whole vector is written inline: ``v128.const`` is a literal,
``and``/``or``/``xor``/``andnot``/``not`` are int operators, ``splat`` is a multiplication
(``x * 0x0001_0001_...``), ``extract_lane``/``replace_lane`` are a shift and a mask, lane-wise
``add``/``sub`` are SWAR expressions and shifts by a constant are a shift and a mask.
Everything else calls a helper of :mod:`zerowasm._simd` by the instruction's name; the
function's prologue binds the names it uses (``i16x8_mul = simd_helper('i16x8_mul')``,
evaluated once when the function is loaded into an instance).

Vector loads read memory inside the generated function (``ld_v128``, ``ld_u32``...
``struct`` functions, or ``M0[ea]``), so an out-of-bounds access raises where the
function's handler turns it into a trap; lane extensions of loaded bytes are then a helper
call on the unpacked tuple.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from ..._opcodes import OPCODE_NAMES, SIGNATURES, VECTOR_OPS
from ..._simd import MASK128, SHAPES, lane_masks, shl_mask, shr_mask, splat_factor
from .codegen import Expr
from .common import binary, unary
from .memory import _address

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS", "VECTOR_CODECS"]

Handler = Callable[["FunctionCompiler", tuple], None]

_MASK128 = hex(MASK128)


def _lit(value: int) -> str:
    return str(value) if value < 0x10000 else hex(value)


def _use(c: FunctionCompiler, name: str) -> str:
    """Bind helper ``name`` in the function's prologue; return the name to call."""
    source = "simd_helper(%r)" % name
    if source not in c.constants:
        c.constants[source] = name
        c.constant_lines.append("%s = %s" % (name, source))
    return name


def _simple(c: FunctionCompiler, n: int) -> None:
    """Make the top ``n`` entries variables or constants (an inline template reads them
    more than once)."""
    stack = c.stack
    for q in range(len(stack) - n, len(stack)):
        e = stack[q]
        if not (e.is_stable or (len(e.reads) == 1 and e.text in e.reads)):
            c.materialize(q, force=True)


def _helper(name: str, n: int) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        function = _use(c, name)
        args = c.operands(n)
        c.push(c.make("%s(%s)" % (function, ", ".join(a.text for a in args)), *args))
    handler.__name__ = name
    return handler


# ---------------------------------------------------------------------------- constants
def v128_const(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr.stable(_lit(ins[1])))


#: A shuffle made of at most this many runs is inlined (see :func:`_shuffle_runs`); one
#: run costs about three int operations, the ``bytes.translate`` helper about twelve.
SHUFFLE_INLINE_RUNS = 5


def _shuffle_runs(lanes: Tuple[int, ...]) -> List[Tuple[int, int, int, bool]]:
    """Split a shuffle into runs ``(first result byte, first source byte, length,
    repeated)``: a run copies consecutive source bytes of one operand (source bytes 0-15
    are ``a``, 16-31 ``b``), or repeats one source byte."""
    runs: List[Tuple[int, int, int, bool]] = []
    i = 0
    while i < 16:
        src = lanes[i]
        step = 1
        while (i + step < 16 and lanes[i + step] == src + step
               and (src + step) // 16 == src // 16):
            step += 1
        same = 1
        while i + same < 16 and lanes[i + same] == src:
            same += 1
        if same > step:
            runs.append((i, src, same, True))
            i += same
        else:
            runs.append((i, src, step, False))
            i += step
    return runs


def _shuffle_template(runs: List[Tuple[int, int, int, bool]]) -> str:
    parts = []
    for dst, src, length, repeated in runs:
        operand = "{a}" if src < 16 else "{b}"
        shift = 8 * (src % 16)
        piece = operand if shift == 0 else "(%s >> %d)" % (operand, shift)
        if repeated:
            factor = sum(1 << (8 * (dst + k)) for k in range(length))
            parts.append("((%s & 0xff) * %s)" % (piece, _lit(factor)))
            continue
        if shift + 8 * length < 128:   # else the shift already dropped the bytes above
            piece = "(%s & %s)" % (piece, _lit((1 << (8 * length)) - 1))
        if dst:
            piece = "(%s << %d)" % (piece, 8 * dst)
        parts.append(piece)
    return "(%s)" % " | ".join(parts)


def i8x16_shuffle(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.3 (i8x16.shuffle). A shuffle of a few runs of bytes is shifts
    and masks, any other one ``bytes.translate``."""
    runs = _shuffle_runs(ins[1])
    if len(runs) <= SHUFFLE_INLINE_RUNS:
        _simple(c, 2)
        binary(c, _shuffle_template(runs))
        return
    lanes = c.constant(repr(bytes(ins[1])))
    function = _use(c, "i8x16_shuffle")
    a, b = c.operands(2)
    c.push(c.make("%s(%s, %s, %s)" % (function, lanes, a.text, b.text), a, b))


# ---------------------------------------------------------------------------- bitwise
def v128_not(c: FunctionCompiler, ins: tuple) -> None:
    unary(c, "({a} ^ %s)" % _MASK128)


def v128_and(c: FunctionCompiler, ins: tuple) -> None:
    binary(c, "({a} & {b})")


def v128_or(c: FunctionCompiler, ins: tuple) -> None:
    binary(c, "({a} | {b})")


def v128_xor(c: FunctionCompiler, ins: tuple) -> None:
    binary(c, "({a} ^ {b})")


def v128_andnot(c: FunctionCompiler, ins: tuple) -> None:
    binary(c, "({a} & ~{b})")


v128_bitselect = _helper("v128_bitselect", 3)


def v128_any_true(c: FunctionCompiler, ins: tuple) -> None:
    (a,) = c.operands(1)
    c.push(c.make("(1 if %s else 0)" % a.text, a, cond="(%s != 0)" % a.text))


def _sign_bits(shape: str, negate: bool) -> Handler:
    """``f32x4.abs``/``neg`` and ``f64x2.abs``/``neg``: clear or flip every lane's sign
    bit (NaN payloads kept exactly). Spec: Core 2.0 §4.3.3 (fabs, fneg)."""
    _, high = lane_masks(SHAPES[shape][0])
    template = "({a} ^ %s)" % hex(high) if negate else "({a} & %s)" % hex(MASK128 ^ high)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        unary(c, template)
    handler.__name__ = "%s_%s" % (shape, "neg" if negate else "abs")
    return handler


f32x4_abs = _sign_bits("f32x4", False)
f32x4_neg = _sign_bits("f32x4", True)
f64x2_abs = _sign_bits("f64x2", False)
f64x2_neg = _sign_bits("f64x2", True)


# ---------------------------------------------------------------------------- lanes
def _splat(shape: str) -> Handler:
    width, _ = SHAPES[shape]
    factor = hex(splat_factor(width))
    if shape == "i8x16":
        template = "(({a} & 0xff) * %s)" % factor
    elif shape == "i16x8":
        template = "(({a} & 0xffff) * %s)" % factor
    elif shape[0] == "i":
        template = "({a} * %s)" % factor
    else:
        template = "(%s_to_bits({a}) * %s)" % (shape[:3], factor)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        unary(c, template)
    handler.__name__ = shape + "_splat"
    return handler


def _extract(shape: str, signed: bool) -> Handler:
    width, count = SHAPES[shape]
    mask = (1 << width) - 1

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        shift = ins[1] * width
        lane = "{a}" if shift == 0 else "({a} >> %d)" % shift
        if ins[1] != count - 1:
            lane = "(%s & %s)" % (lane, hex(mask))
        if signed:
            sign = 1 << (width - 1)
            lane = "(((%s ^ %s) - %s) & 0xffffffff)" % (lane, hex(sign), hex(sign))
        elif shape[0] == "f":
            lane = "%s_from_bits(%s)" % (shape[:3], lane)
        unary(c, lane)
    handler.__name__ = "%s_extract_lane%s" % (shape, "_s" if signed else "")
    return handler


def _replace(shape: str) -> Handler:
    width, _ = SHAPES[shape]
    mask = (1 << width) - 1

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        shift = ins[1] * width
        keep = hex(MASK128 ^ (mask << shift))
        if shape[0] == "f":
            value = "%s_to_bits({b})" % shape[:3]
        elif width < 32:
            value = "({b} & %s)" % hex(mask)
        else:
            value = "{b}"
        if shift:
            value = "(%s << %d)" % (value, shift)
        binary(c, "(({a} & %s) | %s)" % (keep, value))
    handler.__name__ = shape + "_replace_lane"
    return handler


# ---------------------------------------------------------------------------- integer
def _add_sub(shape: str, subtract: bool) -> Handler:
    """SWAR: ``((a & L) + (b & L)) ^ ((a ^ b) & H)`` (L: every lane's low bits, H: their
    top bits) adds all lanes with no carry crossing a lane; subtraction likewise."""
    low, high = (hex(m) for m in lane_masks(SHAPES[shape][0]))
    if subtract:
        template = "((({a} | %s) - ({b} & %s)) ^ (({a} ^ {b} ^ %s) & %s))" % (high, low, high,
                                                                               high)
    else:
        template = "((({a} & %s) + ({b} & %s)) ^ (({a} ^ {b}) & %s))" % (low, low, high)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        _simple(c, 2)
        binary(c, template)
    handler.__name__ = "%s_%s" % (shape, "sub" if subtract else "add")
    return handler


def _shift(shape: str, kind: str) -> Handler:
    """A constant count is inlined (a shift and a mask); otherwise a helper."""
    width, _ = SHAPES[shape]
    name = "%s_%s" % (shape, kind)
    fallback = _helper(name, 2)
    _, high = lane_masks(width)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        count = c.stack[-1].const
        if count is None:
            fallback(c, ins)
            return
        k = count & (width - 1)
        c.pop()
        if k == 0:
            return
        if kind == "shl":
            unary(c, "(({a} << %d) & %s)" % (k, hex(shl_mask(width, k))))
        elif kind == "shr_u":
            unary(c, "(({a} >> %d) & %s)" % (k, hex(shr_mask(width, k))))
        else:
            fill = hex(((1 << k) - 1) << (width - k))
            _simple(c, 1)
            unary(c, "((({a} >> %d) & %s) | ((({a} & %s) >> %d) * %s))"
                  % (k, hex(shr_mask(width, k)), hex(high), width - 1, fill))
    handler.__name__ = name
    return handler


def _spread_template(start: int, count: int, narrow: int, signed: bool) -> str:
    """``count`` lanes of ``narrow`` bits of ``{a}``, from bit ``start``, extended to
    ``128 // count`` bits each, as one expression (the walrus variable ``vu`` holds the
    intermediate values).

    Zero extension spreads the field by halving steps: the upper half of every group of
    lanes moves up to its place (``x | x << k``) and a mask drops the copies (three
    steps for eight lanes). Sign extension then fills the new top bits of every lane whose
    narrow sign bit is set: ``x | ((x & signs) >> (narrow - 1)) * fill``.
    """
    wide = 128 // count
    text = "({a} >> %d)" % start if start else "{a}"
    if start + count * narrow < 128:
        text = "(%s & %s)" % (text, _lit((1 << (count * narrow)) - 1))
    group, slot = count, 128
    while group > 1:
        half = group // 2
        slot //= 2
        mask = splat_factor(slot) * ((1 << (half * narrow)) - 1)
        text = "(((vu := %s) | vu << %d) & %s)" % (text, half * (wide - narrow), _lit(mask))
        group = half
    if signed:
        sign = _lit(splat_factor(wide) << (narrow - 1))
        fill = _lit(((1 << (wide - narrow)) - 1) << narrow)
        text = "((vu := %s) | ((vu & %s) >> %d) * %s)" % (text, sign, narrow - 1, fill)
    return text


class _Extended(Expr):
    """The pending result of an ``extend``: remembers its operand so that an ``extend``
    of it (``u8 -> u16 -> u32``, the auto-vectorizers' widening) becomes one spread."""

    __slots__ = ("operand", "start", "narrow", "signed")

    operand: Expr
    start: int
    narrow: int
    signed: bool


def _extend(wide: str, half: str, signed: bool) -> Handler:
    """``extend_low/high``: inline SWAR (see :func:`_spread_template`). Spec: Core 2.0
    §4.4.3 (vextend)."""
    width, count = SHAPES[wide]
    narrow = width // 2
    offset = 0 if half == "low" else 64
    template = _spread_template(offset, count, narrow, signed)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        inner = c.stack[-1]
        if (isinstance(inner, _Extended) and inner.signed == signed
                and inner.narrow * 2 == narrow):
            # extend(extend(x)): the lanes of x from inner.start + offset/2, widened 4x
            c.pop()
            c.push(inner.operand)
            start = inner.start + offset // 2
            fused = _spread_template(start, count, inner.narrow, signed)
            _simple(c, 1)
            unary(c, fused)
            return
        _simple(c, 1)
        operand = c.stack[-1]
        unary(c, template)
        result = c.stack[-1]
        tagged = _Extended(result.raw, result.reads, result.ordered, result.depth)
        tagged.operand, tagged.start, tagged.narrow, tagged.signed = (operand, offset, narrow,
                                                                      signed)
        c.stack[-1] = tagged
    handler.__name__ = "%s_extend_%s_%s" % (wide, half, "s" if signed else "u")
    return handler


def _splat_constant(e: Expr, width: int) -> Optional[int]:
    """The lane value when ``e`` is a v128 literal with all ``width``-bit lanes equal."""
    if e.reads or e.ordered:
        return None
    try:
        value = int(e.text, 0)
    except ValueError:
        return None
    lane = value & ((1 << width) - 1)
    return lane if lane * splat_factor(width) == value else None


def _mul(shape: str) -> Handler:
    """``i16x8.mul``/``i32x4.mul``: by a splat constant, even and odd lanes each multiplied
    at once (every product fits its lane and the free lane above it); otherwise a
    helper."""
    width, _ = SHAPES[shape]
    fallback = _helper(shape + "_mul", 2)
    even = _lit(splat_factor(2 * width) * ((1 << width) - 1))

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        factor = _splat_constant(c.stack[-1], width)
        if factor is None:
            fallback(c, ins)
            return
        c.pop()
        _simple(c, 1)
        unary(c, "((({a} & %s) * %d & %s) | ((({a} >> %d) & %s) * %d & %s) << %d)"
              % (even, factor, even, width, even, factor, even, width))
    handler.__name__ = shape + "_mul"
    return handler


i16x8_mul = _mul("i16x8")
i32x4_mul = _mul("i32x4")


# ---------------------------------------------------------------------------- memory
#: ``struct`` codecs generated vector loads and stores call (bound in the namespace).
VECTOR_CODECS: Dict[str, Any] = {}
for _name, _fmt in (("v128", "<QQ"), ("u8", "<B"), ("s8x8", "<8b"), ("u8x8", "<8B"),
                    ("s16x4", "<4h"), ("u16x4", "<4H"), ("s32x2", "<2i"), ("u32x2", "<2I")):
    _codec = struct.Struct(_fmt)
    VECTOR_CODECS["ld_" + _name] = _codec.unpack_from
    VECTOR_CODECS["st_" + _name] = _codec.pack_into


def _load(template: str, name: str, helper: str = "") -> Handler:
    """``template`` has ``{ea}``; ``helper`` (a lane extension) takes its result."""

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        c.uses_memory = True
        (addr,) = c.operands(1)
        text = template.format(ea=_address(c, addr, ins[2]))
        if helper:
            text = "%s(%s)" % (_use(c, helper), text)
        c.push(c.make(text, addr, ordered=True))
    handler.__name__ = name
    return handler


v128_load = _load("((vt := ld_v128(M0, {ea}))[0] | vt[1] << 64)", "v128_load")
v128_load8x8_s = _load("ld_s8x8(M0, {ea})", "v128_load8x8_s", "lanes_i16x8")
v128_load8x8_u = _load("ld_u8x8(M0, {ea})", "v128_load8x8_u", "lanes_i16x8")
v128_load16x4_s = _load("ld_s16x4(M0, {ea})", "v128_load16x4_s", "lanes_i32x4")
v128_load16x4_u = _load("ld_u16x4(M0, {ea})", "v128_load16x4_u", "lanes_i32x4")
v128_load32x2_s = _load("ld_s32x2(M0, {ea})", "v128_load32x2_s", "lanes_i64x2")
v128_load32x2_u = _load("ld_u32x2(M0, {ea})", "v128_load32x2_u", "lanes_i64x2")
v128_load8_splat = _load("(M0[{ea}] * %s)" % hex(splat_factor(8)), "v128_load8_splat")
v128_load16_splat = _load("(ld_u16(M0, {ea})[0] * %s)" % hex(splat_factor(16)),
                          "v128_load16_splat")
v128_load32_splat = _load("(ld_u32(M0, {ea})[0] * %s)" % hex(splat_factor(32)),
                          "v128_load32_splat")
v128_load64_splat = _load("(ld_u64(M0, {ea})[0] * %s)" % hex(splat_factor(64)),
                          "v128_load64_splat")
v128_load32_zero = _load("ld_u32(M0, {ea})[0]", "v128_load32_zero")
v128_load64_zero = _load("ld_u64(M0, {ea})[0]", "v128_load64_zero")


def v128_store(c: FunctionCompiler, ins: tuple) -> None:
    """``v128.store``: the two 64-bit halves in one ``struct`` call."""
    c.uses_memory = True
    _simple(c, 1)
    addr, value = c.pop_n(2)
    c.before_side_effect()
    c.emit("st_v128(M0, %s, %s & 0xffffffffffffffff, %s >> 64)"
           % (_address(c, addr, ins[2]), value.text, value.text))


_LANE_CODEC = {1: "u8", 2: "u16", 4: "u32", 8: "u64"}


def _load_lane(size: int) -> Handler:
    """``v128.loadN_lane``: the loaded bytes replace lane ``l`` (address read first)."""
    width = 8 * size
    mask = (1 << width) - 1

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        c.uses_memory = True
        shift = ins[3] * width
        keep = hex(MASK128 ^ (mask << shift))
        if c.stack[-1].ordered and c.stack[-2].ordered:
            c.materialize(len(c.stack) - 1, force=True)
        addr, value = c.operands(2)
        ea = _address(c, addr, ins[2])
        loaded = "M0[%s]" % ea if size == 1 else "ld_%s(M0, %s)[0]" % (_LANE_CODEC[size], ea)
        if shift:
            loaded = "(%s << %d)" % (loaded, shift)
        c.push(c.make("(%s | (%s & %s))" % (loaded, value.text, keep), addr, value,
                      ordered=True))
    handler.__name__ = "v128_load%d_lane" % width
    return handler


def _store_lane(size: int) -> Handler:
    """``v128.storeN_lane``: lane ``l`` written with a ``struct`` call (bounds-checked)."""
    width = 8 * size
    mask = (1 << width) - 1

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        c.uses_memory = True
        addr, value = c.pop_n(2)
        c.before_side_effect()
        shift = ins[3] * width
        lane = value.text if shift == 0 else "(%s >> %d)" % (value.text, shift)
        if shift + width < 128:
            lane = "%s & %s" % (lane, hex(mask))
        c.emit("st_%s(M0, %s, %s)" % (_LANE_CODEC[size], _address(c, addr, ins[2]), lane))
    handler.__name__ = "v128_store%d_lane" % width
    return handler


HANDLERS: Dict[int, Handler] = {}


def _register() -> None:
    named = globals()
    for op in VECTOR_OPS:
        name = OPCODE_NAMES[op].replace(".", "_")
        handler = named.get(name)
        shape = name[:5]
        kind = name[6:]
        if handler is None:
            if kind == "splat":
                handler = _splat(shape)
            elif kind in ("extract_lane", "extract_lane_u"):
                handler = _extract(shape, False)
            elif kind == "extract_lane_s":
                handler = _extract(shape, True)
            elif kind == "replace_lane":
                handler = _replace(shape)
            elif shape[0] == "i" and kind in ("add", "sub"):
                handler = _add_sub(shape, kind == "sub")
            elif "_extend_" in name:
                handler = _extend(shape, kind.split("_")[1], name.endswith("_s"))
            elif shape[0] == "i" and kind in ("shl", "shr_s", "shr_u"):
                handler = _shift(shape, kind)
            elif name.startswith("v128_load") and name.endswith("_lane"):
                handler = _load_lane(int(name[9:-5]) // 8)
            elif name.startswith("v128_store") and name.endswith("_lane"):
                handler = _store_lane(int(name[10:-5]) // 8)
            else:
                handler = _helper(name, len(SIGNATURES[op][0]))
        HANDLERS[op] = handler


_register()
