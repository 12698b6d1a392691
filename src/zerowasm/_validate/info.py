"""What validation records for the engines, so that no engine re-derives it.

Spec: Core 2.0 §3.3 (valid/instructions.html) and the validation algorithm of the
appendix (appendix/algorithm.html). For every function body the validator produces a
:class:`FunctionInfo`; instruction indices refer to the list returned by
``zerowasm._binary.code.decode_body`` for that body.
"""

from __future__ import annotations

from typing import Dict, Tuple

from .._types import ValType

__all__ = ["BlockInfo", "FunctionInfo"]


class BlockInfo:
    """One ``block``, ``loop`` or ``if`` (or the function body itself, at index -1).

    ``end`` is the index of the matching ``end`` instruction, ``else_`` the index of the
    ``else`` (-1 when there is none). ``params``/``results`` are the block type.
    ``height`` is the operand stack height when the block starts, *below* its
    parameters. ``branched`` is true when some reachable ``br``/``br_if``/``br_table``
    targets this label (for a loop: jumps back to its start).
    """

    __slots__ = ("kind", "start", "end", "else_", "params", "results", "height", "branched")

    def __init__(self, kind: str, start: int, params: Tuple[ValType, ...],
                 results: Tuple[ValType, ...], height: int) -> None:
        self.kind = kind          # "block" | "loop" | "if" | "function"
        self.start = start
        self.end = -1
        self.else_ = -1
        self.params = params
        self.results = results
        self.height = height
        self.branched = False

    def __repr__(self) -> str:
        return "BlockInfo(%s %d..%d else=%d %r->%r h=%d br=%r)" % (
            self.kind, self.start, self.end, self.else_, self.params, self.results,
            self.height, self.branched)


class FunctionInfo:
    """Validation's record of one function body.

    ``blocks`` maps the instruction index of each ``block``/``loop``/``if`` (and -1 for
    the function body) to its :class:`BlockInfo`. ``max_height`` is the largest operand
    stack height reached. ``locals`` is the full local list (parameters first).
    """

    __slots__ = ("blocks", "max_height", "locals")

    def __init__(self, blocks: Dict[int, BlockInfo], max_height: int,
                 locals: Tuple[ValType, ...]) -> None:
        self.blocks = blocks
        self.max_height = max_height
        self.locals = locals
