"""Memory instructions. Spec: Core 2.0 §4.4.7 (exec/instructions.html#memory-instructions).

Every access computes the effective address ``zext(address) + offset`` in 64 bits
(it cannot wrap), checks ``ea + size <= MEM_SIZE`` against the context and traps
otherwise, then accesses ``[r14 + ea]``. Because ``r14`` is the base of an 8 GiB + 64
KiB reservation whose pages past the current size are inaccessible, even a missed check
could not reach outside the reservation: the process would fault instead.
``memory.fill``/``memory.copy`` check their ranges and call libc's ``memset``/
``memmove``; ``memory.init``/``data.drop`` and ``memory.grow`` call into Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._opcodes import Op
from . import layout as L
from . import traps
from .function import CONST, CTX, F32, F64, HANDLERS, I32, I64, MEMBASE, REG, TMP, Value, is_float
from .x64 import CC_A, R11, RAX, RDI, RDX, RSI, Mem, fits_i32

if TYPE_CHECKING:
    from .function import FunctionCompiler, Handler

__all__ = ["HELPER_GROW", "HELPER_MEMORY_INIT", "HELPER_DATA_DROP"]

#: Tests only (``tests/native/test_escape.py``): compile accesses without the bounds
#: check, to show that the reservation alone stops an out-of-bounds access (the process
#: dies with SIGSEGV instead of reading host memory). Never set in a real process.
UNSAFE_SKIP_BOUNDS_CHECKS = False

HELPER_GROW = (1 << 24) + 1
HELPER_MEMORY_INIT = (1 << 24) + 2
HELPER_DATA_DROP = (1 << 24) + 3


def effective_address(c: FunctionCompiler, address: Value, offset: int, size: int) -> Mem:
    """Bounds-check an access; returns the operand ``[r14 + r11 - size]``."""
    a = c.a
    c.load_into(address, R11)       # an i32: the 32-bit move zero-extends
    end = offset + size
    while end:
        step = min(end, 0x7FFFFFFF)
        a.alu_imm("add", R11, step, w=True)
        end -= step
    if not UNSAFE_SKIP_BOUNDS_CHECKS:
        a.alu("cmp", R11, Mem(CTX, L.MEM_SIZE), w=True)
        a.jcc(CC_A, c.trap(traps.OUT_OF_BOUNDS_MEMORY))
    return Mem(MEMBASE, -size, R11)


_LOADS = {
    Op.I32_LOAD: (I32, 4, "mov"), Op.I64_LOAD: (I64, 8, "mov"),
    Op.F32_LOAD: (F32, 4, "movs"), Op.F64_LOAD: (F64, 8, "movs"),
    Op.I32_LOAD8_S: (I32, 1, "sx8"), Op.I32_LOAD8_U: (I32, 1, "zx8"),
    Op.I32_LOAD16_S: (I32, 2, "sx16"), Op.I32_LOAD16_U: (I32, 2, "zx16"),
    Op.I64_LOAD8_S: (I64, 1, "sx8"), Op.I64_LOAD8_U: (I64, 1, "zx8"),
    Op.I64_LOAD16_S: (I64, 2, "sx16"), Op.I64_LOAD16_U: (I64, 2, "zx16"),
    Op.I64_LOAD32_S: (I64, 4, "sx32"), Op.I64_LOAD32_U: (I64, 4, "mov32"),
}
_STORES = {
    Op.I32_STORE: 4, Op.I64_STORE: 8, Op.F32_STORE: 4, Op.F64_STORE: 8,
    Op.I32_STORE8: 1, Op.I32_STORE16: 2, Op.I64_STORE8: 1, Op.I64_STORE16: 2,
    Op.I64_STORE32: 4,
}


def _load(value_type: int, size: int, how: str) -> Handler:
    wide = value_type == I64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        address = c.pop()
        where = effective_address(c, address, ins[2], size)
        c.release(address)
        if is_float(value_type):
            dest = c.alloc_xmm()
            a.movs(value_type == F64, dest, where)
        else:
            dest = c.alloc_gpr()
            if how == "mov":
                a.mov(dest, where, w=wide)
            elif how == "mov32":
                a.mov(dest, where)
            elif how == "sx8":
                a.movsx8(dest, where, w=wide)
            elif how == "zx8":
                a.movzx8(dest, where)
            elif how == "sx16":
                a.movsx16(dest, where, w=wide)
            elif how == "zx16":
                a.movzx16(dest, where)
            else:
                a.movsxd(dest, where)
        c.push_reg(value_type, dest)
    return handler


def _store(size: int) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.a
        value = c.pop()
        address = c.pop()
        floating = is_float(value.type)
        imm = None
        source = None
        if value.kind == CONST:
            bits = value.data & ((1 << (8 * size)) - 1)
            signed = bits - (1 << (8 * size)) if bits >> (8 * size - 1) else bits
            if size < 8 or fits_i32(signed):
                imm = signed
        if imm is None:
            if floating and value.kind == CONST:
                source = c.alloc_gpr()
                a.mov_imm(source, value.data, w=size == 8)
                value = Value(REG, source, I64 if size == 8 else I32)
                floating = False
            else:
                where = c.location(value)
                if isinstance(where, Mem) or where is None:
                    source = c.to_reg(value)
                    value = Value(REG, source, value.type)
                else:
                    source = where
        target = effective_address(c, address, ins[2], size)
        c.release(address)
        if imm is not None:
            if size == 1:
                a.store_imm8(target, imm)
            elif size == 2:
                a.store_imm16(target, imm)
            else:
                a.mov_imm(target, imm, w=size == 8)
        elif floating:
            a.movs(size == 8, target, source)  # type: ignore[arg-type]  # set when imm is None
        elif size == 1:
            a.store8(target, source)  # type: ignore[arg-type]  # set when imm is None
        elif size == 2:
            a.store16(target, source)  # type: ignore[arg-type]  # set when imm is None
        else:
            a.mov(target, source, w=size == 8)  # type: ignore[arg-type]  # set when imm is None
        c.release(value)
    return handler


def memory_size(c: FunctionCompiler, ins: tuple) -> None:
    dest = c.alloc_gpr()
    c.a.mov(dest, Mem(CTX, L.MEM_SIZE), w=True)
    c.a.shift_imm("shr", dest, 16, w=True)
    c.push_reg(I32, dest)


def memory_grow(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.7 (memory.grow): done by the runtime's Memory.grow, which
    also updates every context's ``MEM_SIZE``; the base never moves."""
    delta = c.pop()
    c.spill_registers()
    c.store_value(delta, c.io(0))
    c.release(delta)
    c.call_out(HELPER_GROW, 0)
    c.reset_registers()
    dest = c.alloc_gpr()
    c.a.mov(dest, c.io(0))
    c.push_reg(I32, dest)


def _three_to_io(c: FunctionCompiler) -> None:
    values = c.pop_n(3)
    c.spill_registers()
    for i, value in enumerate(values):
        c.store_value(value, c.io(i))
        c.release(value)


def memory_fill(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.7 (memory.fill): the whole range is checked first."""
    a = c.a
    _three_to_io(c)
    a.mov(RAX, c.io(0))
    a.mov(RDX, c.io(2))
    a.lea(R11, Mem(RAX, 0, RDX))
    a.alu("cmp", R11, Mem(CTX, L.MEM_SIZE), w=True)
    a.jcc(CC_A, c.trap(traps.OUT_OF_BOUNDS_MEMORY))
    a.lea(RDI, Mem(MEMBASE, 0, RAX))
    a.mov(RSI, c.io(1))
    a.call_rm(Mem(CTX, L.MEMSET))
    c.reset_registers()


def memory_copy(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.7 (memory.copy): overlapping ranges copy as if buffered."""
    a = c.a
    _three_to_io(c)
    a.mov(RAX, c.io(0))
    a.mov(RSI, c.io(1))
    a.mov(RDX, c.io(2))
    a.lea(R11, Mem(RAX, 0, RDX))
    a.alu("cmp", R11, Mem(CTX, L.MEM_SIZE), w=True)
    a.jcc(CC_A, c.trap(traps.OUT_OF_BOUNDS_MEMORY))
    a.lea(R11, Mem(RSI, 0, RDX))
    a.alu("cmp", R11, Mem(CTX, L.MEM_SIZE), w=True)
    a.jcc(CC_A, c.trap(traps.OUT_OF_BOUNDS_MEMORY))
    a.lea(RDI, Mem(MEMBASE, 0, RAX))
    a.lea(RSI, Mem(MEMBASE, 0, RSI))
    a.call_rm(Mem(CTX, L.MEMMOVE))
    c.reset_registers()


def memory_init(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.7 (memory.init): data segments live in Python."""
    _three_to_io(c)
    c.call_out(HELPER_MEMORY_INIT, ins[1])
    c.reset_registers()


def data_drop(c: FunctionCompiler, ins: tuple) -> None:
    c.spill_registers()
    c.call_out(HELPER_DATA_DROP, ins[1])
    c.reset_registers()


def _register() -> None:
    for op, (value_type, size, how) in _LOADS.items():
        HANDLERS[int(op)] = _load(value_type, size, how)
    for op, size in _STORES.items():
        HANDLERS[int(op)] = _store(size)
    HANDLERS[int(Op.MEMORY_SIZE)] = memory_size
    HANDLERS[int(Op.MEMORY_GROW)] = memory_grow
    HANDLERS[int(Op.MEMORY_FILL)] = memory_fill
    HANDLERS[int(Op.MEMORY_COPY)] = memory_copy
    HANDLERS[int(Op.MEMORY_INIT)] = memory_init
    HANDLERS[int(Op.DATA_DROP)] = data_drop


_register()
_unused = (TMP, REG)
