"""Every instruction of WebAssembly 2.0 (SIMD aside): opcode, text name, immediates, type.

Spec: Core 2.0 §5.4 (binary/instructions.html). An opcode is an int: the byte itself for
one-byte instructions, and ``prefix << 12 | subopcode`` for prefixed ones (0xFC: saturating
truncation, bulk memory and tables; 0xFD: SIMD). ``Op.I32_ADD`` names an opcode,
``OPCODE_NAMES[op]`` gives its text form ("i32.add"), ``IMMEDIATES[op]`` what follows it in
the binary format and ``SIGNATURES[op]`` the operand and result types of instructions whose
type is fixed (all numeric instructions).

Decoded instructions are tuples ``(opcode, *immediates)``; see :mod:`zerowasm._binary.code`.
"""

from __future__ import annotations

import enum
from typing import Dict, Tuple

from ._types import F32, F64, I32, I64, ValType

__all__ = ["Op", "Imm", "OPCODE_NAMES", "IMMEDIATES", "SIGNATURES", "MEMORY_ACCESS_SIZE",
           "PREFIX_FC", "PREFIX_FD", "prefixed"]

PREFIX_FC = 0xFC
PREFIX_FD = 0xFD


def prefixed(prefix: int, sub: int) -> int:
    """The opcode number of a prefixed instruction."""
    return prefix << 12 | sub


class Imm(enum.Enum):
    """Kinds of immediates, as laid out in the binary format."""

    NONE = 0
    BLOCKTYPE = 1          # s33 block type (see zerowasm._types.BLOCKTYPE_EMPTY)
    LABEL = 2              # labelidx
    BR_TABLE = 3           # (tuple of labelidx, default labelidx)
    FUNC = 4               # funcidx
    CALL_INDIRECT = 5      # (typeidx, tableidx)
    SELECT_T = 6           # tuple of value types
    LOCAL = 7              # localidx
    GLOBAL = 8             # globalidx
    TABLE = 9              # tableidx
    MEMARG = 10            # (align exponent, offset)
    MEMORY = 11            # memidx (a zero byte in 2.0)
    I32 = 12               # u32 value (the s32 literal, two's complement)
    I64 = 13               # u64 value
    F32 = 14               # u32 bit pattern
    F64 = 15               # u64 bit pattern
    REFTYPE = 16           # reference type
    DATA_MEMORY = 17       # (dataidx, memidx)   memory.init
    DATA = 18              # dataidx             data.drop
    MEMORY_MEMORY = 19     # (dst memidx, src memidx) memory.copy
    ELEM_TABLE = 20        # (elemidx, tableidx) table.init
    ELEM = 21              # elemidx             elem.drop
    TABLE_TABLE = 22       # (dst tableidx, src tableidx) table.copy


# (opcode, text name, immediate kind, signature or None)
_i, _I, _f, _F = I32, I64, F32, F64
_TABLE = [
    # control  (Spec §5.4.1)
    (0x00, "unreachable", Imm.NONE, None),
    (0x01, "nop", Imm.NONE, None),
    (0x02, "block", Imm.BLOCKTYPE, None),
    (0x03, "loop", Imm.BLOCKTYPE, None),
    (0x04, "if", Imm.BLOCKTYPE, None),
    (0x05, "else", Imm.NONE, None),
    (0x0B, "end", Imm.NONE, None),
    (0x0C, "br", Imm.LABEL, None),
    (0x0D, "br_if", Imm.LABEL, None),
    (0x0E, "br_table", Imm.BR_TABLE, None),
    (0x0F, "return", Imm.NONE, None),
    (0x10, "call", Imm.FUNC, None),
    (0x11, "call_indirect", Imm.CALL_INDIRECT, None),
    # reference  (§5.4.2)
    (0xD0, "ref.null", Imm.REFTYPE, None),
    (0xD1, "ref.is_null", Imm.NONE, None),
    (0xD2, "ref.func", Imm.FUNC, None),
    # parametric  (§5.4.3)
    (0x1A, "drop", Imm.NONE, None),
    (0x1B, "select", Imm.NONE, None),
    (0x1C, "select_t", Imm.SELECT_T, None),
    # variable  (§5.4.4)
    (0x20, "local.get", Imm.LOCAL, None),
    (0x21, "local.set", Imm.LOCAL, None),
    (0x22, "local.tee", Imm.LOCAL, None),
    (0x23, "global.get", Imm.GLOBAL, None),
    (0x24, "global.set", Imm.GLOBAL, None),
    # table  (§5.4.5)
    (0x25, "table.get", Imm.TABLE, None),
    (0x26, "table.set", Imm.TABLE, None),
    (prefixed(0xFC, 12), "table.init", Imm.ELEM_TABLE, None),
    (prefixed(0xFC, 13), "elem.drop", Imm.ELEM, None),
    (prefixed(0xFC, 14), "table.copy", Imm.TABLE_TABLE, None),
    (prefixed(0xFC, 15), "table.grow", Imm.TABLE, None),
    (prefixed(0xFC, 16), "table.size", Imm.TABLE, None),
    (prefixed(0xFC, 17), "table.fill", Imm.TABLE, None),
    # memory  (§5.4.6)
    (0x28, "i32.load", Imm.MEMARG, ((_i,), (_i,))),
    (0x29, "i64.load", Imm.MEMARG, ((_i,), (_I,))),
    (0x2A, "f32.load", Imm.MEMARG, ((_i,), (_f,))),
    (0x2B, "f64.load", Imm.MEMARG, ((_i,), (_F,))),
    (0x2C, "i32.load8_s", Imm.MEMARG, ((_i,), (_i,))),
    (0x2D, "i32.load8_u", Imm.MEMARG, ((_i,), (_i,))),
    (0x2E, "i32.load16_s", Imm.MEMARG, ((_i,), (_i,))),
    (0x2F, "i32.load16_u", Imm.MEMARG, ((_i,), (_i,))),
    (0x30, "i64.load8_s", Imm.MEMARG, ((_i,), (_I,))),
    (0x31, "i64.load8_u", Imm.MEMARG, ((_i,), (_I,))),
    (0x32, "i64.load16_s", Imm.MEMARG, ((_i,), (_I,))),
    (0x33, "i64.load16_u", Imm.MEMARG, ((_i,), (_I,))),
    (0x34, "i64.load32_s", Imm.MEMARG, ((_i,), (_I,))),
    (0x35, "i64.load32_u", Imm.MEMARG, ((_i,), (_I,))),
    (0x36, "i32.store", Imm.MEMARG, ((_i, _i), ())),
    (0x37, "i64.store", Imm.MEMARG, ((_i, _I), ())),
    (0x38, "f32.store", Imm.MEMARG, ((_i, _f), ())),
    (0x39, "f64.store", Imm.MEMARG, ((_i, _F), ())),
    (0x3A, "i32.store8", Imm.MEMARG, ((_i, _i), ())),
    (0x3B, "i32.store16", Imm.MEMARG, ((_i, _i), ())),
    (0x3C, "i64.store8", Imm.MEMARG, ((_i, _I), ())),
    (0x3D, "i64.store16", Imm.MEMARG, ((_i, _I), ())),
    (0x3E, "i64.store32", Imm.MEMARG, ((_i, _I), ())),
    (0x3F, "memory.size", Imm.MEMORY, ((), (_i,))),
    (0x40, "memory.grow", Imm.MEMORY, ((_i,), (_i,))),
    (prefixed(0xFC, 8), "memory.init", Imm.DATA_MEMORY, ((_i, _i, _i), ())),
    (prefixed(0xFC, 9), "data.drop", Imm.DATA, ((), ())),
    (prefixed(0xFC, 10), "memory.copy", Imm.MEMORY_MEMORY, ((_i, _i, _i), ())),
    (prefixed(0xFC, 11), "memory.fill", Imm.MEMORY, ((_i, _i, _i), ())),
    # numeric  (§5.4.7)
    (0x41, "i32.const", Imm.I32, ((), (_i,))),
    (0x42, "i64.const", Imm.I64, ((), (_I,))),
    (0x43, "f32.const", Imm.F32, ((), (_f,))),
    (0x44, "f64.const", Imm.F64, ((), (_F,))),
]


def _numeric(first: int, prefix: str, names: str, sig: Tuple[Tuple[ValType, ...], Tuple[ValType, ...]]) -> None:
    for offset, name in enumerate(names.split()):
        _TABLE.append((first + offset, prefix + name, Imm.NONE, sig))


_numeric(0x45, "i32.", "eqz", ((_i,), (_i,)))
_numeric(0x46, "i32.", "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u", ((_i, _i), (_i,)))
_numeric(0x50, "i64.", "eqz", ((_I,), (_i,)))
_numeric(0x51, "i64.", "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u", ((_I, _I), (_i,)))
_numeric(0x5B, "f32.", "eq ne lt gt le ge", ((_f, _f), (_i,)))
_numeric(0x61, "f64.", "eq ne lt gt le ge", ((_F, _F), (_i,)))
_numeric(0x67, "i32.", "clz ctz popcnt", ((_i,), (_i,)))
_numeric(0x6A, "i32.", "add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr",
         ((_i, _i), (_i,)))
_numeric(0x79, "i64.", "clz ctz popcnt", ((_I,), (_I,)))
_numeric(0x7C, "i64.", "add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr",
         ((_I, _I), (_I,)))
_numeric(0x8B, "f32.", "abs neg ceil floor trunc nearest sqrt", ((_f,), (_f,)))
_numeric(0x92, "f32.", "add sub mul div min max copysign", ((_f, _f), (_f,)))
_numeric(0x99, "f64.", "abs neg ceil floor trunc nearest sqrt", ((_F,), (_F,)))
_numeric(0xA0, "f64.", "add sub mul div min max copysign", ((_F, _F), (_F,)))
for _op, _name, _sig in [
    (0xA7, "i32.wrap_i64", ((_I,), (_i,))),
    (0xA8, "i32.trunc_f32_s", ((_f,), (_i,))),
    (0xA9, "i32.trunc_f32_u", ((_f,), (_i,))),
    (0xAA, "i32.trunc_f64_s", ((_F,), (_i,))),
    (0xAB, "i32.trunc_f64_u", ((_F,), (_i,))),
    (0xAC, "i64.extend_i32_s", ((_i,), (_I,))),
    (0xAD, "i64.extend_i32_u", ((_i,), (_I,))),
    (0xAE, "i64.trunc_f32_s", ((_f,), (_I,))),
    (0xAF, "i64.trunc_f32_u", ((_f,), (_I,))),
    (0xB0, "i64.trunc_f64_s", ((_F,), (_I,))),
    (0xB1, "i64.trunc_f64_u", ((_F,), (_I,))),
    (0xB2, "f32.convert_i32_s", ((_i,), (_f,))),
    (0xB3, "f32.convert_i32_u", ((_i,), (_f,))),
    (0xB4, "f32.convert_i64_s", ((_I,), (_f,))),
    (0xB5, "f32.convert_i64_u", ((_I,), (_f,))),
    (0xB6, "f32.demote_f64", ((_F,), (_f,))),
    (0xB7, "f64.convert_i32_s", ((_i,), (_F,))),
    (0xB8, "f64.convert_i32_u", ((_i,), (_F,))),
    (0xB9, "f64.convert_i64_s", ((_I,), (_F,))),
    (0xBA, "f64.convert_i64_u", ((_I,), (_F,))),
    (0xBB, "f64.promote_f32", ((_f,), (_F,))),
    (0xBC, "i32.reinterpret_f32", ((_f,), (_i,))),
    (0xBD, "i64.reinterpret_f64", ((_F,), (_I,))),
    (0xBE, "f32.reinterpret_i32", ((_i,), (_f,))),
    (0xBF, "f64.reinterpret_i64", ((_I,), (_F,))),
    (0xC0, "i32.extend8_s", ((_i,), (_i,))),
    (0xC1, "i32.extend16_s", ((_i,), (_i,))),
    (0xC2, "i64.extend8_s", ((_I,), (_I,))),
    (0xC3, "i64.extend16_s", ((_I,), (_I,))),
    (0xC4, "i64.extend32_s", ((_I,), (_I,))),
    (prefixed(0xFC, 0), "i32.trunc_sat_f32_s", ((_f,), (_i,))),
    (prefixed(0xFC, 1), "i32.trunc_sat_f32_u", ((_f,), (_i,))),
    (prefixed(0xFC, 2), "i32.trunc_sat_f64_s", ((_F,), (_i,))),
    (prefixed(0xFC, 3), "i32.trunc_sat_f64_u", ((_F,), (_i,))),
    (prefixed(0xFC, 4), "i64.trunc_sat_f32_s", ((_f,), (_I,))),
    (prefixed(0xFC, 5), "i64.trunc_sat_f32_u", ((_f,), (_I,))),
    (prefixed(0xFC, 6), "i64.trunc_sat_f64_s", ((_F,), (_I,))),
    (prefixed(0xFC, 7), "i64.trunc_sat_f64_u", ((_F,), (_I,))),
]:
    _TABLE.append((_op, _name, Imm.NONE, _sig))

#: opcode -> text name ("i32.add")
OPCODE_NAMES: Dict[int, str] = {op: name for op, name, _, _ in _TABLE}
#: opcode -> kind of immediates
IMMEDIATES: Dict[int, Imm] = {op: imm for op, _, imm, _ in _TABLE}
#: opcode -> (operand types, result types) for instructions whose type is fixed
SIGNATURES: Dict[int, Tuple[Tuple[ValType, ...], Tuple[ValType, ...]]] = {
    op: sig for op, _, _, sig in _TABLE if sig is not None}

#: load/store opcode -> access width in bytes (alignment may not exceed it)
MEMORY_ACCESS_SIZE: Dict[int, int] = {}
for _op, _name, _imm, _ in _TABLE:
    if _imm is Imm.MEMARG:
        _kind = _name.split(".")[1]
        if _kind in ("load", "store"):
            MEMORY_ACCESS_SIZE[_op] = 4 if _name[1:3] == "32" else 8
        else:
            MEMORY_ACCESS_SIZE[_op] = int(_kind.split("_")[0][len("load"):] if _kind.startswith("load")
                                          else _kind[len("store"):]) // 8

Op = enum.IntEnum("Op", {name.upper().replace(".", "_"): op for op, name, _, _ in _TABLE})  # type: ignore[misc]
Op.__doc__ = "Opcode constants named after the text format: ``Op.I32_ADD`` is ``i32.add``."
