"""Shapes shared by the numeric handler families: unary, binary, compare, helper call.

Each function pops operands from the compiler's stack and pushes the resulting pending
expression; constant operands are folded at compile time with the same
:mod:`zerowasm._numeric` function the generated code would call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from ... import _numeric
from ..._errors import Trap
from .codegen import Expr

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["binary", "unary", "compare", "call_helper", "fold_with", "MASK32", "MASK64"]

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def fold_with(name: str) -> Callable[..., Optional[int]]:
    """A constant folder calling ``_numeric.<name>`` (None when it would trap)."""
    function = getattr(_numeric, name)

    def fold(*args: Any) -> Optional[int]:
        try:
            result: Optional[int] = function(*args)
            return result
        except Trap:
            return None
    return fold


def _try_fold(c: FunctionCompiler, n: int, fold: Optional[Callable[..., Optional[int]]]) -> bool:
    if fold is None:
        return False
    stack = c.stack
    values = stack[len(stack) - n:]
    if not all(v.const is not None for v in values):
        return False
    result = fold(*(v.const for v in values))
    if type(result) is not int:
        return False
    c.pop_n(n)
    c.push(Expr.integer(result))
    return True


def binary(c: FunctionCompiler, template: str, fold: Optional[Callable[..., Optional[int]]] = None,
           ordered: bool = False) -> None:
    """Pop ``a b``, push ``template.format(a=..., b=...)``."""
    if _try_fold(c, 2, fold):
        return
    a, b = c.operands(2)
    c.push(c.make(template.format(a=a.text, b=b.text), a, b, ordered=ordered))


def unary(c: FunctionCompiler, template: str, fold: Optional[Callable[..., Optional[int]]] = None,
          ordered: bool = False) -> None:
    """Pop ``a``, push ``template.format(a=...)``."""
    if _try_fold(c, 1, fold):
        return
    (a,) = c.operands(1)
    c.push(c.make(template.format(a=a.text), a, ordered=ordered))


Folder = Optional[Callable[..., Optional[int]]]


def compare(c: FunctionCompiler, template: str, fold: Folder = None) -> None:
    """Pop ``a b``, push the i32 truth of ``template`` (kept as a condition too)."""
    if _try_fold(c, 2, fold):
        return
    a, b = c.operands(2)
    cond = "(" + template.format(a=a.text, b=b.text) + ")"
    c.push(c.make("(1 if %s else 0)" % cond, a, b, cond=cond))


def call_helper(c: FunctionCompiler, name: str, n: int, ordered: bool = False,
                fold: bool = True) -> None:
    """Pop ``n`` operands, push ``name(operands)`` (a function from HELPERS)."""
    if fold and _try_fold(c, n, fold_with(name)):
        return
    args = c.operands(n)
    c.push(c.make("%s(%s)" % (name, ", ".join(_arg(a.text) for a in args)), *args,
                  ordered=ordered))


def _arg(text: str) -> str:
    from .compiler import _bare
    return _bare(text)
