"""``path_*``: operations on paths relative to a directory descriptor.

Spec: WASI preview 1 (legacy/preview1/docs.md), the ``path_*`` functions. A path is a
WASI ``string``: a pointer and a length in bytes (no NUL terminator). Every path is
walked by :func:`zerowasm.wasi._sandbox.resolve`, which keeps the walk inside the
directory descriptor it starts from; the host call then runs relative to the final
directory, never following a symbolic link itself.

Common errors: EBADF (no such descriptor), ENOTDIR (the descriptor is not a directory),
ENOTCAPABLE (missing right, absolute path, ``..`` above the directory, or a symbolic link
leading out of it), EROFS (a write in a read-only mount), EXDEV (a link or rename
between two different preopens), EFAULT (the path is outside guest memory).
"""

from __future__ import annotations

import errno as host_errno
import os
import stat as stat_module
import sys

from ._abi import (
    DIRECTORY_INHERITING,
    DIRECTORY_RIGHTS,
    FILE_RIGHTS,
    FILESTAT,
    FdFlags,
    LookupFlags,
    OFlags,
    Rights,
)
from ._base import WasiBase
from ._descriptors import Descriptor, DirectoryDescriptor, FileDescriptor, filetype_of_mode
from ._errno import Errno, WasiError
from ._fd_calls import timestamps_to_set, validate_fstflags, write_filestat
from ._memory import U32_MASK, U64_MASK, GuestMemory
from ._sandbox import Resolved, depth_below, resolve, symlink_target_escapes

__all__ = ["PathCalls"]

_WRITE_RIGHTS = int(Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)
_READ_RIGHTS = int(Rights.FD_READ | Rights.FD_READDIR)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _sync_flags(fdflags: int) -> int:
    host = 0
    for flag, name in ((FdFlags.DSYNC, "O_DSYNC"), (FdFlags.SYNC, "O_SYNC"),
                       (FdFlags.RSYNC, "O_RSYNC")):
        if fdflags & flag:
            value = getattr(os, name, None)
            if value is None and flag == FdFlags.RSYNC:
                value = getattr(os, "O_SYNC", None)
            if value is None:
                raise WasiError(Errno.ENOTSUP)
            host |= value
    return host


def _require_directory_for_slash(resolved: Resolved, missing: Errno, isdir: Errno) -> None:
    """Apply a trailing slash: the target must exist and be a directory."""
    st = resolved.lstat()
    if st is None:
        raise WasiError(missing)
    if stat_module.S_ISDIR(st.st_mode):
        raise WasiError(isdir)
    raise WasiError(Errno.ENOTDIR)


def _link_nofollow(source: bytes, target: bytes, source_dir: int, target_dir: int) -> None:
    """``linkat(source_dir, source, target_dir, target, 0)``: a link to a symbolic link
    is a link to the link itself."""
    try:
        os.link(source, target, src_dir_fd=source_dir, dst_dir_fd=target_dir,
                follow_symlinks=False)
    except OSError as error:
        # PyPy 7.3 passes AT_SYMLINK_NOFOLLOW for follow_symlinks=False (linkat says
        # EINVAL); its default already means flags 0.
        if error.errno != host_errno.EINVAL or sys.implementation.name != "pypy":
            raise
        os.link(source, target, src_dir_fd=source_dir, dst_dir_fd=target_dir)


class PathCalls(WasiBase):
    def _path(self, memory: GuestMemory, pointer: int, length: int) -> bytes:
        return memory.path(pointer, length)

    def path_open(self, memory: GuestMemory, fd: int, dirflags: int, path: int, path_len: int,
                  oflags: int, rights_base: int, rights_inheriting: int, fdflags: int,
                  opened_fd_ptr: int) -> None:
        """Open a file or directory relative to directory ``fd``; write the new
        descriptor (u32) at ``opened_fd_ptr``.

        The new descriptor gets the requested base rights that apply to its file type.
        ``fd``'s *inheriting* rights are reported but not enforced, as in wasmtime and
        wazero: toolchains pass directory-only inheriting sets and then read the files
        they open (Zig's std does). Rights are the guest's own restrictions; the
        sandbox (preopens, read-only mounts) does not rely on them.

        The host file is opened for writing when the rights ask for ``fd_write``,
        ``fd_allocate`` or ``fd_filestat_set_size`` (as wasi-libc and Rust's std request
        them), for reading otherwise (so a directory opened with write rights fails with
        EISDIR, as POSIX says).
        Needs ``path_open`` (and ``path_create_file`` for ``creat``,
        ``path_filestat_set_size`` for ``trunc``). A final symbolic link is followed only
        with ``lookupflags.symlink_follow`` (otherwise ELOOP, as ``O_NOFOLLOW``).
        """
        directory = self._directory(fd, Rights.PATH_OPEN)
        oflags &= 0xFFFF
        fdflags &= 0xFFFF
        if oflags & ~0xF or fdflags & ~0x1F:
            raise WasiError(Errno.EINVAL)
        if oflags & OFlags.CREAT:
            directory.require(Rights.PATH_CREATE_FILE)
        if oflags & OFlags.TRUNC:
            directory.require(Rights.PATH_FILESTAT_SET_SIZE)
        if oflags & OFlags.DIRECTORY and oflags & (OFlags.CREAT | OFlags.TRUNC):
            raise WasiError(Errno.EINVAL)
        memory.check(opened_fd_ptr, 4)
        name = self._path(memory, path, path_len)
        base = rights_base & U64_MASK
        inheriting = rights_inheriting & U64_MASK
        write = bool(base & _WRITE_RIGHTS)
        read = bool(base & _READ_RIGHTS)
        if directory.readonly and (write or oflags & (OFlags.CREAT | OFlags.TRUNC)
                                   or fdflags & FdFlags.APPEND):
            raise WasiError(Errno.EROFS)
        if write and read:
            flags = os.O_RDWR
        elif write:
            flags = os.O_WRONLY
        else:
            flags = os.O_RDONLY
        flags |= _O_NOFOLLOW | _O_CLOEXEC | _O_NONBLOCK | _sync_flags(fdflags)
        if oflags & OFlags.CREAT:
            flags |= os.O_CREAT
            if oflags & OFlags.EXCL:
                flags |= os.O_EXCL
        if oflags & OFlags.TRUNC:
            flags |= os.O_TRUNC
        if fdflags & FdFlags.APPEND:
            flags |= os.O_APPEND
        follow = bool(dirflags & LookupFlags.SYMLINK_FOLLOW) and not (
            oflags & OFlags.CREAT and oflags & OFlags.EXCL)
        with resolve(directory.fd, directory.depth, name, follow) as resolved:
            if oflags & OFlags.DIRECTORY or resolved.must_be_dir:
                flags |= _O_DIRECTORY
                if oflags & OFlags.CREAT:
                    raise WasiError(Errno.EISDIR)
            host_fd = os.open(resolved.name, flags, 0o666, dir_fd=resolved.dirfd)
            depth = resolved.depth + (0 if resolved.name == b"." else 1)
        try:
            st = os.fstat(host_fd)
            mode = st.st_mode
            if not fdflags & FdFlags.NONBLOCK and not stat_module.S_ISREG(mode) \
                    and not stat_module.S_ISDIR(mode):
                os.set_blocking(host_fd, True)
        except BaseException:
            os.close(host_fd)
            raise
        descriptor: Descriptor
        if stat_module.S_ISDIR(mode):
            descriptor = DirectoryDescriptor(host_fd, base & DIRECTORY_RIGHTS,
                                             inheriting & DIRECTORY_INHERITING,
                                             directory.mount,  # type: ignore[arg-type]
                                             depth, flags=fdflags)
        else:
            descriptor = FileDescriptor(host_fd, filetype_of_mode(mode), base & FILE_RIGHTS, 0,
                                        fdflags, directory.mount)
        new_fd = self.fds.insert(descriptor)
        memory.write_u32(opened_fd_ptr, new_fd)

    def path_filestat_get(self, memory: GuestMemory, fd: int, flags: int, path: int,
                          path_len: int, buf: int) -> None:
        """Write the ``filestat`` of the file at ``path`` (see ``fd_filestat_get``); a final
        symbolic link is followed with ``symlink_follow``. Needs ``path_filestat_get``."""
        directory = self._directory(fd, Rights.PATH_FILESTAT_GET)
        memory.check(buf, FILESTAT.size)
        name = self._path(memory, path, path_len)
        with resolve(directory.fd, directory.depth, name,
                     bool(flags & LookupFlags.SYMLINK_FOLLOW)) as resolved:
            st = os.stat(resolved.name, dir_fd=resolved.dirfd, follow_symlinks=False)
            if resolved.must_be_dir and not stat_module.S_ISDIR(st.st_mode):
                raise WasiError(Errno.ENOTDIR)
        write_filestat(memory, buf, st)

    def path_filestat_set_times(self, memory: GuestMemory, fd: int, flags: int, path: int,
                                path_len: int, atim: int, mtim: int, fst_flags: int) -> None:
        """Set the times of the file at ``path`` (``fstflags`` as in
        ``fd_filestat_set_times``). Needs ``path_filestat_set_times``."""
        directory = self._directory(fd, Rights.PATH_FILESTAT_SET_TIMES)
        validate_fstflags(fst_flags)
        name = self._path(memory, path, path_len)
        with resolve(directory.fd, directory.depth, name,
                     bool(flags & LookupFlags.SYMLINK_FOLLOW)) as resolved:
            st = os.stat(resolved.name, dir_fd=resolved.dirfd, follow_symlinks=False)
            if resolved.must_be_dir and not stat_module.S_ISDIR(st.st_mode):
                raise WasiError(Errno.ENOTDIR)
            times = timestamps_to_set(fst_flags, atim, mtim, self.realtime_clock(), lambda: st)
            if times is None:
                return
            self._writable(directory)
            os.utime(resolved.name, ns=times, dir_fd=resolved.dirfd, follow_symlinks=False)

    def path_create_directory(self, memory: GuestMemory, fd: int, path: int,
                              path_len: int) -> None:
        """Create a directory (``mkdirat``). Needs ``path_create_directory``."""
        directory = self._directory(fd, Rights.PATH_CREATE_DIRECTORY)
        name = self._path(memory, path, path_len)
        self._writable(directory)
        with resolve(directory.fd, directory.depth, name, False) as resolved:
            if resolved.name == b".":
                raise WasiError(Errno.EEXIST)
            os.mkdir(resolved.name, 0o777, dir_fd=resolved.dirfd)

    def path_remove_directory(self, memory: GuestMemory, fd: int, path: int,
                              path_len: int) -> None:
        """Remove an empty directory (``unlinkat(AT_REMOVEDIR)``): ENOTEMPTY if it is
        not empty, ENOTDIR if it is not a directory. Needs ``path_remove_directory``."""
        directory = self._directory(fd, Rights.PATH_REMOVE_DIRECTORY)
        name = self._path(memory, path, path_len)
        self._writable(directory)
        with resolve(directory.fd, directory.depth, name, False) as resolved:
            os.rmdir(resolved.name, dir_fd=resolved.dirfd)

    def path_unlink_file(self, memory: GuestMemory, fd: int, path: int, path_len: int) -> None:
        """Remove a file or symbolic link (``unlinkat``): EISDIR for a directory.
        Needs ``path_unlink_file``."""
        directory = self._directory(fd, Rights.PATH_UNLINK_FILE)
        name = self._path(memory, path, path_len)
        self._writable(directory)
        with resolve(directory.fd, directory.depth, name, False) as resolved:
            if resolved.must_be_dir:
                _require_directory_for_slash(resolved, Errno.ENOENT, Errno.EISDIR)
            if resolved.name == b".":
                raise WasiError(Errno.EISDIR)
            try:
                os.unlink(resolved.name, dir_fd=resolved.dirfd)
            except PermissionError:
                # macOS and the BSDs say EPERM for a directory; WASI wants EISDIR
                st = resolved.lstat()
                if st is not None and stat_module.S_ISDIR(st.st_mode):
                    raise WasiError(Errno.EISDIR) from None
                raise

    def path_readlink(self, memory: GuestMemory, fd: int, path: int, path_len: int, buf: int,
                      buf_len: int, bufused_ptr: int) -> None:
        """Copy the target of the symbolic link at ``path`` into ``buf`` (truncated to
        ``buf_len``, no NUL); write the byte count (u32) at ``bufused_ptr``. EINVAL if
        it is not a symbolic link. Needs ``path_readlink``."""
        directory = self._directory(fd, Rights.PATH_READLINK)
        buf_len &= U32_MASK
        memory.check(buf, buf_len)
        memory.check(bufused_ptr, 4)
        name = self._path(memory, path, path_len)
        with resolve(directory.fd, directory.depth, name, False) as resolved:
            target = os.readlink(resolved.name, dir_fd=resolved.dirfd)
        data = target[:buf_len]
        memory.write(buf, data)
        memory.write_u32(bufused_ptr, len(data))

    def path_symlink(self, memory: GuestMemory, old_path: int, old_path_len: int, fd: int,
                     new_path: int, new_path_len: int) -> None:
        """Create a symbolic link at ``new_path`` holding ``old_path``.

        Sandbox rule: a target that is absolute or climbs (lexically) above the mount's
        root is refused with ENOTCAPABLE, so the guest cannot plant links that lead out
        of its directories for someone else to follow. The link's depth below the root
        is measured when it is created (walking ``..``), so renaming directories first
        does not help. Needs ``path_symlink``.
        """
        directory = self._directory(fd, Rights.PATH_SYMLINK)
        target = self._path(memory, old_path, old_path_len)
        name = self._path(memory, new_path, new_path_len)
        if b"\0" in target:
            raise WasiError(Errno.EILSEQ)
        if not target:
            raise WasiError(Errno.ENOENT)
        self._writable(directory)
        with resolve(directory.fd, directory.depth, name, False) as resolved:
            mount = directory.mount
            depth = depth_below(resolved.dirfd, mount.root_id) if mount is not None else None
            if depth is None or symlink_target_escapes(target, depth):
                raise WasiError(Errno.ENOTCAPABLE)
            if resolved.must_be_dir:
                _require_directory_for_slash(resolved, Errno.ENOENT, Errno.EEXIST)
            if resolved.name == b".":
                raise WasiError(Errno.EEXIST)
            os.symlink(target, resolved.name, dir_fd=resolved.dirfd)

    def path_link(self, memory: GuestMemory, old_fd: int, old_flags: int, old_path: int,
                  old_path_len: int, new_fd: int, new_path: int, new_path_len: int) -> None:
        """Create a hard link ``new_path`` to ``old_path`` (``linkat``; a final symbolic
        link in ``old_path`` is followed, inside the sandbox, only with
        ``symlink_follow``). Both must be in the same preopen (EXDEV), so a file of a
        read-only mount can never gain a writable name. Needs ``path_link_source`` on
        ``old_fd`` and ``path_link_target`` on ``new_fd``."""
        source_dir = self._directory(old_fd, Rights.PATH_LINK_SOURCE)
        target_dir = self._directory(new_fd, Rights.PATH_LINK_TARGET)
        source = self._path(memory, old_path, old_path_len)
        target = self._path(memory, new_path, new_path_len)
        self._writable(target_dir)
        if source_dir.mount is not target_dir.mount:
            raise WasiError(Errno.EXDEV)
        follow = bool(old_flags & LookupFlags.SYMLINK_FOLLOW)
        with resolve(source_dir.fd, source_dir.depth, source, follow) as old, \
                resolve(target_dir.fd, target_dir.depth, target, False) as new:
            if new.must_be_dir:
                _require_directory_for_slash(new, Errno.ENOENT, Errno.EEXIST)
            if old.must_be_dir:
                st = old.lstat()
                if st is not None and not stat_module.S_ISDIR(st.st_mode):
                    raise WasiError(Errno.ENOTDIR)
            if new.name == b".":
                raise WasiError(Errno.EEXIST)
            _link_nofollow(old.name, new.name, old.dirfd, new.dirfd)

    def path_rename(self, memory: GuestMemory, fd: int, old_path: int, old_path_len: int,
                    new_fd: int, new_path: int, new_path_len: int) -> None:
        """Rename ``old_path`` (relative to ``fd``) to ``new_path`` (relative to
        ``new_fd``), replacing what is there as ``renameat`` does. Both must be in the
        same preopen (EXDEV). Needs ``path_rename_source`` / ``path_rename_target``."""
        source_dir = self._directory(fd, Rights.PATH_RENAME_SOURCE)
        target_dir = self._directory(new_fd, Rights.PATH_RENAME_TARGET)
        source = self._path(memory, old_path, old_path_len)
        target = self._path(memory, new_path, new_path_len)
        self._writable(source_dir)
        self._writable(target_dir)
        if source_dir.mount is not target_dir.mount:
            raise WasiError(Errno.EXDEV)
        with resolve(source_dir.fd, source_dir.depth, source, False) as old, \
                resolve(target_dir.fd, target_dir.depth, target, False) as new:
            if old.must_be_dir or new.must_be_dir:
                st = old.lstat()
                if st is None:
                    raise WasiError(Errno.ENOENT)
                if not stat_module.S_ISDIR(st.st_mode):
                    raise WasiError(Errno.ENOTDIR)
            if old.name == b"." or new.name == b".":
                raise WasiError(Errno.EBUSY)
            os.rename(old.name, new.name, src_dir_fd=old.dirfd, dst_dir_fd=new.dirfd)


