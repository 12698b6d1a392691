"""Parametric instructions (Spec: Core 2.0 §4.4.3, exec/instructions.html#parametric-
instructions): ``drop`` and ``select``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from ..._opcodes import Op

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def drop(c: FunctionCompiler, ins: tuple) -> None:
    """A dropped value that may trap is still evaluated, in order."""
    if c.stack[-1].ordered:
        c.spill_ordered(len(c.stack) - 1)
        (value,) = c.pop_n(1)
        c.emit(value.text)
    else:
        c.pop()


def select(c: FunctionCompiler, ins: tuple) -> None:
    """``a if c else b``: Python evaluates only one arm, so ordered operands (which must
    all be evaluated, in order) are materialized first."""
    stack = c.stack
    top = len(stack)
    if any(stack[q].ordered for q in range(top - 3, top)):
        c.spill_ordered()
    a, b, cond = c.operands(3)
    c.push(c.make("(%s if %s else %s)" % (a.text, cond.truth, b.text), a, b, cond))


select_t = select

HANDLERS: Dict[int, Handler] = {
    int(Op["DROP"]): drop, int(Op["SELECT"]): select, int(Op["SELECT_T"]): select_t,
}
