"""Variable instructions (Spec: Core 2.0 §4.4.4, exec/instructions.html#variable-
instructions).

Locals are Python locals ``l{i}``. Before a local is assigned, every pending expression
that reads it is materialized (it must see the old value). A mutable global is a cell
(``g{i}[0]``), an immutable one the value itself (``g{i}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from ..._opcodes import Op
from .codegen import Expr

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def local_get(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr.var("l%d" % ins[1]))


def _assign(c: FunctionCompiler, index: int) -> str:
    name = "l%d" % index
    value = c.stack[-1]
    if value.ordered:
        c.spill_ordered(len(c.stack) - 1)
    slot = "s%d" % (len(c.stack) - 1)
    c.spill_readers(name, len(c.stack) - 1)
    (value,) = c.pop_n(1)
    if value.text == name:
        return name
    last = c.out[-1] if c.out else None
    if value.text == slot and isinstance(last, str) and last.startswith(slot + " = "):
        # ``s3 = f7(...)`` just emitted and read only here: assign the local directly
        c.out[-1] = name + last[len(slot):]
        return name
    from .compiler import _bare
    c.emit("%s = %s" % (name, _bare(value.text)))
    return name


def local_set(c: FunctionCompiler, ins: tuple) -> None:
    _assign(c, ins[1])


def local_tee(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr.var(_assign(c, ins[1])))


def global_get(c: FunctionCompiler, ins: tuple) -> None:
    index = ins[1]
    if c.module.globals[index].mutable:
        c.push(Expr("g%d[0]" % index, ordered=True, depth=1))
    else:
        c.push(Expr.stable("g%d" % index))


def global_set(c: FunctionCompiler, ins: tuple) -> None:
    (value,) = c.pop_n(1)
    c.before_side_effect()
    from .compiler import _bare
    c.emit("g%d[0] = %s" % (ins[1], _bare(value.text)))


HANDLERS: Dict[int, Handler] = {
    int(Op["LOCAL_GET"]): local_get,
    int(Op["LOCAL_SET"]): local_set,
    int(Op["LOCAL_TEE"]): local_tee,
    int(Op["GLOBAL_GET"]): global_get,
    int(Op["GLOBAL_SET"]): global_set,
}
