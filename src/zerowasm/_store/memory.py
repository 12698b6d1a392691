"""Linear memory instances.

Spec: Core 2.0 §4.2.8 (exec/runtime.html#memory-instances) and §4.5.3.3 (growmem).

Theory of operation
-------------------
Machine code (the native tier) needs a memory base address that never moves, and the
Python tier needs a ``memoryview`` it can hand to ``struct.unpack_from``. Where the
platform allows it (Linux and macOS), a memory reserves 8 GiB + 64 KiB of address space
once (``MAP_NORESERVE``: no RAM and no commit charge until pages are touched) and keeps
everything past the current size ``PROT_NONE``; ``grow`` makes the new pages accessible
with ``mprotect``. The base never moves, so ``memory.grow`` only rebuilds the Python view
(``view``, a slice of the reservation as long as the memory) and rebinds it in the
namespaces of the instances that use the memory. Every possible effective address
``u32 + u32 offset`` lies inside the reservation, which is the native tier's second line
of defence.

Where the reservation is refused (another OS, a small ``RLIMIT_AS``, strict overcommit),
a memory is a ``bytearray`` that is replaced by a larger copy on grow; old views then
keep showing the old bytes (documented in RATIONALE.md).
"""

from __future__ import annotations

import ctypes
import mmap
import sys
from typing import Any, Callable, List, Optional, Union, cast

from .._errors import InstantiationError
from .._types import MAX_PAGES, PAGE_SIZE, Limits, MemoryType

__all__ = ["Memory", "RESERVATION_SIZE", "reservation_supported"]

RESERVATION_SIZE = (8 << 30) + PAGE_SIZE
_MAP_NORESERVE = {"linux": 0x4000, "darwin": 0x40}.get(sys.platform)
_PROT_NONE, _PROT_READ_WRITE = 0, 3

_libc: Any = None
if _MAP_NORESERVE is not None and hasattr(mmap, "MAP_ANONYMOUS"):
    try:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _libc.mprotect.restype = ctypes.c_int
    except (OSError, AttributeError):  # pragma: no cover - platform without libc symbols
        _libc = None


def reservation_supported() -> bool:
    """Whether memories can use a fixed-base reservation on this platform."""
    return _libc is not None


def _reserve() -> Optional[tuple]:
    """Reserve the address space; return ``(mmap, base address)`` or None if refused."""
    if _libc is None or _MAP_NORESERVE is None:
        return None
    try:
        region = mmap.mmap(-1, RESERVATION_SIZE,
                           flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | _MAP_NORESERVE)
    except (OSError, ValueError, OverflowError):
        return None
    probe = ctypes.c_char.from_buffer(region)
    base = ctypes.addressof(probe)
    del probe
    if _libc.mprotect(base, RESERVATION_SIZE, _PROT_NONE) != 0:
        region.close()
        return None
    return region, base


class Memory:
    """A linear memory: ``size`` pages of 64 KiB, growable up to its maximum.

    Create one to import it into a module: ``Memory(MemoryType(Limits(1, 2)))``.
    ``read``/``write`` copy bytes; ``view`` is a ``memoryview`` of the current contents
    (re-fetch it after ``grow``). ``max_pages_cap`` (from ``RuntimeConfig``) lowers the
    maximum a guest can grow to.
    """

    def __init__(self, type: Union[MemoryType, Limits], *,  # noqa: A002
                 max_pages_cap: Optional[int] = None, reserve: bool = True) -> None:
        if isinstance(type, Limits):
            type = MemoryType(type)
        limits = type.limits
        if limits.min > MAX_PAGES or (limits.max is not None and limits.max > MAX_PAGES):
            raise ValueError("memory size must be at most 65536 pages (4GiB)")
        self.type = type
        maximum = MAX_PAGES if limits.max is None else limits.max
        if max_pages_cap is not None:
            maximum = min(maximum, max_pages_cap)
        self._maximum = maximum
        self._observers: List[Callable[[memoryview], None]] = []
        self._pages = 0
        reserved = _reserve() if reserve else None
        if reserved is not None:
            self._region: Any = reserved[0]
            self.base_address: Optional[int] = reserved[1]
            self._whole: Optional[memoryview] = memoryview(self._region)
        else:
            self._region = bytearray()
            self.base_address = None
            self._whole = None
        self.view: memoryview = (self._whole[:0] if self._whole is not None
                                 else memoryview(self._region))
        if limits.min > maximum or self._commit(limits.min) < 0:
            raise InstantiationError("memory of %d pages exceeds the limit of %d pages"
                                     % (limits.min, maximum))

    # -- size and growth ------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Current size in pages."""
        return self._pages

    @property
    def data_size(self) -> int:
        """Current size in bytes."""
        return self._pages * PAGE_SIZE

    @property
    def maximum(self) -> int:
        """The most pages this memory may grow to (type maximum and runtime cap)."""
        return self._maximum

    def grow(self, delta: int) -> int:
        """Grow by ``delta`` pages; return the old size, or -1 if it cannot grow.

        Spec: Core 2.0 §4.5.3.3 (exec/modules.html#grow-mem): failure is not a trap.
        """
        if delta < 0:
            raise ValueError("delta must be non-negative")
        return self._commit(self._pages + delta)

    def _commit(self, pages: int) -> int:
        old = self._pages
        if pages > self._maximum:
            return -1
        if pages == old and self.view.nbytes == pages * PAGE_SIZE:
            return old
        new_size = pages * PAGE_SIZE
        if self.base_address is not None:
            start = old * PAGE_SIZE
            if new_size > start and _libc.mprotect(self.base_address + start, new_size - start,
                                                   _PROT_READ_WRITE) != 0:
                return -1
            self.view = cast(memoryview, self._whole)[:new_size]  # set with base_address
        else:
            try:
                region = bytearray(new_size)
            except MemoryError:
                return -1
            region[:len(self._region)] = self._region
            self._region = region
            self.view = memoryview(region)
        self._pages = pages
        view = self.view
        for observer in list(self._observers):
            observer(view)
        return old

    def observe(self, callback: Callable[[memoryview], None]) -> None:
        """Call ``callback(new_view)`` after every grow (instances rebind ``M{i}``)."""
        self._observers.append(callback)

    def unobserve(self, callback: Callable[[memoryview], None]) -> None:
        try:
            self._observers.remove(callback)
        except ValueError:
            pass

    # -- access -----------------------------------------------------------------------------
    def read(self, address: int, length: int) -> bytes:
        """Copy ``length`` bytes at ``address``; IndexError when out of bounds."""
        if address < 0 or length < 0 or address + length > self.view.nbytes:
            raise IndexError("out of bounds memory access: %d bytes at %d (size %d)"
                             % (length, address, self.view.nbytes))
        return bytes(self.view[address:address + length])

    def write(self, address: int, data: Union[bytes, bytearray, memoryview]) -> None:
        """Copy ``data`` to ``address``; IndexError when out of bounds."""
        length = len(data)
        if address < 0 or address + length > self.view.nbytes:
            raise IndexError("out of bounds memory access: %d bytes at %d (size %d)"
                             % (length, address, self.view.nbytes))
        self.view[address:address + length] = data

    def read_string(self, address: int, length: Optional[int] = None,
                    encoding: str = "utf-8") -> str:
        """Decode a string at ``address``: ``length`` bytes, or up to a NUL byte."""
        if length is None:
            end = bytes(self.view[address:]).find(b"\0") if address < self.view.nbytes else -1
            if end < 0:
                raise IndexError("no NUL terminator after %d" % address)
            length = end
        return self.read(address, length).decode(encoding)

    @property
    def buffer(self) -> memoryview:
        """A ``memoryview`` of the current contents (same as ``view``)."""
        return self.view

    def __len__(self) -> int:
        return self.view.nbytes

    def __repr__(self) -> str:
        return "<Memory %d pages (max %d)%s>" % (
            self._pages, self._maximum, " reserved" if self.base_address is not None else "")

