"""Compile one Wasm function body to x86-64: the value stack, registers and control flow.

Theory of operation
-------------------
One pass over the decoded instructions, in the style of V8's Liftoff: a compile-time
*value stack* records where each operand lives, and code is emitted only when a value
must move. An entry (:class:`Value`) is

* ``CONST``: a constant (its bit pattern), not yet in any register;
* ``REG``: in a scratch register the entry owns (general-purpose for i32/i64, SSE for
  f32/f64);
* ``LOCAL``: a ``local.get`` not yet performed (read from the local's home when used;
  made real before the local is written);
* ``SLOT``: in the frame slot of its own stack depth (``SLOT`` entry ``d`` always sits
  at index ``d``);
* ``FLAGS``: an i32 comparison whose result is still in the CPU flags; created only when
  the next instruction (``if``, ``br_if``, ``select``) consumes it.

At every control-flow join the state is *canonical*: every entry below the block's
height is a ``SLOT`` or a ``CONST`` and no scratch register is live, except the result
of a one-result block, which arrives in ``rax`` (integers) or ``xmm0`` (floats).
Several results, and loop parameters, travel in the slots of their depths. A function
returns one result in ``rax``/``xmm0`` and several in the context's ``IO`` words.

Registers: ``r15`` holds the instance context and ``r14`` linear memory's base for the
whole run; ``rbp`` is the frame pointer; ``r11`` and ``xmm14``/``xmm15`` are temporaries
no value ever lives in. Up to three integer locals (the most used ones, loop-weighted)
live in the callee-saved ``rbx``/``r12``/``r13``; the others, and float locals, in the
frame. The calling convention is System V's (integer arguments in rdi, rsi, rdx, rcx,
r8, r9, floats in xmm0-7, the rest on the stack), so a call out of native code can
target any C function pointer.

Anything this compiler does not handle raises :class:`Unsupported`; the function then
stays in the Python tier (calls to it go through a stub, see :mod:`.module`).

Spec: Core 2.0 §4.4 (exec/instructions.html); the validator guarantees types and stack
heights (§3.3), which this compiler relies on and does not re-check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..._binary.code import decode_body
from ..._opcodes import OPCODE_NAMES, Op
from ..._types import ValType
from . import layout as L
from . import traps
from .x64 import (
    CC_B,
    CC_E,
    CC_NE,
    R8,
    R9,
    R10,
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
    negate,
)

if TYPE_CHECKING:
    from .module import ModuleCompiler

__all__ = ["Unsupported", "FunctionCompiler", "Value", "CONST", "REG", "LOCAL", "SLOT",
           "FLAGS", "HANDLERS", "abi_positions", "I32", "I64", "F32", "F64"]

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF
NUMERIC = (I32, I64, F32, F64)
#: references are 64-bit handles in native code (see :mod:`.reference`)
REFERENCES = (FUNCREF, EXTERNREF)
VALUE_TYPES = NUMERIC + REFERENCES

CONST, REG, LOCAL, SLOT, FLAGS = range(5)

#: scratch registers, in allocation order (rax/rcx/rdx last: division, shifts and merges
#: want them)
GPR_POOL = (R10, R9, R8, RDI, RSI, RDX, RCX, RAX)
XMM_POOL = (8, 9, 10, 11, 12, 13, 7, 6, 5, 4, 3, 2, 1, 0)
PINNABLE = (RBX, R12, R13)
#: in a function that never calls out, three more locals live in caller-saved registers
LEAF_PINNABLE = (R8, R9, R10)
#: instructions that call another function or into Python/libc (a function without them
#: is a *leaf*)
CALLING_OPS = frozenset(int(op) for op in (
    Op.CALL, Op.CALL_INDIRECT, Op.MEMORY_GROW, Op.MEMORY_FILL, Op.MEMORY_COPY,
    Op.MEMORY_INIT, Op.DATA_DROP, Op.TABLE_SIZE, Op.TABLE_COPY, Op.TABLE_INIT,
    Op.ELEM_DROP, Op.TABLE_GET, Op.TABLE_SET, Op.TABLE_GROW, Op.TABLE_FILL))
INT_ARGS = (RDI, RSI, RDX, RCX, R8, R9)
FLOAT_ARGS = (0, 1, 2, 3, 4, 5, 6, 7)
TMP = R11
XTMP = 15
XTMP2 = 14
CTX = R15
MEMBASE = R14

Handler = Callable[["FunctionCompiler", tuple], Optional[bool]]
#: opcode -> handler; filled by the instruction-family modules
HANDLERS: Dict[int, Handler] = {}


class Unsupported(Exception):
    """The function uses something the native compiler does not handle."""


def is_float(value_type: int) -> bool:
    return value_type == F32 or value_type == F64


def is_wide(value_type: int) -> bool:
    """Whether a value of this type is 64 bits (references are 64-bit handles)."""
    return value_type != I32 and value_type != F32


def abi_positions(types: Sequence[int]) -> Tuple[List[Tuple[str, int]], int]:
    """System V positions of arguments of these types: ``("int", reg)``,
    ``("xmm", reg)`` or ``("stack", j)``; and the number of stack words."""
    positions: List[Tuple[str, int]] = []
    ints = floats = stack = 0
    for value_type in types:
        if is_float(value_type):
            if floats < len(FLOAT_ARGS):
                positions.append(("xmm", FLOAT_ARGS[floats]))
                floats += 1
                continue
        elif ints < len(INT_ARGS):
            positions.append(("int", INT_ARGS[ints]))
            ints += 1
            continue
        positions.append(("stack", stack))
        stack += 1
    return positions, stack


class Value:
    """One entry of the compile-time value stack (see the module docstring)."""

    __slots__ = ("kind", "data", "type")

    def __init__(self, kind: int, data: int, value_type: int) -> None:
        self.kind = kind
        self.data = data
        self.type = value_type

    def __repr__(self) -> str:
        return "%s(%r:%s)" % (("CONST", "REG", "LOCAL", "SLOT", "FLAGS")[self.kind],
                              self.data, ValType(self.type).name)


class Frame:
    """An open block/loop/if (or the function body)."""

    __slots__ = ("kind", "height", "params", "results", "label", "end_label",
                 "else_label", "entry_state", "end_reachable", "else_seen", "info")

    def __init__(self, kind: str, height: int, params: tuple, results: tuple,
                 entry_state: List[Value], info: Any) -> None:
        self.kind = kind
        self.height = height
        self.params = params
        self.results = results
        self.end_label = Label(kind + "_end")
        self.label = Label("loop") if kind == "loop" else self.end_label
        self.else_label = Label("else") if kind == "if" else None
        self.entry_state = entry_state
        self.end_reachable = False
        self.else_seen = False
        self.info = info

    @property
    def branch_types(self) -> tuple:
        return self.params if self.kind == "loop" else self.results


class FunctionCompiler:
    """Compiles defined function ``index`` into the module compiler's assembler."""

    def __init__(self, mc: ModuleCompiler, index: int) -> None:
        self.mc = mc
        self.a: Assembler = mc.asm
        self.module = mc.module
        self.index = index
        defined = index - self.module.imported_function_count
        self.function = self.module.functions[defined]
        self.type = self.module.types[self.function.type_index]
        self.info = mc.function_infos[defined]
        self.locals: Tuple[int, ...] = tuple(self.info.locals)
        for value_type in self.locals + self.type.params + self.type.results:
            if value_type not in VALUE_TYPES:
                raise Unsupported("a value of type %s" % ValType(value_type).name)
        self.instructions, _ = decode_body(self.function.code, self.function.offset)
        self.stack: List[Value] = []
        self.frames: List[Frame] = []
        self.gpr_pool: Tuple[int, ...] = GPR_POOL
        self.free_gpr: List[int] = list(GPR_POOL)
        self.free_xmm: List[int] = list(XMM_POOL)
        #: pinned locals in caller-saved registers (leaf functions): saved around the
        #: interrupt check's call into Python
        self.volatile_pinned: List[int] = []
        self.unreachable = False
        self.pc = 0
        self.max_slots = 0
        self.trap_labels: Dict[int, Label] = {}
        self.out_of_line: List[Callable[[], None]] = []
        self.return_label = Label("return")
        self.homes: List[Any] = []
        self.pinned: List[int] = []
        self.slot_base = 0
        self.mem_locals = 0

    # -- registers -----------------------------------------------------------------------
    def alloc(self, floating: bool, avoid: Sequence[int] = ()) -> int:
        """A free scratch register of the class (spilling the deepest one if none)."""
        pool = self.free_xmm if floating else self.free_gpr
        for i, register in enumerate(pool):
            if register not in avoid:
                del pool[i]
                return register
        for depth, value in enumerate(self.stack):
            if value.kind == REG and is_float(value.type) == floating and value.data not in avoid:
                self.store_value(value, self.slot(depth))
                self.stack[depth] = Value(SLOT, depth, value.type)
                return value.data
        raise AssertionError("no register to spill")

    def alloc_gpr(self, avoid: Sequence[int] = ()) -> int:
        return self.alloc(False, avoid)

    def alloc_xmm(self, avoid: Sequence[int] = ()) -> int:
        return self.alloc(True, avoid)

    def release(self, value: Value) -> None:
        if value.kind == REG:
            (self.free_xmm if is_float(value.type) else self.free_gpr).append(value.data)

    def free_register(self, floating: bool, register: int) -> None:
        (self.free_xmm if floating else self.free_gpr).append(register)

    def evict(self, register: int) -> None:
        """Make a general-purpose ``register`` free: move a stack entry out of it."""
        if register in self.free_gpr:
            return
        for depth, value in enumerate(self.stack):
            if value.kind == REG and not is_float(value.type) and value.data == register:
                other = self.alloc_gpr(avoid=(register,))
                self.a.mov(other, register, w=True)
                self.stack[depth] = Value(REG, other, value.type)
                self.free_gpr.append(register)
                return
        raise AssertionError("register %d is neither free nor on the stack" % register)

    def claim(self, register: int, floating: bool = False) -> None:
        """Take a specific free register."""
        (self.free_xmm if floating else self.free_gpr).remove(register)

    def reset_registers(self) -> None:
        self.free_gpr = list(self.gpr_pool)
        self.free_xmm = list(XMM_POOL)

    # -- locations -----------------------------------------------------------------------
    def slot(self, depth: int) -> Mem:
        if depth + 1 > self.max_slots:
            self.max_slots = depth + 1
        return Mem(RBP, -(self.slot_base + 8 * (depth + 1)))

    def io(self, i: int) -> Mem:
        if i + 1 > self.mc.io_words:
            self.mc.io_words = i + 1
        return Mem(CTX, self.mc.io_offset + 8 * i)

    def location(self, value: Value) -> Any:
        """Register or memory operand holding ``value`` (None for a constant)."""
        kind = value.kind
        if kind == REG:
            return value.data
        if kind == SLOT:
            return self.slot(value.data)
        if kind == LOCAL:
            return self.homes[value.data]
        if kind == CONST:
            return None
        raise AssertionError("flags have no location")

    def load_into(self, value: Value, register: int) -> None:
        """Copy ``value`` into ``register`` (of its class); never changes the flags."""
        a = self.a
        value_type = value.type
        kind = value.kind
        if kind == FLAGS:
            a.setcc(value.data, register)
            a.movzx8(register, register)
            return
        if is_float(value_type):
            double = value_type == F64
            if kind == CONST:
                if value.data == 0:
                    a.sse_logic("xor", register, register)
                else:
                    a.mov_imm(TMP, value.data, w=True)
                    a.movd_to_xmm(register, TMP, w=double)
            else:
                where = self.location(value)
                if isinstance(where, Mem):
                    a.movs(double, register, where)
                else:
                    a.movaps(register, where)
            return
        wide = value_type != I32
        if kind == CONST:
            a.mov_imm(register, value.data, w=wide)
            return
        where = self.location(value)
        if isinstance(where, Mem) or where != register:
            a.mov(register, where, w=wide)

    def to_reg(self, value: Value, avoid: Sequence[int] = ()) -> int:
        """Materialize a popped value in a scratch register it owns."""
        if value.kind == REG and value.data not in avoid:
            return value.data
        floating = is_float(value.type)
        register = self.alloc(floating, avoid)
        self.load_into(value, register)
        self.release(value)
        return register

    def store_value(self, value: Value, dest: Mem) -> None:
        """Write ``value`` to an 8-byte location; i32/f32 are stored zero-extended."""
        a = self.a
        value_type = value.type
        kind = value.kind
        if kind == FLAGS:
            a.setcc(value.data, TMP)
            a.movzx8(TMP, TMP)
            a.mov(dest, TMP, w=True)
            return
        if kind == CONST:
            bits = value.data
            if 0 <= bits < 0x80000000:
                a.mov_imm(dest, bits, w=True)
            else:
                a.mov_imm(TMP, bits, w=is_wide(value_type))
                a.mov(dest, TMP, w=True)
            return
        where = self.location(value)
        if isinstance(where, Mem):
            a.mov(TMP, where, w=is_wide(value_type))
            a.mov(dest, TMP, w=True)
        elif is_float(value_type):
            if value_type == F64:
                a.movs(True, dest, where)
            else:
                a.movd_from_xmm(TMP, where)
                a.mov(dest, TMP, w=True)
        else:
            a.mov(dest, where, w=True)

    # -- the value stack -----------------------------------------------------------------
    def push(self, value: Value) -> None:
        self.stack.append(value)

    def push_reg(self, value_type: int, register: int) -> None:
        self.stack.append(Value(REG, register, value_type))

    def push_const(self, value_type: int, bits: int) -> None:
        self.stack.append(Value(CONST, bits, value_type))

    def pop(self) -> Value:
        return self.stack.pop()

    def pop_n(self, n: int) -> List[Value]:
        if n == 0:
            return []
        values = self.stack[-n:]
        del self.stack[-n:]
        return values

    def flush_entry(self, depth: int) -> None:
        value = self.stack[depth]
        if value.kind == CONST or value.kind == SLOT:
            return
        self.store_value(value, self.slot(depth))
        self.release(value)
        self.stack[depth] = Value(SLOT, depth, value.type)

    def flush_all(self) -> None:
        for depth in range(len(self.stack)):
            self.flush_entry(depth)

    def spill_registers(self) -> None:
        """Before a call: no stack entry may stay in a caller-saved register."""
        for depth, value in enumerate(self.stack):
            if value.kind == REG or value.kind == FLAGS or value.kind == LOCAL \
                    and not isinstance(self.homes[value.data], Mem) \
                    and self.homes[value.data] not in PINNABLE:
                self.flush_entry(depth)

    def materialize_local(self, index: int) -> None:
        """Before ``local.set``/``local.tee`` of ``index``: make pending reads real."""
        for depth, value in enumerate(self.stack):
            if value.kind == LOCAL and value.data == index:
                register = self.alloc(is_float(value.type))
                self.load_into(value, register)
                self.stack[depth] = Value(REG, register, value.type)

    def next_opcode(self) -> int:
        if self.pc + 1 < len(self.instructions):
            return self.instructions[self.pc + 1][0]
        return -1

    def trap(self, code: int) -> Label:
        label = self.trap_labels.get(code)
        if label is None:
            label = self.trap_labels[code] = Label("trap%d" % code)
        return label

    # -- the function --------------------------------------------------------------------
    def compile(self) -> None:
        self.choose_homes()
        a = self.a
        a.align(16)
        a.bind(self.mc.function_labels[self.index])
        a.push(RBP)
        a.mov(RBP, RSP, w=True)
        for register in self.pinned:
            a.push(register)
        a.buf += b"\x48\x81\xEC"            # sub rsp, imm32: patched once the frame is known
        frame_patch = a.pos()
        a.buf += b"\0\0\0\0"
        a.alu("cmp", RSP, Mem(CTX, L.STACK_LIMIT), w=True)
        a.jcc(CC_B, self.trap(traps.STACK_EXHAUSTED))
        self.move_params_home()
        self.zero_locals()
        self.mc.emit_interrupt_check(self)
        function_info = self.info.blocks[-1]
        self.frames.append(Frame("function", 0, (), tuple(self.type.results), [], function_info))
        self.run()
        a.bind(self.return_label)
        if self.pinned:
            a.lea(RSP, Mem(RBP, -8 * len(self.pinned)))
            for register in reversed(self.pinned):
                a.pop(register)
        else:
            a.mov(RSP, RBP, w=True)
        a.pop(RBP)
        a.ret()
        for emit in self.out_of_line:
            emit()
        for code, label in sorted(self.trap_labels.items()):
            a.bind(label)
            a.mov_imm(RAX, code)
            a.lea_label(RCX, label)
            a.jmp(self.mc.trap_common)
        frame = 8 * (self.mem_locals + self.max_slots)
        if (frame + 8 * len(self.pinned)) % 16:
            frame += 8
        if frame >= 1 << 31:
            raise Unsupported("frame too large")
        a.buf[frame_patch:frame_patch + 4] = frame.to_bytes(4, "little")

    def choose_homes(self) -> None:
        """Pin the most used integer locals (uses inside loops count 8x per level)."""
        counts = [0] * len(self.locals)
        weight = 1
        loop_depths: List[int] = []
        blocks = self.info.blocks
        leaf = True
        calling = CALLING_OPS
        for i, ins in enumerate(self.instructions):
            op = ins[0]
            if op in calling:
                leaf = False
            elif (op == Op.GLOBAL_GET or op == Op.GLOBAL_SET) and \
                    self.module.globals[ins[1]].content in REFERENCES:
                leaf = False                       # reference globals live in Python
            elif op == Op.LOOP:
                loop_depths.append(blocks[i].end)
                weight *= 8
            elif op == Op.END and loop_depths and loop_depths[-1] == i:
                loop_depths.pop()
                weight //= 8
            elif op == Op.LOCAL_GET or op == Op.LOCAL_SET or op == Op.LOCAL_TEE:
                counts[ins[1]] += weight
        candidates = sorted((i for i, t in enumerate(self.locals) if not is_float(t) and counts[i]),
                            key=lambda i: -counts[i])
        registers = LEAF_PINNABLE + PINNABLE if leaf else PINNABLE
        pinned_locals = candidates[:len(registers)]
        used = registers[:len(pinned_locals)]
        self.pinned = [r for r in used if r in PINNABLE]
        self.volatile_pinned = [r for r in used if r not in PINNABLE]
        if self.volatile_pinned:
            self.gpr_pool = tuple(r for r in GPR_POOL if r not in self.volatile_pinned)
            self.free_gpr = list(self.gpr_pool)
        homes: List[Any] = [None] * len(self.locals)
        for register, local in zip(used, pinned_locals):
            homes[local] = register
        offset = 8 * len(self.pinned)
        for i in range(len(self.locals)):
            if homes[i] is None:
                offset += 8
                homes[i] = Mem(RBP, -offset)
                self.mem_locals += 1
        self.homes = homes
        self.slot_base = offset

    def move_params_home(self) -> None:
        """Parameters from their System V registers/stack slots to their homes (a
        parallel move: a home may be another parameter's argument register)."""
        a = self.a
        positions, _ = abi_positions(self.type.params)
        moves: Dict[int, int] = {}
        later = []
        for i, (value_type, (kind, where)) in enumerate(zip(self.type.params, positions)):
            home = self.homes[i]
            if kind == "stack":
                later.append((home, Mem(RBP, 16 + 8 * where), value_type))
            elif kind == "xmm":
                a.movs(value_type == F64, home, where)      # float locals live in memory
            elif isinstance(home, Mem):
                a.mov(home, where, w=True)
            elif home != where:
                moves[home] = where
        while moves:
            sources = set(moves.values())
            ready = [d for d in moves if d not in sources]
            if ready:
                a.mov(ready[0], moves.pop(ready[0]), w=True)
            else:
                destination, source = next(iter(moves.items()))
                a.mov(TMP, source, w=True)
                for d in moves:
                    if moves[d] == source:
                        moves[d] = TMP
        for home, slot, value_type in later:
            if isinstance(home, Mem):
                a.mov(TMP, slot, w=True)
                a.mov(home, TMP, w=True)
            else:
                a.mov(home, slot, w=is_wide(value_type))

    def zero_locals(self) -> None:
        a = self.a
        memory_locals = []
        for i in range(len(self.type.params), len(self.locals)):
            home = self.homes[i]
            if isinstance(home, Mem):
                memory_locals.append(home)
            else:
                a.alu("xor", home, home)
        if len(memory_locals) > 16:
            # the memory locals of a function occupy one contiguous range below the pins
            lowest = min(m.disp for m in memory_locals)
            a.lea(RDI, Mem(RBP, lowest))
            a.mov_imm(RCX, len(memory_locals))
            a.alu("xor", RAX, RAX)
            a.buf += b"\xF3\x48\xAB"          # rep stosq
        else:
            for home in memory_locals:
                a.mov_imm(home, 0, w=True)

    def run(self) -> None:
        instructions = self.instructions
        handlers = HANDLERS
        while True:
            ins = instructions[self.pc]
            handler = handlers.get(ins[0])
            if handler is None:
                raise Unsupported(OPCODE_NAMES.get(ins[0], "opcode %#x" % ins[0]))
            if handler(self, ins):
                return
            if self.unreachable:
                self.skip_dead()
            self.pc += 1

    def skip_dead(self) -> None:
        """After br/return/unreachable: continue at the current frame's else or end."""
        frame = self.frames[-1]
        info = frame.info
        if frame.kind == "if" and not frame.else_seen and info.else_ > self.pc:
            target = info.else_
        else:
            target = info.end
        self.pc = target - 1

    # -- control flow helpers ------------------------------------------------------------
    def merge_moves(self, frame: Frame, branch: bool) -> None:
        """Move the values a branch to (or the end of) ``frame`` carries to where the
        frame's continuation expects them. Emits moves only (the flags survive)."""
        types = frame.branch_types if branch else frame.results
        n = len(types)
        if n == 0:
            return
        base = len(self.stack) - n
        for i in range(n):
            value = self.stack[base + i]
            if frame.kind == "loop" and branch:
                target: Any = ("slot", frame.height + i)
            elif n == 1:
                target = ("reg", 0 if is_float(types[0]) else RAX)
            elif frame.kind == "function":
                target = ("io", i)
            else:
                target = ("slot", frame.height + i)
            if target[0] == "reg":
                self.load_into(value, target[1])
            elif target[0] == "slot":
                if value.kind == SLOT and value.data == target[1]:
                    continue
                self.store_value(value, self.slot(target[1]))
            else:
                self.store_value(value, self.io(target[1]))

    def branch_target(self, frame: Frame) -> Label:
        return self.return_label if frame.kind == "function" else frame.label

    def jump_if(self, condition: Value, label: Label, when: bool) -> None:
        """Jump to ``label`` when the i32 ``condition`` is nonzero (``when``) or zero."""
        a = self.a
        if condition.kind == FLAGS:
            a.jcc(condition.data if when else negate(condition.data), label)
            return
        if condition.kind == CONST:
            if bool(condition.data) == when:
                a.jmp(label)
            return
        where = self.location(condition)
        if isinstance(where, Mem):
            a.alu_imm("cmp", where, 0)
        else:
            a.test(where, where)
        self.release(condition)
        a.jcc(CC_NE if when else CC_E, label)

    def restore_state(self, frame: Frame, keep: int) -> None:
        self.stack = list(frame.entry_state[:keep])
        self.reset_registers()

    def push_block_results(self, frame: Frame) -> None:
        results = frame.results
        if len(results) == 1:
            register = 0 if is_float(results[0]) else RAX
            self.claim(register, is_float(results[0]))
            self.push_reg(results[0], register)
        else:
            for i, value_type in enumerate(results):
                self.push(Value(SLOT, frame.height + i, value_type))

    # -- calls ---------------------------------------------------------------------------
    def place_args(self, args: List[Value], types: Sequence[int]) -> int:
        """Put ``args`` where the System V convention wants them; returns the bytes of
        stack arguments the caller pops after the call. Uses only r11/xmm15 as
        temporaries (r10 and rax survive: ``call_indirect`` keeps its index there)."""
        a = self.a
        positions, stack_words = abi_positions(types)
        stack_bytes = 8 * stack_words + (8 if stack_words % 2 else 0)
        if stack_bytes:
            a.alu_imm("sub", RSP, stack_bytes, w=True)
        moves: Dict[Tuple[bool, int], int] = {}
        for value, (kind, where) in zip(args, positions):
            if kind == "stack":
                self.store_value(value, Mem(RSP, 8 * where))
            elif value.kind == REG:
                floating = kind == "xmm"
                if value.data != where:
                    moves[(floating, where)] = value.data
        # parallel register moves, cycles broken through the temporaries
        while moves:
            sources = {(k[0], s) for k, s in moves.items()}
            ready = [k for k in moves if k not in sources]
            if ready:
                key = ready[0]
                source = moves.pop(key)
                if key[0]:
                    a.movaps(key[1], source)
                else:
                    a.mov(key[1], source, w=True)
            else:
                key, source = next(iter(moves.items()))
                temp = XTMP if key[0] else TMP
                if key[0]:
                    a.movaps(temp, source)
                else:
                    a.mov(temp, source, w=True)
                for k in list(moves):
                    if moves[k] == source and k[0] == key[0]:
                        moves[k] = temp
        for value, (kind, where) in zip(args, positions):
            if kind != "stack" and value.kind != REG:
                self.load_into(value, where)
        return stack_bytes

    def after_call(self, results: Sequence[int], stack_bytes: int) -> None:
        if stack_bytes:
            self.a.alu_imm("add", RSP, stack_bytes, w=True)
        self.reset_registers()
        if len(results) == 1:
            register = 0 if is_float(results[0]) else RAX
            self.claim(register, is_float(results[0]))
            self.push_reg(results[0], register)
        elif results:
            for i, value_type in enumerate(results):
                depth = len(self.stack)
                self.a.mov(TMP, self.io(i), w=True)
                self.a.mov(self.slot(depth), TMP, w=True)
                self.push(Value(SLOT, depth, value_type))

    def call_out(self, key: int, extra: int, host_trap: bool = True) -> None:
        """Call the dispatcher (arguments already in IO); traps if it reports an
        exception. Caller-saved registers are clobbered."""
        a = self.a
        a.mov_imm(RDI, key)
        a.mov_imm(RSI, extra, w=True)
        a.mov_imm(Mem(CTX, L.CALL_STATUS), 1, w=True)
        a.call_rm(Mem(CTX, L.DISPATCH))
        if host_trap:
            a.alu_imm("cmp", Mem(CTX, L.CALL_STATUS), 0, w=True)
            a.jcc(CC_NE, self.trap(traps.HOST))

    def add_out_of_line(self, emit: Callable[[], None]) -> None:
        self.out_of_line.append(emit)
