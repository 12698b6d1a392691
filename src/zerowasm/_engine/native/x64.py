"""A small x86-64 assembler: what the native compiler emits, nothing more.

Registers are ints: general-purpose ``RAX``..``R15`` (0..15) and, in the SSE methods,
``XMM0``..``XMM15`` (also 0..15; the method says which file it means). A memory operand
is :class:`Mem` (``base + index * scale + disp``). Branches are always ``rel32`` to a
:class:`Label`, resolved by :meth:`Assembler.finish`; jump tables hold 32-bit offsets
relative to the table, so the output is position independent.

Operand size: ``w=True`` selects the 64-bit form (REX.W); otherwise 32-bit forms are
emitted, which zero the upper half of the destination register (the compiler relies on
that: every i32 in a register is zero-extended).

Intel SDM vol. 2 (instruction set reference) is the specification followed here; the
test suite checks the encodings against ``objdump`` where it is installed.
"""

from __future__ import annotations

import struct
from typing import Any, List, Optional, Tuple, Union

__all__ = ["Assembler", "Label", "Mem", "Operand",
           "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
           "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
           "CC_O", "CC_NO", "CC_B", "CC_AE", "CC_E", "CC_NE", "CC_BE", "CC_A",
           "CC_S", "CC_NS", "CC_P", "CC_NP", "CC_L", "CC_GE", "CC_LE", "CC_G",
           "negate", "fits_i32", "fits_i8"]

RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(8)
R8, R9, R10, R11, R12, R13, R14, R15 = range(8, 16)

# condition codes: the low nibble of Jcc / SETcc / CMOVcc
CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A = range(8)
CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G = range(8, 16)


def negate(cc: int) -> int:
    """The opposite condition (``e`` <-> ``ne``, ``l`` <-> ``ge``, ...)."""
    return cc ^ 1


def fits_i32(value: int) -> bool:
    return -0x80000000 <= value <= 0x7FFFFFFF


def fits_i8(value: int) -> bool:
    return -0x80 <= value <= 0x7F


class Mem:
    """A memory operand ``[base + index*scale + disp]``; ``base`` None means RIP-relative
    to a label (``Mem(None, label=L)``)."""

    __slots__ = ("base", "index", "scale", "disp", "label")

    def __init__(self, base: Optional[int], disp: int = 0, index: Optional[int] = None,
                 scale: int = 1, label: Optional[Label] = None) -> None:
        if not fits_i32(disp):
            raise ValueError("displacement out of range: %d" % disp)
        if index == RSP:
            raise ValueError("rsp cannot be an index register")
        self.base = base
        self.index = index
        self.scale = scale
        self.disp = disp
        self.label = label

    def __add__(self, offset: int) -> Mem:
        return Mem(self.base, self.disp + offset, self.index, self.scale, self.label)

    def __repr__(self) -> str:
        return "Mem(%r, %d, %r, %d)" % (self.base, self.disp, self.index, self.scale)


Operand = Union[int, Mem]


class Label:
    """A position in the code, bound once."""

    __slots__ = ("pos", "name")

    def __init__(self, name: str = "") -> None:
        self.pos: Optional[int] = None
        self.name = name

    def __repr__(self) -> str:
        return "Label(%s@%r)" % (self.name, self.pos)


# ALU group: (op r/m,r ; op r,r/m ; /digit of the immediate forms)
_ALU = {"add": (0x01, 0x03, 0), "or": (0x09, 0x0B, 1), "adc": (0x11, 0x13, 2),
        "sbb": (0x19, 0x1B, 3), "and": (0x21, 0x23, 4), "sub": (0x29, 0x2B, 5),
        "xor": (0x31, 0x33, 6), "cmp": (0x39, 0x3B, 7)}
_SHIFT = {"rol": 0, "ror": 1, "shl": 4, "shr": 5, "sar": 7}
_GROUP3 = {"not": 2, "neg": 3, "mul": 4, "imul": 5, "div": 6, "idiv": 7}
# SSE arithmetic: name -> second opcode byte (after the F3/F2 prefix and 0F)
_SSE_ARITH = {"add": 0x58, "mul": 0x59, "sub": 0x5C, "min": 0x5D, "div": 0x5E,
              "max": 0x5F, "sqrt": 0x51}
_SSE_LOGIC = {"and": 0x54, "andn": 0x55, "or": 0x56, "xor": 0x57}


_ENCODED: dict = {}


class Assembler:
    """Accumulates machine code in ``buf``; labels are patched by :meth:`finish`."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self._fixups: List[Tuple[int, Label, int]] = []  # (position, label, origin)
        self._table_bases: dict = {}

    # -- positions and labels ------------------------------------------------------------
    def pos(self) -> int:
        return len(self.buf)

    def bind(self, label: Label) -> None:
        if label.pos is not None:
            raise AssertionError("label %s bound twice" % label.name)
        label.pos = len(self.buf)

    def align(self, n: int, fill: int = 0x90) -> None:
        while len(self.buf) % n:
            self.buf.append(fill)

    def _rel32(self, label: Label) -> None:
        """A rel32 field relative to the end of the field (the next instruction)."""
        position = len(self.buf)
        self._fixups.append((position, label, position + 4))
        self.buf += b"\0\0\0\0"

    def table_entry(self, label: Label, table: Label) -> None:
        """A 32-bit jump-table entry: ``label - table``."""
        self._fixups.append((len(self.buf), label, -1 - id(table)))
        self._table_bases[id(table)] = table
        self.buf += b"\0\0\0\0"

    def finish(self) -> bytes:
        """Resolve every label reference; returns the code."""
        for position, label, origin in self._fixups:
            if label.pos is None:
                raise AssertionError("unbound label %s" % label.name)
            if origin < 0:
                table = self._table_bases[-1 - origin]
                assert table.pos is not None
                struct.pack_into("<i", self.buf, position, label.pos - table.pos)
            else:
                struct.pack_into("<i", self.buf, position, label.pos - origin)
        self._fixups = []
        self._table_bases = {}
        return bytes(self.buf)

    def snapshot(self) -> Tuple[int, int]:
        """A point to roll back to (:meth:`rollback`) when a function cannot be compiled."""
        return len(self.buf), len(self._fixups)

    def rollback(self, point: Tuple[int, int]) -> None:
        del self.buf[point[0]:]
        del self._fixups[point[1]:]

    # -- encoding helpers ----------------------------------------------------------------
    def _modrm(self, reg: int, rm: Operand) -> None:
        reg &= 7
        if not isinstance(rm, Mem):
            self.buf.append(0xC0 | (reg << 3) | (rm & 7))
            return
        if rm.base is None:  # RIP-relative
            self.buf.append((reg << 3) | 5)
            assert rm.label is not None
            position = len(self.buf)
            # the rel32 is relative to the end of the instruction: callers of RIP-relative
            # operands never emit an immediate after it
            self._fixups.append((position, rm.label, position + 4))
            self.buf += b"\0\0\0\0"
            return
        base, disp, index = rm.base, rm.disp, rm.index
        if disp == 0 and (base & 7) != RBP:
            mod, tail = 0, b""
        elif fits_i8(disp):
            mod, tail = 1, struct.pack("<b", disp)
        else:
            mod, tail = 2, struct.pack("<i", disp)
        if index is None and (base & 7) != RSP:
            self.buf.append((mod << 6) | (reg << 3) | (base & 7))
        else:
            self.buf.append((mod << 6) | (reg << 3) | 4)
            idx = 4 if index is None else index & 7
            ss = {1: 0, 2: 1, 4: 2, 8: 3}[rm.scale]
            self.buf.append((ss << 6) | (idx << 3) | (base & 7))
        self.buf += tail

    def _rex(self, w: bool, reg: int, rm: Operand, force: bool = False) -> None:
        value = 0x40 | (8 if w else 0) | (4 if reg & 8 else 0)
        if isinstance(rm, Mem):
            if rm.index is not None and rm.index & 8:
                value |= 2
            if rm.base is not None and rm.base & 8:
                value |= 1
        elif rm & 8:
            value |= 1
        if value != 0x40 or force:
            self.buf.append(value)

    def _op(self, opcode: bytes, reg: int, rm: Operand, w: bool = False,
            prefix: bytes = b"", byte_reg: bool = False) -> None:
        """[prefix] [REX] opcode ModRM [SIB] [disp]. ``byte_reg``: an 8-bit register
        operand (sil/dil/spl/bpl need an empty REX). Encodings are memoized (the
        compiler emits the same few thousand forms over and over)."""
        if rm.__class__ is Mem:
            if rm.base is None:     # RIP-relative: a fixup, never memoized
                self._encode(opcode, reg, rm, w, prefix, byte_reg)
                return
            key: Any = (opcode, reg, rm.base, rm.index, rm.scale, rm.disp, w, prefix, byte_reg)
        else:
            key = (opcode, reg, rm, w, prefix, byte_reg)
        encoded = _ENCODED.get(key)
        if encoded is None:
            start = len(self.buf)
            self._encode(opcode, reg, rm, w, prefix, byte_reg)
            if len(_ENCODED) < 200000:
                _ENCODED[key] = bytes(self.buf[start:])
            return
        self.buf += encoded

    def _encode(self, opcode: bytes, reg: int, rm: Operand, w: bool, prefix: bytes,
                byte_reg: bool) -> None:
        self.buf += prefix
        force = byte_reg and ((not isinstance(rm, Mem) and 4 <= rm < 8) or 4 <= reg < 8)
        self._rex(w, reg, rm, force)
        self.buf += opcode
        self._modrm(reg, rm)

    # -- moves ---------------------------------------------------------------------------
    def mov(self, dst: Operand, src: Operand, w: bool = False) -> None:
        """``mov`` register/memory <- register/memory (not memory to memory)."""
        if isinstance(dst, Mem):
            assert not isinstance(src, Mem)
            self._op(b"\x89", src, dst, w)
        elif isinstance(src, Mem):
            self._op(b"\x8B", dst, src, w)
        else:
            if dst == src and w:
                return
            self._op(b"\x89", src, dst, w)

    def mov_imm(self, dst: Operand, imm: int, w: bool = False) -> None:
        """Load a constant without touching the flags. ``w``: ``imm`` is a 64-bit value
        (any of its signed/unsigned spellings)."""
        if isinstance(dst, Mem):
            value = imm & (0xFFFFFFFFFFFFFFFF if w else 0xFFFFFFFF)
            if w:
                if value >= 1 << 63:
                    value -= 1 << 64
                if not fits_i32(value):
                    raise ValueError("64-bit immediate store needs a register")
            elif value >= 1 << 31:
                value -= 1 << 32
            self._op(b"\xC7", 0, dst, w)
            self.buf += struct.pack("<i", value)
            return
        if w:
            value = imm & 0xFFFFFFFFFFFFFFFF
            if value < 1 << 32:
                self._mov32_imm(dst, value)          # zero-extends
            elif value >= 0xFFFFFFFF80000000:       # sign-extended imm32
                self._op(b"\xC7", 0, dst, True)
                self.buf += struct.pack("<i", value - (1 << 64))
            else:
                self._rex(True, 0, dst)
                self.buf.append(0xB8 | (dst & 7))
                self.buf += struct.pack("<Q", value)
        else:
            self._mov32_imm(dst, imm & 0xFFFFFFFF)

    def _mov32_imm(self, dst: int, value: int) -> None:
        self._rex(False, 0, dst)
        self.buf.append(0xB8 | (dst & 7))
        self.buf += struct.pack("<I", value)

    def lea(self, dst: int, mem: Mem, w: bool = True) -> None:
        self._op(b"\x8D", dst, mem, w)

    def movzx8(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xB6", dst, src, w, byte_reg=not isinstance(src, Mem))

    def movzx16(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xB7", dst, src, w)

    def movsx8(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xBE", dst, src, w, byte_reg=not isinstance(src, Mem))

    def movsx16(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xBF", dst, src, w)

    def movsxd(self, dst: int, src: Operand) -> None:
        self._op(b"\x63", dst, src, True)

    def store8(self, mem: Mem, src: int) -> None:
        self._op(b"\x88", src, mem, byte_reg=True)

    def store16(self, mem: Mem, src: int) -> None:
        self._op(b"\x89", src, mem, prefix=b"\x66")

    def store_imm8(self, mem: Mem, imm: int) -> None:
        self._op(b"\xC6", 0, mem)
        self.buf.append(imm & 0xFF)

    def store_imm16(self, mem: Mem, imm: int) -> None:
        self._op(b"\xC7", 0, mem, prefix=b"\x66")
        self.buf += struct.pack("<H", imm & 0xFFFF)

    def push(self, reg: int) -> None:
        self._rex(False, 0, reg)
        self.buf.append(0x50 | (reg & 7))

    def pop(self, reg: int) -> None:
        self._rex(False, 0, reg)
        self.buf.append(0x58 | (reg & 7))

    def push_mem(self, mem: Mem) -> None:
        self._op(b"\xFF", 6, mem)

    def pop_mem(self, mem: Mem) -> None:
        self._op(b"\x8F", 0, mem)

    def mov_fs0(self, dst: int) -> None:
        """``mov dst, fs:[0]``: the thread pointer on Linux x86-64 (a per-thread value)."""
        # fs prefix, REX.W(+R), 8B, ModRM mod=00 rm=100 (SIB), SIB: no index, no base
        # (disp32 absolute address 0)
        self.buf += bytes((0x64, 0x48 | (4 if dst & 8 else 0), 0x8B,
                           0x04 | ((dst & 7) << 3), 0x25, 0, 0, 0, 0))

    def lock_cmpxchg(self, mem: Mem, src: int) -> None:
        """``lock cmpxchg qword [mem], src`` (compares with rax)."""
        self.buf.append(0xF0)
        self._op(b"\x0F\xB1", src, mem, True)

    # -- integer arithmetic ------------------------------------------------------------
    def alu(self, op: str, dst: Operand, src: Operand, w: bool = False) -> None:
        mr, rm, _ = _ALU[op]
        if isinstance(src, Mem):
            assert not isinstance(dst, Mem)
            self._op(bytes((rm,)), dst, src, w)
        else:
            self._op(bytes((mr,)), src, dst, w)

    def alu_imm(self, op: str, dst: Operand, imm: int, w: bool = False) -> None:
        """``op dst, imm32`` (sign-extended to 64 bits when ``w``)."""
        digit = _ALU[op][2]
        if not w:
            imm &= 0xFFFFFFFF
            if imm >= 1 << 31:
                imm -= 1 << 32
        elif not fits_i32(imm):
            raise ValueError("immediate out of range: %d" % imm)
        if fits_i8(imm):
            self._op(b"\x83", digit, dst, w)
            self.buf += struct.pack("<b", imm)
        else:
            self._op(b"\x81", digit, dst, w)
            self.buf += struct.pack("<i", imm)

    def test(self, a: Operand, b: int, w: bool = False) -> None:
        self._op(b"\x85", b, a, w)

    def test_imm(self, a: Operand, imm: int, w: bool = False) -> None:
        self._op(b"\xF7", 0, a, w)
        imm &= 0xFFFFFFFF
        self.buf += struct.pack("<I", imm)

    def imul(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xAF", dst, src, w)

    def imul_imm(self, dst: int, src: Operand, imm: int, w: bool = False) -> None:
        if fits_i8(imm):
            self._op(b"\x6B", dst, src, w)
            self.buf += struct.pack("<b", imm)
        else:
            self._op(b"\x69", dst, src, w)
            self.buf += struct.pack("<i", imm)

    def group3(self, op: str, rm: Operand, w: bool = False) -> None:
        """``not``/``neg``/``mul``/``imul``/``div``/``idiv`` with one operand."""
        self._op(b"\xF7", _GROUP3[op], rm, w)

    def cdq(self, w: bool = False) -> None:
        """``cdq`` / ``cqo``: sign-extend eax/rax into edx/rdx."""
        if w:
            self.buf.append(0x48)
        self.buf.append(0x99)

    def shift_cl(self, op: str, dst: Operand, w: bool = False) -> None:
        self._op(b"\xD3", _SHIFT[op], dst, w)

    def shift_imm(self, op: str, dst: Operand, count: int, w: bool = False) -> None:
        count &= 63 if w else 31
        if count == 0:
            return
        self._op(b"\xC1", _SHIFT[op], dst, w)
        self.buf.append(count)

    def setcc(self, cc: int, dst: int) -> None:
        self._op(bytes((0x0F, 0x90 | cc)), 0, dst, byte_reg=True)

    def cmov(self, cc: int, dst: int, src: Operand, w: bool = False) -> None:
        self._op(bytes((0x0F, 0x40 | cc)), dst, src, w)

    def bsf(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xBC", dst, src, w)

    def bsr(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xBD", dst, src, w)

    def tzcnt(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xBC", dst, src, w, prefix=b"\xF3")

    def lzcnt(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xBD", dst, src, w, prefix=b"\xF3")

    def popcnt(self, dst: int, src: Operand, w: bool = False) -> None:
        self._op(b"\x0F\xB8", dst, src, w, prefix=b"\xF3")

    def rep_movsb(self) -> None:
        self.buf += b"\xF3\xA4"

    def rep_stosb(self) -> None:
        self.buf += b"\xF3\xAA"

    def std(self) -> None:
        self.buf.append(0xFD)

    def cld(self) -> None:
        self.buf.append(0xFC)

    # -- control flow --------------------------------------------------------------------
    def jmp(self, label: Label) -> None:
        self.buf.append(0xE9)
        self._rel32(label)

    def jcc(self, cc: int, label: Label) -> None:
        self.buf += bytes((0x0F, 0x80 | cc))
        self._rel32(label)

    def call(self, label: Label) -> None:
        self.buf.append(0xE8)
        self._rel32(label)

    def call_rm(self, rm: Operand) -> None:
        self._op(b"\xFF", 2, rm)

    def jmp_rm(self, rm: Operand) -> None:
        self._op(b"\xFF", 4, rm)

    def ret(self) -> None:
        self.buf.append(0xC3)

    def ud2(self) -> None:
        self.buf += b"\x0F\x0B"

    def int3(self) -> None:
        self.buf.append(0xCC)

    def lea_label(self, dst: int, label: Label) -> None:
        """``lea dst, [rip + label]``."""
        self._op(b"\x8D", dst, Mem(None, label=label), True)

    # -- SSE -------------------------------------------------------------------------------
    def movs(self, double: bool, dst: Operand, src: Operand) -> None:
        """``movss``/``movsd``: xmm <- xmm/m, or m <- xmm."""
        prefix = b"\xF2" if double else b"\xF3"
        if isinstance(dst, Mem):
            assert not isinstance(src, Mem)
            self._op(b"\x0F\x11", src, dst, prefix=prefix)
        else:
            self._op(b"\x0F\x10", dst, src, prefix=prefix)

    def movaps(self, dst: int, src: int) -> None:
        if dst != src:
            self._op(b"\x0F\x28", dst, src)

    def movd_to_xmm(self, xmm: int, src: Operand, w: bool = False) -> None:
        """``movd``/``movq`` xmm <- gpr/m32/m64 (upper lanes zeroed)."""
        self._op(b"\x0F\x6E", xmm, src, w, prefix=b"\x66")

    def movd_from_xmm(self, dst: Operand, xmm: int, w: bool = False) -> None:
        """``movd``/``movq`` gpr/m <- xmm."""
        self._op(b"\x0F\x7E", xmm, dst, w, prefix=b"\x66")

    def sse(self, op: str, double: bool, dst: int, src: Operand) -> None:
        """Scalar ``addss``/``addsd``, ``sub``, ``mul``, ``div``, ``min``, ``max``, ``sqrt``."""
        self._op(bytes((0x0F, _SSE_ARITH[op])), dst, src,
                 prefix=b"\xF2" if double else b"\xF3")

    def sse_logic(self, op: str, dst: int, src: Operand) -> None:
        """Packed ``andps``/``andnps``/``orps``/``xorps`` (bitwise, any lane layout)."""
        self._op(bytes((0x0F, _SSE_LOGIC[op])), dst, src)

    def ucomis(self, double: bool, a: int, b: Operand) -> None:
        self._op(b"\x0F\x2E", a, b, prefix=b"\x66" if double else b"")

    def cvt_f2f(self, to_double: bool, dst: int, src: Operand) -> None:
        """``cvtss2sd`` (to_double) or ``cvtsd2ss``."""
        self._op(b"\x0F\x5A", dst, src, prefix=b"\xF3" if to_double else b"\xF2")

    def cvt_i2f(self, double: bool, dst: int, src: Operand, w: bool) -> None:
        """``cvtsi2ss``/``cvtsi2sd`` from a signed 32-bit (or 64-bit with ``w``) integer."""
        self._op(b"\x0F\x2A", dst, src, w, prefix=b"\xF2" if double else b"\xF3")

    def cvtt_f2i(self, double: bool, dst: int, src: Operand, w: bool) -> None:
        """``cvttss2si``/``cvttsd2si`` to a signed 32-bit (or 64-bit) integer."""
        self._op(b"\x0F\x2C", dst, src, w, prefix=b"\xF2" if double else b"\xF3")

    def rounds(self, double: bool, dst: int, src: Operand, mode: int) -> None:
        """SSE4.1 ``roundss``/``roundsd``; mode 0 nearest-even, 1 down, 2 up, 3 truncate
        (bit 3 set: suppress the precision exception)."""
        self._op(b"\x0F\x3A" + (b"\x0B" if double else b"\x0A"), dst, src, prefix=b"\x66")
        self.buf.append(mode | 8)
