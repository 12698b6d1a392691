"""``args_*`` and ``environ_*``: the guest's command line and environment.

Spec: WASI preview 1, ``args_get``, ``args_sizes_get``, ``environ_get``,
``environ_sizes_get`` (legacy/preview1/docs.md).
"""

from __future__ import annotations

from typing import List

from ._base import WasiBase
from ._memory import U32_MASK, GuestMemory

__all__ = ["ArgsEnvCalls"]


def _sizes(memory: GuestMemory, strings: List[bytes], count_ptr: int, size_ptr: int) -> None:
    memory.check(count_ptr, 4)
    memory.check(size_ptr, 4)
    memory.write_u32(count_ptr, len(strings))
    memory.write_u32(size_ptr, sum(len(s) + 1 for s in strings))


def _strings(memory: GuestMemory, strings: List[bytes], pointers_ptr: int, buffer_ptr: int) -> None:
    memory.check(pointers_ptr, 4 * len(strings))
    memory.check(buffer_ptr, sum(len(s) + 1 for s in strings))
    address = buffer_ptr & U32_MASK
    for i, value in enumerate(strings):
        memory.write_u32(pointers_ptr + 4 * i, address)
        memory.write(address, value + b"\0")
        address += len(value) + 1


class ArgsEnvCalls(WasiBase):
    def args_sizes_get(self, memory: GuestMemory, argc_ptr: int, argv_buf_size_ptr: int) -> None:
        """Write the argument count and the size of their NUL-terminated text::

            argc_ptr ──▶ u32 number of arguments
            argv_buf_size_ptr ──▶ u32 total bytes (each argument + 1 for its NUL)
        """
        _sizes(memory, self.args, argc_ptr, argv_buf_size_ptr)

    def args_get(self, memory: GuestMemory, argv_ptr: int, argv_buf_ptr: int) -> None:
        """Write the arguments: an array of pointers into a buffer of C strings::

            argv ──▶ ┌─────┬─────┬─────┐
                     │ p0  │ p1  │ ... │   (u32 each, argc entries)
                     └──┬──┴──┬──┴─────┘
            argv_buf ──▶ "prog\\0" "arg1\\0" ...
        """
        _strings(memory, self.args, argv_ptr, argv_buf_ptr)

    def environ_sizes_get(self, memory: GuestMemory, count_ptr: int, buf_size_ptr: int) -> None:
        """Like ``args_sizes_get``, for ``NAME=value`` strings."""
        _sizes(memory, self.environ, count_ptr, buf_size_ptr)

    def environ_get(self, memory: GuestMemory, environ_ptr: int, environ_buf_ptr: int) -> None:
        """Like ``args_get``, for ``NAME=value`` strings."""
        _strings(memory, self.environ, environ_ptr, environ_buf_ptr)
