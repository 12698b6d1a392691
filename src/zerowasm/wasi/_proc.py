"""``proc_exit``, ``proc_raise``, ``sched_yield`` and ``random_get``.

Spec: WASI preview 1. ``proc_exit`` never returns: it raises
:class:`zerowasm.ExitError`, which unwinds the guest's stack back to the host
(``Wasi.run`` turns it into a returned exit code). It never exits the host process.
"""

from __future__ import annotations

import os

from .._errors import ExitError
from ._base import WasiBase
from ._errno import Errno, WasiError
from ._memory import U32_MASK, GuestMemory

__all__ = ["ProcCalls"]

_RANDOM_CHUNK = 1 << 20


class ProcCalls(WasiBase):
    def proc_exit(self, memory: GuestMemory, code: int) -> None:
        """Terminate the guest with exit code ``code`` (u32) by raising ``ExitError``."""
        raise ExitError(code & U32_MASK)

    def proc_raise(self, memory: GuestMemory, signal: int) -> None:
        """Signals are not supported: ENOSYS (as in wasmtime; wasi-libc's ``abort``
        traps instead of raising)."""
        raise WasiError(Errno.ENOSYS)

    def sched_yield(self, memory: GuestMemory) -> None:
        """Let other host threads run."""
        yield_ = getattr(os, "sched_yield", None)
        if yield_ is not None:
            yield_()

    def random_get(self, memory: GuestMemory, buf: int, buf_len: int) -> None:
        """Fill ``buf_len`` bytes at ``buf`` from ``WasiConfig.random`` (default
        ``os.urandom``)."""
        target = memory.slice(buf, buf_len)
        length = len(target)
        done = 0
        while done < length:
            chunk = self.config.random(min(_RANDOM_CHUNK, length - done))
            if not chunk:
                raise WasiError(Errno.EIO)
            target[done:done + len(chunk)] = chunk
            done += len(chunk)
