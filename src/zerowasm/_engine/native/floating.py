"""Floating-point instructions (SSE2 and SSE4.1). Spec: Core 2.0 §4.3.3
(exec/numerics.html#floating-point-operations) and §4.3.4 (conversions).

x86 and Wasm agree on IEEE 754 arithmetic, on NaN propagation (a NaN operand comes out
quieted: an *arithmetic* NaN; an invalid operation gives the default NaN, which is a
*canonical* NaN) and on rounding (round-to-nearest-even, the MXCSR default). Where they
differ the code spells the spec out:

* ``min``/``max``: ``minss`` returns its second operand for NaN and for two zeros;
  Wasm wants a NaN if either is NaN and ``min(-0, +0) = -0``. Equal operands are
  merged bitwise (``or`` for min, ``and`` for max), NaNs go through an ``add``.
* comparisons: ``ucomiss`` reports "unordered" for NaN; ``eq`` must also check the
  parity flag, and ``lt``/``le`` compare in the order that makes unordered false.
* truncation to integers: ``cvttsd2si`` answers 0x80000000 for anything out of range,
  so the operand is range-checked first against the exact limits (NaN traps with
  "invalid conversion to integer", out of range with "integer overflow"; the
  saturating forms clamp). Unsigned 64-bit conversions go through the signed ones.
* ``abs``/``neg``/``copysign`` are bit operations (they never change a NaN's payload).
* f32 values live in the low 32 bits of an SSE register or 8-byte slot.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Tuple

from ..._opcodes import Op, prefixed
from . import traps
from .function import CONST, F32, F64, HANDLERS, I32, I64, REG, TMP, XTMP, XTMP2, Value, is_float
from .integer import push_flags
from .x64 import CC_A, CC_AE, CC_B, CC_BE, CC_E, CC_NE, CC_NP, CC_P, CC_S, R11, Label, Mem

if TYPE_CHECKING:
    from .function import FunctionCompiler, Handler
    from .x64 import Operand

__all__ = []


def _f32_bits(value: float) -> int:
    return struct.unpack("<I", struct.pack("<f", value))[0]


def _f64_bits(value: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def _load_constant(c: FunctionCompiler, double: bool, value: float, register: int = XTMP) -> int:
    """Put a float constant in an SSE temporary (through r11)."""
    if double:
        c.a.mov_imm(TMP, _f64_bits(value), w=True)
        c.a.movd_to_xmm(register, TMP, w=True)
    else:
        c.a.mov_imm(TMP, _f32_bits(value))
        c.a.movd_to_xmm(register, TMP)
    return register


def const_f32(c: FunctionCompiler, ins: tuple) -> None:
    c.push_const(F32, ins[1] & 0xFFFFFFFF)


def const_f64(c: FunctionCompiler, ins: tuple) -> None:
    c.push_const(F64, ins[1] & 0xFFFFFFFFFFFFFFFF)


def _operand(c: FunctionCompiler, value: Value) -> Tuple[Operand, Value]:
    """An SSE register or memory operand for ``value`` (a constant gets a register), and
    the value to release afterwards."""
    if value.kind == CONST:
        register = c.to_reg(value)
        return register, Value(REG, register, value.type)
    return c.location(value), value


def _binary(op: str, value_type: int) -> Handler:
    double = value_type == F64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        right = c.pop()
        left = c.pop()
        dest = c.to_reg(left)
        source, right = _operand(c, right)
        c.a.sse(op, double, dest, source)
        c.release(right)
        c.push_reg(value_type, dest)
    return handler


def _min_max(is_min: bool, value_type: int) -> Handler:
    double = value_type == F64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        right = c.pop()
        left = c.pop()
        dest = c.to_reg(left)
        source = c.to_reg(right)
        nan, ordinary, done = Label("minmax_nan"), Label("minmax_ordinary"), Label("minmax_done")
        a.ucomis(double, dest, source)
        a.jcc(CC_P, nan)
        a.jcc(CC_NE, ordinary)
        a.sse_logic("or" if is_min else "and", dest, source)    # equal: -0/+0 by bits
        a.jmp(done)
        a.bind(nan)
        a.sse("add", double, dest, source)                     # a NaN, quieted
        a.jmp(done)
        a.bind(ordinary)
        a.sse("min" if is_min else "max", double, dest, source)
        a.bind(done)
        c.free_register(True, source)
        c.push_reg(value_type, dest)
    return handler


def _unary_sse(op: str, value_type: int) -> Handler:
    double = value_type == F64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        source, value = _operand(c, c.pop())
        dest = c.alloc_xmm()
        if op == "sqrt":
            c.a.sse("sqrt", double, dest, source)
        else:
            c.a.rounds(double, dest, source, {"nearest": 0, "floor": 1, "ceil": 2, "trunc": 3}[op])
        c.release(value)
        c.push_reg(value_type, dest)
    return handler


def _sign(op: str, value_type: int) -> Handler:
    """abs, neg, copysign: bit operations on the sign bit."""
    double = value_type == F64
    sign = 1 << 63 if double else 1 << 31

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        if op == "copysign":
            right = c.pop()
            left = c.pop()
            if left.kind == CONST and right.kind == CONST:
                c.push_const(value_type, (left.data & ~sign) | (right.data & sign))
                return
            dest = c.to_reg(left)
            source = c.to_reg(right)
            _load_constant_bits(c, sign - 1, double, XTMP)
            a.sse_logic("and", dest, XTMP)                 # |left|
            _load_constant_bits(c, sign, double, XTMP)
            a.sse_logic("and", source, XTMP)               # sign of right
            a.sse_logic("or", dest, source)
            c.free_register(True, source)
            c.push_reg(value_type, dest)
            return
        value = c.pop()
        if value.kind == CONST:
            bits = value.data & ~sign if op == "abs" else value.data ^ sign
            c.push_const(value_type, bits)
            return
        dest = c.to_reg(value)
        _load_constant_bits(c, sign - 1 if op == "abs" else sign, double, XTMP)
        a.sse_logic("and" if op == "abs" else "xor", dest, XTMP)
        c.push_reg(value_type, dest)
    return handler


def _load_constant_bits(c: FunctionCompiler, bits: int, double: bool, register: int) -> None:
    c.a.mov_imm(TMP, bits, w=double)
    c.a.movd_to_xmm(register, TMP, w=double)


def _compare(kind: str, value_type: int) -> Handler:
    double = value_type == F64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        right = c.pop()
        left = c.pop()
        if kind in ("lt", "le"):            # b > a / b >= a: unordered gives false
            left, right = right, left
        first = c.to_reg(left)
        second, right = _operand(c, right)
        if kind in ("eq", "ne"):
            dest = c.alloc_gpr()
            a.ucomis(double, first, second)
            if kind == "eq":
                a.setcc(CC_E, dest)
                a.setcc(CC_NP, R11)
                a.alu("and", dest, R11)
            else:
                a.setcc(CC_NE, dest)
                a.setcc(CC_P, R11)
                a.alu("or", dest, R11)
            a.movzx8(dest, dest)
            c.free_register(True, first)
            c.release(right)
            c.push_reg(I32, dest)
            return
        a.ucomis(double, first, second)
        c.free_register(True, first)
        c.release(right)
        push_flags(c, CC_A if kind in ("lt", "gt") else CC_AE)
    return handler


def _reinterpret(to_type: int) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        value = c.pop()
        if value.kind == CONST:
            c.push_const(to_type, value.data)
            return
        wide = to_type in (I64, F64)
        where = c.location(value)
        if is_float(to_type):
            dest = c.alloc_xmm()
            if isinstance(where, Mem):
                a.movs(wide, dest, where)
            else:
                a.movd_to_xmm(dest, where, w=wide)
        else:
            dest = c.alloc_gpr()
            if isinstance(where, Mem):
                a.mov(dest, where, w=wide)
            else:
                a.movd_from_xmm(dest, where, w=wide)
        c.release(value)
        c.push_reg(to_type, dest)
    return handler


def _promote_demote(to_double: bool) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        source, value = _operand(c, c.pop())
        dest = c.alloc_xmm()
        c.a.cvt_f2f(to_double, dest, source)
        c.release(value)
        c.push_reg(F64 if to_double else F32, dest)
    return handler


def _convert(to_double: bool, from_wide: bool, signed: bool) -> Handler:
    """f32/f64.convert_i32/i64_s/u. Spec: Core 2.0 §4.3.4 (convert): round to nearest."""
    result_type = F64 if to_double else F32

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        value = c.pop()
        if signed or not from_wide:
            source = c.location(value) if value.kind != CONST else None
            if source is None:
                source = c.to_reg(value)
                value = Value(REG, source, value.type)
            dest = c.alloc_xmm()
            if not signed:                 # u32 -> the 64-bit signed conversion is exact
                if isinstance(source, Mem):
                    a.mov(R11, source)
                    source = R11
                else:
                    a.mov(R11, source)     # zero-extend
                    source = R11
                a.cvt_i2f(to_double, dest, source, w=True)
            elif from_wide:
                a.cvt_i2f(to_double, dest, source, w=True)
            else:
                a.cvt_i2f(to_double, dest, source, w=False)
            c.release(value)
            c.push_reg(result_type, dest)
            return
        # unsigned 64-bit: halve (keeping the lowest bit sticky) when the top bit is set
        source = c.to_reg(value)
        dest = c.alloc_xmm()
        big, done = Label("u64_big"), Label("u64_done")
        a.test(source, source, w=True)
        a.jcc(CC_S, big)
        a.cvt_i2f(to_double, dest, source, w=True)
        a.jmp(done)
        a.bind(big)
        a.mov(R11, source, w=True)
        a.shift_imm("shr", R11, 1, w=True)
        a.alu_imm("and", source, 1, w=True)
        a.alu("or", R11, source, w=True)
        a.cvt_i2f(to_double, dest, R11, w=True)
        a.sse("add", to_double, dest, dest)
        a.bind(done)
        c.free_register(False, source)
        c.push_reg(result_type, dest)
    return handler


_TWO31, _TWO32, _TWO63, _TWO64 = 2.0 ** 31, 2.0 ** 32, 2.0 ** 63, 2.0 ** 64


def _limits(double: bool, wide: bool, signed: bool) -> Tuple[float, bool, float]:
    """(lower, lower_inclusive, upper): a finite x converts iff it is above ``lower``
    (or equal with ``lower_inclusive``) and below ``upper``."""
    if not signed:
        return -1.0, False, _TWO64 if wide else _TWO32
    if wide:
        return -_TWO63, True, _TWO63
    if double:
        return -2147483649.0, False, _TWO31
    return -_TWO31, True, _TWO31


def _truncate(from_double: bool, to_wide: bool, signed: bool, saturating: bool) -> Handler:
    """iNN.trunc_fMM_s/u and their _sat forms. Spec: Core 2.0 §4.3.4 (trunc, trunc_sat)."""
    result_type = I64 if to_wide else I32
    lower, inclusive, upper = _limits(from_double, to_wide, signed)
    bits = 64 if to_wide else 32
    if signed:
        minimum, maximum = 1 << (bits - 1), (1 << (bits - 1)) - 1
    else:
        minimum, maximum = 0, (1 << bits) - 1

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        value = c.pop()
        source = c.to_reg(value)
        dest = c.alloc_gpr()
        done = Label("trunc_done")
        below = Label("trunc_below") if saturating else c.trap(traps.INTEGER_OVERFLOW)
        above = Label("trunc_above") if saturating else c.trap(traps.INTEGER_OVERFLOW)
        if saturating:
            a.alu("xor", dest, dest)
        a.ucomis(from_double, source, source)
        a.jcc(CC_P, done if saturating else c.trap(traps.INVALID_CONVERSION))
        _load_constant(c, from_double, lower)
        a.ucomis(from_double, source, XTMP)
        a.jcc(CC_B if inclusive else CC_BE, below)
        _load_constant(c, from_double, upper)
        a.ucomis(from_double, source, XTMP)
        a.jcc(CC_AE, above)
        if signed:
            a.cvtt_f2i(from_double, dest, source, w=to_wide)
        elif not to_wide:
            a.cvtt_f2i(from_double, dest, source, w=True)
            a.mov(dest, dest)
        else:
            big = Label("trunc_big")
            _load_constant(c, from_double, _TWO63)
            a.ucomis(from_double, source, XTMP)
            a.jcc(CC_AE, big)
            a.cvtt_f2i(from_double, dest, source, w=True)
            a.jmp(done)
            a.bind(big)
            a.movaps(XTMP2, source)
            a.sse("sub", from_double, XTMP2, XTMP)
            a.cvtt_f2i(from_double, dest, XTMP2, w=True)
            a.mov_imm(R11, 1 << 63, w=True)
            a.alu("xor", dest, R11, w=True)
        if saturating:
            a.jmp(done)
            a.bind(below)
            a.mov_imm(dest, minimum, w=to_wide)
            a.jmp(done)
            a.bind(above)
            a.mov_imm(dest, maximum, w=to_wide)
        a.bind(done)
        c.free_register(True, source)
        c.push_reg(result_type, dest)
    return handler


def _register() -> None:
    HANDLERS[int(Op.F32_CONST)] = const_f32
    HANDLERS[int(Op.F64_CONST)] = const_f64
    for value_type, prefix in ((F32, "F32_"), (F64, "F64_")):
        for name in ("add", "sub", "mul", "div"):
            HANDLERS[int(Op[prefix + name.upper()])] = _binary(name, value_type)
        HANDLERS[int(Op[prefix + "MIN"])] = _min_max(True, value_type)
        HANDLERS[int(Op[prefix + "MAX"])] = _min_max(False, value_type)
        for name in ("sqrt", "ceil", "floor", "trunc", "nearest"):
            HANDLERS[int(Op[prefix + name.upper()])] = _unary_sse(name, value_type)
        for name in ("abs", "neg", "copysign"):
            HANDLERS[int(Op[prefix + name.upper()])] = _sign(name, value_type)
        for name in ("eq", "ne", "lt", "gt", "le", "ge"):
            HANDLERS[int(Op[prefix + name.upper()])] = _compare(name, value_type)
    HANDLERS[int(Op.I32_REINTERPRET_F32)] = _reinterpret(I32)
    HANDLERS[int(Op.I64_REINTERPRET_F64)] = _reinterpret(I64)
    HANDLERS[int(Op.F32_REINTERPRET_I32)] = _reinterpret(F32)
    HANDLERS[int(Op.F64_REINTERPRET_I64)] = _reinterpret(F64)
    HANDLERS[int(Op.F32_DEMOTE_F64)] = _promote_demote(False)
    HANDLERS[int(Op.F64_PROMOTE_F32)] = _promote_demote(True)
    for to_double, name_to in ((False, "F32"), (True, "F64")):
        for from_wide, name_from in ((False, "I32"), (True, "I64")):
            for signed, suffix in ((True, "S"), (False, "U")):
                op = Op["%s_CONVERT_%s_%s" % (name_to, name_from, suffix)]
                HANDLERS[int(op)] = _convert(to_double, from_wide, signed)
    for to_wide, name_to in ((False, "I32"), (True, "I64")):
        for from_double, name_from in ((False, "F32"), (True, "F64")):
            for signed, suffix in ((True, "S"), (False, "U")):
                op = Op["%s_TRUNC_%s_%s" % (name_to, name_from, suffix)]
                HANDLERS[int(op)] = _truncate(from_double, to_wide, signed, False)
                op = Op["%s_TRUNC_SAT_%s_%s" % (name_to, name_from, suffix)]
                HANDLERS[int(op)] = _truncate(from_double, to_wide, signed, True)


_register()
_unused = (CC_BE, CC_AE, prefixed)
