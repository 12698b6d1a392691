"""``fd_*``: operations on open file descriptors.

Spec: WASI preview 1 (legacy/preview1/docs.md), the ``fd_*`` functions. Each checks,
in order: the descriptor exists (EBADF), it holds the right the call needs
(ENOTCAPABLE), guest pointers are in bounds (EFAULT), then performs the host call
(host errors map to their WASI names). Writes through a descriptor of a read-only mount
fail with EROFS.
"""

from __future__ import annotations

import os
import stat as stat_module
from typing import Callable, Optional, Tuple

from ._abi import (
    DIRENT,
    FDSTAT,
    FILESTAT,
    PRESTAT,
    Advice,
    FdFlags,
    FileType,
    FstFlags,
    PreopenType,
    Rights,
    Whence,
)
from ._base import WasiBase
from ._descriptors import (
    DirectoryDescriptor,
    FileDescriptor,
    HostFdDescriptor,
    StreamDescriptor,
    filetype_of_mode,
)
from ._errno import Errno, WasiError
from ._memory import U32_MASK, U64_MASK, GuestMemory

__all__ = ["FdCalls", "write_filestat", "timestamps_to_set", "validate_fstflags"]

_I64_MAX = (1 << 63) - 1
_ADVICE = {Advice.NORMAL: "POSIX_FADV_NORMAL", Advice.SEQUENTIAL: "POSIX_FADV_SEQUENTIAL",
           Advice.RANDOM: "POSIX_FADV_RANDOM", Advice.WILLNEED: "POSIX_FADV_WILLNEED",
           Advice.DONTNEED: "POSIX_FADV_DONTNEED", Advice.NOREUSE: "POSIX_FADV_NOREUSE"}


def write_filestat(memory: GuestMemory, pointer: int, st: Optional[os.stat_result],
                   filetype: Optional[FileType] = None) -> None:
    """Write a ``filestat`` (64 bytes)::

        ┌────────┬────────┬──────────┬───────┬────────┬────────┬────────┬────────┬────────┐
        │dev u64 │ino u64 │filetype u8│ pad 7 │nlink u64│size u64│atim u64│mtim u64│ctim u64│
        └────────┴────────┴──────────┴───────┴────────┴────────┴────────┴────────┴────────┘
         @0       @8       @16                @24      @32      @40      @48      @56
    """
    if st is None:
        memory.pack(FILESTAT, pointer, 0, 0, filetype or FileType.UNKNOWN, 1, 0, 0, 0, 0)
        return
    kind = filetype if filetype is not None else filetype_of_mode(st.st_mode)
    memory.pack(FILESTAT, pointer, st.st_dev & U64_MASK, st.st_ino & U64_MASK, kind,
                st.st_nlink, st.st_size & U64_MASK, max(0, st.st_atime_ns) & U64_MASK,
                max(0, st.st_mtime_ns) & U64_MASK, max(0, st.st_ctime_ns) & U64_MASK)


def validate_fstflags(flags: int) -> int:
    """``fstflags`` as an int; EINVAL for unknown bits or "set to X" with "set to now"."""
    flags &= 0xFFFF
    if flags & ~0xF:
        raise WasiError(Errno.EINVAL)
    if (flags & FstFlags.ATIM and flags & FstFlags.ATIM_NOW) or \
            (flags & FstFlags.MTIM and flags & FstFlags.MTIM_NOW):
        raise WasiError(Errno.EINVAL)
    return flags


def timestamps_to_set(flags: int, atim: int, mtim: int, now: int,
                      current: Callable[[], os.stat_result]) -> Optional[Tuple[int, int]]:
    """The ``(atime_ns, mtime_ns)`` to give ``os.utime`` for ``fstflags``, or None if
    nothing changes (``current`` gives the times to keep). EINVAL as in
    :func:`validate_fstflags`, and for times past 2**63 - 1 ns."""
    flags = validate_fstflags(flags)
    if not flags:
        return None
    atim &= U64_MASK
    mtim &= U64_MASK
    if atim > _I64_MAX or mtim > _I64_MAX:
        raise WasiError(Errno.EINVAL)
    keep_atime = not flags & (FstFlags.ATIM | FstFlags.ATIM_NOW)
    keep_mtime = not flags & (FstFlags.MTIM | FstFlags.MTIM_NOW)
    st = current() if keep_atime or keep_mtime else None
    if flags & FstFlags.ATIM:
        a = atim
    elif flags & FstFlags.ATIM_NOW:
        a = now
    else:
        a = st.st_atime_ns  # type: ignore[union-attr]
    if flags & FstFlags.MTIM:
        m = mtim
    elif flags & FstFlags.MTIM_NOW:
        m = now
    else:
        m = st.st_mtime_ns  # type: ignore[union-attr]
    return a, m


class FdCalls(WasiBase):
    # -- descriptor state ---------------------------------------------------------------
    def fd_close(self, memory: GuestMemory, fd: int) -> None:
        """Close ``fd`` (preopens too). EBADF if it is not open."""
        descriptor = self.fds.pop(fd & U32_MASK)
        try:
            descriptor.close()
        except OSError:
            pass

    def fd_renumber(self, memory: GuestMemory, fd: int, to: int) -> None:
        """Move descriptor ``fd`` to number ``to``, closing what ``to`` held.

        Both must be open (EBADF), like wasmtime.
        """
        fd &= U32_MASK
        to &= U32_MASK
        self.fds.get(fd)
        previous = self.fds.get(to)
        if fd == to:
            return
        self.fds.set(to, self.fds.pop(fd))
        try:
            previous.close()
        except OSError:
            pass

    def fd_fdstat_get(self, memory: GuestMemory, fd: int, stat_ptr: int) -> None:
        """Write the descriptor's ``fdstat`` (24 bytes)::

            ┌─────────────┬─────┬──────────┬───────┬──────────────────┬───────────────────────┐
            │filetype u8  │ pad │ flags u16│ pad 4 │ rights_base u64  │ rights_inheriting u64 │
            └─────────────┴─────┴──────────┴───────┴──────────────────┴───────────────────────┘
             @0                  @2                 @8                 @16
        """
        descriptor = self._descriptor(fd)
        memory.pack(FDSTAT, stat_ptr, descriptor.filetype, descriptor.flags,
                    descriptor.rights_base, descriptor.rights_inheriting)

    def fd_fdstat_set_flags(self, memory: GuestMemory, fd: int, flags: int) -> None:
        """Change ``fdflags``: APPEND and NONBLOCK can change; the sync flags cannot
        (ENOTSUP). Needs ``fd_fdstat_set_flags``."""
        descriptor = self._with_rights(fd, Rights.FD_FDSTAT_SET_FLAGS)
        flags &= 0xFFFF
        if flags & ~0x1F:
            raise WasiError(Errno.EINVAL)
        if flags & FdFlags.APPEND and not flags & descriptor.flags & FdFlags.APPEND:
            self._writable(descriptor)
        descriptor.set_flags(flags)

    def fd_fdstat_set_rights(self, memory: GuestMemory, fd: int, rights_base: int,
                             rights_inheriting: int) -> None:
        """Drop rights. Asking for a right the descriptor does not hold is ENOTCAPABLE."""
        descriptor = self._descriptor(fd)
        base = rights_base & U64_MASK
        inheriting = rights_inheriting & U64_MASK
        if base & ~descriptor.rights_base or inheriting & ~descriptor.rights_inheriting:
            raise WasiError(Errno.ENOTCAPABLE)
        descriptor.rights_base = base
        descriptor.rights_inheriting = inheriting

    # -- preopens -------------------------------------------------------------------------
    def _preopen(self, fd: int) -> bytes:
        descriptor = self._descriptor(fd)
        if not isinstance(descriptor, DirectoryDescriptor) or descriptor.preopen_name is None:
            raise WasiError(Errno.EBADF)
        return descriptor.preopen_name

    def fd_prestat_get(self, memory: GuestMemory, fd: int, prestat_ptr: int) -> None:
        """Describe a preopen (EBADF for any other descriptor: wasi-libc stops there)::

            ┌────────────┬───────┬──────────────────┐
            │ tag u8 = 0 │ pad 3 │ pr_name_len u32  │   (8 bytes; tag 0 = directory)
            └────────────┴───────┴──────────────────┘
        """
        name = self._preopen(fd)
        memory.pack(PRESTAT, prestat_ptr, PreopenType.DIR, len(name))

    def fd_prestat_dir_name(self, memory: GuestMemory, fd: int, path_ptr: int,
                            path_len: int) -> None:
        """Copy the preopen's guest path (no NUL) to ``path_ptr``; ENAMETOOLONG if
        ``path_len`` is shorter than ``pr_name_len``."""
        name = self._preopen(fd)
        if path_len & U32_MASK < len(name):
            raise WasiError(Errno.ENAMETOOLONG)
        memory.write(path_ptr, name)

    # -- reading and writing ----------------------------------------------------------------
    def fd_read(self, memory: GuestMemory, fd: int, iovs: int, iovs_len: int,
                nread_ptr: int) -> None:
        """Read into the ``iovec`` array at ``iovs`` (see ``GuestMemory.iovecs``); write
        the byte count (u32) at ``nread_ptr``. Needs ``fd_read``."""
        descriptor = self._with_rights(fd, Rights.FD_READ)
        memory.check(nread_ptr, 4)
        buffers = memory.iovecs(iovs, iovs_len)
        memory.write_u32(nread_ptr, descriptor.read(buffers))

    def fd_write(self, memory: GuestMemory, fd: int, iovs: int, iovs_len: int,
                 nwritten_ptr: int) -> None:
        """Write the ``ciovec`` array at ``iovs``; write the count (u32) at
        ``nwritten_ptr``. Needs ``fd_write``."""
        descriptor = self._with_rights(fd, Rights.FD_WRITE)
        memory.check(nwritten_ptr, 4)
        buffers = memory.iovecs(iovs, iovs_len)
        memory.write_u32(nwritten_ptr, descriptor.write(buffers))

    def fd_pread(self, memory: GuestMemory, fd: int, iovs: int, iovs_len: int, offset: int,
                 nread_ptr: int) -> None:
        """``fd_read`` at ``offset`` without moving the file position. Needs ``fd_read``
        and ``fd_seek``."""
        descriptor = self._with_rights(fd, Rights.FD_READ | Rights.FD_SEEK)
        memory.check(nread_ptr, 4)
        offset &= U64_MASK
        if offset > _I64_MAX:
            raise WasiError(Errno.EINVAL)
        buffers = memory.iovecs(iovs, iovs_len)
        memory.write_u32(nread_ptr, descriptor.pread(buffers, offset))

    def fd_pwrite(self, memory: GuestMemory, fd: int, iovs: int, iovs_len: int, offset: int,
                  nwritten_ptr: int) -> None:
        """``fd_write`` at ``offset`` without moving the file position. Needs
        ``fd_write`` and ``fd_seek``."""
        descriptor = self._with_rights(fd, Rights.FD_WRITE | Rights.FD_SEEK)
        memory.check(nwritten_ptr, 4)
        offset &= U64_MASK
        if offset > _I64_MAX:
            raise WasiError(Errno.EINVAL)
        buffers = memory.iovecs(iovs, iovs_len)
        memory.write_u32(nwritten_ptr, descriptor.pwrite(buffers, offset))

    def fd_seek(self, memory: GuestMemory, fd: int, offset: int, whence: int,
                newoffset_ptr: int) -> None:
        """Move the file position (``offset`` is a signed ``filedelta``); write the new
        position (u64) at ``newoffset_ptr``. Needs ``fd_seek`` (``fd_tell`` suffices for
        a zero move from the current position). EINVAL for a bad ``whence`` or a
        negative result."""
        whence &= U32_MASK
        if whence > Whence.END:
            raise WasiError(Errno.EINVAL)
        if whence == Whence.CUR and offset == 0:
            descriptor = self._descriptor(fd)
            if not descriptor.rights_base & (Rights.FD_SEEK | Rights.FD_TELL):
                raise WasiError(Errno.ENOTCAPABLE)
        else:
            descriptor = self._with_rights(fd, Rights.FD_SEEK)
        memory.check(newoffset_ptr, 8)
        host_whence = (os.SEEK_SET, os.SEEK_CUR, os.SEEK_END)[whence]
        memory.write_u64(newoffset_ptr, descriptor.seek(offset, host_whence))

    def fd_tell(self, memory: GuestMemory, fd: int, offset_ptr: int) -> None:
        """Write the file position (u64) at ``offset_ptr``. Needs ``fd_tell`` (or
        ``fd_seek``, which implies it)."""
        descriptor = self._descriptor(fd)
        if not descriptor.rights_base & (Rights.FD_SEEK | Rights.FD_TELL):
            raise WasiError(Errno.ENOTCAPABLE)
        memory.check(offset_ptr, 8)
        memory.write_u64(offset_ptr, descriptor.seek(0, os.SEEK_CUR))

    def fd_readdir(self, memory: GuestMemory, fd: int, buf: int, buf_len: int, cookie: int,
                   bufused_ptr: int) -> None:
        """Fill ``buf`` with directory entries from position ``cookie`` (0 = start; an
        entry's ``d_next`` is the cookie of the one after it); the last entry may be cut
        short, and ``bufused < buf_len`` means the end was reached::

            buf ──▶ ┌─────────────┬────────────┬──────────────┬───────────┬───────┬──────────┐
                    │ d_next u64  │ d_ino u64  │ d_namlen u32 │ d_type u8 │ pad 3 │ name ... │ ...
                    └─────────────┴────────────┴──────────────┴───────────┴───────┴──────────┘
                     @0            @8           @16            @20                 @24

        ``.`` and ``..`` come first. Cookie 0 takes a fresh snapshot of the directory.
        Needs ``fd_readdir``.
        """
        descriptor = self._descriptor(fd)
        if not isinstance(descriptor, DirectoryDescriptor):
            raise WasiError(Errno.ENOTDIR if descriptor.rights_base & Rights.FD_READDIR
                            else Errno.ENOTCAPABLE)
        descriptor.require(Rights.FD_READDIR)
        buf_len &= U32_MASK
        memory.check(buf, buf_len)
        memory.check(bufused_ptr, 4)
        cookie &= U64_MASK
        entries = descriptor.entries
        if cookie == 0 or entries is None:
            entries = descriptor.list_entries()
        chunks = []
        size = 0
        index = cookie
        pack = DIRENT.pack
        while index < len(entries) and size < buf_len:
            name, inode, kind = entries[index]
            index += 1
            chunk = pack(index, inode & U64_MASK, len(name), kind) + name
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)[:buf_len]
        memory.write(buf, data)
        memory.write_u32(bufused_ptr, len(data))

    # -- metadata ---------------------------------------------------------------------------
    def fd_filestat_get(self, memory: GuestMemory, fd: int, buf: int) -> None:
        """Write the open file's ``filestat`` (see ``write_filestat``). Needs
        ``fd_filestat_get``."""
        descriptor = self._with_rights(fd, Rights.FD_FILESTAT_GET)
        memory.check(buf, FILESTAT.size)
        st = descriptor.stat()
        kind = None if isinstance(descriptor, HostFdDescriptor) else descriptor.filetype
        write_filestat(memory, buf, st, kind)

    def fd_filestat_set_size(self, memory: GuestMemory, fd: int, size: int) -> None:
        """Truncate or extend (with zeros) to ``size``. Needs ``fd_filestat_set_size``."""
        descriptor = self._with_rights(fd, Rights.FD_FILESTAT_SET_SIZE)
        self._writable(descriptor)
        size &= U64_MASK
        if size > _I64_MAX:
            raise WasiError(Errno.EFBIG)
        if not isinstance(descriptor, FileDescriptor):
            raise WasiError(Errno.EINVAL)
        os.ftruncate(descriptor.fd, size)

    def fd_filestat_set_times(self, memory: GuestMemory, fd: int, atim: int, mtim: int,
                              fst_flags: int) -> None:
        """Set access/modification times (``fstflags`` say which, and whether to "now").
        Needs ``fd_filestat_set_times``."""
        descriptor = self._with_rights(fd, Rights.FD_FILESTAT_SET_TIMES)
        if not isinstance(descriptor, HostFdDescriptor):
            validate_fstflags(fst_flags)
            raise WasiError(Errno.EBADF)
        times = timestamps_to_set(fst_flags, atim, mtim, self.realtime_clock(),
                                  lambda: os.fstat(descriptor.fd))
        if times is None:
            return
        self._writable(descriptor)
        os.utime(descriptor.fd, ns=times)

    # -- hints and durability -----------------------------------------------------------------
    def fd_advise(self, memory: GuestMemory, fd: int, offset: int, length: int,
                  advice: int) -> None:
        """Pass an access-pattern hint to the host (``posix_fadvise``) where it has one.
        EINVAL for an unknown advice. Needs ``fd_advise``."""
        descriptor = self._with_rights(fd, Rights.FD_ADVISE)
        advice &= U32_MASK
        if advice > Advice.NOREUSE:
            raise WasiError(Errno.EINVAL)
        if not isinstance(descriptor, FileDescriptor):
            raise WasiError(Errno.EBADF)
        offset &= U64_MASK
        length &= U64_MASK
        if offset > _I64_MAX or length > _I64_MAX:
            raise WasiError(Errno.EINVAL)
        fadvise = getattr(os, "posix_fadvise", None)
        constant = getattr(os, _ADVICE[Advice(advice)], None)
        if fadvise is not None and constant is not None:
            fadvise(descriptor.fd, offset, length, constant)

    def fd_allocate(self, memory: GuestMemory, fd: int, offset: int, length: int) -> None:
        """Make sure bytes ``[offset, offset + length)`` are allocated, extending the file
        if needed (``posix_fallocate``, or ``ftruncate`` where the host has none or the
        file system refuses). Needs ``fd_allocate``."""
        descriptor = self._with_rights(fd, Rights.FD_ALLOCATE)
        self._writable(descriptor)
        if not isinstance(descriptor, FileDescriptor):
            raise WasiError(Errno.EBADF)
        offset &= U64_MASK
        length &= U64_MASK
        if offset + length > _I64_MAX:
            raise WasiError(Errno.EFBIG)
        if length == 0:
            raise WasiError(Errno.EINVAL)
        st = os.fstat(descriptor.fd)
        if not stat_module.S_ISREG(st.st_mode):
            raise WasiError(Errno.ENODEV)
        fallocate = getattr(os, "posix_fallocate", None)
        if fallocate is not None:
            try:
                fallocate(descriptor.fd, offset, length)
                return
            except OSError as error:
                if errno_is_unsupported(error):
                    pass
                else:
                    raise
        if offset + length > st.st_size:
            os.ftruncate(descriptor.fd, offset + length)

    def fd_sync(self, memory: GuestMemory, fd: int) -> None:
        """Flush data and metadata to storage (``fsync``). Needs ``fd_sync``."""
        descriptor = self._with_rights(fd, Rights.FD_SYNC)
        _sync(descriptor, os.fsync)

    def fd_datasync(self, memory: GuestMemory, fd: int) -> None:
        """Flush data to storage (``fdatasync``). Needs ``fd_datasync``."""
        descriptor = self._with_rights(fd, Rights.FD_DATASYNC)
        _sync(descriptor, getattr(os, "fdatasync", os.fsync))


def errno_is_unsupported(error: OSError) -> bool:
    import errno as host_errno
    return error.errno in (host_errno.EOPNOTSUPP, getattr(host_errno, "ENOTSUP", -1),
                           host_errno.ENOSYS)


def _sync(descriptor: object, sync: Callable[[int], None]) -> None:
    if isinstance(descriptor, HostFdDescriptor):
        sync(descriptor.fd)
    elif isinstance(descriptor, StreamDescriptor):
        flush = getattr(descriptor.source, "flush", None)
        if flush is not None:
            flush()
    else:
        raise WasiError(Errno.EINVAL)
