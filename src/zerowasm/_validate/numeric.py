"""Numeric instructions: every one has a fixed type, so they are data, not code.

Spec: Core 2.0 §3.3.1 (valid/instructions.html#numeric-instructions). The function-body
checker handles these inline from the three tables below (no call per instruction):
``CONSTANTS`` (``t.const``: [] -> [t]), ``UNARY`` ([t1] -> [t2]: tests, unary
operators, conversions) and ``BINARY`` ([t t] -> [t2]: binary operators, comparisons).
Types are plain ``int`` codes (see :mod:`.context`).
"""

from __future__ import annotations

from typing import Dict, Tuple

from .._opcodes import IMMEDIATES, MEMORY_ACCESS_SIZE, SIGNATURES, Imm

__all__ = ["CONSTANTS", "UNARY", "BINARY"]

#: opcode -> result type of ``t.const``
CONSTANTS: Dict[int, int] = {}
#: opcode -> (operand type, result type)
UNARY: Dict[int, Tuple[int, int]] = {}
#: opcode -> (type of both operands, result type)
BINARY: Dict[int, Tuple[int, int]] = {}


def _classify() -> None:
    for op, (params, results) in SIGNATURES.items():
        if op in MEMORY_ACCESS_SIZE or IMMEDIATES.get(op) not in (
                Imm.NONE, Imm.I32, Imm.I64, Imm.F32, Imm.F64, Imm.V128):
            continue  # memory instructions: see .memory
        if len(results) != 1:
            continue
        result = int(results[0])
        if not params:
            CONSTANTS[op] = result
        elif len(params) == 1:
            UNARY[op] = (int(params[0]), result)
        elif len(params) == 2 and params[0] == params[1]:
            BINARY[op] = (int(params[0]), result)


_classify()
