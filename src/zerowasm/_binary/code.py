"""Instruction decoding: function bodies and constant expressions -> instruction tuples.

Spec: Core 2.0 §5.4 (binary/instructions.html) and §5.5.13 (binary/modules.html#code-section).

An instruction is a tuple ``(opcode, *immediates)`` (see :mod:`zerowasm._opcodes` for
opcode numbering and immediate kinds). Bodies are decoded on demand: by the validator,
then again by an engine when it compiles the function, so a module is never held in
memory as one tuple per instruction.
"""

from __future__ import annotations

from typing import List, Tuple

from .._errors import DecodeError
from .._opcodes import IMMEDIATES, PREFIX_FC, PREFIX_FD, Imm, Op, prefixed
from .reader import Reader

__all__ = ["decode_body", "decode_expression", "decode_instruction"]

_BLOCKTYPE_BYTES = {0x40: -0x40, 0x7F: -1, 0x7E: -2, 0x7D: -3, 0x7C: -4, 0x7B: -5,
                    0x70: -16, 0x6F: -17}

# Immediate kinds as small ints for the decoding loop.
_IMM_OF = {op: kind.value for op, kind in IMMEDIATES.items()}
_NONE = Imm.NONE.value
_END = int(Op.END)
#: immediate kinds that are a single u32: LABEL FUNC LOCAL GLOBAL TABLE
_ONE_U32 = frozenset((2, 4, 7, 8, 9))
_BLOCK_OPS = frozenset((int(Op.BLOCK), int(Op.LOOP), int(Op.IF)))


def _blocktype(r: Reader) -> int:
    data = r.data
    pos = r.pos
    if pos < r.limit:
        bt = _BLOCKTYPE_BYTES.get(data[pos])
        if bt is not None:
            r.pos = pos + 1
            return bt
    start = r.pos
    value = r.signed(33)
    if value < 0:
        raise r.error("malformed value type", start)
    return value


def _zero_byte(r: Reader) -> int:
    start = r.pos
    if r.byte() != 0:
        raise r.error("zero byte expected", start)
    return 0


def decode_instruction(r: Reader) -> tuple:
    """Decode one instruction at ``r.pos``."""
    start = r.pos
    op = r.byte()
    if op == PREFIX_FC or op == PREFIX_FD:
        op = prefixed(op, r.u32())
    kind = _IMM_OF.get(op)
    if kind is None:
        raise r.error("illegal opcode", start)
    if kind == _NONE:
        return (op,)
    return _decode_immediates(r, op, kind)


def _decode_immediates(r: Reader, op: int, kind: int) -> tuple:
    if kind == 7 or kind == 8 or kind == 2 or kind == 4 or kind == 9:   # LOCAL GLOBAL LABEL FUNC
        return (op, r.u32())                                            # TABLE
    if kind == 10:                                                      # MEMARG
        start = r.pos
        align = r.u32()
        if align >= 32:
            raise r.error("malformed memop flags", start)
        return (op, align, r.u32())
    if kind == 12:                                                      # I32
        return (op, r.signed(32) & 0xFFFFFFFF)
    if kind == 1:                                                       # BLOCKTYPE
        return (op, _blocktype(r))
    if kind == 13:                                                      # I64
        return (op, r.signed(64) & 0xFFFFFFFFFFFFFFFF)
    if kind == 14:                                                      # F32
        return (op, int.from_bytes(r.bytes(4), "little"))
    if kind == 15:                                                      # F64
        return (op, int.from_bytes(r.bytes(8), "little"))
    if kind == 3:                                                       # BR_TABLE
        count = r.u32()
        if count > r.limit - r.pos:
            raise r.error("length out of bounds")
        labels = tuple(r.u32() for _ in range(count))
        return (op, labels, r.u32())
    if kind == 5:                                                       # CALL_INDIRECT
        type_index = r.u32()
        return (op, type_index, r.u32())
    if kind == 11:                                                      # MEMORY
        return (op, _zero_byte(r))
    if kind == 6:                                                       # SELECT_T
        count = r.u32()
        if count > r.limit - r.pos:
            raise r.error("length out of bounds")
        return (op, tuple(r.value_type() for _ in range(count)))
    if kind == 16:                                                      # REFTYPE
        return (op, r.reference_type())
    if kind == 17:                                                      # DATA_MEMORY
        data_index = r.u32()
        return (op, data_index, _zero_byte(r))
    if kind == 18 or kind == 21:                                        # DATA ELEM
        return (op, r.u32())
    if kind == 19:                                                      # MEMORY_MEMORY
        return (op, _zero_byte(r), _zero_byte(r))
    if kind == 20 or kind == 22:                                        # ELEM_TABLE TABLE_TABLE
        first = r.u32()
        return (op, first, r.u32())
    if kind == 25:                                                      # LANE
        return (op, r.byte())
    if kind == 23:                                                      # V128
        return (op, int.from_bytes(r.bytes(16), "little"))
    if kind == 26:                                                      # MEMARG_LANE
        start = r.pos
        align = r.u32()
        if align >= 32:
            raise r.error("malformed memop flags", start)
        offset = r.u32()
        return (op, align, offset, r.byte())
    if kind == 24:                                                      # SHUFFLE
        return (op, tuple(r.bytes(16)))
    raise r.error("illegal opcode")  # pragma: no cover - every kind is handled above


def decode_body(code: bytes, offset: int = 0) -> Tuple[List[tuple], List[int]]:
    """Decode a function body (the bytes after its locals, final ``end`` included).

    Returns the instruction tuples and, for each, its byte offset in the module
    (``offset`` is where ``code`` starts). The body must end exactly with the ``end``
    that closes the function.
    """
    r = Reader(code, 0, len(code), "code")
    instructions: List[tuple] = []
    offsets: List[int] = []
    append = instructions.append
    append_offset = offsets.append
    imm_of = _IMM_OF
    n = len(code)
    depth = 0
    pos = 0
    try:
        while pos < n:
            op = code[pos]
            kind = imm_of.get(op)
            append_offset(offset + pos)
            if kind == 0:
                # the common one-byte instructions
                pos += 1
                append((op,))
                if op == 0x0B:
                    if depth == 0:
                        break
                    depth -= 1
                continue
            if kind is not None and pos + 1 < n:
                b = code[pos + 1]
                if b < 0x80:
                    # one-byte immediates: the common case of the common instructions
                    if kind in _ONE_U32:
                        append((op, b))
                        pos += 2
                        continue
                    if kind == 12:                                   # i32.const
                        append((op, b if b < 0x40 else (b - 0x80) & 0xFFFFFFFF))
                        pos += 2
                        continue
                    if kind == 10 and b < 32 and pos + 2 < n and code[pos + 2] < 0x80:
                        append((op, b, code[pos + 2]))                # memarg
                        pos += 3
                        continue
            r.pos = pos
            instruction = decode_instruction(r)
            pos = r.pos
            append(instruction)
            if instruction[0] in _BLOCK_OPS:
                depth += 1
        else:
            raise r.error("unexpected end of section or function", n)
    except DecodeError as error:
        # the reader counts from the start of the body
        raise DecodeError(error.message, offset + (error.offset or 0), "code") from None
    if pos != n:
        raise DecodeError("section size mismatch", offset + pos, "code")
    return instructions, offsets


def decode_expression(r: Reader) -> List[tuple]:
    """Decode a constant expression up to and including its ``end``; return it without
    the ``end``. Spec: Core 2.0 §5.4.9 (binary/instructions.html#expressions)."""
    instructions: List[tuple] = []
    depth = 0
    while True:
        instruction = decode_instruction(r)
        op = instruction[0]
        if op == _END:
            if depth == 0:
                return instructions
            depth -= 1
        elif op in _BLOCK_OPS:
            depth += 1
        instructions.append(instruction)

