"""Reference instructions ``ref.null`` and ``ref.func``, as *typers* (see :mod:`.memory`).

Spec: Core 2.0 §3.3.2 (valid/instructions.html#reference-instructions). ``ref.is_null``
depends on its operand's type and is handled by the function-body checker itself.
"""

from __future__ import annotations

from typing import Dict, Tuple

from .._opcodes import Op
from .context import Invalid, ModuleContext
from .memory import Typer

__all__ = ["TYPERS", "REFERENCE_TYPES"]

_FUNCREF = 0x70
#: reference type codes (funcref, externref)
REFERENCE_TYPES = frozenset((0x70, 0x6F))
Sig = Tuple[Tuple[int, ...], Tuple[int, ...]]


def ref_null(c: ModuleContext, ins: tuple) -> Sig:
    """``ref.null t``: [] -> [t]."""
    t = int(ins[1])
    if t not in REFERENCE_TYPES:
        raise Invalid("malformed reference type")
    return (), (t,)


def ref_func(c: ModuleContext, ins: tuple) -> Sig:
    """``ref.func x``: [] -> [funcref]; x must be declared outside function bodies."""
    c.function(ins[1])
    if ins[1] not in c.refs:
        raise Invalid("undeclared function reference %d" % ins[1])
    return (), (_FUNCREF,)


TYPERS: Dict[int, Typer] = {
    Op.REF_NULL: ref_null,
    Op.REF_FUNC: ref_func,
}
