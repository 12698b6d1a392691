"""Behaviour and errno of each WASI function family, driven through a fake guest."""

from __future__ import annotations

import io
import os
import socket
import struct
import threading
import time
from pathlib import Path

import pytest

import zerowasm
from zerowasm.wasi import (
    FUNCTION_NAMES,
    INHERIT,
    ClockId,
    Errno,
    EventType,
    FdFlags,
    FileType,
    FstFlags,
    OFlags,
    Rights,
    Wasi,
    WasiConfig,
    Whence,
)

ROOT = 3


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "file").write_bytes(b"hello world")
    (tmp_path / "dir").mkdir()
    return tmp_path


@pytest.fixture
def guest(root, make_guest):
    return make_guest(WasiConfig(args=["prog", "a b", "ü"]).preopen(root, "/"))


# -- the import object ----------------------------------------------------------------------------
def test_all_46_functions_are_provided_with_their_signatures():
    functions = Wasi().functions()
    assert len(FUNCTION_NAMES) == 46 and set(functions) == set(FUNCTION_NAMES)
    assert functions["fd_write"].type == zerowasm.FunctionType((zerowasm.I32,) * 4, (zerowasm.I32,))
    assert functions["proc_exit"].type.results == ()
    assert functions["path_open"].type.params[5:7] == (zerowasm.I64, zerowasm.I64)
    assert set(Wasi().imports({"env": {}})) == {"env", "wasi_snapshot_preview1"}


# -- args and environment -------------------------------------------------------------------------
def test_args(guest):
    sizes = guest.alloc(8)
    assert guest.call("args_sizes_get", sizes, sizes + 4) == 0
    assert (guest.u32(sizes), guest.u32(sizes + 4)) == (3, len(b"prog\0a b\0\xc3\xbc\0"))
    argv, buf = guest.alloc(12), guest.alloc(32)
    assert guest.call("args_get", argv, buf) == 0
    assert [guest.u32(argv + 4 * i) - buf for i in range(3)] == [0, 5, 9]
    assert guest.read(buf, 12) == b"prog\0a b\0\xc3\xbc\0"


def test_environment_is_empty_unless_given(make_guest, monkeypatch):
    monkeypatch.setenv("ZEROWASM_TEST_SECRET", "x")
    guest = make_guest(WasiConfig())
    sizes = guest.alloc(8)
    assert guest.call("environ_sizes_get", sizes, sizes + 4) == 0
    assert (guest.u32(sizes), guest.u32(sizes + 4)) == (0, 0)
    guest = make_guest(WasiConfig(env={"A": "1"}, inherit_env=True))
    assert b"ZEROWASM_TEST_SECRET=x" in guest.wasi.environ
    assert b"A=1" in guest.wasi.environ


def test_environ_get(make_guest):
    guest = make_guest(WasiConfig(env={"K": "V", "EMPTY": ""}))
    environ, buf = guest.alloc(8), guest.alloc(32)
    assert guest.call("environ_get", environ, buf) == 0
    assert guest.read(buf, 11) == b"K=V\0EMPTY=\0"


# -- clocks, random, proc -------------------------------------------------------------------------
def test_clocks_are_overridable(make_guest):
    guest = make_guest(WasiConfig(realtime_clock=lambda: 1_700_000_000_000_000_000,
                                  monotonic_clock=lambda: 42))
    out = guest.alloc(8)
    assert guest.call("clock_time_get", ClockId.REALTIME, 1, out) == 0
    assert guest.u64(out) == 1_700_000_000_000_000_000
    assert guest.call("clock_time_get", ClockId.MONOTONIC, 1, out) == 0
    assert guest.u64(out) == 42
    for clock in ClockId:
        assert guest.call("clock_res_get", clock, out) == 0 and guest.u64(out) >= 1
        assert guest.call("clock_time_get", clock, 0, out) == 0
    assert guest.errno("clock_time_get", 4, 0, out) == Errno.EINVAL
    assert guest.errno("clock_res_get", 0xFFFFFFFF, out) == Errno.EINVAL


def test_random_is_overridable(make_guest):
    guest = make_guest(WasiConfig(random=lambda n: b"\x07" * n))
    buf = guest.alloc(5)
    assert guest.call("random_get", buf, 5) == 0 and guest.read(buf, 5) == b"\x07" * 5


def test_proc(make_guest):
    guest = make_guest()
    with pytest.raises(zerowasm.ExitError) as info:
        guest.call("proc_exit", 0xFFFFFFFF)
    assert info.value.code == 0xFFFFFFFF
    assert guest.errno("proc_raise", 6) == Errno.ENOSYS
    assert guest.errno("sched_yield") == Errno.ESUCCESS


# -- stdio ----------------------------------------------------------------------------------------
def test_stdio_bytes_and_file_objects(make_guest):
    out, err = io.BytesIO(), io.StringIO()
    guest = make_guest(WasiConfig(stdin=b"abc", stdout=out, stderr=err))
    assert guest.read_fd(0, 2) == b"ab" and guest.read_fd(0, 10) == b"c"
    assert guest.read_fd(0, 1) == b""
    assert guest.write_fd(1, b"out") == 3 and guest.write_fd(2, "é".encode()) == 2
    assert out.getvalue() == b"out" and err.getvalue() == "é"
    array, count, _ = guest.iovecs(b"x")
    assert guest.errno("fd_write", 0, array, count, guest.alloc(4)) == Errno.EBADF
    pos = guest.alloc(8)
    assert guest.errno("fd_seek", 1, 0, Whence.SET, pos) == Errno.ESPIPE
    stat = guest.alloc(24)
    assert guest.call("fd_fdstat_get", 1, stat) == 0
    assert guest.read(stat, 1)[0] == FileType.UNKNOWN  # not a terminal
    assert guest.call("fd_filestat_get", 1, guest.alloc(64)) == 0


def test_default_stdio_is_closed_off(make_guest):
    guest = make_guest()
    assert guest.read_fd(0, 10) == b""
    assert guest.write_fd(1, b"discarded") == 9


def test_stdio_rejects_nonsense():
    with pytest.raises(ValueError):
        Wasi(WasiConfig(stdout=b"bytes"))
    with pytest.raises(ValueError):
        Wasi(WasiConfig(stdin="some text"))
    with pytest.raises(TypeError):
        Wasi(WasiConfig(stdout=object()))


def test_inherited_terminal_has_no_seek_rights(make_guest):
    """wasi-libc's isatty() is "character device without seek/tell rights"."""
    try:
        import pty
        primary, secondary = pty.openpty()
    except (ImportError, OSError):
        pytest.skip("no pty")
    try:
        guest = make_guest(WasiConfig(stdout=secondary))
        stat = guest.alloc(24)
        assert guest.call("fd_fdstat_get", 1, stat) == 0
        assert guest.read(stat, 1)[0] == FileType.CHARACTER_DEVICE
        assert guest.u64(stat + 8) & (Rights.FD_SEEK | Rights.FD_TELL) == 0
    finally:
        os.close(primary)
        os.close(secondary)


# -- descriptors ----------------------------------------------------------------------------------
def test_read_write_seek_tell(guest, root):
    rw = int(Rights.FD_READ | Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_TELL)
    fd = guest.open(ROOT, "new", OFlags.CREAT | OFlags.EXCL, rights=rw)
    assert guest.write_fd(fd, b"0123456789") == 10
    pos = guest.alloc(8)
    assert guest.call("fd_seek", fd, -4, Whence.END, pos) == 0 and guest.u64(pos) == 6
    assert guest.read_fd(fd, 10) == b"6789"
    assert guest.call("fd_tell", fd, pos) == 0 and guest.u64(pos) == 10
    assert guest.errno("fd_seek", fd, -11, Whence.CUR, pos) == Errno.EINVAL
    assert guest.errno("fd_seek", fd, 0, 3, pos) == Errno.EINVAL
    array, count, pairs = guest.iovecs(3, 2)
    assert guest.call("fd_pread", fd, array, count, 2, pos) == 0 and guest.u32(pos) == 5
    assert guest.read(pairs[0][0], 3) + guest.read(pairs[1][0], 2) == b"23456"
    array, count, _ = guest.iovecs(b"ab", b"cd")
    assert guest.call("fd_pwrite", fd, array, count, 1, pos) == 0 and guest.u32(pos) == 4
    assert (root / "new").read_bytes() == b"0abcd56789"
    assert guest.errno("path_open", ROOT, 0, *guest.string("new"), int(OFlags.CREAT | OFlags.EXCL),
                       0, 0, 0, pos) == Errno.EEXIST


def test_append_mode(guest, root):
    rights = int(Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS)
    fd = guest.open(ROOT, "file", rights=rights, fdflags=FdFlags.APPEND)
    pos = guest.alloc(8)
    guest.call("fd_seek", fd, 0, Whence.SET, pos)
    guest.write_fd(fd, b"!")
    assert (root / "file").read_bytes() == b"hello world!"
    assert guest.call("fd_fdstat_set_flags", fd, 0) == 0
    guest.call("fd_seek", fd, 0, Whence.SET, pos)
    guest.write_fd(fd, b"J")
    assert (root / "file").read_bytes() == b"Jello world!"
    assert guest.errno("fd_fdstat_set_flags", fd, int(FdFlags.SYNC)) == Errno.ENOTSUP
    assert guest.errno("fd_fdstat_set_flags", fd, 0x40) == Errno.EINVAL


def test_rights_are_enforced_and_can_only_shrink(guest):
    fd = guest.open(ROOT, "file", rights=int(Rights.FD_READ | Rights.FD_SEEK))
    pos = guest.alloc(8)
    assert guest.errno("fd_tell", fd, pos) == Errno.ESUCCESS  # fd_seek implies fd_tell
    assert guest.call("fd_fdstat_set_rights", fd, int(Rights.FD_SEEK), 0) == 0
    assert guest.errno("fd_read", fd, *guest.iovecs(4)[:2], pos) == Errno.ENOTCAPABLE
    assert guest.errno("fd_fdstat_set_rights", fd, int(Rights.FD_SEEK | Rights.FD_READ), 0) \
        == Errno.ENOTCAPABLE


def test_close_and_renumber(guest):
    a = guest.open(ROOT, "file")
    b = guest.open(ROOT, "file")
    assert guest.call("fd_renumber", a, b) == 0
    assert guest.errno("fd_close", a) == Errno.EBADF
    assert guest.errno("fd_renumber", b, a) == Errno.EBADF
    assert guest.read_fd(b, 5) == b"hello"
    assert guest.call("fd_close", b) == 0 and guest.errno("fd_close", b) == Errno.EBADF
    # closing a preopen is allowed; it is then gone
    assert guest.call("fd_close", ROOT) == 0
    assert guest.errno("fd_prestat_get", ROOT, guest.alloc(8)) == Errno.EBADF


def test_prestat(guest):
    out = guest.alloc(8)
    assert guest.call("fd_prestat_get", ROOT, out) == 0
    assert guest.read(out, 1) == b"\0" and guest.u32(out + 4) == 1
    name = guest.alloc(4)
    assert guest.errno("fd_prestat_dir_name", ROOT, name, 0) == Errno.ENAMETOOLONG
    assert guest.call("fd_prestat_dir_name", ROOT, name, 4) == 0 and guest.read(name, 1) == b"/"
    assert guest.errno("fd_prestat_get", 1, out) == Errno.EBADF
    assert guest.errno("fd_prestat_get", 4, out) == Errno.EBADF


def test_fd_readdir_with_cookies(guest, root):
    for i in range(20):
        (root / "dir" / ("entry-%02d" % i)).write_text("x")
    os.symlink("entry-00", root / "dir" / "link")
    fd = guest.open(ROOT, "dir", OFlags.DIRECTORY, rights=int(Rights.FD_READDIR))
    names, cookie = {}, 0
    buf, used = guest.alloc(100), guest.alloc(4)
    while True:
        assert guest.call("fd_readdir", fd, buf, 100, cookie, used) == 0
        data = guest.read(buf, guest.u32(used))
        offset = 0
        while offset + 24 <= len(data):
            d_next, ino, namlen, kind = struct.unpack_from("<QQIB", data, offset)
            if offset + 24 + namlen > len(data):
                break
            names[data[offset + 24:offset + 24 + namlen]] = kind
            cookie = d_next
            offset += 24 + namlen
        if guest.u32(used) < 100:
            break
    assert len(names) == 23 and names[b"."] == names[b".."] == FileType.DIRECTORY
    assert names[b"link"] == FileType.SYMBOLIC_LINK and names[b"entry-07"] == FileType.REGULAR_FILE
    file_fd = guest.open(ROOT, "file")
    assert guest.errno("fd_readdir", file_fd, buf, 100, 0, used) == Errno.ENOTCAPABLE


def test_filestat_and_times(guest, root):
    stat = guest.alloc(64)
    name, length = guest.string("file")
    assert guest.call("path_filestat_get", ROOT, 0, name, length, stat) == 0
    dev, ino, kind, nlink, size = struct.unpack_from("<QQB7xQQ", guest.memory.view, stat)
    host = os.stat(root / "file")
    assert (dev, ino, kind, nlink, size) == (host.st_dev, host.st_ino, FileType.REGULAR_FILE, 1, 11)
    when = 1_000_000_000 * 1_000_000_000
    assert guest.call("path_filestat_set_times", ROOT, 0, name, length, 0, when,
                      int(FstFlags.MTIM)) == 0
    assert os.stat(root / "file").st_mtime_ns == when
    assert os.stat(root / "file").st_atime_ns == host.st_atime_ns
    for bad in (FstFlags.ATIM | FstFlags.ATIM_NOW, FstFlags.MTIM | FstFlags.MTIM_NOW, 0x10):
        assert guest.errno("path_filestat_set_times", ROOT, 0, name, length, 0, 0, int(bad)) \
            == Errno.EINVAL
    fd = guest.open(ROOT, "file", rights=int(Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_SIZE
                                             | Rights.FD_WRITE))
    assert guest.call("fd_filestat_set_size", fd, 3) == 0
    assert guest.call("fd_filestat_get", fd, stat) == 0 and guest.u64(stat + 32) == 3


def test_path_operations_errnos(guest, root):
    assert guest.path_errno("path_create_directory", ROOT, "dir") == Errno.EEXIST
    assert guest.path_errno("path_create_directory", ROOT, "missing/x") == Errno.ENOENT
    assert guest.path_errno("path_create_directory", ROOT, "file/x") == Errno.ENOTDIR
    assert guest.path_errno("path_remove_directory", ROOT, "file") == Errno.ENOTDIR
    (root / "dir" / "x").write_text("")
    assert guest.path_errno("path_remove_directory", ROOT, "dir") == Errno.ENOTEMPTY
    assert guest.path_errno("path_unlink_file", ROOT, "dir") == Errno.EISDIR
    assert guest.path_errno("path_unlink_file", ROOT, "file/") == Errno.ENOTDIR
    assert guest.path_errno("path_unlink_file", ROOT, "nothing") == Errno.ENOENT
    assert guest.path_errno("path_create_directory", ROOT, "") == Errno.ENOENT
    # path functions on a descriptor that is not a directory
    fd = guest.open(ROOT, "file")
    assert guest.path_errno("path_create_directory", fd, "x") == Errno.ENOTDIR
    assert guest.path_errno("path_create_directory", 99, "x") == Errno.EBADF


def test_readlink(guest, root):
    os.symlink("a/long/target", root / "link")
    name, length = guest.string("link")
    buf, used = guest.alloc(32), guest.alloc(4)
    assert guest.call("path_readlink", ROOT, name, length, buf, 32, used) == 0
    assert guest.read(buf, guest.u32(used)) == b"a/long/target"
    assert guest.call("path_readlink", ROOT, name, length, buf, 4, used) == 0
    assert guest.u32(used) == 4
    name, length = guest.string("file")
    assert guest.errno("path_readlink", ROOT, name, length, buf, 32, used) == Errno.EINVAL


def test_rename_and_link(guest, root):
    old, old_len = guest.string("file")
    new, new_len = guest.string("dir/moved")
    assert guest.call("path_rename", ROOT, old, old_len, ROOT, new, new_len) == 0
    assert (root / "dir" / "moved").read_bytes() == b"hello world"
    assert guest.call("path_link", ROOT, 0, new, new_len, ROOT, old, old_len) == 0
    assert os.stat(root / "file").st_nlink == 2
    assert guest.errno("path_link", ROOT, 0, new, new_len, ROOT, old, old_len) == Errno.EEXIST


# -- poll -----------------------------------------------------------------------------------------
def _subscriptions(guest, *subs):
    base = guest.alloc(48 * len(subs))
    for i, (userdata, kind, payload) in enumerate(subs):
        address = base + 48 * i
        struct.pack_into("<QB", guest.memory.view, address, userdata, kind)
        if kind == EventType.CLOCK:
            clock_id, timeout, flags = payload
            struct.pack_into("<I4xQQH", guest.memory.view, address + 16, clock_id, timeout, 0,
                             flags)
        else:
            struct.pack_into("<I", guest.memory.view, address + 16, payload)
    return base


def _events(guest, out, count):
    view = guest.memory.view
    return [struct.unpack_from("<QHBxxxxxQH", view, out + 32 * i) for i in range(count)]


def test_poll_clock_sleeps_through_the_configured_sleep(make_guest):
    now = [1000]
    slept = []

    def sleep(ns):
        slept.append(ns)
        now[0] += ns

    guest = make_guest(WasiConfig(monotonic_clock=lambda: now[0], sleep=sleep))
    subs = _subscriptions(guest, (7, EventType.CLOCK, (ClockId.MONOTONIC, 5000, 0)),
                          (8, EventType.CLOCK, (ClockId.MONOTONIC, 9000, 0)))
    out, count = guest.alloc(64), guest.alloc(4)
    assert guest.call("poll_oneoff", subs, out, 2, count) == 0
    assert slept == [5000] and guest.u32(count) == 1
    assert _events(guest, out, 1) == [(7, 0, EventType.CLOCK, 0, 0)]
    subs = _subscriptions(guest, (9, EventType.CLOCK, (ClockId.MONOTONIC, 10_000, 1)))
    assert guest.call("poll_oneoff", subs, out, 1, count) == 0
    assert slept == [5000, 4000]
    assert guest.errno("poll_oneoff", subs, out, 0, count) == Errno.EINVAL


def test_poll_really_waits(make_guest):
    guest = make_guest()
    subs = _subscriptions(guest, (1, EventType.CLOCK, (ClockId.MONOTONIC, 30_000_000, 0)))
    out, count = guest.alloc(32), guest.alloc(4)
    start = time.monotonic()
    assert guest.call("poll_oneoff", subs, out, 1, count) == 0
    assert time.monotonic() - start >= 0.029


def test_poll_descriptors(make_guest, root):
    guest = make_guest(WasiConfig(stdin=b"12345").preopen(root, "/"))
    fd = guest.open(ROOT, "file")
    subs = _subscriptions(guest, (1, EventType.FD_READ, 0), (2, EventType.FD_WRITE, 1),
                          (3, EventType.FD_READ, fd), (4, EventType.FD_READ, 77),
                          (5, EventType.CLOCK, (ClockId.MONOTONIC, 10**12, 0)),
                          (6, EventType.CLOCK, (99, 0, 0)))
    out, count = guest.alloc(32 * 6), guest.alloc(4)
    assert guest.call("poll_oneoff", subs, out, 6, count) == 0
    events = {e[0]: e for e in _events(guest, out, guest.u32(count))}
    assert events[1] == (1, 0, EventType.FD_READ, 5, 0)
    assert events[2][1:3] == (0, EventType.FD_WRITE)
    assert events[3] == (3, 0, EventType.FD_READ, 11, 0)
    assert events[4][1] == Errno.EBADF
    assert events[6][1] == Errno.EINVAL
    assert 5 not in events


def test_poll_waits_on_a_pipe(make_guest):
    read_end, write_end = os.pipe()
    try:
        guest = make_guest(WasiConfig(stdin=read_end))
        subs = _subscriptions(guest, (1, EventType.FD_READ, 0),
                              (2, EventType.CLOCK, (ClockId.MONOTONIC, 5 * 10**9, 0)))
        out, count = guest.alloc(64), guest.alloc(4)
        timer = threading.Timer(0.05, os.write, (write_end, b"x"))
        timer.start()
        start = time.monotonic()
        assert guest.call("poll_oneoff", subs, out, 2, count) == 0
        assert 0.03 < time.monotonic() - start < 4
        assert [e[0] for e in _events(guest, out, guest.u32(count))] == [1]
        timer.join()
    finally:
        os.close(read_end)
        os.close(write_end)


# -- sockets --------------------------------------------------------------------------------------
def test_sockets(make_guest):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    guest = make_guest(WasiConfig(sockets=[listener]))
    listen_fd = 3
    stat = guest.alloc(24)
    assert guest.call("fd_fdstat_get", listen_fd, stat) == 0
    assert guest.read(stat, 1)[0] == FileType.SOCKET_STREAM
    client = socket.create_connection(("127.0.0.1", port))
    try:
        out = guest.alloc(4)
        assert guest.call("sock_accept", listen_fd, 0, out) == 0
        conn = guest.u32(out)
        client.sendall(b"ping")
        array, count, pairs = guest.iovecs(16)
        flags = guest.alloc(2)
        assert guest.call("sock_recv", conn, array, count, 0, out, flags) == 0
        assert guest.read(pairs[0][0], guest.u32(out)) == b"ping"
        array, count, _ = guest.iovecs(b"pong")
        assert guest.call("sock_send", conn, array, count, 0, out) == 0 and guest.u32(out) == 4
        assert client.recv(4) == b"pong"
        assert guest.errno("sock_send", conn, array, count, 1, out) == Errno.EINVAL
        assert guest.call("sock_shutdown", conn, 3) == 0
        assert client.recv(1) == b""
        assert guest.errno("sock_shutdown", conn, 4) == Errno.EINVAL
        # a non-blocking accept with nobody waiting
        assert guest.call("fd_fdstat_set_flags", listen_fd, int(FdFlags.NONBLOCK)) == 0
        assert guest.errno("sock_accept", listen_fd, 0, out) == Errno.EAGAIN
    finally:
        client.close()
        listener.close()
    assert guest.errno("sock_shutdown", 1, 3) == Errno.ENOTSOCK
    assert guest.errno("sock_shutdown", 42, 3) == Errno.EBADF
    assert guest.errno("sock_accept", 0, 0, guest.alloc(4)) == Errno.ENOTSOCK


def test_wasi_closes_its_host_descriptors(root):
    wasi = Wasi(WasiConfig().preopen(root, "/"))
    host_fd = wasi.fds.get(3).host_fd
    os.fstat(host_fd)
    wasi.close()
    with pytest.raises(OSError):
        os.fstat(host_fd)


def test_inherit_constant():
    assert Wasi(WasiConfig(stdout=INHERIT)).fds.get(1).host_fd == 1


def test_poll_trusts_the_configured_sleep(make_guest):
    """A frozen clock with a no-op sleep (a deterministic test setup) still makes progress."""
    slept = []
    guest = make_guest(WasiConfig(monotonic_clock=lambda: 5, sleep=slept.append))
    subs = _subscriptions(guest, (1, EventType.CLOCK, (ClockId.MONOTONIC, 100, 0)),
                          (2, EventType.CLOCK, (ClockId.MONOTONIC, 100, 0)),
                          (3, EventType.CLOCK, (ClockId.MONOTONIC, 200, 0)))
    out, count = guest.alloc(96), guest.alloc(4)
    assert guest.call("poll_oneoff", subs, out, 3, count) == 0
    assert slept == [100] and [e[0] for e in _events(guest, out, guest.u32(count))] == [1, 2]


def test_poll_times_out_on_a_silent_pipe_even_with_a_frozen_clock(make_guest):
    read_end, write_end = os.pipe()
    try:
        guest = make_guest(WasiConfig(stdin=read_end, monotonic_clock=lambda: 0))
        subs = _subscriptions(guest, (1, EventType.FD_READ, 0),
                              (2, EventType.CLOCK, (ClockId.MONOTONIC, 20_000_000, 0)))
        out, count = guest.alloc(64), guest.alloc(4)
        start = time.monotonic()
        assert guest.call("poll_oneoff", subs, out, 2, count) == 0
        assert time.monotonic() - start >= 0.015
        assert [e[0] for e in _events(guest, out, guest.u32(count))] == [2]
    finally:
        os.close(read_end)
        os.close(write_end)
