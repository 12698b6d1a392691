"""f32/f64 numeric instructions (Spec: Core 2.0 §4.4.1; operators in §4.3.3,
exec/numerics.html#floating-point-operations).

f64 ``+ - *`` and comparisons are Python's own float operations (IEEE 754 binary64,
round to nearest); negation is Python's ``-x`` (a sign-bit flip, NaN payload kept).
Everything Python does differently (division by zero, ``sqrt`` of negatives, min/max,
rounding functions, NaN bits) and all f32 arithmetic (computed in double, rounded once
to single) goes through :mod:`zerowasm._numeric` helpers. Constants are literals when
Python's ``repr`` round-trips them, names bound at load time otherwise (NaN, inf).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Dict

from ..._numeric import f32_from_bits, f64_from_bits
from ..._opcodes import Op
from .codegen import Expr
from .common import binary, call_helper, compare, unary

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS", "float_constant"]

Handler = Callable[["FunctionCompiler", tuple], None]


def float_constant(c: FunctionCompiler, value: float, bits: int, width: int) -> Expr:
    """An expression for a float constant keeping its exact bits."""
    if math.isfinite(value):
        text = repr(value)
        if text.startswith("-"):
            text = "(" + text + ")"
        return Expr.stable(text)
    source = "f%d_from_bits(%s)" % (width, hex(bits))
    return Expr.stable(c.constant(source))


def f32_const(c: FunctionCompiler, ins: tuple) -> None:
    c.push(float_constant(c, f32_from_bits(ins[1]), ins[1], 32))


def f64_const(c: FunctionCompiler, ins: tuple) -> None:
    c.push(float_constant(c, f64_from_bits(ins[1]), ins[1], 64))


def _inline_binary(op: str, name: str) -> Handler:
    template = "({a} %s {b})" % op

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        binary(c, template)
    handler.__name__ = name
    return handler


def _helper(name: str, n: int) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        call_helper(c, name, n, fold=False)
    handler.__name__ = name
    return handler


f64_add = _inline_binary("+", "f64_add")
f64_sub = _inline_binary("-", "f64_sub")
f64_mul = _inline_binary("*", "f64_mul")


def f64_div(c: FunctionCompiler, ins: tuple) -> None:
    b = c.stack[-1]
    text = b.text.strip("()")
    try:
        divisor = float(text)
    except ValueError:
        divisor = 0.0
    if divisor != 0.0 and math.isfinite(divisor) and not b.reads and not b.ordered:
        binary(c, "({a} / {b})")
    else:
        call_helper(c, "f64_div", 2, fold=False)


def f64_neg(c: FunctionCompiler, ins: tuple) -> None:
    unary(c, "(-{a})")


f32_neg = f64_neg

f32_add = _helper("f32_add", 2)
f32_sub = _helper("f32_sub", 2)
f32_mul = _helper("f32_mul", 2)
f32_div = _helper("f32_div", 2)
f32_sqrt = _helper("f32_sqrt", 1)
f64_sqrt = _helper("f64_sqrt", 1)
f32_min = _helper("f32_min", 2)
f32_max = _helper("f32_max", 2)
f64_min = _helper("f64_min", 2)
f64_max = _helper("f64_max", 2)
f32_copysign = _helper("f32_copysign", 2)
f64_copysign = _helper("f64_copysign", 2)
f32_abs = _helper("f32_abs", 1)
f64_abs = _helper("f64_abs", 1)
f32_ceil = _helper("f32_ceil", 1)
f32_floor = _helper("f32_floor", 1)
f32_trunc = _helper("f32_trunc", 1)
f32_nearest = _helper("f32_nearest", 1)
f64_ceil = _helper("f64_ceil", 1)
f64_floor = _helper("f64_floor", 1)
f64_trunc = _helper("f64_trunc", 1)
f64_nearest = _helper("f64_nearest", 1)


def _compare(op: str, name: str) -> Handler:
    template = "{a} %s {b}" % op

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        compare(c, template)
    handler.__name__ = name
    return handler


f32_eq = f64_eq = _compare("==", "f64_eq")
f32_ne = f64_ne = _compare("!=", "f64_ne")
f32_lt = f64_lt = _compare("<", "f64_lt")
f32_gt = f64_gt = _compare(">", "f64_gt")
f32_le = f64_le = _compare("<=", "f64_le")
f32_ge = f64_ge = _compare(">=", "f64_ge")


HANDLERS: Dict[int, Handler] = {}
for _name in [n for n in Op.__members__ if n.startswith(("F32_", "F64_"))]:
    _handler = globals().get(_name.lower())
    if _handler is not None and callable(_handler) and _name.lower() != "float_constant":
        HANDLERS[int(getattr(Op, _name))] = _handler
