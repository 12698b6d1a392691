"""State shared by the WASI function families (the ``Wasi`` class is built from mixins).

Each family (``_args_env``, ``_clocks``, ``_fd_calls``, ``_path_calls``, ``_poll``,
``_proc``, ``_sockets``) is a mixin of :class:`WasiBase` whose methods are named after
the WASI functions and take ``(memory, *arguments)``: a :class:`GuestMemory` and the
core Wasm arguments as the host adapter passes them (i32/i64 signed). A method returns
``None``/``0`` for success, or raises ``WasiError(errno)``; ``OSError`` from the host is
translated by the import wrapper.
"""

from __future__ import annotations

from typing import Callable, List

from ._config import WasiConfig
from ._descriptors import Descriptor, DirectoryDescriptor, FdTable, HostFdDescriptor, Mount
from ._errno import Errno, WasiError
from ._memory import U32_MASK

__all__ = ["WasiBase"]


class WasiBase:
    """Attributes every family uses; set up by ``Wasi.__init__``."""

    config: WasiConfig
    fds: FdTable
    args: List[bytes]
    environ: List[bytes]
    mounts: List[Mount]
    realtime_clock: Callable[[], int]
    monotonic_clock: Callable[[], int]

    def _descriptor(self, fd: int) -> Descriptor:
        return self.fds.get(fd & U32_MASK)

    def _with_rights(self, fd: int, rights: int) -> Descriptor:
        descriptor = self.fds.get(fd & U32_MASK)
        if descriptor.rights_base & rights != rights:
            raise WasiError(Errno.ENOTCAPABLE)
        return descriptor

    def _directory(self, fd: int, rights: int) -> DirectoryDescriptor:
        """The directory behind ``fd``: EBADF if closed, ENOTDIR if not a directory,
        ENOTCAPABLE if it lacks ``rights``."""
        descriptor = self.fds.get(fd & U32_MASK)
        if not isinstance(descriptor, DirectoryDescriptor):
            raise WasiError(Errno.ENOTDIR)
        if descriptor.rights_base & rights != rights:
            raise WasiError(Errno.ENOTCAPABLE)
        return descriptor

    @staticmethod
    def _writable(descriptor: Descriptor) -> None:
        """EROFS when ``descriptor`` lives in a read-only mount."""
        if isinstance(descriptor, HostFdDescriptor) and descriptor.readonly:
            raise WasiError(Errno.EROFS)
