"""Table instructions (Spec: Core 2.0 §4.4.6, exec/instructions.html#table-instructions).

``T{i}`` is table ``i``'s element list (grown in place) and ``t{i}`` its Table object.
Every access is bounds-checked explicitly (by the helpers of :mod:`.support`), so no
``IndexError`` can escape from generated code other than from memory accesses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from ..._opcodes import Op
from .codegen import Expr

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def table_get(c: FunctionCompiler, ins: tuple) -> None:
    (index,) = c.operands(1)
    c.push(c.make("table_get(T%d, %s)" % (ins[1], index.text), index, ordered=True))


def table_set(c: FunctionCompiler, ins: tuple) -> None:
    index, value = c.pop_n(2)
    c.before_side_effect()
    c.emit("table_set(T%d, %s, %s)" % (ins[1], index.text, value.text))


def table_size(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr("len(T%d)" % ins[1], ordered=True, depth=1))


def table_grow(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.6 (table.grow): the old size, or -1 (as u32) on failure."""
    init, delta = c.pop_n(2)
    c.before_side_effect()
    c.assign_results("t%d.grow(%s, %s) & 0xffffffff" % (ins[1], delta.text, init.text), 1)


def table_fill(c: FunctionCompiler, ins: tuple) -> None:
    args = c.pop_n(3)
    c.before_side_effect()
    c.emit("table_fill(T%d, %s)" % (ins[1], ", ".join(a.text for a in args)))


def table_copy(c: FunctionCompiler, ins: tuple) -> None:
    args = c.pop_n(3)
    c.before_side_effect()
    c.emit("table_copy(T%d, T%d, %s)" % (ins[1], ins[2], ", ".join(a.text for a in args)))


def table_init(c: FunctionCompiler, ins: tuple) -> None:
    args = c.pop_n(3)
    c.before_side_effect()
    c.emit("table_init(T%d, E[%d], %s)" % (ins[2], ins[1], ", ".join(a.text for a in args)))


def elem_drop(c: FunctionCompiler, ins: tuple) -> None:
    c.emit("E[%d] = []" % ins[1])


HANDLERS: Dict[int, Handler] = {
    int(Op["TABLE_GET"]): table_get, int(Op["TABLE_SET"]): table_set,
    int(Op["TABLE_SIZE"]): table_size, int(Op["TABLE_GROW"]): table_grow,
    int(Op["TABLE_FILL"]): table_fill, int(Op["TABLE_COPY"]): table_copy,
    int(Op["TABLE_INIT"]): table_init, int(Op["ELEM_DROP"]): elem_drop,
}
