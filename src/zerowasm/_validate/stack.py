"""The operand and control stacks of the appendix algorithm: the general (slow) paths.

Spec: Core 2.0 §7.3 (appendix/algorithm.html). The function-body checker
(:mod:`.function`) keeps the operand stack as a ``list`` of int type codes and the
control stack as a ``list`` of *frames*; it handles the common case of each instruction
inline and calls these functions only when the inline test fails: when the stack is too
short (legal only in unreachable code, where the stack is polymorphic), when an operand
is *Unknown*, or when the code is invalid (they then raise :class:`.context.Invalid`).

A frame is a list indexed by the ``F_*`` constants: the label types (what a branch to
it passes), the end types (its results), the operand stack height below its
parameters, the *unreachable* flag, its kind, its start types (its parameters), the
instruction index where it starts, of its ``else`` (-1 if none) and of its ``end``,
whether a branch targets it, and its block type (a :data:`.context.FuncSig`). Frames
double as the raw block records from which :class:`.info.BlockInfo` objects are made.
"""

from __future__ import annotations

from typing import List, Sequence

from .context import UNKNOWN, Invalid, type_name

__all__ = [
    "F_LABEL", "F_END", "F_HEIGHT", "F_UNREACHABLE", "F_KIND", "F_START", "F_PC",
    "F_ELSE", "F_END_PC", "F_BRANCHED", "F_SIG", "F_END_COUNT",
    "KIND_BLOCK", "KIND_LOOP", "KIND_IF", "KIND_ELSE", "KIND_FUNCTION",
    "pop", "pop_any", "pop_types", "apply", "mismatch",
]

(F_LABEL, F_END, F_HEIGHT, F_UNREACHABLE, F_KIND, F_START, F_PC, F_ELSE, F_END_PC,
 F_BRANCHED, F_SIG, F_END_COUNT) = range(12)
KIND_BLOCK, KIND_LOOP, KIND_IF, KIND_ELSE, KIND_FUNCTION = range(5)


def _types(types: Sequence[int]) -> str:
    return "[" + " ".join(type_name(t) for t in types) + "]"


def mismatch(expected: Sequence[int], vals: List[int], frame: list) -> Invalid:
    """The "type mismatch" error, saying what was expected and what the stack holds."""
    top = vals[frame[F_HEIGHT]:][-max(len(expected), 1):]
    return Invalid("type mismatch: expected %s but stack has %s" % (_types(expected), _types(top)))


def pop(vals: List[int], frame: list, expect: int) -> int:
    """Pop one operand of type ``expect`` (or anything when ``expect`` is UNKNOWN)."""
    if len(vals) == frame[F_HEIGHT]:
        if frame[F_UNREACHABLE]:
            return UNKNOWN
        raise mismatch((expect,), vals, frame)
    actual = vals[-1]
    if actual != expect and actual != UNKNOWN and expect != UNKNOWN:
        raise mismatch((expect,), vals, frame)
    del vals[-1]
    return actual


def pop_any(vals: List[int], frame: list) -> int:
    """Pop one operand of any type."""
    if len(vals) == frame[F_HEIGHT]:
        if frame[F_UNREACHABLE]:
            return UNKNOWN
        raise Invalid("type mismatch: expected an operand but stack is empty")
    return vals.pop()


def pop_types(vals: List[int], frame: list, types: Sequence[int]) -> List[int]:
    """Pop operands of ``types`` (the last one first); return the actual types popped
    in stack order (UNKNOWN for those the polymorphic stack supplied)."""
    n = len(types)
    if n == 0:
        return []
    height = frame[F_HEIGHT]
    if len(vals) - height >= n and vals[-n:] == list(types):
        popped = vals[-n:]
        del vals[-n:]
        return popped
    popped = [UNKNOWN] * n
    for i in range(n - 1, -1, -1):
        expect = types[i]
        if len(vals) == height:
            if frame[F_UNREACHABLE]:
                continue
            raise mismatch(types, vals, frame)
        actual = vals[-1]
        if actual != expect and actual != UNKNOWN and expect != UNKNOWN:
            raise mismatch(types, vals, frame)
        del vals[-1]
        popped[i] = actual
    return popped


def apply(vals: List[int], frame: list, params: Sequence[int], results: Sequence[int]) -> None:
    """An instruction of type ``[params] -> [results]``: pop and check, then push."""
    n = len(params)
    if n:
        if len(vals) - frame[F_HEIGHT] >= n and vals[-n:] == list(params):
            del vals[-n:]
        else:
            pop_types(vals, frame, params)
    vals.extend(results)
