"""Table instructions whose operands are all integers: ``table.size``, ``table.copy``,
``table.init`` and ``elem.drop``. Spec: Core 2.0 §4.4.6
(exec/instructions.html#table-instructions).

Tables hold Python objects, so these run in Python (the runtime's helpers, the same the
Python tier uses) through the dispatcher; their writes go through the table's element
list, which keeps the native entry array in sync (:mod:`.tables`). Instructions that
put references on the operand stack (``table.get``/``set``/``grow``/``fill``,
``ref.*``) are not compiled: such functions stay in the Python tier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._opcodes import Op
from .function import HANDLERS, I32

if TYPE_CHECKING:
    from .function import FunctionCompiler

__all__ = ["HELPER_TABLE_SIZE", "HELPER_TABLE_COPY", "HELPER_TABLE_INIT", "HELPER_ELEM_DROP"]

HELPER_TABLE_SIZE = (1 << 24) + 4
HELPER_TABLE_COPY = (1 << 24) + 5
HELPER_TABLE_INIT = (1 << 24) + 6
HELPER_ELEM_DROP = (1 << 24) + 7


def _helper(c: FunctionCompiler, key: int, extra: int, operands: int, result: bool) -> None:
    values = c.pop_n(operands)
    c.spill_registers()
    for i, value in enumerate(values):
        c.store_value(value, c.io(i))
        c.release(value)
    c.call_out(key, extra)
    c.reset_registers()
    if result:
        dest = c.alloc_gpr()
        c.a.mov(dest, c.io(0))
        c.push_reg(I32, dest)


def table_size(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_TABLE_SIZE, ins[1], 0, True)


def table_copy(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_TABLE_COPY, ins[1] << 32 | ins[2], 3, False)


def table_init(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_TABLE_INIT, ins[2] << 32 | ins[1], 3, False)


def elem_drop(c: FunctionCompiler, ins: tuple) -> None:
    _helper(c, HELPER_ELEM_DROP, ins[1], 0, False)


HANDLERS.update({
    int(Op.TABLE_SIZE): table_size, int(Op.TABLE_COPY): table_copy,
    int(Op.TABLE_INIT): table_init, int(Op.ELEM_DROP): elem_drop,
})
