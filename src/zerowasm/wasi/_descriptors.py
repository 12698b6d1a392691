"""What a guest file descriptor stands for, and the descriptor table.

Theory of operation
-------------------
A guest ``fd`` is an index into :class:`FdTable`, never a host descriptor number: the
guest cannot name a host file the host did not hand it. Each entry is a
:class:`Descriptor` carrying the WASI view of it (file type, ``fdflags``, base and
inheriting rights) and the host object behind it:

* :class:`FileDescriptor` / :class:`DirectoryDescriptor`: a host descriptor opened by
  ``path_open`` (or for a preopen), with the :class:`Mount` it lives in (its read-only
  flag is checked by every mutating call) and, for directories, the depth below the
  mount's root (used to refuse symlinks that would point out of the mount);
* :class:`StreamDescriptor`: stdin/stdout/stderr, backed by an inherited host
  descriptor, a Python file object, bytes, or nothing;
* :class:`SocketDescriptor`: a pre-opened listening socket or an accepted connection.

The table has a size limit (``WasiConfig.max_open_files``) so a guest cannot exhaust the
host's descriptors.
"""

from __future__ import annotations

import io
import os
import socket
import stat as stat_module
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._abi import (
    DIRECTORY_INHERITING,
    DIRECTORY_RIGHTS,
    FILE_RIGHTS,
    SOCKET_RIGHTS,
    STREAM_RIGHTS,
    TTY_RIGHTS,
    FdFlags,
    FileType,
    Rights,
)
from ._errno import Errno, WasiError

__all__ = ["Mount", "Descriptor", "FileDescriptor", "DirectoryDescriptor", "StreamDescriptor",
           "SocketDescriptor", "FdTable", "filetype_of_mode", "IOV_MAX"]

IOV_MAX = 1024
_HAS_READV = hasattr(os, "readv")
_HAS_PREADV = hasattr(os, "preadv")
_HAS_PWRITEV = hasattr(os, "pwritev")


def _error(errno: Errno) -> WasiError:
    return WasiError(errno)


def filetype_of_mode(mode: int) -> FileType:
    """The WASI file type of a host ``st_mode``."""
    if stat_module.S_ISREG(mode):
        return FileType.REGULAR_FILE
    if stat_module.S_ISDIR(mode):
        return FileType.DIRECTORY
    if stat_module.S_ISLNK(mode):
        return FileType.SYMBOLIC_LINK
    if stat_module.S_ISCHR(mode):
        return FileType.CHARACTER_DEVICE
    if stat_module.S_ISBLK(mode):
        return FileType.BLOCK_DEVICE
    if stat_module.S_ISSOCK(mode):
        return FileType.SOCKET_STREAM
    return FileType.UNKNOWN


class Mount:
    """A preopened host directory: where it is, its guest name, whether it is read-only."""

    __slots__ = ("host_path", "guest_path", "readonly", "root_id")

    def __init__(self, host_path: str, guest_path: str, readonly: bool) -> None:
        self.host_path = host_path
        self.guest_path = guest_path
        self.readonly = readonly
        self.root_id: Tuple[int, int] = (0, 0)

    def __repr__(self) -> str:
        return "Mount(%r -> %r%s)" % (self.host_path, self.guest_path,
                                      ", read-only" if self.readonly else "")


class Descriptor:
    """Base of every table entry. Operations a kind does not support raise EBADF."""

    __slots__ = ("filetype", "flags", "rights_base", "rights_inheriting")

    def __init__(self, filetype: FileType, rights_base: int, rights_inheriting: int,
                 flags: int = 0) -> None:
        self.filetype = filetype
        self.rights_base = rights_base
        self.rights_inheriting = rights_inheriting
        self.flags = flags

    def require(self, rights: int) -> None:
        """ENOTCAPABLE unless this descriptor holds every right in ``rights``."""
        if self.rights_base & rights != rights:
            raise _error(Errno.ENOTCAPABLE)

    @property
    def host_fd(self) -> Optional[int]:
        """The host descriptor to wait on in ``poll_oneoff``, if there is one."""
        return None

    def close(self) -> None:
        pass

    # I/O, overridden by the kinds that support it
    def read(self, buffers: List[memoryview]) -> int:
        raise _error(Errno.EBADF)

    def write(self, buffers: List[memoryview]) -> int:
        raise _error(Errno.EBADF)

    def pread(self, buffers: List[memoryview], offset: int) -> int:
        raise _error(Errno.ESPIPE)

    def pwrite(self, buffers: List[memoryview], offset: int) -> int:
        raise _error(Errno.ESPIPE)

    def seek(self, offset: int, whence: int) -> int:
        raise _error(Errno.ESPIPE)

    def stat(self) -> Optional[os.stat_result]:
        return None

    def set_flags(self, flags: int) -> None:
        if flags & ~int(FdFlags.NONBLOCK | FdFlags.APPEND):
            raise _error(Errno.ENOTSUP)
        self.flags = flags

    def readable_bytes(self) -> Optional[int]:
        """For ``poll_oneoff``: bytes readable now, or None when unknown (wait on host_fd)."""
        return 0

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.filetype.name)


def _readv(fd: int, buffers: List[memoryview]) -> int:
    if _HAS_READV:
        return os.readv(fd, buffers[:IOV_MAX])
    total = 0
    for buffer in buffers:
        data = os.read(fd, len(buffer))
        buffer[:len(data)] = data
        total += len(data)
        if len(data) < len(buffer):
            break
    return total


def _writev(fd: int, buffers: List[memoryview]) -> int:
    if hasattr(os, "writev"):
        return os.writev(fd, buffers[:IOV_MAX])
    total = 0
    for buffer in buffers:
        written = os.write(fd, buffer)
        total += written
        if written < len(buffer):
            break
    return total


class HostFdDescriptor(Descriptor):
    """A descriptor backed by a host file descriptor it owns."""

    __slots__ = ("fd", "mount", "owned")

    def __init__(self, fd: int, filetype: FileType, rights_base: int, rights_inheriting: int,
                 flags: int = 0, mount: Optional[Mount] = None, owned: bool = True) -> None:
        super().__init__(filetype, rights_base, rights_inheriting, flags)
        self.fd = fd
        self.mount = mount
        self.owned = owned

    @property
    def host_fd(self) -> Optional[int]:
        return self.fd

    @property
    def readonly(self) -> bool:
        return self.mount is not None and self.mount.readonly

    def close(self) -> None:
        if self.owned and self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)

    def stat(self) -> os.stat_result:
        return os.fstat(self.fd)

    def set_flags(self, flags: int) -> None:
        changeable = int(FdFlags.NONBLOCK | FdFlags.APPEND)
        if (flags ^ self.flags) & ~changeable:
            # O_DSYNC/O_RSYNC/O_SYNC cannot be changed after open on most hosts
            raise _error(Errno.ENOTSUP)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            raise _error(Errno.ENOTSUP) from None
        host = fcntl.fcntl(self.fd, fcntl.F_GETFL)
        host &= ~(os.O_APPEND | os.O_NONBLOCK)
        if flags & FdFlags.APPEND:
            host |= os.O_APPEND
        if flags & FdFlags.NONBLOCK:
            host |= os.O_NONBLOCK
        fcntl.fcntl(self.fd, fcntl.F_SETFL, host)
        self.flags = flags


class FileDescriptor(HostFdDescriptor):
    """A regular file (or another non-directory) opened through ``path_open``."""

    __slots__ = ()

    def read(self, buffers: List[memoryview]) -> int:
        return _readv(self.fd, buffers)

    def write(self, buffers: List[memoryview]) -> int:
        return _writev(self.fd, buffers)

    def pread(self, buffers: List[memoryview], offset: int) -> int:
        if _HAS_PREADV:
            return os.preadv(self.fd, buffers[:IOV_MAX], offset)
        total = 0
        for buffer in buffers:
            data = os.pread(self.fd, len(buffer), offset + total)
            buffer[:len(data)] = data
            total += len(data)
            if len(data) < len(buffer):
                break
        return total

    def pwrite(self, buffers: List[memoryview], offset: int) -> int:
        if _HAS_PWRITEV:
            return os.pwritev(self.fd, buffers[:IOV_MAX], offset)
        total = 0
        for buffer in buffers:
            written = os.pwrite(self.fd, buffer, offset + total)
            total += written
            if written < len(buffer):
                break
        return total

    def seek(self, offset: int, whence: int) -> int:
        return os.lseek(self.fd, offset, whence)

    def readable_bytes(self) -> Optional[int]:
        if self.filetype != FileType.REGULAR_FILE:
            return None
        try:
            size = os.fstat(self.fd).st_size
            position = os.lseek(self.fd, 0, os.SEEK_CUR)
        except OSError:
            return 0
        return max(0, size - position)


class DirectoryDescriptor(HostFdDescriptor):
    """A directory: a preopen, or one opened through ``path_open``.

    ``depth`` is how far below its mount's root it was when opened; ``preopen_name``
    the guest path of a preopen (``fd_prestat_get`` answers only for those).
    """

    __slots__ = ("depth", "preopen_name", "entries")

    def __init__(self, fd: int, rights_base: int, rights_inheriting: int, mount: Mount,
                 depth: int, preopen_name: Optional[bytes] = None, flags: int = 0) -> None:
        super().__init__(fd, FileType.DIRECTORY, rights_base, rights_inheriting, flags, mount)
        self.depth = depth
        self.preopen_name = preopen_name
        self.entries: Optional[List[Tuple[bytes, int, FileType]]] = None

    def read(self, buffers: List[memoryview]) -> int:
        raise _error(Errno.EISDIR)

    def write(self, buffers: List[memoryview]) -> int:
        raise _error(Errno.EISDIR)

    def pread(self, buffers: List[memoryview], offset: int) -> int:
        raise _error(Errno.EISDIR)

    def pwrite(self, buffers: List[memoryview], offset: int) -> int:
        raise _error(Errno.EISDIR)

    def seek(self, offset: int, whence: int) -> int:
        raise _error(Errno.EISDIR)

    def list_entries(self) -> List[Tuple[bytes, int, FileType]]:
        """A fresh snapshot of ``(name, inode, type)``, starting with ``.`` and ``..``."""
        own = os.fstat(self.fd)
        if self.mount is not None and (own.st_dev, own.st_ino) == self.mount.root_id:
            parent_inode = own.st_ino  # never reveal what is above a mount
        else:
            try:
                parent_inode = os.stat(b"..", dir_fd=self.fd, follow_symlinks=False).st_ino
            except OSError:
                parent_inode = own.st_ino
        entries = [(b".", own.st_ino, FileType.DIRECTORY),
                   (b"..", parent_inode, FileType.DIRECTORY)]
        with os.scandir(self.fd) as iterator:
            for entry in iterator:
                name = os.fsencode(entry.name)
                try:
                    if entry.is_symlink():
                        kind = FileType.SYMBOLIC_LINK
                    elif entry.is_dir(follow_symlinks=False):
                        kind = FileType.DIRECTORY
                    elif entry.is_file(follow_symlinks=False):
                        kind = FileType.REGULAR_FILE
                    else:
                        kind = filetype_of_mode(entry.stat(follow_symlinks=False).st_mode)
                    inode = entry.inode()
                except OSError:  # removed while listing
                    continue
                entries.append((name, inode, kind))
        self.entries = entries
        return entries

    def readable_bytes(self) -> Optional[int]:
        return 0


class StreamDescriptor(Descriptor):
    """stdin, stdout or stderr.

    ``source`` is one of: an ``int`` (a host descriptor, not owned: closing the guest's
    stdout does not close the host's), an object with ``readinto``/``read`` (input) or
    ``write`` (output), or ``None`` (input at end of file; output discarded).
    """

    __slots__ = ("source", "output", "_text")

    def __init__(self, source: Any, output: bool) -> None:
        self.source = source
        self.output = output
        self._text = False
        filetype = FileType.UNKNOWN
        rights = STREAM_RIGHTS | int(Rights.FD_SEEK | Rights.FD_TELL)
        if isinstance(source, int):
            try:
                mode = os.fstat(source).st_mode
            except OSError:
                mode = 0
            filetype = filetype_of_mode(mode)
            if filetype == FileType.SOCKET_STREAM or stat_module.S_ISFIFO(mode):
                filetype = FileType.UNKNOWN
            if filetype == FileType.CHARACTER_DEVICE and os.isatty(source):
                rights = TTY_RIGHTS
        elif isinstance(source, io.TextIOBase):
            if getattr(source, "buffer", None) is not None:
                self.source = source.buffer  # type: ignore[attr-defined]
                try:
                    source.flush()
                except (OSError, ValueError):
                    pass
            else:
                self._text = True
        super().__init__(filetype, rights, 0)

    @property
    def host_fd(self) -> Optional[int]:
        return self.source if isinstance(self.source, int) else None

    def read(self, buffers: List[memoryview]) -> int:
        if self.output:
            raise _error(Errno.EBADF)
        source = self.source
        if source is None:
            return 0
        if isinstance(source, int):
            return _readv(source, buffers)
        total = 0
        for buffer in buffers:
            if not len(buffer):
                continue
            readinto = getattr(source, "readinto", None)
            if readinto is not None:
                count = readinto(buffer) or 0
            else:
                data = source.read(len(buffer)) or b""
                if isinstance(data, str):
                    data = data.encode("utf-8")
                count = len(data)
                buffer[:count] = data
            total += count
            if count < len(buffer):
                break
        return total

    def write(self, buffers: List[memoryview]) -> int:
        if not self.output:
            raise _error(Errno.EBADF)
        source = self.source
        if source is None:
            return sum(len(b) for b in buffers)
        if isinstance(source, int):
            return _writev(source, buffers)
        data = b"".join(buffers)
        if self._text:
            source.write(data.decode("utf-8", "replace"))
        else:
            source.write(data)
        flush = getattr(source, "flush", None)
        if flush is not None:
            flush()
        return len(data)

    def stat(self) -> Optional[os.stat_result]:
        if isinstance(self.source, int):
            return os.fstat(self.source)
        return None

    def set_flags(self, flags: int) -> None:
        if flags & ~int(FdFlags.NONBLOCK | FdFlags.APPEND):
            raise _error(Errno.ENOTSUP)
        if isinstance(self.source, int) and (flags ^ self.flags) & FdFlags.NONBLOCK:
            # never change the host's stdio mode: it is shared with other processes
            raise _error(Errno.ENOTSUP)
        self.flags = flags

    def readable_bytes(self) -> Optional[int]:
        source = self.source
        if self.output or source is None:
            return 0
        if isinstance(source, int):
            return None
        if isinstance(source, io.BytesIO):
            return len(source.getbuffer()) - source.tell()
        return 1


class SocketDescriptor(Descriptor):
    """A TCP socket: a listening one handed over by the host, or an accepted connection."""

    __slots__ = ("socket",)

    def __init__(self, sock: socket.socket, flags: int = 0) -> None:
        super().__init__(FileType.SOCKET_STREAM, SOCKET_RIGHTS, 0, flags)
        self.socket = sock
        sock.setblocking(not flags & FdFlags.NONBLOCK)

    @property
    def host_fd(self) -> Optional[int]:
        return self.socket.fileno()

    def close(self) -> None:
        self.socket.close()

    def read(self, buffers: List[memoryview]) -> int:
        return recv_into(self.socket, buffers, 0)

    def write(self, buffers: List[memoryview]) -> int:
        return send_from(self.socket, buffers)

    def stat(self) -> Optional[os.stat_result]:
        return os.fstat(self.socket.fileno())

    def set_flags(self, flags: int) -> None:
        if flags & ~int(FdFlags.NONBLOCK):
            raise _error(Errno.ENOTSUP)
        self.socket.setblocking(not flags & FdFlags.NONBLOCK)
        self.flags = flags

    def readable_bytes(self) -> Optional[int]:
        return None


def recv_into(sock: socket.socket, buffers: List[memoryview], flags: int) -> int:
    """Receive into several buffers (``recvmsg_into`` where the platform has it)."""
    buffers = [b for b in buffers if len(b)]
    if not buffers:
        return 0
    if hasattr(sock, "recvmsg_into"):
        return sock.recvmsg_into(buffers[:IOV_MAX], 0, flags)[0]
    return sock.recv_into(buffers[0], 0, flags)


def send_from(sock: socket.socket, buffers: List[memoryview]) -> int:
    buffers = [b for b in buffers if len(b)]
    if not buffers:
        return 0
    if hasattr(sock, "sendmsg"):
        return sock.sendmsg(buffers[:IOV_MAX])
    return sock.send(buffers[0])


class FdTable:
    """The guest's descriptor numbers. New descriptors get the lowest free number."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: Dict[int, Descriptor] = {}

    def get(self, fd: int) -> Descriptor:
        try:
            return self.entries[fd]
        except KeyError:
            raise _error(Errno.EBADF) from None

    def insert(self, descriptor: Descriptor) -> int:
        entries = self.entries
        if len(entries) >= self.limit:
            descriptor.close()
            raise _error(Errno.EMFILE)
        fd = 0
        while fd in entries:
            fd += 1
        entries[fd] = descriptor
        return fd

    def set(self, fd: int, descriptor: Descriptor) -> None:
        self.entries[fd] = descriptor

    def pop(self, fd: int) -> Descriptor:
        try:
            return self.entries.pop(fd)
        except KeyError:
            raise _error(Errno.EBADF) from None

    def close_all(self) -> None:
        for descriptor in list(self.entries.values()):
            try:
                descriptor.close()
            except OSError:
                pass
        self.entries.clear()

    def __contains__(self, fd: int) -> bool:
        return fd in self.entries

    def __len__(self) -> int:
        return len(self.entries)


def rights_for_type(filetype: FileType) -> Tuple[int, int]:
    """The most base/inheriting rights a descriptor of ``filetype`` can hold."""
    if filetype == FileType.DIRECTORY:
        return DIRECTORY_RIGHTS, DIRECTORY_INHERITING
    return FILE_RIGHTS, 0


def join_buffers(buffers: Sequence[memoryview]) -> bytes:
    return b"".join(buffers)
