"""Reference instructions and the table instructions that move references. Spec: Core
2.0 §4.4.2 (exec/instructions.html#reference-instructions) and §4.4.6 (table.get, set,
grow, fill).

Theory of operation
-------------------
A reference (funcref or externref) is a Python object; machine code holds a 64-bit
*handle* for it instead: 0 is null, any other value indexes the instance's list of
objects it has seen (:meth:`.instance.NativeInstance.handle_of`; the same object always
gets the same handle). Wasm 2.0 can only test a reference for null, store it, pass it
and call through a table, so handles need no more than that. ``ref.func i`` reads the
handle the context holds for function ``i``; tables and reference globals live in
Python, so their instructions call into Python (the handles are translated there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._opcodes import Op
from .function import CONST, CTX, FUNCREF, HANDLERS, I32, Value
from .integer import push_flags
from .x64 import CC_E, Mem

if TYPE_CHECKING:
    from .function import FunctionCompiler

__all__ = ["HELPER_GLOBAL_GET", "HELPER_GLOBAL_SET", "HELPER_TABLE_GET", "HELPER_TABLE_SET",
           "HELPER_TABLE_GROW", "HELPER_TABLE_FILL"]

HELPER_GLOBAL_GET = (1 << 24) + 9
HELPER_GLOBAL_SET = (1 << 24) + 10
HELPER_TABLE_GET = (1 << 24) + 11
HELPER_TABLE_SET = (1 << 24) + 12
HELPER_TABLE_GROW = (1 << 24) + 13
HELPER_TABLE_FILL = (1 << 24) + 14


def ref_null(c: FunctionCompiler, ins: tuple) -> None:
    c.push_const(int(ins[1]), 0)


def ref_is_null(c: FunctionCompiler, ins: tuple) -> None:
    value = c.pop()
    if value.kind == CONST:
        c.push_const(I32, int(value.data == 0))
        return
    where = c.location(value)
    if isinstance(where, Mem):
        c.a.alu_imm("cmp", where, 0, w=True)
    else:
        c.a.test(where, where, w=True)
    c.release(value)
    push_flags(c, CC_E)


def ref_func(c: FunctionCompiler, ins: tuple) -> None:
    dest = c.alloc_gpr()
    c.a.mov(dest, Mem(CTX, c.mc.reffunc_offset + 8 * ins[1]), w=True)
    c.push_reg(FUNCREF, dest)


def _helper(c: FunctionCompiler, key: int, extra: int, operands: int, result: int) -> None:
    values = c.pop_n(operands)
    c.spill_registers()
    for i, value in enumerate(values):
        c.store_value(value, c.io(i))
        c.release(value)
    c.call_out(key, extra)
    c.reset_registers()
    if result:
        dest = c.alloc_gpr()
        c.a.mov(dest, c.io(0), w=result != I32)
        c.push_reg(result, dest)


def table_get(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_TABLE_GET, ins[1], 1, int(c.module.tables[ins[1]].element))


def table_set(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_TABLE_SET, ins[1], 2, 0)


def table_grow(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_TABLE_GROW, ins[1], 2, I32)


def table_fill(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_TABLE_FILL, ins[1], 3, 0)


HANDLERS.update({
    int(Op.REF_NULL): ref_null, int(Op.REF_IS_NULL): ref_is_null, int(Op.REF_FUNC): ref_func,
    int(Op.TABLE_GET): table_get, int(Op.TABLE_SET): table_set,
    int(Op.TABLE_GROW): table_grow, int(Op.TABLE_FILL): table_fill,
})

_unused = (Value,)
