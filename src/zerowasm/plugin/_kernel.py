"""The Extism kernel, in Python: a separate memory, its allocator, input, output, error.

Theory of operation
-------------------
Extism plugins never pass data through parameters. Every byte that crosses the boundary
(the call's input and output, error messages, config values, vars, host-function
arguments) lives in the *kernel memory*, a linear memory that belongs to the host, not
to the guest. The guest addresses it with 64-bit offsets ("handles"); offset 0 is null.
Native Extism implements the kernel as a small Wasm module (``extism-runtime.wasm``)
linked into every plugin; zerowasm implements the same functions in Python.

Layout and allocation (what the plugins observe, as pinned by Extism's kernel tests)::

    offset 0 .. FIRST_BLOCK-1   reserved (so that 0 is never a valid handle)
    FIRST_BLOCK ..              blocks, bump-allocated in address order
                                [block A][block B][free][block D] ... top -> (unused)

* ``alloc(n)`` returns 0 for ``n == 0`` and when the memory cannot grow (the page cap of
  ``memory.max_pages`` applies to the kernel memory too). Otherwise it reuses the first
  freed block that is large enough (the same offset comes back; a block with at least
  128 bytes to spare is split and its tail stays free), or bumps ``top``.
* ``length(p)`` is the block's requested size if ``p`` is the *start* of a live block,
  else 0 (an offset inside a block, a freed block, anything after a reset).
* ``free(p)`` marks the block free; a free block that ends at ``top`` gives its space
  back to the bump pointer. Freeing the input block sets the input length to 0.
* ``load_*``/``store_*`` out of bounds return 0 / do nothing (they never trap);
  ``input_load_*`` past the end of the input return 0.
* ``reset()`` (before every call) forgets every block, the input, the output and the
  error; the next allocation gets ``FIRST_BLOCK`` again. Memory is not cleared.

Block bookkeeping is kept in Python dicts instead of headers inside the memory: the
allocator is the host's own business, and a dict lookup is the fastest ``length`` there is.
The memory itself is a :class:`zerowasm.Memory`, so a host function's ``memoryview`` of it
stays valid while the kernel grows (where the platform allows a fixed reservation).
"""

from __future__ import annotations

import bisect
import struct
from typing import Dict, List, Optional

from .._errors import InstantiationError
from .._store.memory import Memory
from .._types import PAGE_SIZE, Limits, MemoryType

__all__ = ["Kernel", "FIRST_BLOCK", "SPLIT_THRESHOLD", "U64_MASK"]

#: Offset of the first block: low offsets stay unused so that 0 is never a handle.
FIRST_BLOCK = 64
#: A reused free block with at least this many spare bytes is split.
SPLIT_THRESHOLD = 128
U64_MASK = 0xFFFFFFFFFFFFFFFF

_U64 = struct.Struct("<Q")
_unpack_u64 = _U64.unpack_from
_pack_u64 = _U64.pack_into


class KernelMemoryError(Exception):
    """The kernel memory could not hold what the host wanted to put there."""


class Kernel:
    """One plugin's kernel memory and call state (input, output, error).

    ``max_pages``: the page cap (``memory.max_pages`` of the manifest), or None.
    """

    def __init__(self, max_pages: Optional[int] = None) -> None:
        try:
            self.memory = Memory(MemoryType(Limits(1)), max_pages_cap=max_pages)
        except InstantiationError:
            # a cap of 0 pages: a kernel that can hold nothing (every alloc returns 0)
            self.memory = Memory(MemoryType(Limits(0)), max_pages_cap=max_pages)
        self.view: memoryview = self.memory.view
        self.size = self.memory.data_size
        self.memory.observe(self._rebind)
        self._used: Dict[int, int] = {}     # live block offset -> requested length
        self._capacity: Dict[int, int] = {}  # live or free block offset -> capacity
        self._free: List[int] = []           # free block offsets, ascending
        self.top = FIRST_BLOCK
        self.input_offset = 0
        self.input_length = 0
        self.output_offset = 0
        self.output_length = 0
        self.error = 0

    def _rebind(self, view: memoryview) -> None:
        self.view = view
        self.size = view.nbytes

    # -- allocator ----------------------------------------------------------------------
    def alloc(self, n: int) -> int:
        """Allocate ``n`` bytes; return the block's offset, or 0 (n == 0 or no room)."""
        if n <= 0:
            return 0
        free = self._free
        if free:
            capacity = self._capacity
            for i, offset in enumerate(free):
                size = capacity[offset]
                if size >= n:
                    del free[i]
                    if size - n >= SPLIT_THRESHOLD:
                        capacity[offset] = n
                        tail = offset + n
                        capacity[tail] = size - n
                        bisect.insort(free, tail)
                    self._used[offset] = n
                    return offset
        offset = self.top
        end = offset + n
        if end > self.size:
            needed = -(-(end - self.size) // PAGE_SIZE)
            if self.memory.grow(needed) < 0:
                return 0
        self.top = end
        self._used[offset] = n
        self._capacity[offset] = n
        return offset

    def free(self, offset: int) -> None:
        """Free the block starting at ``offset`` (anything else is ignored)."""
        if self._used.pop(offset, None) is None:
            return
        if offset == self.input_offset:
            self.input_length = 0
        capacity = self._capacity
        if offset + capacity[offset] == self.top:
            del capacity[offset]
            self.top = offset
            free = self._free
            # give back free blocks that now end at the top as well
            while free and free[-1] + capacity[free[-1]] == self.top:
                last = free.pop()
                del capacity[last]
                self.top = last
        else:
            bisect.insort(self._free, offset)

    def length(self, offset: int) -> int:
        """Length of the live block starting at ``offset``, else 0."""
        return self._used.get(offset, 0)

    def reset(self) -> None:
        """Forget every block and the call state (before each call)."""
        self._used.clear()
        self._capacity.clear()
        self._free.clear()
        self.top = FIRST_BLOCK
        self.input_offset = self.input_length = 0
        self.output_offset = self.output_length = 0
        self.error = 0

    @property
    def pages(self) -> int:
        return self.memory.size

    # -- host-side access ---------------------------------------------------------------
    def new_block(self, data: bytes) -> int:
        """Allocate a block holding ``data``; 0 for empty data.

        Raises :class:`KernelMemoryError` when the kernel memory is full.
        """
        n = len(data)
        if n == 0:
            return 0
        offset = self.alloc(n)
        if offset == 0:
            raise KernelMemoryError("failed to allocate extism memory (%d bytes)" % n)
        self.view[offset:offset + n] = data
        return offset

    def block_bytes(self, offset: int) -> bytes:
        """The bytes of the live block at ``offset`` (empty if it is not one)."""
        n = self._used.get(offset, 0)
        return bytes(self.view[offset:offset + n]) if n else b""

    def read(self, offset: int, n: int) -> bytes:
        """``n`` bytes at ``offset``, clipped to the memory."""
        if offset >= self.size or n <= 0:
            return b""
        return bytes(self.view[offset:offset + n])

    def set_input(self, data: bytes) -> None:
        """Copy ``data`` into a fresh block and make it the input."""
        offset = self.new_block(data)
        self.input_offset = offset
        self.input_length = len(data) if offset else 0

    def output(self) -> bytes:
        """The bytes the guest declared as its output with ``output_set``."""
        if not self.output_length:
            return b""
        return self.read(self.output_offset, self.output_length)

    def error_message(self) -> Optional[str]:
        """The text of the block the guest passed to ``error_set``, or None."""
        if not self.error:
            return None
        data = self.block_bytes(self.error)
        return data.decode("utf-8", "replace")

    # -- the extism:host/env kernel functions (internal convention: unsigned ints) --------
    def load_u8(self, p: int) -> int:
        if p < self.size:
            return self.view[p]
        return 0

    def load_u64(self, p: int) -> int:
        if p + 8 <= self.size:
            return _unpack_u64(self.view, p)[0]
        return 0

    def store_u8(self, p: int, x: int) -> None:
        if p < self.size:
            self.view[p] = x & 0xFF

    def store_u64(self, p: int, x: int) -> None:
        if p + 8 <= self.size:
            _pack_u64(self.view, p, x)

    def input_load_u8(self, i: int) -> int:
        if i < self.input_length:
            return self.view[self.input_offset + i]
        return 0

    def input_load_u64(self, i: int) -> int:
        if i + 8 <= self.input_length:
            return _unpack_u64(self.view, self.input_offset + i)[0]
        return 0

    def input_length_fn(self) -> int:
        return self.input_length

    def input_offset_fn(self) -> int:
        return self.input_offset

    def output_set(self, offset: int, n: int) -> None:
        self.output_offset = offset
        self.output_length = n

    def output_length_fn(self) -> int:
        return self.output_length

    def output_offset_fn(self) -> int:
        return self.output_offset

    def input_set(self, offset: int, n: int) -> None:
        self.input_offset = offset
        self.input_length = n

    def error_set(self, offset: int) -> None:
        self.error = offset

    def error_get(self) -> int:
        return self.error

    def memory_bytes(self) -> int:
        return self.size
