"""Constant expressions: global initializers and segment offsets and elements.

Spec: Core 2.0 §3.3.10 (valid/instructions.html#constant-expressions) and §3.4.10
(valid/modules.html#valid-module): a constant expression holds only ``t.const``,
``ref.null``, ``ref.func`` and ``global.get`` of an *imported*, immutable global (2.0
validates every constant expression under the context C' whose globals are just the
imported ones), and leaves exactly one value of the expected type.
"""

from __future__ import annotations

from typing import Callable, Dict, List

from .._opcodes import Op
from .context import Invalid, ModuleContext, type_name

__all__ = ["CONSTANT_TYPERS", "check_constant"]

ConstantTyper = Callable[[ModuleContext, tuple], int]


def _global_get(c: ModuleContext, ins: tuple) -> int:
    index = ins[1]
    if index >= c.imported_global_count:
        raise Invalid("unknown global %d" % index)
    t, mutable = c.globals[index]
    if mutable:
        raise Invalid("constant expression required: global %d is mutable" % index)
    return t


def _ref_func(c: ModuleContext, ins: tuple) -> int:
    c.function(ins[1])
    return 0x70


def _ref_null(c: ModuleContext, ins: tuple) -> int:
    return int(ins[1])


#: opcode -> typer(context, instruction) -> result type.
CONSTANT_TYPERS: Dict[int, ConstantTyper] = {
    Op.I32_CONST: lambda c, ins: 0x7F,
    Op.I64_CONST: lambda c, ins: 0x7E,
    Op.F32_CONST: lambda c, ins: 0x7D,
    Op.F64_CONST: lambda c, ins: 0x7C,
    Op.V128_CONST: lambda c, ins: 0x7B,
    Op.REF_NULL: _ref_null,
    Op.REF_FUNC: _ref_func,
    Op.GLOBAL_GET: _global_get,
}


def check_constant(c: ModuleContext, expr: List[tuple], expected: int) -> None:
    """Check that ``expr`` is constant and produces one value of type ``expected``."""
    stack: List[int] = []
    for ins in expr:
        typer = CONSTANT_TYPERS.get(ins[0])
        if typer is None:
            raise Invalid("constant expression required")
        stack.append(typer(c, ins))
    if stack != [expected]:
        raise Invalid("type mismatch: constant expression must produce [%s], not [%s]" % (
            type_name(expected), " ".join(type_name(t) for t in stack)))
