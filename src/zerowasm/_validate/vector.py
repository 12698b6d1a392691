"""Vector instructions whose validity depends on an immediate: lanes and lane memargs.

Spec: Core 2.0 §3.3.2 (valid/instructions.html#vector-instructions) and §3.3.7
(#memory-instructions). Most vector instructions have a fixed type and are typed from
``SIGNATURES`` like the numeric ones (inline for ``[v128] -> [v128]`` and
``[v128 v128] -> [v128]``, see :mod:`.numeric`); the plain vector loads and stores are
checked inline with the scalar ones (:mod:`.memory`). What is left needs a check of its
immediates, done by the *typers* below (``typer(context, instruction) -> (operand
types, result types)``):

* ``i8x16.shuffle``: every lane index is below 32 ("invalid lane index");
* ``extract_lane``/``replace_lane``: the lane index is below the shape's lane count;
* ``v128.loadN_lane``/``v128.storeN_lane``: a memory exists, the alignment is at most
  natural, the lane index is below ``128 / N``.
"""

from __future__ import annotations

from typing import Callable, Dict, Tuple

from .._opcodes import IMMEDIATES, MEMORY_ACCESS_SIZE, OPCODE_NAMES, SIGNATURES, Imm, Op
from .context import Invalid, ModuleContext
from .memory import ALIGNMENT_ERROR

__all__ = ["TYPERS", "LANE_ERROR"]

Signature = Tuple[Tuple[int, ...], Tuple[int, ...]]
Typer = Callable[[ModuleContext, tuple], Signature]

LANE_ERROR = "invalid lane index"

_LANES = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "i64x2": 2, "f32x4": 4, "f64x2": 2}


def _int_signature(op: int) -> Signature:
    params, results = SIGNATURES[op]
    return tuple(int(t) for t in params), tuple(int(t) for t in results)


def i8x16_shuffle(c: ModuleContext, ins: tuple) -> Signature:
    """``i8x16.shuffle l*``: [v128 v128] -> [v128], each lane index below 32."""
    for lane in ins[1]:
        if lane >= 32:
            raise Invalid(LANE_ERROR)
    return _SHUFFLE_SIGNATURE


_SHUFFLE_SIGNATURE = _int_signature(Op.I8X16_SHUFFLE)


def _lane_typer(op: int, lanes: int) -> Typer:
    """``shape.extract_lane l`` / ``shape.replace_lane l``: ``l`` below the lane count."""
    signature = _int_signature(op)

    def typer(c: ModuleContext, ins: tuple) -> Signature:
        if ins[1] >= lanes:
            raise Invalid(LANE_ERROR)
        return signature
    typer.__name__ = OPCODE_NAMES[op].replace(".", "_")
    return typer


def _memory_lane_typer(op: int, size: int) -> Typer:
    """``v128.loadN_lane m l`` / ``v128.storeN_lane m l``: memory 0 exists, ``2**align``
    at most ``N/8`` bytes, ``l`` below ``128/N``."""
    signature = _int_signature(op)
    max_align = size.bit_length() - 1
    lanes = 16 // size

    def typer(c: ModuleContext, ins: tuple) -> Signature:
        c.memory(0)
        if ins[1] > max_align:
            raise Invalid(ALIGNMENT_ERROR)
        if ins[3] >= lanes:
            raise Invalid(LANE_ERROR)
        return signature
    typer.__name__ = OPCODE_NAMES[op].replace(".", "_")
    return typer


TYPERS: Dict[int, Typer] = {int(Op.I8X16_SHUFFLE): i8x16_shuffle}
for _op, _imm in IMMEDIATES.items():
    if _imm is Imm.LANE:
        TYPERS[_op] = _lane_typer(_op, _LANES[OPCODE_NAMES[_op].split(".")[0]])
    elif _imm is Imm.MEMARG_LANE:
        TYPERS[_op] = _memory_lane_typer(_op, MEMORY_ACCESS_SIZE[_op])
