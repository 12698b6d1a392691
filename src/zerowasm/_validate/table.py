"""Table instructions, as *typers* (see :mod:`.memory`).

Spec: Core 2.0 §3.3.6 (valid/instructions.html#table-instructions).
"""

from __future__ import annotations

from typing import Dict, Tuple

from .._opcodes import Op
from .context import Invalid, ModuleContext
from .memory import Typer

__all__ = ["TYPERS"]

_I32 = 0x7F
Sig = Tuple[Tuple[int, ...], Tuple[int, ...]]


def table_get(c: ModuleContext, ins: tuple) -> Sig:
    """``table.get x``: [i32] -> [t]."""
    return (_I32,), (c.table(ins[1]),)


def table_set(c: ModuleContext, ins: tuple) -> Sig:
    """``table.set x``: [i32 t] -> []."""
    return (_I32, c.table(ins[1])), ()


def table_size(c: ModuleContext, ins: tuple) -> Sig:
    """``table.size x``: [] -> [i32]."""
    c.table(ins[1])
    return (), (_I32,)


def table_grow(c: ModuleContext, ins: tuple) -> Sig:
    """``table.grow x``: [t i32] -> [i32]."""
    return (c.table(ins[1]), _I32), (_I32,)


def table_fill(c: ModuleContext, ins: tuple) -> Sig:
    """``table.fill x``: [i32 t i32] -> []."""
    return (_I32, c.table(ins[1]), _I32), ()


def table_copy(c: ModuleContext, ins: tuple) -> Sig:
    """``table.copy x y``: [i32 i32 i32] -> []; both tables hold the same type."""
    if c.table(ins[1]) != c.table(ins[2]):
        raise Invalid("type mismatch: table.copy between tables of different types")
    return (_I32, _I32, _I32), ()


def table_init(c: ModuleContext, ins: tuple) -> Sig:
    """``table.init x y`` (immediates: element segment, table): [i32 i32 i32] -> []."""
    table = c.table(ins[2])
    if c.element(ins[1]) != table:
        raise Invalid("type mismatch: element segment and table types differ")
    return (_I32, _I32, _I32), ()


def elem_drop(c: ModuleContext, ins: tuple) -> Sig:
    """``elem.drop x``: [] -> []."""
    c.element(ins[1])
    return (), ()


TYPERS: Dict[int, Typer] = {
    Op.TABLE_GET: table_get,
    Op.TABLE_SET: table_set,
    Op.TABLE_SIZE: table_size,
    Op.TABLE_GROW: table_grow,
    Op.TABLE_FILL: table_fill,
    Op.TABLE_COPY: table_copy,
    Op.TABLE_INIT: table_init,
    Op.ELEM_DROP: elem_drop,
}
