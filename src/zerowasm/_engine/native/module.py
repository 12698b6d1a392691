"""Compile a whole module into one position-independent blob of machine code.

Theory of operation
-------------------
The blob holds, in order:

1. every defined function the compiler handles (:mod:`.function`), System V calling
   convention plus ``r15`` = context and ``r14`` = memory base;
2. a *call-out stub* for every other function (imports, and functions left to the
   Python tier): it copies its arguments into the context's ``IO`` words and calls the
   dispatcher (a ctypes callback) with the function index, then loads the results. So a
   direct ``call`` works for any function index;
3. an *entry thunk* for every native function: what Python calls (through a
   per-instance trampoline that loads the context into ``r11``). It saves the
   callee-saved registers, takes ownership of the context (``lock cmpxchg`` of the
   thread pointer: an instance runs on one thread at a time), sets the stack limit on the
   outermost entry, converts the C arguments (ints as C ``int``, an i64 split in two
   halves, floats as C ``double``) into the function's arguments, calls it and hands the
   results back;
4. the common trap stub (records a backtrace of return addresses, unwinds to the
   innermost entry thunk's frame) and the shared exit path, and the f32 conversion
   routines.

Nothing in the blob depends on an instance, so one blob serves all instances of the
module (and can be cached on disk).

Return protocol of an entry thunk (``int64``): a function with no result or one i32
result returns the (zero-extended) result, or ``-code`` for a trap (:mod:`.traps`).
Functions with other results leave them in ``IO`` and return 1 when the caller must
release the context after reading them (outermost entry), 0 when nested, or ``-code``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..._syntax import ModuleSyntax
from ..._types import ValType
from . import layout as L
from . import traps
from .function import (
    CTX,
    F32,
    F64,
    I32,
    I64,
    MEMBASE,
    VALUE_TYPES,
    FunctionCompiler,
    Unsupported,
    abi_positions,
    is_float,
    is_wide,
)
from .x64 import (
    CC_A,
    CC_AE,
    CC_E,
    CC_NE,
    R8,
    R9,
    R11,
    R12,
    R13,
    R14,
    R15,
    RAX,
    RBP,
    RBX,
    RCX,
    RDI,
    RDX,
    RSI,
    RSP,
    Assembler,
    Label,
    Mem,
)

__all__ = ["ModuleCompiler", "CompiledCode", "THUNK_FRAME", "is_direct", "direct_signature"]

#: bytes between an entry thunk's frame pointer and its stack pointer
THUNK_FRAME = 64
#: dispatcher key base of helpers (below it: function indices)
HELPER_BASE = 1 << 24
HELPER_INTERRUPT = HELPER_BASE + 8


def direct_signature(params: Tuple[int, ...], results: Tuple[int, ...]) -> bool:
    """Whether a call out can pass its values in registers to a ctypes callback: no
    f32 (a C ``float`` would quiet signaling NaNs), no stack arguments, one result."""
    if len(results) > 1 or any(t not in (I32, I64, F64) for t in params + results):
        return False
    floats = sum(1 for t in params if t == F64)
    return floats <= 8 and len(params) - floats <= 6


def is_direct(results: Tuple[int, ...]) -> bool:
    """Whether an entry returns its result in rax (no result, or one i32)."""
    return len(results) == 0 or (len(results) == 1 and results[0] == I32)


class CompiledCode:
    """The output of :class:`ModuleCompiler`: plain data, picklable and cacheable."""

    def __init__(self, code: bytes, function_offsets: List[int], entry_offsets: Dict[int, int],
                 native: List[int], unsupported: Dict[int, str], layout: Tuple[int, ...],
                 function_ranges: List[Tuple[int, int, int]]) -> None:
        self.code = code
        self.function_offsets = function_offsets
        self.entry_offsets = entry_offsets
        self.native = native
        self.unsupported = unsupported
        self.layout = layout
        self.function_ranges = function_ranges

    def to_state(self) -> tuple:
        return (self.code, self.function_offsets, self.entry_offsets, self.native,
                self.unsupported, self.layout, self.function_ranges)

    @classmethod
    def from_state(cls, state: tuple) -> CompiledCode:
        return cls(*state)


class ModuleCompiler:
    """Compiles every function of ``module`` it can into one blob."""

    def __init__(self, module: ModuleSyntax, function_infos: List[Any]) -> None:
        self.module = module
        self.function_infos = function_infos
        self.asm = Assembler()
        count = len(module.function_types)
        self.function_labels = [Label("f%d" % i) for i in range(count)]
        self.trap_common = Label("trap_common")
        self.exit_common = Label("exit_common")
        self.restore_and_return = Label("restore_and_return")
        self.d2f = Label("d2f")
        self.f2d = Label("f2d")
        self.io_words = 4
        self.funcs_offset = L.HEADER_SIZE
        self.globals_offset = self.funcs_offset + 8 * count
        self.tables_offset = self.globals_offset + 8 * len(module.globals)
        self.keys_offset = self.tables_offset + 8 * len(module.tables)
        self.callbacks_offset = self.keys_offset + 8 * len(module.types)
        self.reffunc_offset = self.callbacks_offset + 8 * count
        self.io_offset = self.reffunc_offset + 8 * count
        self.interrupt_checks = True

    def emit_interrupt_check(self, c: FunctionCompiler) -> None:
        """At function entries and loop headers (no scratch register is live there): if
        the context's ``INTERRUPT`` word is set, call into Python, which either raises
        (``Trap(INTERRUPTED)``, or a ``KeyboardInterrupt`` from a signal handler that
        ran meanwhile) or clears the word and lets the code go on."""
        if not self.interrupt_checks:
            return
        a = c.a
        stop, resume = Label("interrupt"), Label("interrupt_resume")
        a.alu_imm("cmp", Mem(CTX, L.INTERRUPT), 0, w=True)
        a.jcc(CC_NE, stop)
        a.bind(resume)

        def emit() -> None:
            a.bind(stop)
            saved = list(c.volatile_pinned)
            if len(saved) % 2:
                saved.append(saved[-1])          # keep rsp 16-byte aligned
            for register in saved:
                a.push(register)
            c.call_out(HELPER_INTERRUPT, 0)
            for register in reversed(saved):
                a.pop(register)
            a.jmp(resume)
        c.add_out_of_line(emit)

    def compile(self, only: Optional[List[int]] = None) -> CompiledCode:
        a = self.asm
        module = self.module
        base = module.imported_function_count
        native: List[int] = []
        unsupported: Dict[int, str] = {}
        ranges: List[Tuple[int, int, int]] = []
        for index in range(base, len(module.function_types)):
            if only is not None and index not in only:
                unsupported[index] = "not selected"
                continue
            point = a.snapshot()
            start = a.pos()
            try:
                FunctionCompiler(self, index).compile()
            except Unsupported as error:
                a.rollback(point)
                self.function_labels[index].pos = None
                unsupported[index] = str(error)
                continue
            except Exception as error:  # a compiler bug must not take the module down
                a.rollback(point)
                self.function_labels[index].pos = None
                unsupported[index] = "internal error: %s: %s" % (type(error).__name__, error)
                continue
            native.append(index)
            ranges.append((start, a.pos(), index))
        for index in range(len(module.function_types)):
            if self.function_labels[index].pos is None:
                start = a.pos()
                self.emit_call_out_stub(index)
                ranges.append((start, a.pos(), index))
        entries: Dict[int, Label] = {}
        for index in native:
            entries[index] = self.emit_entry(index)
        self.emit_common()
        code = a.finish()
        offsets = [label.pos for label in self.function_labels]
        layout = (len(module.function_types), len(module.globals), len(module.tables),
                  len(module.types), self.io_words)
        # every label is bound by now (a call-out stub for each function not compiled)
        return CompiledCode(code, offsets,  # type: ignore[arg-type]
                            {i: label.pos for i, label in entries.items()},  # type: ignore[misc]
                            native, unsupported, layout, sorted(ranges))

    # -- helpers used by the function compiler ------------------------------------------
    def io(self, i: int) -> Mem:
        if i + 1 > self.io_words:
            self.io_words = i + 1
        return Mem(CTX, self.io_offset + 8 * i)

    def emit_args_to_io(self, c: Any, types: Tuple[int, ...], stack_base: int,
                        stack_offset: int) -> None:
        """Store System V arguments of ``types`` into IO words (stack arguments are at
        ``[stack_base + stack_offset + 8j]``). i32/f32 are zero-extended."""
        a = self.asm
        positions, _ = abi_positions(types)
        for i, (value_type, (kind, where)) in enumerate(zip(types, positions)):
            dest = self.io(i)
            if kind == "int":
                if value_type == I32:
                    a.mov(R11, where)
                    a.mov(dest, R11, w=True)
                else:
                    a.mov(dest, where, w=True)
            elif kind == "xmm":
                if value_type == F64:
                    a.movs(True, dest, where)
                else:
                    a.movd_from_xmm(R11, where)
                    a.mov(dest, R11, w=True)
            else:
                a.mov(R11, Mem(stack_base, stack_offset + 8 * where), w=is_wide(value_type))
                a.mov(dest, R11, w=True)

    def emit_load_single_result(self, c: Any, results: Tuple[int, ...]) -> None:
        """After a call out: one result goes from IO[0] to rax/xmm0 (several stay)."""
        if len(results) != 1:
            return
        a = self.asm
        value_type = results[0]
        if is_float(value_type):
            a.movs(value_type == F64, 0, self.io(0))
        else:
            a.mov(RAX, self.io(0), w=value_type != I32)

    # -- stubs, entries, common code -----------------------------------------------------
    def emit_call_out_stub(self, index: int) -> None:
        """Internal calling convention in, Python out: through the instance's direct
        callback for this function if it has one (arguments stay in registers), else
        through the dispatcher (function index as key, arguments in IO)."""
        a = self.asm
        function_type = self.module.function_type(index)
        for value_type in function_type.params + function_type.results:
            if value_type not in VALUE_TYPES:
                # only reachable from native code that was itself rejected; keep a stub
                # that traps so that the label exists
                a.align(16)
                a.bind(self.function_labels[index])
                a.mov_imm(RAX, traps.UNREACHABLE)
                a.lea_label(RCX, self.function_labels[index])
                a.jmp(self.trap_common)
                return
        a.align(16)
        a.bind(self.function_labels[index])
        a.push(RBP)
        a.mov(RBP, RSP, w=True)
        host = Label("stub_host")
        params, results = tuple(function_type.params), tuple(function_type.results)
        if direct_signature(params, results):
            generic = Label("stub_generic")
            a.mov(RAX, Mem(CTX, self.callbacks_offset + 8 * index), w=True)
            a.test(RAX, RAX, w=True)
            a.jcc(CC_E, generic)
            a.mov_imm(Mem(CTX, L.CALL_STATUS), 1, w=True)
            a.call_rm(RAX)
            a.alu_imm("cmp", Mem(CTX, L.CALL_STATUS), 0, w=True)
            a.jcc(CC_NE, host)
            if results == (I32,):
                a.mov(RAX, RAX)
            a.pop(RBP)
            a.ret()
            a.bind(generic)
        self.emit_args_to_io(None, params, RBP, 16)
        a.mov_imm(RDI, index)
        a.alu("xor", RSI, RSI)
        a.mov_imm(Mem(CTX, L.CALL_STATUS), 1, w=True)
        a.call_rm(Mem(CTX, L.DISPATCH))
        a.alu_imm("cmp", Mem(CTX, L.CALL_STATUS), 0, w=True)
        a.jcc(CC_NE, host)
        self.emit_load_single_result(None, tuple(function_type.results))
        a.pop(RBP)
        a.ret()
        a.bind(host)
        a.mov_imm(RAX, traps.HOST)
        a.lea_label(RCX, host)
        a.jmp(self.trap_common)

    def emit_entry(self, index: int) -> Label:
        a = self.asm
        function_type = self.module.function_type(index)
        params = tuple(function_type.params)
        results = tuple(function_type.results)
        label = Label("entry%d" % index)
        a.align(16)
        a.bind(label)
        a.push(RBP)
        a.mov(RBP, RSP, w=True)
        for register in (RBX, R12, R13, R14, R15):
            a.push(register)
        a.alu_imm("sub", RSP, THUNK_FRAME - 40, w=True)
        a.mov(R15, R11, w=True)
        # ownership: take the context, or find it ours already (re-entry), or refuse
        a.mov_fs0(RBX)
        a.alu("xor", RAX, RAX)
        a.lock_cmpxchg(Mem(CTX, L.OWNER), RBX)
        acquired, go, busy = Label("acquired"), Label("go"), Label("busy")
        a.jcc(CC_E, acquired)
        a.alu("cmp", RAX, RBX, w=True)
        a.jcc(CC_NE, busy)
        a.mov_imm(Mem(RBP, -56), 0, w=True)
        a.jmp(go)
        a.bind(acquired)
        a.mov_imm(Mem(RBP, -56), 1, w=True)
        a.mov(RAX, RSP, w=True)
        a.alu("sub", RAX, Mem(CTX, L.STACK_BUDGET), w=True)
        a.mov(Mem(CTX, L.STACK_LIMIT), RAX, w=True)
        a.bind(go)
        a.mov(RAX, Mem(CTX, L.ENTRY_FP), w=True)
        a.mov(Mem(RBP, -48), RAX, w=True)
        a.mov(Mem(CTX, L.ENTRY_FP), RBP, w=True)
        a.mov(MEMBASE, Mem(CTX, L.MEM_BASE), w=True)
        # C arguments -> IO words
        c_types: List[str] = []
        for value_type in params:
            if is_wide(value_type) and not is_float(value_type):      # i64, references
                c_types += ["int", "int"]
            elif is_float(value_type):
                c_types.append("dbl")
            else:
                c_types.append("int")
        c_positions, _ = abi_positions([F64 if t == "dbl" else I32 for t in c_types])
        k = 0
        for i, value_type in enumerate(params):
            dest = self.io(i)
            if is_wide(value_type) and not is_float(value_type):
                self._c_arg(c_positions[k + 1], R11)
                a.shift_imm("shl", R11, 32, w=True)
                self._c_arg(c_positions[k], RAX)
                a.alu("or", R11, RAX, w=True)
                a.mov(dest, R11, w=True)
                k += 2
                continue
            if value_type == I32:
                self._c_arg(c_positions[k], R11)
                a.mov(dest, R11, w=True)
            else:
                kind, where = c_positions[k]
                if kind == "xmm":
                    a.movd_from_xmm(RAX, where, w=True)
                else:
                    a.mov(RAX, Mem(RBP, 16 + 8 * where), w=True)
                if value_type == F32:
                    a.call(self.d2f)
                a.mov(dest, RAX, w=True)
            k += 1
        # IO words -> the function's arguments
        positions, stack_words = abi_positions(params)
        stack_bytes = 8 * stack_words + (8 if stack_words % 2 else 0)
        if stack_bytes:
            a.alu_imm("sub", RSP, stack_bytes, w=True)
        for i, (value_type, (kind, where)) in enumerate(zip(params, positions)):
            source = self.io(i)
            if kind == "int":
                a.mov(where, source, w=value_type != I32)
            elif kind == "xmm":
                a.movs(value_type == F64, where, source)
            else:
                a.mov(R11, source, w=True)
                a.mov(Mem(RSP, 8 * where), R11, w=True)
        a.call(self.function_labels[index])
        if stack_bytes:
            a.alu_imm("add", RSP, stack_bytes, w=True)
        if is_direct(results):
            if results:
                a.mov(RAX, RAX)               # zero-extend
            else:
                a.alu("xor", RAX, RAX)
            a.mov_imm(RDX, 1)
        else:
            if len(results) == 1:
                value_type = results[0]
                if value_type != F64 and value_type != F32:
                    a.mov(self.io(0), RAX, w=True)
                elif value_type == F64:
                    a.movs(True, self.io(0), 0)
                else:
                    a.movd_from_xmm(RAX, 0)
                    a.call(self.f2d)
                    a.mov(self.io(0), RAX, w=True)
            else:
                for i, value_type in enumerate(results):
                    if value_type == F32:
                        a.mov(RAX, self.io(i))
                        a.call(self.f2d)
                        a.mov(self.io(i), RAX, w=True)
            a.alu("xor", RAX, RAX)
            a.alu("xor", RDX, RDX)
        a.jmp(self.exit_common)
        a.bind(busy)
        a.mov_imm(RAX, -traps.BUSY, w=True)
        a.jmp(self.restore_and_return)
        return label

    def _c_arg(self, position: Tuple[str, int], dest: int) -> None:
        """Load a C ``int`` argument's 32 bits, zero-extended, into ``dest``."""
        kind, where = position
        if kind == "int":
            self.asm.mov(dest, where)
        else:
            self.asm.mov(dest, Mem(RBP, 16 + 8 * where))

    def emit_common(self) -> None:
        a = self.asm
        # trap: eax = code, rcx = an address inside the trapping code
        a.align(16)
        a.bind(self.trap_common)
        a.mov(Mem(CTX, L.TRACE), RCX, w=True)
        a.mov_imm(RDX, 1)
        a.mov(R8, RBP, w=True)
        walk, walked = Label("walk"), Label("walked")
        a.bind(walk)
        a.alu("cmp", R8, Mem(CTX, L.ENTRY_FP), w=True)
        a.jcc(CC_E, walked)
        a.alu_imm("cmp", RDX, L.TRACE_LEN)
        a.jcc(CC_AE, walked)
        a.mov(R9, Mem(R8, 8), w=True)
        a.mov(Mem(CTX, L.TRACE, RDX, 8), R9, w=True)
        a.alu_imm("add", RDX, 1)
        a.mov(R8, Mem(R8), w=True)
        a.jmp(walk)
        a.bind(walked)
        a.mov(Mem(CTX, L.TRACE_COUNT), RDX, w=True)
        a.mov(RBP, Mem(CTX, L.ENTRY_FP), w=True)
        a.lea(RSP, Mem(RBP, -THUNK_FRAME))
        a.mov(RAX, RAX)
        a.group3("neg", RAX, w=True)
        a.mov_imm(RDX, 1)
        # exit: rax = return value, edx = 1 to release the context (outermost entry)
        a.bind(self.exit_common)
        a.mov(RCX, Mem(RBP, -48), w=True)
        a.mov(Mem(CTX, L.ENTRY_FP), RCX, w=True)
        a.mov(RCX, Mem(RBP, -56), w=True)
        keep = Label("keep")
        a.test(RDX, RDX)
        a.jcc(CC_E, keep)
        a.test(RCX, RCX, w=True)
        a.jcc(CC_E, self.restore_and_return)
        a.mov_imm(Mem(CTX, L.OWNER), 0, w=True)
        a.jmp(self.restore_and_return)
        a.bind(keep)
        a.mov(RAX, RCX, w=True)
        a.bind(self.restore_and_return)
        for offset, register in ((-8, RBX), (-16, R12), (-24, R13), (-32, R14), (-40, R15)):
            a.mov(register, Mem(RBP, offset), w=True)
        a.mov(RSP, RBP, w=True)
        a.pop(RBP)
        a.ret()
        self._emit_float_conversions()

    def _emit_float_conversions(self) -> None:
        """``d2f``: rax = a double holding an f32 (the Python tier's f32) -> eax = the
        f32's bits; ``f2d``: eax = f32 bits -> rax = that double. NaN payloads are moved
        by hand (the top 23 mantissa bits), so signaling NaNs stay signaling. Clobber
        only rax, r11 and xmm15."""
        a = self.asm
        a.align(16)
        a.bind(self.d2f)
        normal, have = Label("d2f_normal"), Label("d2f_have")
        a.mov(R11, RAX, w=True)
        a.shift_imm("shr", R11, 52, w=True)
        a.alu_imm("and", R11, 0x7FF)
        a.alu_imm("cmp", R11, 0x7FF)
        a.jcc(CC_NE, normal)
        a.mov(R11, RAX, w=True)
        a.shift_imm("shl", R11, 12, w=True)
        a.jcc(CC_E, normal)                       # infinity
        a.mov(R11, RAX, w=True)
        a.shift_imm("shr", R11, 29, w=True)
        a.alu_imm("and", R11, 0x7FFFFF)
        a.jcc(CC_NE, have)
        a.mov_imm(R11, 0x400000)
        a.bind(have)
        a.shift_imm("shr", RAX, 32, w=True)
        a.alu_imm("and", RAX, 0x80000000)
        a.alu_imm("or", RAX, 0x7F800000)
        a.alu("or", RAX, R11)
        a.ret()
        a.bind(normal)
        a.movd_to_xmm(15, RAX, w=True)
        a.cvt_f2f(False, 15, 15)
        a.movd_from_xmm(RAX, 15)
        a.ret()

        a.align(16)
        a.bind(self.f2d)
        nan = Label("f2d_nan")
        a.mov(R11, RAX)
        a.alu_imm("and", R11, 0x7FFFFFFF)
        a.alu_imm("cmp", R11, 0x7F800000)
        a.jcc(CC_A, nan)
        a.movd_to_xmm(15, RAX)
        a.cvt_f2f(True, 15, 15)
        a.movd_from_xmm(RAX, 15, w=True)
        a.ret()
        a.bind(nan)
        a.mov(R11, RAX)
        a.alu_imm("and", R11, 0x7FFFFF)
        a.shift_imm("shl", R11, 29, w=True)
        a.mov(RAX, RAX)
        a.shift_imm("shr", RAX, 31)
        a.shift_imm("shl", RAX, 63, w=True)
        a.alu("or", RAX, R11, w=True)
        a.mov_imm(R11, 0x7FF0000000000000, w=True)
        a.alu("or", RAX, R11, w=True)
        a.ret()


_unused = (ValType, R14, Dict)
