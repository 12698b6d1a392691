"""Control instructions: blocks, branches, calls. Spec: Core 2.0 §4.4.8
(exec/instructions.html#control-instructions) and §4.4.4 (parametric: drop, select).

See :mod:`.function` for the canonical state at joins these handlers maintain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..._opcodes import Op
from . import layout as L
from . import traps
from .function import (
    CONST,
    CTX,
    FLAGS,
    HANDLERS,
    REG,
    SLOT,
    TMP,
    Frame,
    Value,
    abi_positions,
    is_float,
)
from .x64 import CC_AE, CC_NE, R10, R11, RAX, RSP, Label, Mem, negate

if TYPE_CHECKING:
    from .function import FunctionCompiler

__all__ = ["HELPER_INDIRECT"]

#: dispatcher key of the slow path of ``call_indirect`` (extra = table << 32 | type)
HELPER_INDIRECT = 1 << 24


def nop(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    return None


def unreachable(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    c.a.jmp(c.trap(traps.UNREACHABLE))
    c.unreachable = True
    return None


def block(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    info = c.info.blocks[c.pc]
    c.flush_all()
    height = len(c.stack) - len(info.params)
    c.frames.append(Frame("block", height, info.params, info.results, list(c.stack), info))
    c.reset_registers()
    return None


def loop(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    info = c.info.blocks[c.pc]
    c.flush_all()
    height = len(c.stack) - len(info.params)
    for depth in range(height, len(c.stack)):
        value = c.stack[depth]
        if value.kind == CONST:     # a back edge writes the parameter slots
            c.store_value(value, c.slot(depth))
            c.stack[depth] = Value(SLOT, depth, value.type)
    frame = Frame("loop", height, info.params, info.results, list(c.stack), info)
    c.frames.append(frame)
    c.reset_registers()
    c.a.align(16)
    c.a.bind(frame.label)
    c.mc.emit_interrupt_check(c)
    return None


def if_(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    info = c.info.blocks[c.pc]
    condition = c.pop()
    c.flush_all()
    params = len(info.params)
    height = len(c.stack) - params
    frame = Frame("if", height, info.params, info.results, list(c.stack), info)
    c.frames.append(frame)
    assert frame.else_label is not None
    c.jump_if(condition, frame.else_label, when=False)
    c.reset_registers()
    # the else arm needs the parameters too: the then arm works on copies above them
    for i in range(params):
        value = c.stack[height + i]
        depth = len(c.stack)
        if value.kind == SLOT:
            c.a.mov(TMP, c.slot(value.data), w=True)
            c.a.mov(c.slot(depth), TMP, w=True)
            c.push(Value(SLOT, depth, value.type))
        else:
            c.push(Value(value.kind, value.data, value.type))
    return None


def else_(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    frame = c.frames[-1]
    if not c.unreachable:
        c.merge_moves(frame, branch=False)
        c.a.jmp(frame.end_label)
        frame.end_reachable = True
    assert frame.else_label is not None
    c.a.bind(frame.else_label)
    frame.else_seen = True
    c.restore_state(frame, len(frame.entry_state))
    c.unreachable = False
    return None


def end(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    frame = c.frames.pop()
    reachable = not c.unreachable
    if frame.kind == "function":
        if reachable:
            c.merge_moves(frame, branch=False)
        return True
    if reachable:
        c.merge_moves(frame, branch=False)
        frame.end_reachable = True
    if frame.kind == "if" and not frame.else_seen:
        # no else arm: the parameters are the results
        if reachable:
            c.a.jmp(frame.end_label)
        assert frame.else_label is not None
        c.a.bind(frame.else_label)
        c.restore_state(frame, len(frame.entry_state))
        c.merge_moves(frame, branch=False)
        frame.end_reachable = True
    c.a.bind(frame.end_label)
    c.restore_state(frame, frame.height)
    c.push_block_results(frame)
    c.unreachable = not frame.end_reachable
    return None


def _branch(c: FunctionCompiler, depth: int) -> None:
    frame = c.frames[-1 - depth]
    if frame.kind != "loop":
        frame.end_reachable = True
    c.merge_moves(frame, branch=True)
    c.a.jmp(c.branch_target(frame))


def br(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    _branch(c, ins[1])
    c.unreachable = True
    return None


def return_(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    _branch(c, len(c.frames) - 1)
    c.unreachable = True
    return None


def br_if(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    condition = c.pop()
    frame = c.frames[-1 - ins[1]]
    if frame.kind != "loop":
        frame.end_reachable = True
    if not frame.branch_types:
        c.jump_if(condition, c.branch_target(frame), when=True)
        return None
    skip = Label("br_if_skip")
    c.jump_if(condition, skip, when=False)
    c.merge_moves(frame, branch=True)
    c.a.jmp(c.branch_target(frame))
    c.a.bind(skip)
    return None


def br_table(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    a = c.a
    labels, default = ins[1], ins[2]
    index = c.pop()
    stubs = {}
    for depth in set(labels) | {default}:
        frame = c.frames[-1 - depth]
        if frame.kind != "loop":
            frame.end_reachable = True
        stubs[depth] = c.branch_target(frame) if not frame.branch_types else Label("br_table")
    if not labels or index.kind == CONST:
        chosen = default if index.kind != CONST or index.data >= len(labels) else labels[index.data]
        c.release(index)
        _branch(c, chosen)
        c.unreachable = True
        return None
    register = c.to_reg(index)
    a.alu_imm("cmp", register, len(labels))
    a.jcc(CC_AE, stubs[default])
    table = Label("jump_table")
    a.lea_label(R11, table)
    a.movsxd(register, Mem(R11, 0, register, 4))
    a.alu("add", register, R11, w=True)
    a.jmp_rm(register)
    a.align(4, 0xCC)
    a.bind(table)
    for depth in labels:
        a.table_entry(stubs[depth], table)
    c.free_register(False, register)
    for depth, stub in stubs.items():
        frame = c.frames[-1 - depth]
        if frame.branch_types:
            a.bind(stub)
            c.merge_moves(frame, branch=True)
            a.jmp(c.branch_target(frame))
    c.unreachable = True
    return None


def drop(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    c.release(c.pop())
    return None


def select(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    """Spec: Core 2.0 §4.4.4 (select): the first operand if the condition is nonzero."""
    a = c.a
    condition = c.pop()
    second = c.pop()
    first = c.pop()
    value_type = first.type
    if condition.kind == CONST:
        keep, drop_ = (first, second) if condition.data else (second, first)
        c.release(drop_)
        c.push(keep)
        return None
    floating = is_float(value_type)
    avoid = (condition.data,) if condition.kind == REG and not floating else ()
    dest = c.to_reg(first, avoid=avoid)
    if floating:
        # no conditional move for SSE registers: branch around the copy
        skip = Label("select_skip")
        if condition.kind == FLAGS:
            a.jcc(condition.data, skip)
        else:
            where = c.location(condition)
            if isinstance(where, Mem):
                a.alu_imm("cmp", where, 0)
            else:
                a.test(where, where)
            c.release(condition)
            a.jcc(CC_NE, skip)
        c.load_into(second, dest)
        a.bind(skip)
        c.release(second)
        c.push_reg(value_type, dest)
        return None
    wide = value_type != 0x7F
    if second.kind == CONST or second.kind == FLAGS:
        source = c.to_reg(second, avoid=avoid + (dest,))
        second = Value(REG, source, value_type)
    where = c.location(second)
    if condition.kind == FLAGS:
        cc = condition.data
    else:
        cond_where = c.location(condition)
        if isinstance(cond_where, Mem):
            a.alu_imm("cmp", cond_where, 0)
        else:
            a.test(cond_where, cond_where)
        c.release(condition)
        cc = CC_NE
    if isinstance(where, Mem) and not wide:
        a.cmov(negate(cc), dest, where, w=False)
    else:
        a.cmov(negate(cc), dest, where, w=wide)
    c.release(second)
    c.push_reg(value_type, dest)
    return None


def select_t(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    return select(c, ins)


def call(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    function_type = c.module.function_type(ins[1])
    args = c.pop_n(len(function_type.params))
    c.spill_registers()
    stack_bytes = c.place_args(args, function_type.params)
    c.a.call(c.mc.function_labels[ins[1]])
    c.after_call(function_type.results, stack_bytes)
    return None


def call_indirect(c: FunctionCompiler, ins: tuple) -> Optional[bool]:
    """Spec: Core 2.0 §4.4.8 (call_indirect). The fast path calls a function of this
    instance whose table entry (one atomic word, see :mod:`.tables`) matches the
    expected type; everything else (other instances, host functions, null entries, wrong
    types, an index past the end) takes the slow path through Python, which traps
    exactly as the Python tier does."""
    a = c.a
    type_index, table_index = ins[1], ins[2]
    function_type = c.module.types[type_index]
    c.evict(R10)                     # r10 carries the index past the argument moves
    c.claim(R10)
    index = c.pop()
    args = c.pop_n(len(function_type.params))
    c.spill_registers()
    c.load_into(index, R10)          # i32: zero-extended
    c.release(index)
    stack_bytes = c.place_args(args, function_type.params)
    slow, resume = Label("indirect_slow"), Label("indirect_resume")
    a.mov(R11, Mem(CTX, c.mc.tables_offset + 8 * table_index), w=True)
    a.alu("cmp", R10, Mem(R11, 0), w=True)
    a.jcc(CC_AE, slow)
    a.mov(RAX, Mem(R11, 8, R10, 8), w=True)
    a.mov(R11, RAX, w=True)
    a.shift_imm("shr", R11, 24, w=True)
    a.alu("cmp", R11, Mem(CTX, c.mc.keys_offset + 8 * type_index), w=True)
    a.jcc(CC_NE, slow)
    a.alu_imm("and", RAX, 0xFFFFFF)
    a.call_rm(Mem(CTX, c.mc.funcs_offset, RAX, 8))
    a.bind(resume)
    params = tuple(function_type.params)
    results = tuple(function_type.results)

    def emit_slow() -> None:
        a.bind(slow)
        c.mc.emit_args_to_io(c, params, RSP, 0)
        a.mov(c.io(len(params)), R10, w=True)
        c.call_out(HELPER_INDIRECT, table_index << 32 | type_index)
        c.mc.emit_load_single_result(c, results)
        a.jmp(resume)
    c.add_out_of_line(emit_slow)
    c.after_call(results, stack_bytes)
    return None


HANDLERS.update({
    int(Op.NOP): nop, int(Op.UNREACHABLE): unreachable, int(Op.BLOCK): block,
    int(Op.LOOP): loop, int(Op.IF): if_, int(Op.ELSE): else_, int(Op.END): end,
    int(Op.BR): br, int(Op.BR_IF): br_if, int(Op.BR_TABLE): br_table,
    int(Op.RETURN): return_, int(Op.DROP): drop, int(Op.SELECT): select,
    int(Op.SELECT_T): select_t, int(Op.CALL): call, int(Op.CALL_INDIRECT): call_indirect,
})

_unused = (abi_positions, L, RAX)
