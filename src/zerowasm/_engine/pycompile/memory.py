"""Memory instructions (Spec: Core 2.0 §4.4.7, exec/instructions.html#memory-
instructions).

``M0`` is memory 0's ``memoryview`` (format ``B``), read from the instance namespace on
every access because ``memory.grow`` rebinds it. Loads and stores use precompiled
``struct`` functions (``ld_u32(M0, ea)[0]``, ``st_u32(M0, ea, v)``) or plain indexing for
single bytes; the effective address ``ea = addr + offset`` of two unsigned values is
never negative, so an out-of-bounds access raises ``struct.error``/``IndexError`` right
there, which the function's handler turns into a trap. Bulk operations are helpers of
:mod:`.support` with the spec's bounds checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from ..._opcodes import Op
from .codegen import Expr

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def _address(c: FunctionCompiler, addr: Expr, offset: int) -> str:
    if addr.const is not None:
        return str(addr.const + offset)
    if offset == 0:
        return addr.text
    return "%s + %d" % (addr.text, offset)


def _load(template: str, name: str) -> Handler:
    """``template`` has ``{ea}`` for the effective address."""

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        c.uses_memory = True
        (addr,) = c.operands(1)
        c.push(c.make(template.format(ea=_address(c, addr, ins[2])), addr, ordered=True))
    handler.__name__ = name
    return handler


i32_load = _load("ld_u32(M0, {ea})[0]", "i32_load")
i64_load = _load("ld_u64(M0, {ea})[0]", "i64_load")
f32_load = _load("f32_load(M0, {ea})", "f32_load")
f64_load = _load("ld_f64(M0, {ea})[0]", "f64_load")
i32_load8_u = _load("M0[{ea}]", "i32_load8_u")
i32_load8_s = _load("(((M0[{ea}] ^ 0x80) - 0x80) & 0xffffffff)", "i32_load8_s")
i32_load16_u = _load("ld_u16(M0, {ea})[0]", "i32_load16_u")
i32_load16_s = _load("(ld_s16(M0, {ea})[0] & 0xffffffff)", "i32_load16_s")
i64_load8_u = i32_load8_u
i64_load8_s = _load("(((M0[{ea}] ^ 0x80) - 0x80) & 0xffffffffffffffff)", "i64_load8_s")
i64_load16_u = i32_load16_u
i64_load16_s = _load("(ld_s16(M0, {ea})[0] & 0xffffffffffffffff)", "i64_load16_s")
i64_load32_u = i32_load
i64_load32_s = _load("(ld_s32(M0, {ea})[0] & 0xffffffffffffffff)", "i64_load32_s")


def _store(template: str, name: str) -> Handler:
    """``template`` has ``{ea}`` and ``{v}``; a statement."""
    byte_store = template.startswith("M0[")
    partial = int(template.rsplit("& ", 1)[1].rstrip(")"), 16) if "& 0x" in template else 0

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        c.uses_memory = True
        if byte_store and c.stack[-1].ordered and c.stack[-2].ordered:
            # Python evaluates the value of ``M0[ea] = v`` before the address
            c.materialize(len(c.stack) - 2, force=True)
        addr, value = c.pop_n(2)
        c.before_side_effect()
        v = value.raw if partial else value.text
        if value.const is not None and partial:
            v = str(value.const & partial)
            exact = template.replace(" & " + hex(partial), "")
            c.emit(exact.format(ea=_address(c, addr, ins[2]), v=v))
            return
        c.emit(template.format(ea=_address(c, addr, ins[2]), v=v))
    handler.__name__ = name
    return handler


i32_store = _store("st_u32(M0, {ea}, {v})", "i32_store")
i64_store = _store("st_u64(M0, {ea}, {v})", "i64_store")
f32_store = _store("f32_store(M0, {ea}, {v})", "f32_store")
f64_store = _store("st_f64(M0, {ea}, {v})", "f64_store")
i32_store8 = _store("M0[{ea}] = {v} & 0xff", "i32_store8")
i32_store16 = _store("st_u16(M0, {ea}, {v} & 0xffff)", "i32_store16")
i64_store8 = i32_store8
i64_store16 = i32_store16
i64_store32 = _store("st_u32(M0, {ea}, {v} & 0xffffffff)", "i64_store32")


def memory_size(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr("(len(M%d) >> 16)" % ins[1], ordered=True, depth=1))


def memory_grow(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.7 (memory.grow): the old size, or -1 (as u32) on failure."""
    (delta,) = c.pop_n(1)
    c.before_side_effect()
    c.assign_results("m%d.grow(%s) & 0xffffffff" % (ins[1], delta.text), 1)


def memory_fill(c: FunctionCompiler, ins: tuple) -> None:
    args = c.pop_n(3)
    c.before_side_effect()
    c.emit("memory_fill(M%d, %s)" % (ins[1], ", ".join(a.text for a in args)))


def memory_copy(c: FunctionCompiler, ins: tuple) -> None:
    args = c.pop_n(3)
    c.before_side_effect()
    c.emit("memory_copy(M%d, M%d, %s)" % (ins[1], ins[2], ", ".join(a.text for a in args)))


def memory_init(c: FunctionCompiler, ins: tuple) -> None:
    args = c.pop_n(3)
    c.before_side_effect()
    c.emit("memory_init(M%d, D[%d], %s)" % (ins[2], ins[1], ", ".join(a.text for a in args)))


def data_drop(c: FunctionCompiler, ins: tuple) -> None:
    c.emit("D[%d] = b''" % ins[1])


HANDLERS: Dict[int, Handler] = {}
for _name in Op.__members__:
    _lower = _name.lower()
    if _lower.startswith("v128_"):
        continue  # vector loads and stores: see .vector
    if any(w in _lower for w in ("load", "store", "memory_", "data_drop")):
        HANDLERS[int(getattr(Op, _name))] = globals()[_lower]
