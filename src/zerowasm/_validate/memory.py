"""Memory instructions.

Spec: Core 2.0 §3.3.7 (valid/instructions.html#memory-instructions). Loads and stores
are frequent, so the function-body checker handles them inline from ``LOADS`` and
``STORES`` (opcode -> (largest valid alignment exponent, value type)); the others are
*typers*: ``typer(context, instruction) -> (operand types, result types)``, raising
:class:`.context.Invalid` for a bad immediate.
"""

from __future__ import annotations

from typing import Callable, Dict, Tuple

from .._opcodes import IMMEDIATES, MEMORY_ACCESS_SIZE, SIGNATURES, Imm, Op
from .context import ModuleContext

__all__ = ["LOADS", "STORES", "TYPERS", "ALIGNMENT_ERROR"]

Typer = Callable[[ModuleContext, tuple], Tuple[Tuple[int, ...], Tuple[int, ...]]]

ALIGNMENT_ERROR = "alignment must not be larger than natural"

#: load opcode -> (max alignment exponent, result type)
LOADS: Dict[int, Tuple[int, int]] = {}
#: store opcode -> (max alignment exponent, stored value type)
STORES: Dict[int, Tuple[int, int]] = {}

for _op, _size in MEMORY_ACCESS_SIZE.items():
    if IMMEDIATES[_op] is not Imm.MEMARG:
        continue  # v128.loadN_lane/storeN_lane: typed in .vector
    _params, _results = SIGNATURES[_op]
    _align = _size.bit_length() - 1
    if _results:
        LOADS[_op] = (_align, int(_results[0]))
    else:
        STORES[_op] = (_align, int(_params[1]))

_I32 = 0x7F
_NONE: Tuple[int, ...] = ()
_ONE_I32 = (_I32,)
_THREE_I32 = (_I32, _I32, _I32)


def memory_size(c: ModuleContext, ins: tuple) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """``memory.size``: [] -> [i32]."""
    c.memory(ins[1])
    return _NONE, _ONE_I32


def memory_grow(c: ModuleContext, ins: tuple) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """``memory.grow``: [i32] -> [i32]."""
    c.memory(ins[1])
    return _ONE_I32, _ONE_I32


def memory_fill(c: ModuleContext, ins: tuple) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """``memory.fill``: [i32 i32 i32] -> []."""
    c.memory(ins[1])
    return _THREE_I32, _NONE


def memory_copy(c: ModuleContext, ins: tuple) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """``memory.copy``: [i32 i32 i32] -> []."""
    c.memory(ins[1])
    c.memory(ins[2])
    return _THREE_I32, _NONE


def memory_init(c: ModuleContext, ins: tuple) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """``memory.init x``: [i32 i32 i32] -> []; needs data segment x."""
    c.memory(ins[2])
    c.data(ins[1])
    return _THREE_I32, _NONE


def data_drop(c: ModuleContext, ins: tuple) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """``data.drop x``: [] -> []; needs data segment x."""
    c.data(ins[1])
    return _NONE, _NONE


TYPERS: Dict[int, Typer] = {
    Op.MEMORY_SIZE: memory_size,
    Op.MEMORY_GROW: memory_grow,
    Op.MEMORY_FILL: memory_fill,
    Op.MEMORY_COPY: memory_copy,
    Op.MEMORY_INIT: memory_init,
    Op.DATA_DROP: data_drop,
}
