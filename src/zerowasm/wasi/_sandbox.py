"""Path resolution inside a preopened directory, one component at a time.

Theory of operation
-------------------
A guest names files by ``(directory fd, relative path)``. Handing the joined path to the
host would let ``..``, absolute paths and symbolic links lead anywhere, and checking a
path first and using it afterwards races with anyone changing the tree in between. So
zerowasm never gives the host a path with more than one component:

1. The walk starts at the host descriptor of the guest's directory and opens each
   intermediate component with ``openat(dir, name, O_DIRECTORY | O_NOFOLLOW [| O_PATH])``.
   ``O_NOFOLLOW`` means the host never follows a symbolic link on the guest's behalf.
2. When a component is a symbolic link, zerowasm reads it (``readlinkat``) and splices
   its target into the remaining path, then keeps walking from the same directory; an
   absolute target is refused (``ENOTCAPABLE``), and more than 40 links is ``ELOOP``.
3. ``..`` pops the stack of opened directories; popping past the starting directory is
   refused (``ENOTCAPABLE``): a guest cannot climb above a descriptor it holds, exactly
   like a capability-based openat2(RESOLVE_BENEATH).
4. The walk ends with the parent directory's host descriptor and the final name; the
   operation itself (``openat``, ``mkdirat``, ``unlinkat``, ``renameat``, ``linkat``,
   ``symlinkat``, ``fstatat``, ``utimensat``, ``readlinkat``) runs relative to that
   descriptor with "do not follow" semantics. If the final component is a symbolic link
   the guest asked to follow, step 2 applies to it too.

Because every step is relative to a descriptor already verified to be inside the
sandbox, renaming directories or swapping in symbolic links concurrently cannot make
zerowasm step outside: the worst a race can do is make the operation fail (``ELOOP``,
``ENOENT``).

Trailing slashes: ``a/`` means "``a`` must be a directory" and follows ``a`` if it is a
symbolic link, as POSIX says; the host never sees the slash (a host kernel would follow
the link itself).

This needs ``dir_fd`` support in ``os`` (Linux, macOS, the BSDs). Where it is missing
(Windows), preopened directories are refused at configuration time.
"""

from __future__ import annotations

import errno as host_errno
import os
from typing import List, Optional, Tuple

from ._errno import Errno, WasiError

__all__ = ["Resolved", "resolve", "symlink_target_escapes", "depth_below", "supported",
           "MAX_SYMLINKS", "DIRECTORY_OPEN_FLAGS"]

MAX_SYMLINKS = 40
_O_PATH = getattr(os, "O_PATH", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: flags to open an intermediate directory of a walk
_WALK_FLAGS = (_O_PATH or os.O_RDONLY) | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC
#: flags to open a directory the guest gets a descriptor for
DIRECTORY_OPEN_FLAGS = os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC
_MAYBE_SYMLINK = {host_errno.ELOOP, host_errno.ENOTDIR, getattr(host_errno, "EMLINK", -1),
                  getattr(host_errno, "EFTYPE", -1)}


def supported() -> bool:
    """Whether this platform can run the sandbox (``openat`` and friends)."""
    needed = (os.open, os.stat, os.mkdir, os.rmdir, os.unlink, os.rename, os.readlink,
              os.symlink, os.utime)
    return all(f in os.supports_dir_fd for f in needed) and bool(_O_DIRECTORY and _O_NOFOLLOW)


class Resolved:
    """The result of a walk: ``dirfd`` (host) and ``name`` to operate on.

    ``name`` is ``b"."`` when the path names ``dirfd`` itself. ``must_be_dir`` is set by
    a trailing slash. ``depth`` is the depth of ``dirfd`` below the mount's root. Use as a
    context manager: it closes the directories the walk opened.
    """

    __slots__ = ("dirfd", "name", "must_be_dir", "depth", "_owned")

    def __init__(self, dirfd: int, name: bytes, must_be_dir: bool, depth: int,
                 owned: List[int]) -> None:
        self.dirfd = dirfd
        self.name = name
        self.must_be_dir = must_be_dir
        self.depth = depth
        self._owned = owned

    def close(self) -> None:
        owned, self._owned = self._owned, []
        for fd in owned:
            os.close(fd)

    def __enter__(self) -> Resolved:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lstat(self) -> Optional[os.stat_result]:
        """``fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW)``, or None if it does not exist."""
        try:
            return os.stat(self.name, dir_fd=self.dirfd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def __repr__(self) -> str:
        return "Resolved(%d, %r%s)" % (self.dirfd, self.name, "/" if self.must_be_dir else "")


def _readlink(dirfd: int, name: bytes) -> Optional[bytes]:
    """The target of symbolic link ``name``, or None if it is not one (or is missing)."""
    try:
        return os.readlink(name, dir_fd=dirfd)
    except OSError as error:
        if error.errno in (host_errno.EINVAL, host_errno.ENOENT, host_errno.ENOTDIR):
            return None
        raise


def _check_path(path: bytes) -> None:
    if not path:
        raise WasiError(Errno.ENOENT)
    if b"\0" in path:
        raise WasiError(Errno.EILSEQ)
    if path[:1] == b"/":
        raise WasiError(Errno.ENOTCAPABLE)


def resolve(base_fd: int, base_depth: int, path: bytes, follow: bool) -> Resolved:
    """Walk ``path`` from host directory ``base_fd`` without leaving it.

    ``follow``: whether a symbolic link in the final component is followed (``..`` and
    links in the middle of a path are always resolved, inside the sandbox).
    """
    _check_path(path)
    pending = [c for c in path.split(b"/") if c]
    pending.reverse()
    must_be_dir = path.endswith(b"/")
    owned: List[int] = []
    cur = base_fd
    links = 0
    try:
        while True:
            if not pending:
                return Resolved(cur, b".", True, base_depth + len(owned), owned)
            name = pending.pop()
            if name == b".":
                if not pending:
                    return Resolved(cur, b".", True, base_depth + len(owned), owned)
                continue
            if name == b"..":
                if not owned:
                    raise WasiError(Errno.ENOTCAPABLE)
                os.close(owned.pop())
                cur = owned[-1] if owned else base_fd
                continue
            last = not pending
            if last and not (follow or must_be_dir):
                return Resolved(cur, name, must_be_dir, base_depth + len(owned), owned)
            if last:
                target = _readlink(cur, name)
                if target is None:
                    return Resolved(cur, name, must_be_dir, base_depth + len(owned), owned)
            else:
                try:
                    fd = os.open(name, _WALK_FLAGS, dir_fd=cur)
                except OSError as error:
                    if error.errno not in _MAYBE_SYMLINK:
                        raise
                    target = _readlink(cur, name)
                    if target is None:
                        raise
                else:
                    owned.append(fd)
                    cur = fd
                    continue
            # ``name`` is a symbolic link to expand
            links += 1
            if links > MAX_SYMLINKS:
                raise WasiError(Errno.ELOOP)
            if target[:1] == b"/":
                raise WasiError(Errno.ENOTCAPABLE)
            if not target:
                raise WasiError(Errno.ENOENT)
            if last and target.endswith(b"/"):
                must_be_dir = True
            parts = [c for c in target.split(b"/") if c]
            if not parts:
                parts = [b"."]
            pending.extend(reversed(parts))
    except BaseException:
        for fd in owned:
            os.close(fd)
        raise


def symlink_target_escapes(target: bytes, depth: int) -> bool:
    """Whether a link holding ``target``, ``depth`` levels below its mount's root, points
    outside the mount when read lexically (absolute, or too many ``..``)."""
    if target[:1] == b"/":
        return True
    level = depth
    for part in target.split(b"/"):
        if part == b"..":
            level -= 1
            if level < 0:
                return True
        elif part and part != b".":
            level += 1
    return False


def depth_below(dirfd: int, root_id: Tuple[int, int], limit: int = 4096) -> Optional[int]:
    """How many levels directory ``dirfd`` is below the directory identified by
    ``root_id`` (``(st_dev, st_ino)``) right now, found by walking ``..``; None if the
    root is not among its ancestors (the directory was moved out of the mount)."""
    st = os.fstat(dirfd)
    if (st.st_dev, st.st_ino) == root_id:
        return 0
    cur = dirfd
    opened: List[int] = []
    try:
        for depth in range(1, limit + 1):
            parent = os.open(b"..", _WALK_FLAGS, dir_fd=cur)
            opened.append(parent)
            cur = parent
            parent_st = os.fstat(parent)
            if (parent_st.st_dev, parent_st.st_ino) == root_id:
                return depth
            if (parent_st.st_dev, parent_st.st_ino) == (st.st_dev, st.st_ino):
                return None  # reached the file system's root
            st = parent_st
        return None
    finally:
        for fd in opened:
            os.close(fd)
