"""The dispatch table: opcode -> handler, merged from the instruction families."""

from __future__ import annotations

from typing import Callable, Dict

from . import (
    control,
    conversion,
    floating,
    integer,
    memory,
    parametric,
    reference,
    table,
    variable,
    vector,
)

__all__ = ["HANDLERS"]

HANDLERS: Dict[int, Callable[..., None]] = {}
for _family in (control, parametric, variable, table, memory, reference, integer, floating,
                conversion, vector):
    HANDLERS.update(_family.HANDLERS)
