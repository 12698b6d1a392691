"""Integer instructions (i32 and i64). Spec: Core 2.0 §4.4.1
(exec/instructions.html#numeric-instructions) and §4.3.2 (exec/numerics.html#integer-operations).

An i32 in a register is always zero-extended (32-bit operations guarantee it), so i32
results need no masking and addresses can be used as 64-bit values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional

from ..._opcodes import Op
from . import traps
from .codemem import cpu_features
from .function import CONST, FLAGS, HANDLERS, I32, I64, LOCAL, REG, TMP, Unsupported, Value
from .x64 import (
    CC_A,
    CC_AE,
    CC_B,
    CC_BE,
    CC_E,
    CC_G,
    CC_GE,
    CC_L,
    CC_LE,
    CC_NE,
    RAX,
    RCX,
    RDX,
    Label,
    Mem,
    fits_i32,
)

if TYPE_CHECKING:
    from .function import FunctionCompiler, Handler

__all__ = ["push_flags"]

_MASK: Dict[int, int] = {I32: 0xFFFFFFFF, I64: 0xFFFFFFFFFFFFFFFF}


def _signed(value: int, wide: bool) -> int:
    bits = 64 if wide else 32
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _imm(value: Value, wide: bool) -> Optional[int]:
    """The constant as a sign-extended imm32 operand, or None if it does not fit."""
    if value.kind != CONST:
        return None
    signed = _signed(value.data, wide)
    if not wide or fits_i32(signed):
        return signed
    return None


def push_flags(c: FunctionCompiler, cc: int) -> None:
    """An i32 0/1 result held in the flags: fused with a following if/br_if/select."""
    if c.next_opcode() in (Op.IF, Op.BR_IF, Op.SELECT, Op.SELECT_T):
        c.push(Value(FLAGS, cc, I32))
        return
    register = c.alloc_gpr()
    c.a.setcc(cc, register)
    c.a.movzx8(register, register)
    c.push_reg(I32, register)


def const_i32(c: FunctionCompiler, ins: tuple) -> None:
    c.push_const(I32, ins[1] & 0xFFFFFFFF)


def const_i64(c: FunctionCompiler, ins: tuple) -> None:
    c.push_const(I64, ins[1] & 0xFFFFFFFFFFFFFFFF)


_FOLD = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
         "and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b}
_COMMUTATIVE = ("add", "mul", "and", "or", "xor")


def _binary(op: str, value_type: int) -> Handler:
    wide = value_type == I64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        right = c.pop()
        left = c.pop()
        if left.kind == CONST and right.kind == CONST:
            c.push_const(value_type, _FOLD[op](left.data, right.data) & _MASK[value_type])
            return
        if op in _COMMUTATIVE and left.kind != REG and right.kind == REG:
            left, right = right, left
        if op in _COMMUTATIVE and left.kind == CONST:
            left, right = right, left
        imm = _imm(right, wide)
        if (op == "add" or op == "sub") and imm is not None and left.kind == LOCAL:
            where = c.location(left)
            if not isinstance(where, Mem):          # a pinned local: lea dest, [local + k]
                dest = c.alloc_gpr()
                delta = imm if op == "add" else -imm
                if fits_i32(delta):
                    a.lea(dest, Mem(where, delta), w=wide)
                    c.push_reg(value_type, dest)
                    return
                c.free_register(False, dest)
        dest = c.to_reg(left)
        if imm is not None:
            if op == "mul":
                a.imul_imm(dest, dest, imm, w=wide)
            else:
                a.alu_imm(op, dest, imm, w=wide)
        else:
            if right.kind == CONST:
                a.mov_imm(TMP, right.data, w=wide)
                source = TMP
            else:
                source = c.location(right)
            if op == "mul":
                a.imul(dest, source, w=wide)
            else:
                a.alu(op, dest, source, w=wide)
            c.release(right)
        c.push_reg(value_type, dest)
    return handler


_SWAPPED = {CC_E: CC_E, CC_NE: CC_NE, CC_L: CC_G, CC_G: CC_L, CC_LE: CC_GE, CC_GE: CC_LE,
            CC_B: CC_A, CC_A: CC_B, CC_BE: CC_AE, CC_AE: CC_BE}


def _compare(cc: int, value_type: int) -> Handler:
    wide = value_type == I64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        right = c.pop()
        left = c.pop()
        condition = cc
        if left.kind == CONST and right.kind != CONST:
            left, right, condition = right, left, _SWAPPED[cc]
        if left.kind == CONST:
            register = c.to_reg(left)
            left = Value(REG, register, value_type)
        where = c.location(left)
        imm = _imm(right, wide)
        if imm is not None:
            a.alu_imm("cmp", where, imm, w=wide)
        else:
            if right.kind == CONST:
                a.mov_imm(TMP, right.data, w=wide)
                source = TMP
            else:
                source = c.location(right)
                if isinstance(source, Mem) and isinstance(where, Mem):
                    a.mov(TMP, where, w=wide)
                    where = TMP
            if isinstance(where, Mem):
                a.alu("cmp", source, where, w=wide)       # cmp reg, mem: swap the condition
                condition = _SWAPPED[condition]
            else:
                a.alu("cmp", where, source, w=wide)
        c.release(left)
        c.release(right)
        push_flags(c, condition)
    return handler


def _eqz(value_type: int) -> Handler:
    wide = value_type == I64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        value = c.pop()
        if value.kind == CONST:
            c.push_const(I32, int(value.data == 0))
            return
        where = c.location(value)
        if isinstance(where, Mem):
            c.a.alu_imm("cmp", where, 0, w=wide)
        else:
            c.a.test(where, where, w=wide)
        c.release(value)
        push_flags(c, CC_E)
    return handler


_SHIFT_OPS = {"shl": "shl", "shr_s": "sar", "shr_u": "shr", "rotl": "rol", "rotr": "ror"}


def _shift(op: str, value_type: int) -> Handler:
    wide = value_type == I64
    kind = _SHIFT_OPS[op]

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        if c.stack[-1].kind == CONST:
            count = c.pop()
            value = c.pop()
            dest = c.to_reg(value)
            c.a.shift_imm(kind, dest, count.data, w=wide)
            c.push_reg(value_type, dest)
            return
        c.evict(RCX)
        c.claim(RCX)
        count = c.pop()
        value = c.pop()
        c.load_into(count, RCX)
        c.release(count)
        dest = c.to_reg(value, avoid=(RCX,))
        c.a.shift_cl(kind, dest, w=wide)
        c.free_register(False, RCX)
        c.push_reg(value_type, dest)
    return handler


def _count(op: str, value_type: int) -> Handler:
    wide = value_type == I64
    bits = 64 if wide else 32

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        features = cpu_features()
        value = c.pop()
        source = c.location(value) if value.kind != CONST else None
        if source is None:
            source = c.to_reg(value)
            value = Value(REG, source, value_type)
        dest = c.alloc_gpr()
        if op == "popcnt":
            if not features.get("popcnt"):
                raise Unsupported("popcnt without CPU support")
            a.popcnt(dest, source, w=wide)
        elif op == "clz":
            if features.get("lzcnt"):
                a.lzcnt(dest, source, w=wide)
            else:
                a.mov_imm(TMP, 2 * bits - 1)
                a.bsr(dest, source, w=wide)
                a.cmov(CC_E, dest, TMP, w=wide)
                a.alu_imm("xor", dest, bits - 1, w=wide)
        else:
            if features.get("bmi1"):
                a.tzcnt(dest, source, w=wide)
            else:
                a.mov_imm(TMP, bits)
                a.bsf(dest, source, w=wide)
                a.cmov(CC_E, dest, TMP, w=wide)
        c.release(value)
        c.push_reg(value_type, dest)
    return handler


def _divide(signed: bool, remainder: bool, value_type: int) -> Handler:
    """Spec: Core 2.0 §4.3.2 (idiv_u, idiv_s, irem_u, irem_s): division by zero traps,
    and so does the one signed quotient that overflows; the remainder of that case is 0."""
    wide = value_type == I64
    bits = 64 if wide else 32

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        divisor = c.stack[-1]
        if divisor.kind == CONST and not signed and divisor.data and \
                divisor.data & (divisor.data - 1) == 0:
            c.pop()
            value = c.pop()
            dest = c.to_reg(value)
            if remainder:
                mask = divisor.data - 1
                if fits_i32(mask):
                    a.alu_imm("and", dest, mask, w=wide)
                else:
                    a.mov_imm(TMP, mask, w=wide)
                    a.alu("and", dest, TMP, w=wide)
            else:
                a.shift_imm("shr", dest, divisor.data.bit_length() - 1, w=wide)
            c.push_reg(value_type, dest)
            return
        c.evict(RAX)
        c.claim(RAX)
        c.evict(RDX)
        c.claim(RDX)
        divisor = c.pop()
        dividend = c.pop()
        known = divisor.data if divisor.kind == CONST else None
        source = c.to_reg(divisor, avoid=(RAX, RDX))
        c.load_into(dividend, RAX)
        c.release(dividend)
        if known is None or known == 0:
            a.test(source, source, w=wide)
            a.jcc(CC_E, c.trap(traps.DIVIDE_BY_ZERO))
        done = Label("div_done")
        minus_one = known is None or known == (1 << bits) - 1
        if signed and minus_one:
            ordinary = Label("div_ordinary")
            a.alu_imm("cmp", source, -1, w=wide)
            a.jcc(CC_NE, ordinary)
            if remainder:
                a.alu("xor", RDX, RDX)
                a.jmp(done)
            else:
                if wide:
                    a.mov_imm(TMP, 1 << 63, w=True)
                    a.alu("cmp", RAX, TMP, w=True)
                else:
                    a.alu_imm("cmp", RAX, -0x80000000)
                a.jcc(CC_E, c.trap(traps.INTEGER_OVERFLOW))
            a.bind(ordinary)
        if signed:
            a.cdq(wide)
            a.group3("idiv", source, w=wide)
        else:
            a.alu("xor", RDX, RDX)
            a.group3("div", source, w=wide)
        a.bind(done)
        c.free_register(False, source)
        if remainder:
            c.free_register(False, RAX)
            c.push_reg(value_type, RDX)
        else:
            c.free_register(False, RDX)
            c.push_reg(value_type, RAX)
    return handler


def _convert(kind: str) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        value = c.pop()
        result_type = I32 if kind in ("wrap", "e8_32", "e16_32") else I64
        if value.kind == CONST:
            v = value.data
            folded = {"wrap": lambda: v & 0xFFFFFFFF,
                      "extend_s": lambda: _signed(v, False) & _MASK[I64],
                      "extend_u": lambda: v & 0xFFFFFFFF,
                      "e8_32": lambda: ((v & 0xFF) - ((v & 0x80) << 1)) & 0xFFFFFFFF,
                      "e16_32": lambda: ((v & 0xFFFF) - ((v & 0x8000) << 1)) & 0xFFFFFFFF,
                      "e8_64": lambda: ((v & 0xFF) - ((v & 0x80) << 1)) & _MASK[I64],
                      "e16_64": lambda: ((v & 0xFFFF) - ((v & 0x8000) << 1)) & _MASK[I64],
                      "e32_64": lambda: _signed(v, False) & _MASK[I64]}[kind]()
            c.push_const(result_type, folded & _MASK[result_type])
            return
        source = c.location(value)
        dest = c.alloc_gpr()
        if kind == "wrap" or kind == "extend_u":
            a.mov(dest, source)                          # 32-bit move zero-extends
        elif kind == "extend_s" or kind == "e32_64":
            a.movsxd(dest, source)
        elif kind == "e8_32" or kind == "e8_64":
            a.movsx8(dest, source, w=kind == "e8_64")
        else:
            a.movsx16(dest, source, w=kind == "e16_64")
        c.release(value)
        c.push_reg(result_type, dest)
    return handler


def _register() -> None:
    for value_type, prefix in ((I32, "I32_"), (I64, "I64_")):
        for name in ("add", "sub", "mul", "and", "or", "xor"):
            HANDLERS[int(Op[prefix + name.upper()])] = _binary(name, value_type)
        for name, cc in (("eq", CC_E), ("ne", CC_NE), ("lt_s", CC_L), ("lt_u", CC_B),
                         ("gt_s", CC_G), ("gt_u", CC_A), ("le_s", CC_LE), ("le_u", CC_BE),
                         ("ge_s", CC_GE), ("ge_u", CC_AE)):
            HANDLERS[int(Op[prefix + name.upper()])] = _compare(cc, value_type)
        HANDLERS[int(Op[prefix + "EQZ"])] = _eqz(value_type)
        for name in _SHIFT_OPS:
            HANDLERS[int(Op[prefix + name.upper()])] = _shift(name, value_type)
        for name in ("clz", "ctz", "popcnt"):
            HANDLERS[int(Op[prefix + name.upper()])] = _count(name, value_type)
        for name, signed, remainder in (("div_s", True, False), ("div_u", False, False),
                                        ("rem_s", True, True), ("rem_u", False, True)):
            HANDLERS[int(Op[prefix + name.upper()])] = _divide(signed, remainder, value_type)
    HANDLERS[int(Op.I32_CONST)] = const_i32
    HANDLERS[int(Op.I64_CONST)] = const_i64
    for op, kind in ((Op.I32_WRAP_I64, "wrap"), (Op.I64_EXTEND_I32_S, "extend_s"),
                     (Op.I64_EXTEND_I32_U, "extend_u"), (Op.I32_EXTEND8_S, "e8_32"),
                     (Op.I32_EXTEND16_S, "e16_32"), (Op.I64_EXTEND8_S, "e8_64"),
                     (Op.I64_EXTEND16_S, "e16_64"), (Op.I64_EXTEND32_S, "e32_64")):
        HANDLERS[int(op)] = _convert(kind)


_register()
