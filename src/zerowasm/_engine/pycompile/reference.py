"""Reference instructions (Spec: Core 2.0 §4.4.2, exec/instructions.html#reference-
instructions). A null reference is ``None``; ``ref.func i`` is the namespace's ``F{i}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from ..._opcodes import Op
from .codegen import Expr

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def ref_null(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr.stable("None"))


def ref_is_null(c: FunctionCompiler, ins: tuple) -> None:
    (a,) = c.operands(1)
    cond = "(%s is None)" % a.text
    c.push(c.make("(1 if %s else 0)" % cond, a, cond=cond))


def ref_func(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr.stable("F%d" % ins[1]))


HANDLERS: Dict[int, Handler] = {
    int(Op["REF_NULL"]): ref_null,
    int(Op["REF_IS_NULL"]): ref_is_null,
    int(Op["REF_FUNC"]): ref_func,
}
