"""Variable instructions. Spec: Core 2.0 §4.4.5 (exec/instructions.html#variable-instructions).

A mutable global lives in an 8-byte *native cell* shared with the Python tier (see
``zerowasm._store.globals``): the context holds the cell's address. i32/i64 cells hold
the unsigned value, f64 cells the double; an f32 cell holds the Python tier's
representation (a double carrying the f32 value, NaN payload in the top mantissa bits),
converted on each access by the module's ``d2f``/``f2d`` routines. An immutable global's
bits are copied into the context when the instance starts (an f32 as its 32-bit pattern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._opcodes import Op
from .function import (
    CONST,
    CTX,
    F32,
    F64,
    HANDLERS,
    LOCAL,
    NUMERIC,
    REFERENCES,
    REG,
    Unsupported,
    Value,
    is_float,
    is_wide,
)
from .x64 import R11, RAX, Mem

if TYPE_CHECKING:
    from .function import FunctionCompiler

__all__ = []


def local_get(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Value(LOCAL, ins[1], c.locals[ins[1]]))


def _write_local(c: FunctionCompiler, index: int, value: Value) -> None:
    home = c.homes[index]
    if isinstance(home, Mem):
        if value.kind == REG and is_float(value.type):
            c.a.movs(value.type == F64, home, value.data)
        else:
            c.store_value(value, home)
    else:
        c.load_into(value, home)


def local_set(c: FunctionCompiler, ins: tuple) -> None:
    index = ins[1]
    c.materialize_local(index)
    value = c.pop()
    _write_local(c, index, value)
    c.release(value)


def local_tee(c: FunctionCompiler, ins: tuple) -> None:
    index = ins[1]
    c.materialize_local(index)
    value = c.pop()
    _write_local(c, index, value)
    if value.kind == REG and isinstance(c.homes[index], Mem):
        c.push(value)
    else:
        c.release(value)
        c.push(Value(LOCAL, index, c.locals[index]))


def _global(c: FunctionCompiler, index: int) -> tuple:
    global_type = c.module.globals[index]
    if global_type.content not in NUMERIC:
        raise Unsupported("reference-typed global")
    return global_type.content, global_type.mutable, Mem(CTX, c.mc.globals_offset + 8 * index)


def _is_reference_global(c: FunctionCompiler, index: int) -> bool:
    return c.module.globals[index].content in REFERENCES


def global_get(c: FunctionCompiler, ins: tuple) -> None:
    a = c.a
    if _is_reference_global(c, ins[1]):       # a Python list cell: ask Python
        from .reference import HELPER_GLOBAL_GET
        c.spill_registers()
        c.call_out(HELPER_GLOBAL_GET, ins[1])
        c.reset_registers()
        dest = c.alloc_gpr()
        a.mov(dest, c.io(0), w=True)
        c.push_reg(c.module.globals[ins[1]].content, dest)
        return
    value_type, mutable, where = _global(c, ins[1])
    if not mutable:
        if is_float(value_type):
            dest = c.alloc_xmm()
            a.movs(value_type == F64, dest, where)
        else:
            dest = c.alloc_gpr()
            a.mov(dest, where, w=is_wide(value_type))
        c.push_reg(value_type, dest)
        return
    if value_type == F32:
        c.evict(RAX)
        c.claim(RAX)
        a.mov(R11, where, w=True)
        a.mov(RAX, Mem(R11), w=True)
        a.call(c.mc.d2f)
        dest = c.alloc_xmm()
        a.movd_to_xmm(dest, RAX)
        c.free_register(False, RAX)
        c.push_reg(F32, dest)
        return
    a.mov(R11, where, w=True)
    if value_type == F64:
        dest = c.alloc_xmm()
        a.movs(True, dest, Mem(R11))
    else:
        dest = c.alloc_gpr()
        a.mov(dest, Mem(R11), w=is_wide(value_type))
    c.push_reg(value_type, dest)


def global_set(c: FunctionCompiler, ins: tuple) -> None:
    a = c.a
    if _is_reference_global(c, ins[1]):
        from .reference import HELPER_GLOBAL_SET
        value = c.pop()
        c.spill_registers()
        c.store_value(value, c.io(0))
        c.release(value)
        c.call_out(HELPER_GLOBAL_SET, ins[1])
        c.reset_registers()
        return
    value_type, mutable, where = _global(c, ins[1])
    if value_type == F32:
        c.evict(RAX)
        c.claim(RAX)
        value = c.pop()
        if value.kind == CONST:
            a.mov_imm(RAX, value.data)
        elif value.kind == REG:
            a.movd_from_xmm(RAX, value.data)
        else:
            a.mov(RAX, c.location(value))          # the f32 bits from a slot or local
        c.release(value)
        a.call(c.mc.f2d)
        a.mov(R11, where, w=True)
        a.mov(Mem(R11), RAX, w=True)
        c.free_register(False, RAX)
        return
    value = c.pop()
    if value.kind == REG:
        source = value.data
    elif value.kind == LOCAL and not isinstance(c.homes[value.data], Mem):
        source = c.homes[value.data]
    else:
        source = c.to_reg(value)
        value = Value(REG, source, value_type)
    a.mov(R11, where, w=True)
    if value_type == F64:
        a.movs(True, Mem(R11), source)
    else:
        a.mov(Mem(R11), source, w=True)      # an i32 register is zero-extended
    c.release(value)


HANDLERS.update({
    int(Op.LOCAL_GET): local_get, int(Op.LOCAL_SET): local_set,
    int(Op.LOCAL_TEE): local_tee, int(Op.GLOBAL_GET): global_get,
    int(Op.GLOBAL_SET): global_set,
})
