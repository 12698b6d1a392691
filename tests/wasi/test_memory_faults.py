"""Bad guest pointers and lengths give EFAULT, never a host crash or a stray write."""

from __future__ import annotations

from pathlib import Path

import pytest

from zerowasm.wasi import Errno, OFlags, Rights, WasiConfig

PAGE = 65536
END = PAGE  # first address past a one-page memory


@pytest.fixture
def guest(tmp_path: Path, make_guest):
    (tmp_path / "file").write_bytes(b"0123456789")
    return make_guest(WasiConfig(args=["prog", "arg"], env={"A": "1"}, stdin=b"input")
                      .preopen(tmp_path, "/"))


def test_iovec_array_out_of_bounds(guest):
    out = guest.alloc(4)
    assert guest.errno("fd_write", 1, END - 4, 1, out) == Errno.EFAULT
    assert guest.errno("fd_write", 1, 0xFFFFFFF8, 1, out) == Errno.EFAULT
    assert guest.errno("fd_read", 0, 16, 0x20000000, out) == Errno.EFAULT


def test_iovec_buffer_out_of_bounds(guest):
    array = guest.alloc(8)
    guest.memory.write(array, (END - 2).to_bytes(4, "little") + (10).to_bytes(4, "little"))
    out = guest.alloc(4)
    assert guest.errno("fd_write", 1, array, 1, out) == Errno.EFAULT
    assert guest.errno("fd_read", 0, array, 1, out) == Errno.EFAULT
    guest.memory.write(array, (0xFFFFFFFF).to_bytes(4, "little") + (2).to_bytes(4, "little"))
    assert guest.errno("fd_write", 1, array, 1, out) == Errno.EFAULT


def test_a_fault_is_detected_before_any_io(guest):
    """stdin is not consumed when the result pointer is bad."""
    array, count, pairs = guest.iovecs(3)
    assert guest.errno("fd_read", 0, array, count, END) == Errno.EFAULT
    assert guest.read_fd(0, 5) == b"input"


def test_result_pointers_out_of_bounds(guest):
    assert guest.errno("args_sizes_get", END - 2, 16) == Errno.EFAULT
    assert guest.errno("args_get", 16, END - 3) == Errno.EFAULT
    assert guest.errno("environ_get", END - 1, 16) == Errno.EFAULT
    assert guest.errno("clock_time_get", 0, 0, END - 7) == Errno.EFAULT
    assert guest.errno("clock_res_get", 1, 0xFFFFFFFF) == Errno.EFAULT
    assert guest.errno("fd_fdstat_get", 1, END - 23) == Errno.EFAULT
    assert guest.errno("fd_filestat_get", 3, END - 63) == Errno.EFAULT
    assert guest.errno("fd_prestat_get", 3, END - 4) == Errno.EFAULT
    assert guest.errno("fd_prestat_dir_name", 3, END, 10) == Errno.EFAULT
    assert guest.errno("fd_readdir", 3, END - 10, 100, 0, 16) == Errno.EFAULT
    assert guest.errno("fd_readdir", 3, 16, 100, 0, END) == Errno.EFAULT


def test_paths_out_of_bounds(guest):
    out = guest.alloc(64)
    assert guest.errno("path_open", 3, 0, END - 2, 5, 0, 0, 0, 0, out) == Errno.EFAULT
    assert guest.errno("path_open", 3, 0, 16, 0xFFFFFFFF, 0, 0, 0, 0, out) == Errno.EFAULT
    assert guest.errno("path_filestat_get", 3, 0, 0xFFFFFFF0, 100, out) == Errno.EFAULT
    assert guest.errno("path_create_directory", 3, END, 1) == Errno.EFAULT
    assert guest.errno("path_symlink", END - 1, 2, 3, 16, 1) == Errno.EFAULT
    name, length = guest.string("file")
    assert guest.errno("path_open", 3, 0, name, length, 0, 0, 0, 0, END - 2) == Errno.EFAULT
    assert guest.errno("path_readlink", 3, name, length, END - 1, 10, out) == Errno.EFAULT


def test_random_and_poll_out_of_bounds(guest):
    assert guest.errno("random_get", END - 10, 11) == Errno.EFAULT
    assert guest.errno("random_get", 16, 0xFFFFFFFF) == Errno.EFAULT
    assert guest.errno("random_get", END, 0) == Errno.ESUCCESS
    assert guest.errno("poll_oneoff", 16, 16, 0x10000000, 16) == Errno.EFAULT
    assert guest.errno("poll_oneoff", END - 48, 16, 2, 16) == Errno.EFAULT


def test_no_memory_at_all_is_efault(make_guest):
    guest = make_guest()
    guest.caller.exports = {}
    guest.caller.memory = None
    assert guest.errno("args_sizes_get", 0, 4) == Errno.EFAULT
    assert guest.errno("sched_yield") == Errno.ESUCCESS


def test_memory_edges_are_usable(guest):
    """A buffer that ends exactly at the end of memory is fine."""
    assert guest.errno("random_get", END - 16, 16) == Errno.ESUCCESS
    array = guest.alloc(8)
    guest.memory.write(array, (END - 5).to_bytes(4, "little") + (5).to_bytes(4, "little"))
    out = guest.alloc(4)
    assert guest.errno("fd_read", 0, array, 1, out) == Errno.ESUCCESS
    assert guest.read(END - 5, 5) == b"input"


def test_open_flags_and_rights_outside_their_range(guest):
    name, length = guest.string("file")
    out = guest.alloc(4)
    assert guest.errno("path_open", 3, 0, name, length, 0x10, 0, 0, 0, out) == Errno.EINVAL
    assert guest.errno("path_open", 3, 0, name, length, 0, 0, 0, 0x20, out) == Errno.EINVAL
    assert guest.errno("path_open", 3, 0, name, length, int(OFlags.DIRECTORY | OFlags.CREAT),
                       0, 0, 0, out) == Errno.EINVAL
    # unknown rights bits are simply not granted
    assert guest.errno("path_open", 3, 0, name, length, 0, (1 << 64) - 1, 0, 0, out) == 0
    assert guest.errno("fd_fdstat_get", guest.u32(out), out) == 0
    assert guest.u64(out + 8) & ~((1 << 30) - 1) == 0
    assert guest.u64(out + 8) & Rights.PATH_OPEN == 0  # a file gets no directory rights
