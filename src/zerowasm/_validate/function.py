"""Validation of one function body: the appendix algorithm, written for speed.

Spec: Core 2.0 §3.3 (valid/instructions.html), §3.4.1 (valid/modules.html#functions)
and §7.3 (appendix/algorithm.html).

Theory of operation
-------------------
Validation is the only per-function work done before instantiation, so this loop must
be fast (hundreds of thousands of instructions per second on CPython). The operand
stack is a ``list`` of int type codes (``0`` is *Unknown*), the control stack a
``list`` of frames (lists, see :mod:`.stack`). One dict lookup maps an opcode to a
triple ``(kind, a, b)``; the loop then tests the kinds in order of frequency and
handles the common case of each inline, with plain comparisons: for ``i32.add`` it
checks that the two top operands are i32 above the current frame's height and
replaces them with one i32. Only when such a test fails (a short stack in
unreachable code, an *Unknown* operand, or invalid code) does it call the general
functions of :mod:`.stack`, which also produce the error messages.

Instructions whose typing is not done inline are *typers* collected from the family
modules listed in :data:`FAMILIES` (:mod:`.memory`, :mod:`.table`, :mod:`.reference`,
:mod:`.control`): ``typer(context, instruction) -> (operand types, result types)``,
raising :class:`.context.Invalid` for a bad immediate. Instructions of fixed type in
``SIGNATURES`` that no table or family claims get a typer from their signature. So a
new family (SIMD: a ``vector`` module checking lane indices and memargs) only adds a
module with a ``TYPERS`` dict to :data:`FAMILIES` (and ``v128.const`` to
:data:`.constant.CONSTANT_TYPERS`); vector values already flow through the stack
like any other type.

While checking, the loop records what the engines need (:mod:`.info`): for each
block, loop and if its block type, the operand stack height below its parameters, the
index of its ``else`` and ``end``, and whether a branch targets it; and the largest
operand stack height of the function.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from .._errors import DecodeError, ValidationError
from .._opcodes import OPCODE_NAMES, SIGNATURES, Op
from .._types import ValType
from . import control, memory, reference, table, vector
from .context import UNKNOWN, FuncSig, Invalid, ModuleContext, type_name
from .info import BlockInfo, FunctionInfo
from .memory import ALIGNMENT_ERROR, LOADS, STORES
from .numeric import BINARY, CONSTANTS, UNARY
from .stack import (
    F_BRANCHED,
    F_ELSE,
    F_END,
    F_END_COUNT,
    F_END_PC,
    F_HEIGHT,
    F_KIND,
    F_LABEL,
    F_PC,
    F_SIG,
    F_START,
    F_UNREACHABLE,
    KIND_BLOCK,
    KIND_ELSE,
    KIND_FUNCTION,
    KIND_IF,
    KIND_LOOP,
    apply,
    mismatch,
    pop,
    pop_any,
    pop_types,
)

__all__ = ["check_body", "DISPATCH"]

# Instruction kinds, numbered in the order the loop tests them (most frequent first;
# ``local.get``, the most frequent of all, is tested before the dispatch lookup).
(K_LOCAL_GET, K_CONST, K_UNARY, K_BINARY, K_LOCAL_SET, K_END, K_STORE, K_LOAD, K_BLOCK,
 K_LOCAL_TEE, K_GLOBAL_SET, K_GLOBAL_GET, K_CALL, K_BR_IF, K_BR, K_NOP, K_RETURN, K_ELSE,
 K_DROP, K_SELECT, K_TYPED, K_BR_TABLE, K_UNREACHABLE, K_SELECT_T,
 K_REF_IS_NULL) = range(25)

_I32 = 0x7F
_REFS = frozenset((0x70, 0x6F))
_NUMERIC_OR_VECTOR = frozenset((0x7F, 0x7E, 0x7D, 0x7C, 0x7B, UNKNOWN))


def _build_dispatch() -> Dict[int, Tuple[int, Any, Any]]:
    d: Dict[int, Tuple[int, Any, Any]] = {}
    simple = {
        Op.LOCAL_GET: K_LOCAL_GET, Op.LOCAL_SET: K_LOCAL_SET, Op.LOCAL_TEE: K_LOCAL_TEE,
        Op.GLOBAL_GET: K_GLOBAL_GET, Op.GLOBAL_SET: K_GLOBAL_SET,
        Op.END: K_END, Op.ELSE: K_ELSE,
        Op.BR: K_BR, Op.BR_IF: K_BR_IF, Op.BR_TABLE: K_BR_TABLE, Op.RETURN: K_RETURN,
        Op.CALL: K_CALL, Op.UNREACHABLE: K_UNREACHABLE, Op.NOP: K_NOP,
        Op.DROP: K_DROP, Op.SELECT: K_SELECT, Op.SELECT_T: K_SELECT_T,
        Op.REF_IS_NULL: K_REF_IS_NULL,
    }
    for op, kind in simple.items():
        d[int(op)] = (kind, 0, 0)
    # block, loop and if share a kind; ``a`` is the kind of control frame they open
    d[int(Op.BLOCK)] = (K_BLOCK, KIND_BLOCK, 0)
    d[int(Op.LOOP)] = (K_BLOCK, KIND_LOOP, 0)
    d[int(Op.IF)] = (K_BLOCK, KIND_IF, 0)
    for op, r in CONSTANTS.items():
        d[op] = (K_CONST, 0, r)
    for op, (a, r) in UNARY.items():
        d[op] = (K_UNARY, a, r)
    for op, (a, r) in BINARY.items():
        d[op] = (K_BINARY, a, r)
    for op, (align, t) in LOADS.items():
        d[op] = (K_LOAD, align, t)
    for op, (align, t) in STORES.items():
        d[op] = (K_STORE, align, t)
    # any other instruction with a fixed type and no immediate to check (vector ones:
    # v128.bitselect [v128 v128 v128] -> [v128], shifts [v128 i32] -> [v128], splats,
    # any_true/all_true/bitmask) is typed from SIGNATURES
    for op, (params, results) in SIGNATURES.items():
        if op not in d:
            d[op] = (K_TYPED, _fixed_typer(params, results), 0)
    for family in FAMILIES:
        for op, typer in family.TYPERS.items():
            d[int(op)] = (K_TYPED, typer, 0)
    return d


def _fixed_typer(params: Sequence[ValType], results: Sequence[ValType]) -> Any:
    sig = (tuple(int(t) for t in params), tuple(int(t) for t in results))
    return lambda c, ins: sig


#: The modules whose ``TYPERS`` type the instructions not handled inline.
FAMILIES = (memory, table, reference, control, vector)


#: opcode -> (kind, a, b); ``a``/``b`` are the kind's data (types, alignment, typer)
DISPATCH = _build_dispatch()


class LazyFunctionInfo(FunctionInfo):
    """A :class:`FunctionInfo` whose ``blocks`` dict is built on first use.

    Making one :class:`BlockInfo` object per block would be a large part of the
    validation time of block-heavy code, and an engine that compiles lazily never needs
    the blocks of functions that never run. Validation keeps its frames (see
    :mod:`.stack`) and this turns them into BlockInfo objects when asked.
    """

    __slots__ = ("_frames",)

    def __init__(self, frames: List[list], max_height: int, locals: Tuple[ValType, ...]) -> None:
        self._frames: Optional[List[list]] = frames
        self.max_height = max_height
        self.locals = locals

    @property
    def blocks(self) -> Dict[int, BlockInfo]:
        frames = self._frames
        if frames is not None:
            blocks = {}
            for frame in frames:
                sig = frame[F_SIG]
                start = frame[F_PC]
                info = BlockInfo(_KIND_NAMES[frame[F_KIND]], start,
                                 sig[2] if start >= 0 else (), sig[3], frame[F_HEIGHT])
                info.end = frame[F_END_PC]
                info.else_ = frame[F_ELSE]
                info.branched = frame[F_BRANCHED]
                blocks[start] = info
            _BLOCKS_SLOT.__set__(self, blocks)
            self._frames = None
        return _BLOCKS_SLOT.__get__(self, FunctionInfo)

    @blocks.setter
    def blocks(self, value: Dict[int, BlockInfo]) -> None:
        _BLOCKS_SLOT.__set__(self, value)
        self._frames = None


_BLOCKS_SLOT = FunctionInfo.__dict__["blocks"]
_KIND_NAMES = {KIND_BLOCK: "block", KIND_LOOP: "loop", KIND_IF: "if", KIND_ELSE: "if",
               KIND_FUNCTION: "function"}


def check_body(c: ModuleContext, code: Sequence[tuple], offsets: Sequence[int],
               locals_: List[int], sig: FuncSig, function_index: int,
               locals_types: Tuple[ValType, ...]) -> FunctionInfo:
    """Check one function body; return what the engines need to know about it.

    ``code``/``offsets`` are what ``decode_body`` returned, ``locals_`` the int types of
    parameters and locals (``locals_types`` the same as ValType), ``sig`` the
    function's type. Raises ValidationError.
    """
    vals: List[int] = []
    results = sig[5]
    frame: List[Any] = [results, results, 0, False, KIND_FUNCTION, [], -1, -1, -1, False, sig,
                        len(results)]
    ctrl: List[List[Any]] = [frame]
    frames: List[List[Any]] = [frame]
    base = 0
    maxh = 0
    dispatch = DISPATCH
    functions = c.functions
    globals_ = c.globals
    has_memory = c.memory_count > 0
    blocktypes = c._blocktypes
    last = len(code) - 1
    pc = 0
    try:
        for pc, ins in enumerate(code):
            op = ins[0]
            if op == 0x20:  # local.get, the most frequent instruction, before any lookup
                try:
                    vals.append(locals_[ins[1]])
                except IndexError:
                    raise Invalid("unknown local %d" % ins[1]) from None
                if len(vals) > maxh:
                    maxh = len(vals)
                continue
            k, a, r = dispatch[op]
            if k == K_CONST:
                vals.append(r)
                if len(vals) > maxh:
                    maxh = len(vals)
            elif k == K_UNARY:
                if len(vals) > base and vals[-1] == a:
                    vals[-1] = r
                else:
                    pop(vals, frame, a)
                    vals.append(r)
                    if len(vals) > maxh:
                        maxh = len(vals)
            elif k == K_BINARY:
                if len(vals) - base >= 2 and vals[-1] == a and vals[-2] == a:
                    del vals[-1]
                    vals[-1] = r
                else:
                    pop_types(vals, frame, (a, a))
                    vals.append(r)
                    if len(vals) > maxh:
                        maxh = len(vals)
            elif k == K_LOCAL_SET:
                try:
                    t = locals_[ins[1]]
                except IndexError:
                    raise Invalid("unknown local %d" % ins[1]) from None
                if len(vals) > base and vals[-1] == t:
                    del vals[-1]
                else:
                    pop(vals, frame, t)
            elif k == K_END:
                n = frame[F_END_COUNT]
                if len(vals) - base != n or (n and vals[-n:] != frame[F_END]):
                    end = frame[F_END]
                    pop_types(vals, frame, end)
                    if len(vals) != base:
                        raise mismatch(end, vals, frame)
                    vals.extend(end)
                    if len(vals) > maxh:
                        maxh = len(vals)
                if frame[F_KIND] == KIND_IF and frame[F_START] != frame[F_END]:
                    raise Invalid("type mismatch: if without else must leave its parameters")
                frame[F_END_PC] = pc
                del ctrl[-1]
                if not ctrl:
                    if pc != last:
                        raise Invalid("unexpected instructions after the function's end")
                    break
                frame = ctrl[-1]
                base = frame[F_HEIGHT]
            elif k == K_STORE:
                if ins[1] > a or not has_memory:
                    c.memory(0)
                    raise Invalid(ALIGNMENT_ERROR)
                if len(vals) - base >= 2 and vals[-1] == r and vals[-2] == _I32:
                    del vals[-2:]
                else:
                    pop_types(vals, frame, (_I32, r))
            elif k == K_LOAD:
                if ins[1] > a or not has_memory:
                    c.memory(0)
                    raise Invalid(ALIGNMENT_ERROR)
                if len(vals) > base and vals[-1] == _I32:
                    vals[-1] = r
                else:
                    pop(vals, frame, _I32)
                    vals.append(r)
                    if len(vals) > maxh:
                        maxh = len(vals)
            elif k == K_BLOCK:
                if a == KIND_IF:
                    if len(vals) > base and vals[-1] == _I32:
                        del vals[-1]
                    else:
                        pop(vals, frame, _I32)
                bsig = blocktypes.get(ins[1])
                if bsig is None:
                    bsig = c.blocktype(ins[1])
                params = bsig[4]
                height = len(vals)
                if params:
                    n = len(params)
                    if height - base >= n and vals[-n:] == params:
                        height -= n
                    else:
                        pop_types(vals, frame, params)
                        height = len(vals)
                        vals.extend(params)
                        if len(vals) > maxh:
                            maxh = len(vals)
                results = bsig[5]
                frame = [params if a == KIND_LOOP else results, results, height, False, a,
                         params, pc, -1, -1, False, bsig, len(results)]
                ctrl.append(frame)
                frames.append(frame)
                base = height
            elif k == K_LOCAL_TEE:
                try:
                    t = locals_[ins[1]]
                except IndexError:
                    raise Invalid("unknown local %d" % ins[1]) from None
                if not (len(vals) > base and vals[-1] == t):
                    pop(vals, frame, t)
                    vals.append(t)
                    if len(vals) > maxh:
                        maxh = len(vals)
            elif k == K_GLOBAL_SET:
                try:
                    t, mutable = globals_[ins[1]]
                except IndexError:
                    raise Invalid("unknown global %d" % ins[1]) from None
                if not mutable:
                    raise Invalid("global is immutable")
                if len(vals) > base and vals[-1] == t:
                    del vals[-1]
                else:
                    pop(vals, frame, t)
            elif k == K_GLOBAL_GET:
                try:
                    vals.append(globals_[ins[1]][0])
                except IndexError:
                    raise Invalid("unknown global %d" % ins[1]) from None
                if len(vals) > maxh:
                    maxh = len(vals)
            elif k == K_CALL:
                try:
                    fsig = functions[ins[1]]
                except IndexError:
                    raise Invalid("unknown function %d" % ins[1]) from None
                params = fsig[4]
                if params:
                    n = len(params)
                    if len(vals) - base >= n and vals[-n:] == params:
                        del vals[-n:]
                    else:
                        pop_types(vals, frame, params)
                if fsig[1]:
                    vals.extend(fsig[1])
                    if len(vals) > maxh:
                        maxh = len(vals)
            elif k == K_BR_IF:
                if len(vals) > base and vals[-1] == _I32:
                    del vals[-1]
                else:
                    pop(vals, frame, _I32)
                label = ins[1]
                if label >= len(ctrl):
                    raise Invalid("unknown label %d" % label)
                target = ctrl[-1 - label]
                target[F_BRANCHED] = True
                types = target[F_LABEL]
                if types:
                    n = len(types)
                    if not (len(vals) - base >= n and vals[-n:] == types):
                        pop_types(vals, frame, types)
                        vals.extend(types)
                        if len(vals) > maxh:
                            maxh = len(vals)
            elif k == K_BR:
                label = ins[1]
                if label >= len(ctrl):
                    raise Invalid("unknown label %d" % label)
                target = ctrl[-1 - label]
                target[F_BRANCHED] = True
                types = target[F_LABEL]
                if types:
                    n = len(types)
                    if not (len(vals) - base >= n and vals[-n:] == types):
                        pop_types(vals, frame, types)
                del vals[base:]
                frame[F_UNREACHABLE] = True
            elif k == K_NOP:
                pass
            elif k == K_RETURN:
                types = ctrl[0][F_LABEL]
                if types:
                    n = len(types)
                    if not (len(vals) - base >= n and vals[-n:] == types):
                        pop_types(vals, frame, types)
                del vals[base:]
                frame[F_UNREACHABLE] = True
            elif k == K_ELSE:
                if frame[F_KIND] != KIND_IF:
                    raise Invalid("else without matching if")
                n = frame[F_END_COUNT]
                if len(vals) - base != n or (n and vals[-n:] != frame[F_END]):
                    end = frame[F_END]
                    pop_types(vals, frame, end)
                    if len(vals) != base:
                        raise mismatch(end, vals, frame)
                del vals[base:]
                vals.extend(frame[F_START])
                frame[F_UNREACHABLE] = False
                frame[F_KIND] = KIND_ELSE
                frame[F_ELSE] = pc
            elif k == K_DROP:
                if len(vals) > base:
                    del vals[-1]
                else:
                    pop_any(vals, frame)
            elif k == K_SELECT:
                if (len(vals) - base >= 3 and vals[-1] == _I32 and vals[-2] == vals[-3]
                        and vals[-2] in _NUMERIC_OR_VECTOR):
                    del vals[-2:]
                else:
                    pop(vals, frame, _I32)
                    t1 = pop_any(vals, frame)
                    t2 = pop_any(vals, frame)
                    if t1 in _REFS or t2 in _REFS or (t1 != t2 and t1 and t2):
                        raise Invalid("type mismatch: select without a type needs two operands"
                                      " of the same numeric type, not %s and %s"
                                      % (type_name(t2), type_name(t1)))
                    vals.append(t1 or t2)
                    if len(vals) > maxh:
                        maxh = len(vals)
            elif k == K_TYPED:
                params, results = a(c, ins)
                apply(vals, frame, params, results)
                if len(vals) > maxh:
                    maxh = len(vals)
            elif k == K_BR_TABLE:
                _br_table(vals, frame, ctrl, ins)
            elif k == K_UNREACHABLE:
                del vals[base:]
                frame[F_UNREACHABLE] = True
            elif k == K_SELECT_T:
                types = ins[1]
                if len(types) != 1:
                    raise Invalid("invalid result arity")
                t = int(types[0])
                pop(vals, frame, _I32)
                pop(vals, frame, t)
                pop(vals, frame, t)
                vals.append(t)
                if len(vals) > maxh:
                    maxh = len(vals)
            elif k == K_REF_IS_NULL:
                t = pop_any(vals, frame)
                if t != UNKNOWN and t not in _REFS:
                    raise Invalid("type mismatch: ref.is_null needs a reference")
                vals.append(_I32)
                if len(vals) > maxh:
                    maxh = len(vals)
        else:
            raise Invalid("function body does not end")  # the decoder prevents this
    except Invalid as error:
        raise _located(c, error.message, function_index, code, offsets, pc) from None
    except DecodeError as error:  # "data count section required": say where
        if error.offset is not None or pc >= len(offsets):
            raise
        raise DecodeError(error.message, offsets[pc], error.section) from None
    except KeyError:
        op = code[pc][0]
        raise _located(c, "unsupported instruction %s" % OPCODE_NAMES.get(op, hex(op)),
                       function_index, code, offsets, pc) from None
    return LazyFunctionInfo(frames, maxh, locals_types)


def _br_table(vals: List[int], frame: list, ctrl: list, ins: tuple) -> None:
    """``br_table l* l_N``: Spec: Core 2.0 §3.3.8 and the appendix algorithm: every
    label must have the arity of the default one and accept the operands."""
    if len(vals) > frame[F_HEIGHT] and vals[-1] == _I32:
        del vals[-1]
    else:
        pop(vals, frame, _I32)
    labels, default = ins[1], ins[2]
    depth = len(ctrl)
    if default >= depth:
        raise Invalid("unknown label %d" % default)
    arity = len(ctrl[-1 - default][F_LABEL])
    checked: List[List[int]] = []
    for label in labels:
        if label >= depth:
            raise Invalid("unknown label %d" % label)
        target = ctrl[-1 - label]
        target[F_BRANCHED] = True
        types = target[F_LABEL]
        if len(types) != arity:
            raise Invalid("type mismatch: br_table labels have different arities")
        if arity and types not in checked:
            vals.extend(pop_types(vals, frame, types))
            checked.append(types)
    target = ctrl[-1 - default]
    target[F_BRANCHED] = True
    if arity:
        pop_types(vals, frame, target[F_LABEL])
    del vals[frame[F_HEIGHT]:]
    frame[F_UNREACHABLE] = True


def _located(c: ModuleContext, message: str, function_index: int, code: Sequence[tuple],
             offsets: Sequence[int], pc: int) -> ValidationError:
    op = code[pc][0] if pc < len(code) else None
    offset = offsets[pc] if pc < len(offsets) else None
    where = "instruction %s" % OPCODE_NAMES.get(op, "?") if op is not None else None
    return ValidationError(message, function=function_index,
                           function_name=c.module.function_name(function_index),
                           offset=offset, where=where)
