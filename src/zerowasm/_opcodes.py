"""Every instruction of WebAssembly 2.0: opcode, text name, immediates, type.

Spec: Core 2.0 §5.4 (binary/instructions.html). An opcode is an int: the byte itself for
one-byte instructions, and ``prefix << 12 | subopcode`` for prefixed ones (0xFC: saturating
truncation, bulk memory and tables; 0xFD: SIMD). ``Op.I32_ADD`` names an opcode,
``OPCODE_NAMES[op]`` gives its text form ("i32.add"), ``IMMEDIATES[op]`` what follows it in
the binary format and ``SIGNATURES[op]`` the operand and result types of instructions whose
type is fixed (all numeric and vector instructions). ``VECTOR_OPS`` holds the 0xFD
opcodes (Spec: Core 2.0 §5.4.8, binary/instructions.html#vector-instructions).

Decoded instructions are tuples ``(opcode, *immediates)``; see :mod:`zerowasm._binary.code`.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, List, Optional, Tuple, cast

from ._types import F32, F64, I32, I64, V128, ValType

__all__ = ["Op", "Imm", "OPCODE_NAMES", "IMMEDIATES", "SIGNATURES", "MEMORY_ACCESS_SIZE",
           "VECTOR_OPS", "PREFIX_FC", "PREFIX_FD", "prefixed"]

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
    V128 = 23              # u128 value: the 16 bytes little-endian      v128.const
    SHUFFLE = 24           # tuple of 16 lane indices                     i8x16.shuffle
    LANE = 25              # lane index                     extract_lane, replace_lane
    MEMARG_LANE = 26       # (align exponent, offset, lane index)  load/store_lane


# (opcode, text name, immediate kind, signature or None)
_i, _I, _f, _F = I32, I64, F32, F64
Signature = Tuple[Tuple[ValType, ...], Tuple[ValType, ...]]
_TABLE: List[Tuple[int, str, Imm, Optional[Signature]]] = [
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


def _numeric(first: int, prefix: str, names: str,
             sig: Tuple[Tuple[ValType, ...], Tuple[ValType, ...]]) -> None:
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
_sig: Signature
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

# vector  (§5.4.8): 0xFD prefix; signatures use these shapes
_v = V128
_VV_V = ((_v, _v), (_v,))
_V_V = ((_v,), (_v,))
_V_I = ((_v,), (_i,))
_VI_V = ((_v, _i), (_v,))
_LOAD_V = ((_i,), (_v,))
_LANE_LOAD = ((_i, _v), (_v,))
_LANE_STORE = ((_i, _v), ())
#: vector load/store opcode -> bytes accessed
_VECTOR_ACCESS: Dict[int, int] = {}


def _fd(sub: int, name: str, imm: Imm = Imm.NONE,
        sig: Tuple[Tuple[ValType, ...], Tuple[ValType, ...]] | None = _VV_V,
        access: int = 0) -> None:
    _TABLE.append((prefixed(PREFIX_FD, sub), name, imm, sig))
    if access:
        _VECTOR_ACCESS[prefixed(PREFIX_FD, sub)] = access


def _fd_run(first: int, names: str, sig: Tuple[Tuple[ValType, ...], Tuple[ValType, ...]]) -> None:
    for offset, name in enumerate(names.split()):
        if name != "-":
            _fd(first + offset, name, Imm.NONE, sig)


_INT_COMPARISONS = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
_fd(0x00, "v128.load", Imm.MEMARG, _LOAD_V, 16)
for _sub, _name in enumerate(("8x8_s", "8x8_u", "16x4_s", "16x4_u", "32x2_s", "32x2_u"), 0x01):
    _fd(_sub, "v128.load" + _name, Imm.MEMARG, _LOAD_V, 8)
for _sub, _size in ((0x07, 1), (0x08, 2), (0x09, 4), (0x0A, 8)):
    _fd(_sub, "v128.load%d_splat" % (8 * _size), Imm.MEMARG, _LOAD_V, _size)
_fd(0x0B, "v128.store", Imm.MEMARG, ((_i, _v), ()), 16)
_fd(0x0C, "v128.const", Imm.V128, ((), (_v,)))
_fd(0x0D, "i8x16.shuffle", Imm.SHUFFLE, _VV_V)
_fd(0x0E, "i8x16.swizzle")
_fd(0x0F, "i8x16.splat", sig=((_i,), (_v,)))
_fd(0x10, "i16x8.splat", sig=((_i,), (_v,)))
_fd(0x11, "i32x4.splat", sig=((_i,), (_v,)))
_fd(0x12, "i64x2.splat", sig=((_I,), (_v,)))
_fd(0x13, "f32x4.splat", sig=((_f,), (_v,)))
_fd(0x14, "f64x2.splat", sig=((_F,), (_v,)))
for _sub, _name, _t in [
    (0x15, "i8x16.extract_lane_s", _i), (0x16, "i8x16.extract_lane_u", _i),
    (0x17, "i8x16.replace_lane", _i),
    (0x18, "i16x8.extract_lane_s", _i), (0x19, "i16x8.extract_lane_u", _i),
    (0x1A, "i16x8.replace_lane", _i),
    (0x1B, "i32x4.extract_lane", _i), (0x1C, "i32x4.replace_lane", _i),
    (0x1D, "i64x2.extract_lane", _I), (0x1E, "i64x2.replace_lane", _I),
    (0x1F, "f32x4.extract_lane", _f), (0x20, "f32x4.replace_lane", _f),
    (0x21, "f64x2.extract_lane", _F), (0x22, "f64x2.replace_lane", _F),
]:
    _fd(_sub, _name, Imm.LANE, ((_v,), (_t,)) if "extract" in _name else ((_v, _t), (_v,)))
_fd_run(0x23, " ".join("i8x16." + n for n in _INT_COMPARISONS), _VV_V)
_fd_run(0x2D, " ".join("i16x8." + n for n in _INT_COMPARISONS), _VV_V)
_fd_run(0x37, " ".join("i32x4." + n for n in _INT_COMPARISONS), _VV_V)
_fd_run(0x41, " ".join("f32x4." + n for n in ["eq", "ne", "lt", "gt", "le", "ge"]), _VV_V)
_fd_run(0x47, " ".join("f64x2." + n for n in ["eq", "ne", "lt", "gt", "le", "ge"]), _VV_V)
_fd(0x4D, "v128.not", sig=_V_V)
_fd_run(0x4E, "v128.and v128.andnot v128.or v128.xor", _VV_V)
_fd(0x52, "v128.bitselect", sig=((_v, _v, _v), (_v,)))
_fd(0x53, "v128.any_true", sig=_V_I)
for _sub, _size in ((0x54, 1), (0x55, 2), (0x56, 4), (0x57, 8)):
    _fd(_sub, "v128.load%d_lane" % (8 * _size), Imm.MEMARG_LANE, _LANE_LOAD, _size)
    _fd(_sub + 4, "v128.store%d_lane" % (8 * _size), Imm.MEMARG_LANE, _LANE_STORE, _size)
_fd(0x5C, "v128.load32_zero", Imm.MEMARG, _LOAD_V, 4)
_fd(0x5D, "v128.load64_zero", Imm.MEMARG, _LOAD_V, 8)
_fd(0x5E, "f32x4.demote_f64x2_zero", sig=_V_V)
_fd(0x5F, "f64x2.promote_low_f32x4", sig=_V_V)
for _first, _shape, _names in [
    (0x60, "i8x16", "abs neg popcnt all_true bitmask narrow_i16x8_s narrow_i16x8_u"),
    (0x80, "i16x8", "abs neg q15mulr_sat_s all_true bitmask narrow_i32x4_s narrow_i32x4_u"
                    " extend_low_i8x16_s extend_high_i8x16_s extend_low_i8x16_u"
                    " extend_high_i8x16_u"),
    (0xA0, "i32x4", "abs neg - all_true bitmask - - extend_low_i16x8_s extend_high_i16x8_s"
                    " extend_low_i16x8_u extend_high_i16x8_u"),
    (0xC0, "i64x2", "abs neg - all_true bitmask - - extend_low_i32x4_s extend_high_i32x4_s"
                    " extend_low_i32x4_u extend_high_i32x4_u"),
    (0xE0, "f32x4", "abs neg - sqrt add sub mul div min max pmin pmax"),
    (0xEC, "f64x2", "abs neg - sqrt add sub mul div min max pmin pmax"),
]:
    for _offset, _name in enumerate(_names.split()):
        if _name == "-":
            continue
        _sig = _VV_V
        if _name in ("abs", "neg", "popcnt", "sqrt") or _name.startswith("extend"):
            _sig = _V_V
        elif _name in ("all_true", "bitmask"):
            _sig = _V_I
        _fd(_first + _offset, _shape + "." + _name, sig=_sig)
_fd_run(0x67, "f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest", _V_V)
for _first, _shape in ((0x6B, "i8x16"), (0x8B, "i16x8"), (0xAB, "i32x4"), (0xCB, "i64x2")):
    _fd_run(_first, " ".join(_shape + "." + n for n in ["shl", "shr_s", "shr_u"]), _VI_V)
_fd_run(0x6E, "i8x16.add i8x16.add_sat_s i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s"
              " i8x16.sub_sat_u", _VV_V)
_fd_run(0x74, "f64x2.ceil f64x2.floor", _V_V)
_fd_run(0x76, "i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u", _VV_V)
_fd(0x7A, "f64x2.trunc", sig=_V_V)
_fd(0x7B, "i8x16.avgr_u")
_fd_run(0x7C, "i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u"
              " i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u", _V_V)
_fd_run(0x8E, "i16x8.add i16x8.add_sat_s i16x8.add_sat_u i16x8.sub i16x8.sub_sat_s"
              " i16x8.sub_sat_u", _VV_V)
_fd(0x94, "f64x2.nearest", sig=_V_V)
_fd_run(0x95, "i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u - i16x8.avgr_u"
              " i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u"
              " i16x8.extmul_high_i8x16_u", _VV_V)
_fd(0xAE, "i32x4.add")
_fd(0xB1, "i32x4.sub")
_fd_run(0xB5, "i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -"
              " i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u"
              " i32x4.extmul_high_i16x8_u", _VV_V)
_fd(0xCE, "i64x2.add")
_fd(0xD1, "i64x2.sub")
_fd_run(0xD5, "i64x2.mul i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s"
              " i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u"
              " i64x2.extmul_high_i32x4_u", _VV_V)
_fd_run(0xF8, "i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s"
              " f32x4.convert_i32x4_u i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero"
              " f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u", _V_V)

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
    if _imm is Imm.MEMARG and _op not in _VECTOR_ACCESS:
        _kind = _name.split(".")[1]
        if _kind in ("load", "store"):
            MEMORY_ACCESS_SIZE[_op] = 4 if _name[1:3] == "32" else 8
        else:
            MEMORY_ACCESS_SIZE[_op] = int(_kind.split("_")[0][len("load"):]
                                          if _kind.startswith("load")
                                          else _kind[len("store"):]) // 8
MEMORY_ACCESS_SIZE.update(_VECTOR_ACCESS)

#: the vector (0xFD) opcodes
VECTOR_OPS = frozenset(op for op, _, _, _ in _TABLE if op >> 12 == PREFIX_FD)

#: (typed ``Any``: a functional enum's members are invisible to type checkers)
Op: Any = cast(Any, enum.IntEnum)("Op", {name.upper().replace(".", "_"): op
                                          for op, name, _, _ in _TABLE})
Op.__doc__ = "Opcode constants named after the text format: ``Op.I32_ADD`` is ``i32.add``."
