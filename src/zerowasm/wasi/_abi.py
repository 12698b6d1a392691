"""WASI preview 1 ABI: enumerations, flag sets, record layouts and function signatures.

Spec: WASI preview 1 (legacy/preview1/docs.md and witx/typenames.witx in
github.com/WebAssembly/WASI). All integers are little-endian; records are laid out
with C alignment rules, as drawn in the docstrings of the functions that use them.
"""

from __future__ import annotations

import enum
import struct
from typing import Dict

from .._types import FunctionType, ValType

__all__ = [
    "MODULE_NAME", "Rights", "FileType", "Whence", "ClockId", "OFlags", "FdFlags",
    "LookupFlags", "FstFlags", "EventType", "SubclockFlags", "Advice", "RiFlags", "SdFlags",
    "Signal", "PreopenType", "FDSTAT", "FILESTAT", "DIRENT", "PRESTAT", "IOVEC",
    "SUBSCRIPTION", "SUBSCRIPTION_CLOCK", "SUBSCRIPTION_FD", "EVENT", "SIGNATURES",
    "FILE_RIGHTS", "DIRECTORY_RIGHTS", "DIRECTORY_INHERITING", "TTY_RIGHTS",
    "STREAM_RIGHTS", "SOCKET_RIGHTS", "ALL_RIGHTS",
]

MODULE_NAME = "wasi_snapshot_preview1"


class Rights(enum.IntFlag):
    """``rights`` (u64): what a file descriptor may be used for."""

    FD_DATASYNC = 1 << 0
    FD_READ = 1 << 1
    FD_SEEK = 1 << 2
    FD_FDSTAT_SET_FLAGS = 1 << 3
    FD_SYNC = 1 << 4
    FD_TELL = 1 << 5
    FD_WRITE = 1 << 6
    FD_ADVISE = 1 << 7
    FD_ALLOCATE = 1 << 8
    PATH_CREATE_DIRECTORY = 1 << 9
    PATH_CREATE_FILE = 1 << 10
    PATH_LINK_SOURCE = 1 << 11
    PATH_LINK_TARGET = 1 << 12
    PATH_OPEN = 1 << 13
    FD_READDIR = 1 << 14
    PATH_READLINK = 1 << 15
    PATH_RENAME_SOURCE = 1 << 16
    PATH_RENAME_TARGET = 1 << 17
    PATH_FILESTAT_GET = 1 << 18
    PATH_FILESTAT_SET_SIZE = 1 << 19
    PATH_FILESTAT_SET_TIMES = 1 << 20
    FD_FILESTAT_GET = 1 << 21
    FD_FILESTAT_SET_SIZE = 1 << 22
    FD_FILESTAT_SET_TIMES = 1 << 23
    PATH_SYMLINK = 1 << 24
    PATH_REMOVE_DIRECTORY = 1 << 25
    PATH_UNLINK_FILE = 1 << 26
    POLL_FD_READWRITE = 1 << 27
    SOCK_SHUTDOWN = 1 << 28
    SOCK_ACCEPT = 1 << 29


ALL_RIGHTS = (1 << 30) - 1
R = Rights

#: Rights that apply to a regular file.
FILE_RIGHTS = int(
    R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_TELL
    | R.FD_WRITE | R.FD_ADVISE | R.FD_ALLOCATE | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_SIZE
    | R.FD_FILESTAT_SET_TIMES | R.POLL_FD_READWRITE)
#: Rights that apply to a directory.
DIRECTORY_RIGHTS = int(
    R.FD_DATASYNC | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.PATH_CREATE_DIRECTORY
    | R.PATH_CREATE_FILE | R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET | R.PATH_OPEN | R.FD_READDIR
    | R.PATH_READLINK | R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET | R.PATH_FILESTAT_GET
    | R.PATH_FILESTAT_SET_SIZE | R.PATH_FILESTAT_SET_TIMES | R.FD_FILESTAT_GET
    | R.FD_FILESTAT_SET_TIMES | R.PATH_SYMLINK | R.PATH_REMOVE_DIRECTORY | R.PATH_UNLINK_FILE)
#: What descriptors opened through a directory may get.
DIRECTORY_INHERITING = DIRECTORY_RIGHTS | FILE_RIGHTS
#: A terminal: no seek or tell (wasi-libc's ``isatty`` tests exactly this).
TTY_RIGHTS = int(R.FD_READ | R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET
                 | R.POLL_FD_READWRITE)
#: A pipe or a Python stream standing for stdin/stdout/stderr.
STREAM_RIGHTS = TTY_RIGHTS
#: A socket.
SOCKET_RIGHTS = int(R.FD_READ | R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET
                    | R.POLL_FD_READWRITE | R.SOCK_SHUTDOWN | R.SOCK_ACCEPT)
del R


class FileType(enum.IntEnum):
    """``filetype`` (u8)."""

    UNKNOWN = 0
    BLOCK_DEVICE = 1
    CHARACTER_DEVICE = 2
    DIRECTORY = 3
    REGULAR_FILE = 4
    SOCKET_DGRAM = 5
    SOCKET_STREAM = 6
    SYMBOLIC_LINK = 7


class Whence(enum.IntEnum):
    """``whence`` (u8)."""

    SET = 0
    CUR = 1
    END = 2


class ClockId(enum.IntEnum):
    """``clockid`` (u32)."""

    REALTIME = 0
    MONOTONIC = 1
    PROCESS_CPUTIME_ID = 2
    THREAD_CPUTIME_ID = 3


class OFlags(enum.IntFlag):
    """``oflags`` (u16), for ``path_open``."""

    CREAT = 1 << 0
    DIRECTORY = 1 << 1
    EXCL = 1 << 2
    TRUNC = 1 << 3


class FdFlags(enum.IntFlag):
    """``fdflags`` (u16)."""

    APPEND = 1 << 0
    DSYNC = 1 << 1
    NONBLOCK = 1 << 2
    RSYNC = 1 << 3
    SYNC = 1 << 4


class LookupFlags(enum.IntFlag):
    """``lookupflags`` (u32)."""

    SYMLINK_FOLLOW = 1 << 0


class FstFlags(enum.IntFlag):
    """``fstflags`` (u16): which timestamps ``*_set_times`` changes."""

    ATIM = 1 << 0
    ATIM_NOW = 1 << 1
    MTIM = 1 << 2
    MTIM_NOW = 1 << 3


class EventType(enum.IntEnum):
    """``eventtype`` (u8)."""

    CLOCK = 0
    FD_READ = 1
    FD_WRITE = 2


class SubclockFlags(enum.IntFlag):
    """``subclockflags`` (u16)."""

    SUBSCRIPTION_CLOCK_ABSTIME = 1 << 0


class Advice(enum.IntEnum):
    """``advice`` (u8), for ``fd_advise``."""

    NORMAL = 0
    SEQUENTIAL = 1
    RANDOM = 2
    WILLNEED = 3
    DONTNEED = 4
    NOREUSE = 5


class RiFlags(enum.IntFlag):
    """``riflags`` (u16), for ``sock_recv``."""

    RECV_PEEK = 1 << 0
    RECV_WAITALL = 1 << 1


class SdFlags(enum.IntFlag):
    """``sdflags`` (u8), for ``sock_shutdown``."""

    RD = 1 << 0
    WR = 1 << 1


class Signal(enum.IntEnum):
    """``signal`` (u8), for ``proc_raise`` (0 = none ... 30 = sys)."""

    NONE = 0
    HUP = 1
    INT = 2
    QUIT = 3
    ILL = 4
    TRAP = 5
    ABRT = 6
    BUS = 7
    FPE = 8
    KILL = 9
    USR1 = 10
    SEGV = 11
    USR2 = 12
    PIPE = 13
    ALRM = 14
    TERM = 15
    CHLD = 16
    CONT = 17
    STOP = 18
    TSTP = 19
    TTIN = 20
    TTOU = 21
    URG = 22
    XCPU = 23
    XFSZ = 24
    VTALRM = 25
    PROF = 26
    WINCH = 27
    POLL = 28
    PWR = 29
    SYS = 30


class PreopenType(enum.IntEnum):
    """``preopentype`` (u8)."""

    DIR = 0


# -- record layouts --------------------------------------------------------------------------
#: ``fdstat``, 24 bytes: filetype u8 @0, flags u16 @2, rights_base u64 @8, inheriting u64 @16.
FDSTAT = struct.Struct("<BxHxxxxQQ")
#: ``filestat``, 64 bytes: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40,
#: mtim @48, ctim @56 (all u64 but filetype).
FILESTAT = struct.Struct("<QQBxxxxxxxQQQQQ")
#: ``dirent``, 24 bytes (then d_namlen bytes of name): d_next u64 @0, d_ino u64 @8,
#: d_namlen u32 @16, d_type u8 @20.
DIRENT = struct.Struct("<QQIBxxx")
#: ``prestat``, 8 bytes: tag u8 @0, pr_name_len u32 @4.
PRESTAT = struct.Struct("<BxxxI")
#: ``iovec`` / ``ciovec``, 8 bytes: buf u32 @0, buf_len u32 @4.
IOVEC = struct.Struct("<II")
#: ``subscription``, 48 bytes: userdata u64 @0, tag u8 @8, then the union at @16.
SUBSCRIPTION = struct.Struct("<QB")
#: ``subscription_clock`` at @16: id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40.
SUBSCRIPTION_CLOCK = struct.Struct("<I4xQQH")
#: ``subscription_fd_readwrite`` at @16: file_descriptor u32 @16.
SUBSCRIPTION_FD = struct.Struct("<I")
SUBSCRIPTION_SIZE = 48
#: ``event``, 32 bytes: userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24.
EVENT = struct.Struct("<QHB5xQH6x")

assert FDSTAT.size == 24 and FILESTAT.size == 64 and DIRENT.size == 24 and EVENT.size == 32

# -- the 46 functions: core Wasm signatures ---------------------------------------------------
_I, _L = ValType.I32, ValType.I64


def _sig(params: str, results: str = "i") -> FunctionType:
    kinds = {"i": _I, "l": _L}
    return FunctionType(tuple(kinds[c] for c in params), tuple(kinds[c] for c in results))


#: name -> core function type, in the order of the witx file.
SIGNATURES: Dict[str, FunctionType] = {
    "args_get": _sig("ii"),
    "args_sizes_get": _sig("ii"),
    "environ_get": _sig("ii"),
    "environ_sizes_get": _sig("ii"),
    "clock_res_get": _sig("ii"),
    "clock_time_get": _sig("ili"),
    "fd_advise": _sig("illi"),
    "fd_allocate": _sig("ill"),
    "fd_close": _sig("i"),
    "fd_datasync": _sig("i"),
    "fd_fdstat_get": _sig("ii"),
    "fd_fdstat_set_flags": _sig("ii"),
    "fd_fdstat_set_rights": _sig("ill"),
    "fd_filestat_get": _sig("ii"),
    "fd_filestat_set_size": _sig("il"),
    "fd_filestat_set_times": _sig("illi"),
    "fd_pread": _sig("iiili"),
    "fd_prestat_get": _sig("ii"),
    "fd_prestat_dir_name": _sig("iii"),
    "fd_pwrite": _sig("iiili"),
    "fd_read": _sig("iiii"),
    "fd_readdir": _sig("iiili"),
    "fd_renumber": _sig("ii"),
    "fd_seek": _sig("ilii"),
    "fd_sync": _sig("i"),
    "fd_tell": _sig("ii"),
    "fd_write": _sig("iiii"),
    "path_create_directory": _sig("iii"),
    "path_filestat_get": _sig("iiiii"),
    "path_filestat_set_times": _sig("iiiilli"),
    "path_link": _sig("iiiiiii"),
    "path_open": _sig("iiiiillii"),
    "path_readlink": _sig("iiiiii"),
    "path_remove_directory": _sig("iii"),
    "path_rename": _sig("iiiiii"),
    "path_symlink": _sig("iiiii"),
    "path_unlink_file": _sig("iii"),
    "poll_oneoff": _sig("iiii"),
    "proc_exit": _sig("i", ""),
    "proc_raise": _sig("i"),
    "sched_yield": _sig(""),
    "random_get": _sig("ii"),
    "sock_accept": _sig("iii"),
    "sock_recv": _sig("iiiiii"),
    "sock_send": _sig("iiiii"),
    "sock_shutdown": _sig("ii"),
}
