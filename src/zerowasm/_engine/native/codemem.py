"""Executable memory through ctypes and libc (W^X), and the platform probe.

Code is written into an anonymous read-write mapping, then the mapping is made
read-execute with ``mprotect``: no page is ever writable and executable at once.
:func:`probe` checks once per process that this works (x86-64 Linux, CPython, libc
symbols present, a tiny stub runs and returns the right value); where it does not, the
native tier is silently unavailable and everything runs in the Python tier.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import platform
import sys
import threading
from typing import Any, Optional

__all__ = ["CodeMemory", "DataMemory", "probe", "probe_failure", "libc", "cpu_features"]

PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC = 0, 1, 2, 4
_MAP_PRIVATE, _MAP_ANONYMOUS, _MAP_NORESERVE = 0x02, 0x20, 0x4000
PAGE = mmap.PAGESIZE

libc: Any = None
_probe_lock = threading.Lock()
_probe_result: Optional[bool] = None
_probe_error: Optional[str] = None
_features: Any = None


def _load_libc() -> Any:
    lib = ctypes.CDLL(None, use_errno=True)
    lib.mmap.restype = ctypes.c_void_p
    lib.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                         ctypes.c_int, ctypes.c_long]
    lib.mprotect.restype = ctypes.c_int
    lib.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    lib.munmap.restype = ctypes.c_int
    lib.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return lib


def _map(size: int, prot: int, flags: int = 0) -> int:
    address = libc.mmap(None, size, prot, _MAP_PRIVATE | _MAP_ANONYMOUS | flags, -1, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        error = ctypes.get_errno()
        raise OSError(error, "mmap: " + os.strerror(error))
    return int(address)


class CodeMemory:
    """Machine code at a fixed address: mapped read-write, filled, then read-execute."""

    def __init__(self, code: bytes) -> None:
        self.size = max(PAGE, (len(code) + PAGE - 1) // PAGE * PAGE)
        self.address = _map(self.size, PROT_READ | PROT_WRITE)
        ctypes.memmove(self.address, code, len(code))
        if libc.mprotect(self.address, self.size, PROT_READ | PROT_EXEC) != 0:
            error = ctypes.get_errno()
            libc.munmap(self.address, self.size)
            self.address = 0
            raise OSError(error, "mprotect(PROT_EXEC): " + os.strerror(error))

    def __del__(self) -> None:
        if getattr(self, "address", 0) and libc is not None:
            libc.munmap(self.address, self.size)
            self.address = 0


class DataMemory:
    """A zero-filled read-write region at a fixed address, ``reserve`` bytes of address
    space with no commit charge (``MAP_NORESERVE``): table entry arrays live here, so
    they never move when a table grows."""

    def __init__(self, reserve: int) -> None:
        self.size = max(PAGE, (reserve + PAGE - 1) // PAGE * PAGE)
        self.address = _map(self.size, PROT_READ | PROT_WRITE, _MAP_NORESERVE)
        words = (ctypes.c_uint64 * (self.size // 8)).from_address(self.address)
        self.view = memoryview(words).cast("B").cast("Q")

    def __del__(self) -> None:
        if getattr(self, "address", 0) and libc is not None:
            self.view.release()
            libc.munmap(self.address, self.size)
            self.address = 0


def probe() -> bool:
    """Whether native code can run here (checked once; never raises)."""
    global _probe_result, _probe_error, libc
    if _probe_result is not None:
        return _probe_result
    with _probe_lock:
        if _probe_result is not None:
            return _probe_result
        try:
            _probe_error = _check_platform()
            if _probe_error is None:
                libc = _load_libc()
                _probe_error = _run_stub()
        except Exception as error:  # any refusal means: no native tier
            _probe_error = "%s: %s" % (type(error).__name__, error)
        _probe_result = _probe_error is None
        return _probe_result


def probe_failure() -> Optional[str]:
    """Why :func:`probe` failed (None when it passed or has not run)."""
    return _probe_error


def _check_platform() -> Optional[str]:
    if sys.implementation.name != "cpython":
        return "native tier needs CPython (running %s)" % sys.implementation.name
    if not sys.platform.startswith("linux"):
        return "native tier supports Linux only (running %s)" % sys.platform
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "native tier supports x86-64 only (running %s)" % platform.machine()
    if ctypes.sizeof(ctypes.c_void_p) != 8:
        return "native tier needs a 64-bit process"
    return None


def _run_stub() -> Optional[str]:
    """Map ``lea rax, [rdi + rsi]; ret``, call it, and read the CPU features with cpuid."""
    global _features
    stub = CodeMemory(bytes.fromhex("488d0437c3"))
    add = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64, ctypes.c_int64)(stub.address)
    if add(40, 2) != 42:
        return "probe stub returned a wrong value"
    _features = _cpuid_features()
    if not _features.get("sse4_1"):
        return "native tier needs SSE4.1"
    return None


def _cpuid_features() -> dict:
    """cpuid leaf 1 (ecx) and leaf 0x80000001 (ecx): SSE4.1, POPCNT, LZCNT; leaf 7 (ebx):
    BMI1 (TZCNT)."""
    # cpuid_ecx(leaf, subleaf) -> ecx ; cpuid_ebx(leaf, subleaf) -> ebx
    # push rbx; mov eax, edi; mov ecx, esi; cpuid; mov eax, ecx|ebx; pop rbx; ret
    ecx_stub = CodeMemory(bytes.fromhex("53" "89f8" "89f1" "0fa2" "89c8" "5b" "c3"))
    ebx_stub = CodeMemory(bytes.fromhex("53" "89f8" "89f1" "0fa2" "89d8" "5b" "c3"))
    proto = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32)
    cpuid_ecx = proto(ecx_stub.address)
    cpuid_ebx = proto(ebx_stub.address)
    leaf1 = cpuid_ecx(1, 0)
    ext = cpuid_ecx(0x80000001, 0)
    leaf7 = cpuid_ebx(7, 0)
    return {"sse4_1": bool(leaf1 & (1 << 19)), "popcnt": bool(leaf1 & (1 << 23)),
            "lzcnt": bool(ext & (1 << 5)), "bmi1": bool(leaf7 & (1 << 3))}


def cpu_features() -> dict:
    """The CPU features the compiler may use (after a successful :func:`probe`)."""
    return dict(_features or {})
