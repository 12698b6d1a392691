"""Conversions between value types (Spec: Core 2.0 §4.4.1; operators in §4.3.4,
exec/numerics.html#conversions).

Exact integer-to-double conversions are ``x + 0.0`` (Python converts an int to the
nearest double, ties to even); wrapping and extension are masks. Everything that traps
(``trunc``), saturates, rounds to f32 or deals with bit patterns is a
:mod:`zerowasm._numeric` helper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from ..._opcodes import Op
from .common import MASK32, call_helper, fold_with, unary

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def i32_wrap_i64(c: FunctionCompiler, ins: tuple) -> None:
    a = c.stack[-1]
    if a.const is not None:
        unary(c, "({a} & %s)" % hex(MASK32), fold_with("i32_wrap_i64"))
        return
    (a,) = c.operands(1)
    c.push(c.make(a.raw, a, wrap=MASK32))


def i64_extend_i32_u(c: FunctionCompiler, ins: tuple) -> None:
    """The value is unchanged (already unsigned) once canonical."""
    a = c.stack[-1]
    if a.wrap:
        (a,) = c.operands(1)
        c.push(c.make(a.text, a))


def i64_extend_i32_s(c: FunctionCompiler, ins: tuple) -> None:
    unary(c, "((({a} ^ 0x80000000) - 0x80000000) & 0xffffffffffffffff)",
          fold_with("i64_extend_i32_s"))


def f64_convert_i32_u(c: FunctionCompiler, ins: tuple) -> None:
    unary(c, "({a} + 0.0)")


def f64_convert_i32_s(c: FunctionCompiler, ins: tuple) -> None:
    unary(c, "((({a} ^ 0x80000000) - 0x80000000) + 0.0)")


f64_convert_i64_u = f64_convert_i32_u


def f64_convert_i64_s(c: FunctionCompiler, ins: tuple) -> None:
    unary(c, "((({a} ^ 0x8000000000000000) - 0x8000000000000000) + 0.0)")


def _helper(name: str, ordered: bool = False) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        call_helper(c, name, 1, ordered=ordered, fold=False)
    handler.__name__ = name
    return handler


# trapping truncations are ordered: they must not move across side effects
i32_trunc_f32_s = _helper("i32_trunc_f32_s", True)
i32_trunc_f32_u = _helper("i32_trunc_f32_u", True)
i32_trunc_f64_s = _helper("i32_trunc_f64_s", True)
i32_trunc_f64_u = _helper("i32_trunc_f64_u", True)
i64_trunc_f32_s = _helper("i64_trunc_f32_s", True)
i64_trunc_f32_u = _helper("i64_trunc_f32_u", True)
i64_trunc_f64_s = _helper("i64_trunc_f64_s", True)
i64_trunc_f64_u = _helper("i64_trunc_f64_u", True)
i32_trunc_sat_f32_s = _helper("i32_trunc_sat_f32_s")
i32_trunc_sat_f32_u = _helper("i32_trunc_sat_f32_u")
i32_trunc_sat_f64_s = _helper("i32_trunc_sat_f64_s")
i32_trunc_sat_f64_u = _helper("i32_trunc_sat_f64_u")
i64_trunc_sat_f32_s = _helper("i64_trunc_sat_f32_s")
i64_trunc_sat_f32_u = _helper("i64_trunc_sat_f32_u")
i64_trunc_sat_f64_s = _helper("i64_trunc_sat_f64_s")
i64_trunc_sat_f64_u = _helper("i64_trunc_sat_f64_u")
f32_convert_i32_s = _helper("f32_convert_i32_s")
f32_convert_i32_u = _helper("f32_convert_i32_u")
f32_convert_i64_s = _helper("f32_convert_i64_s")
f32_convert_i64_u = _helper("f32_convert_i64_u")
f32_demote_f64 = _helper("f32_demote_f64")
f64_promote_f32 = _helper("f64_promote_f32")
i32_reinterpret_f32 = _helper("i32_reinterpret_f32")
i64_reinterpret_f64 = _helper("i64_reinterpret_f64")
f32_reinterpret_i32 = _helper("f32_reinterpret_i32")
f64_reinterpret_i64 = _helper("f64_reinterpret_i64")

HANDLERS: Dict[int, Handler] = {}
for _name in Op.__members__:
    _lower = _name.lower()
    if "x" in _lower.split("_")[0]:
        continue  # vector conversions (i32x4.trunc_sat_f32x4_s, ...): see .vector
    if "_" in _lower and any(w in _lower for w in ("wrap", "extend_i32", "trunc_", "convert",
                                                    "demote", "promote", "reinterpret")):
        HANDLERS[int(getattr(Op, _name))] = globals()[_lower]
