"""Control instructions that are *typers* (see :mod:`.memory`): ``call_indirect``.

Spec: Core 2.0 §3.3.8 (valid/instructions.html#control-instructions). Blocks, branches,
``call`` and ``return`` shape the control stack and are handled by the function-body
checker (:mod:`.function`) itself.
"""

from __future__ import annotations

from typing import Dict, Tuple

from .._opcodes import Op
from .context import Invalid, ModuleContext
from .memory import Typer

__all__ = ["TYPERS"]

_FUNCREF = 0x70
Sig = Tuple[Tuple[int, ...], Tuple[int, ...]]


def call_indirect(c: ModuleContext, ins: tuple) -> Sig:
    """``call_indirect x y`` (immediates: type, table): [t1* i32] -> [t2*]."""
    element = c.table(ins[2])
    params, results = c.type(ins[1])[:2]
    if element != _FUNCREF:
        raise Invalid("type mismatch: call_indirect needs a funcref table")
    return params + (0x7F,), results


TYPERS: Dict[int, Typer] = {
    Op.CALL_INDIRECT: call_indirect,
}
