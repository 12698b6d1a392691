"""A fake guest for driving WASI functions directly, without compiling a module.

``Guest`` owns a real :class:`zerowasm.Memory` and calls the import functions exactly as
a Wasm caller would (through ``Function.host`` with a caller object), with arguments
converted to the signed i32/i64 the host adapter passes.
"""

from __future__ import annotations

import struct
from typing import Dict, Optional

import pytest

import zerowasm
from zerowasm.wasi import Wasi, WasiConfig


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


class FakeCaller:
    def __init__(self, memory: zerowasm.Memory) -> None:
        self.memory = memory
        self.exports: Dict[str, object] = {"memory": memory}


class Guest:
    def __init__(self, wasi: Wasi, pages: int = 1) -> None:
        self.wasi = wasi
        self.memory = zerowasm.Memory(zerowasm.MemoryType(zerowasm.Limits(pages, pages)))
        self.caller = FakeCaller(self.memory)
        self.functions = wasi.functions()
        self.top = 16

    # -- memory ---------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return self.memory.data_size

    def alloc(self, size: int, align: int = 8) -> int:
        self.top = (self.top + align - 1) // align * align
        address = self.top
        self.top += size
        assert self.top <= self.size, "fake guest out of memory"
        return address

    def bytes(self, data: bytes) -> int:
        address = self.alloc(len(data) + 1)
        self.memory.write(address, data)
        return address

    def string(self, text: object) -> tuple:
        data = text.encode() if isinstance(text, str) else bytes(text)  # type: ignore[union-attr]
        return self.bytes(data), len(data)

    def read(self, address: int, length: int) -> bytes:
        return self.memory.read(address, length)

    def u16(self, address: int) -> int:
        return struct.unpack_from("<H", self.memory.view, address)[0]

    def u32(self, address: int) -> int:
        return struct.unpack_from("<I", self.memory.view, address)[0]

    def u64(self, address: int) -> int:
        return struct.unpack_from("<Q", self.memory.view, address)[0]

    def iovecs(self, *buffers: object) -> tuple:
        """Write an iovec array for ``buffers`` (bytes to write, or int sizes to read)."""
        pairs = []
        for buffer in buffers:
            if isinstance(buffer, int):
                pairs.append((self.alloc(buffer), buffer))
            else:
                pairs.append((self.bytes(buffer), len(buffer)))  # type: ignore[arg-type]
        array = self.alloc(8 * len(pairs))
        for i, (address, length) in enumerate(pairs):
            struct.pack_into("<II", self.memory.view, array + 8 * i, address, length)
        return array, len(pairs), pairs

    # -- calls ----------------------------------------------------------------------------
    def call(self, name: str, *args: int) -> int:
        function = self.functions[name]
        converted = []
        for value, value_type in zip(args, function.type.params):
            converted.append(_signed(value, 64 if value_type == zerowasm.I64 else 32))
        result = function.host(self.caller, *converted)
        return result

    def errno(self, name: str, *args: int) -> zerowasm.wasi.Errno:
        from zerowasm.wasi import Errno
        return Errno(self.call(name, *args))

    # -- conveniences ---------------------------------------------------------------------
    def open(self, dirfd: int, path: str, oflags: int = 0, rights: Optional[int] = None,
             lookup: int = 0, fdflags: int = 0, inheriting: Optional[int] = None) -> int:
        """path_open; returns the new fd or raises AssertionError with the errno."""
        from zerowasm.wasi import Errno, Rights
        if rights is None:
            rights = int(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_TELL | Rights.FD_FILESTAT_GET
                         | Rights.FD_READDIR)
        pointer, length = self.string(path)
        out = self.alloc(4)
        errno = Errno(self.call("path_open", dirfd, lookup, pointer, length, oflags, rights,
                                rights if inheriting is None else inheriting, fdflags, out))
        if errno:
            raise OSError(errno, "path_open(%r): %s" % (path, errno.name))
        return self.u32(out)

    def path_errno(self, name: str, dirfd: int, path: str, *rest: int) -> zerowasm.wasi.Errno:
        pointer, length = self.string(path)
        return self.errno(name, dirfd, pointer, length, *rest)

    def write_fd(self, fd: int, data: bytes) -> int:
        array, count, _ = self.iovecs(data)
        out = self.alloc(4)
        errno = self.call("fd_write", fd, array, count, out)
        assert errno == 0, errno
        return self.u32(out)

    def read_fd(self, fd: int, size: int) -> bytes:
        array, count, pairs = self.iovecs(size)
        out = self.alloc(4)
        errno = self.call("fd_read", fd, array, count, out)
        assert errno == 0, errno
        return self.read(pairs[0][0], self.u32(out))


@pytest.fixture
def make_guest():
    made = []

    def make(config: Optional[WasiConfig] = None, pages: int = 1) -> Guest:
        wasi = Wasi(config or WasiConfig())
        made.append(wasi)
        return Guest(wasi, pages)

    yield make
    for wasi in made:
        wasi.close()
