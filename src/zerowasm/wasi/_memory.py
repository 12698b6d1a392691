"""Bounds-checked access to the guest's linear memory for WASI functions.

Every pointer and length a guest passes is untrusted. :class:`GuestMemory` takes them as
the raw (possibly negative, since i32 arguments reach host functions signed) integers,
reads them as unsigned 32-bit values, and checks the whole range against the memory's
current size before touching a byte; a range past the end raises ``WasiError(EFAULT)``,
which the guest sees as a returned errno. The host never reads or writes outside the
memory (the memoryview would refuse anyway, but negative offsets would otherwise wrap
around to the end).
"""

from __future__ import annotations

import struct
from typing import List, Optional, Tuple

from ._abi import IOVEC
from ._errno import Errno, WasiError

__all__ = ["GuestMemory", "U32_MASK", "U64_MASK"]

U32_MASK = 0xFFFFFFFF
U64_MASK = 0xFFFFFFFFFFFFFFFF
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_EMPTY = memoryview(bytearray(0))


def _fault() -> WasiError:
    return WasiError(Errno.EFAULT)


class GuestMemory:
    """A snapshot of memory 0's bytes, valid for the duration of one WASI call.

    (No guest code runs during a host call, so the memory cannot grow under it.)
    """

    __slots__ = ("view", "size")

    def __init__(self, view: Optional[memoryview]) -> None:
        self.view = view if view is not None else _EMPTY
        self.size = self.view.nbytes

    def range(self, pointer: int, length: int) -> Tuple[int, int]:
        """The checked ``(start, end)`` of ``length`` bytes at ``pointer``.

        A negative ``length`` is a u32 that reached the host signed; a computed length
        (``count * 8``) may exceed 32 bits and is checked as it is.
        """
        start = pointer & U32_MASK
        end = start + (length & U32_MASK if length < 0 else length)
        if end > self.size:
            raise _fault()
        return start, end

    def slice(self, pointer: int, length: int) -> memoryview:
        """A writable view of guest bytes (no copy)."""
        start, end = self.range(pointer, length)
        return self.view[start:end]

    def read(self, pointer: int, length: int) -> bytes:
        start, end = self.range(pointer, length)
        return bytes(self.view[start:end])

    def write(self, pointer: int, data: bytes) -> None:
        start = pointer & U32_MASK
        end = start + len(data)
        if end > self.size:
            raise _fault()
        self.view[start:end] = data

    def read_u32(self, pointer: int) -> int:
        start = pointer & U32_MASK
        if start + 4 > self.size:
            raise _fault()
        value: int = _U32.unpack_from(self.view, start)[0]
        return value

    def write_u16(self, pointer: int, value: int) -> None:
        self.pack(_U16, pointer, value)

    def write_u32(self, pointer: int, value: int) -> None:
        self.pack(_U32, pointer, value)

    def write_u64(self, pointer: int, value: int) -> None:
        self.pack(_U64, pointer, value & U64_MASK)

    def unpack(self, layout: struct.Struct, pointer: int) -> tuple:
        start = pointer & U32_MASK
        if start + layout.size > self.size:
            raise _fault()
        return layout.unpack_from(self.view, start)

    def pack(self, layout: struct.Struct, pointer: int, *values: int) -> None:
        start = pointer & U32_MASK
        if start + layout.size > self.size:
            raise _fault()
        layout.pack_into(self.view, start, *values)

    def check(self, pointer: int, length: int) -> None:
        """Raise EFAULT unless ``length`` bytes at ``pointer`` are inside memory."""
        self.range(pointer, length)

    def path(self, pointer: int, length: int) -> bytes:
        """A path argument: ``length`` bytes (a WASI ``string`` is pointer + length)."""
        return self.read(pointer, length)

    def iovecs(self, pointer: int, count: int) -> List[memoryview]:
        """The buffers of an ``iovec``/``ciovec`` array, all checked before any I/O.

        Spec: preview 1 ``iovec`` (8 bytes, align 4)::

            iovs ──▶ ┌──────────┬──────────┐┌──────────┬──────────┐
                     │ buf: u32 │ len: u32 ││ buf: u32 │ len: u32 │ ... × count
                     └────┬─────┴──────────┘└──────────┴──────────┘
                          └──▶ len bytes of guest memory
        """
        count &= U32_MASK
        start, _ = self.range(pointer, count * 8)
        view = self.view
        buffers = []
        unpack = IOVEC.unpack_from
        for i in range(count):
            buf, length = unpack(view, start + 8 * i)
            end = buf + length
            if end > self.size:
                raise _fault()
            buffers.append(view[buf:end])
        return buffers
