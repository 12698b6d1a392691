"""Read-only preopens refuse every write, with EROFS, and leave the tree untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zerowasm.wasi import Errno, FdFlags, FstFlags, OFlags, Rights, WasiConfig, _sandbox

pytestmark = pytest.mark.skipif(not _sandbox.supported(), reason="no dir_fd support")
RO = 3
READ = int(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FILESTAT_GET
           | Rights.FD_FILESTAT_SET_TIMES | Rights.FD_FDSTAT_SET_FLAGS)


def _snapshot(root: Path) -> dict:
    result = {}
    for directory, names, files in os.walk(root):
        for name in names + files:
            path = Path(directory) / name
            st = path.lstat()
            result[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns,
                                                   path.read_bytes() if path.is_file() else None)
    return result


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "ro"
    (root / "dir").mkdir(parents=True)
    (root / "file").write_bytes(b"original")
    (root / "empty").mkdir()
    return root


@pytest.fixture
def guest(tree, make_guest):
    return make_guest(WasiConfig().preopen(tree, "/data", readonly=True))


def test_reading_works(guest):
    fd = guest.open(RO, "file", rights=READ)
    assert guest.read_fd(fd, 100) == b"original"


@pytest.mark.parametrize("oflags,rights,fdflags", [
    (0, Rights.FD_WRITE, 0),
    (0, Rights.FD_READ | Rights.FD_WRITE, 0),
    (0, Rights.FD_FILESTAT_SET_SIZE, 0),
    (0, Rights.FD_ALLOCATE, 0),
    (OFlags.CREAT, Rights.FD_READ, 0),
    (OFlags.CREAT | OFlags.EXCL, 0, 0),
    (OFlags.TRUNC, Rights.FD_READ, 0),
    (0, Rights.FD_READ, FdFlags.APPEND),
])
def test_opening_for_writing_is_erofs(guest, tree, oflags, rights, fdflags):
    before = _snapshot(tree)
    for path in ("file", "new-file"):
        with pytest.raises(OSError) as info:
            guest.open(RO, path, int(oflags), rights=int(rights), fdflags=int(fdflags))
        assert info.value.errno == Errno.EROFS
    assert _snapshot(tree) == before


def test_every_path_mutation_is_erofs(guest, tree):
    before = _snapshot(tree)
    assert guest.path_errno("path_create_directory", RO, "newdir") == Errno.EROFS
    assert guest.path_errno("path_remove_directory", RO, "empty") == Errno.EROFS
    assert guest.path_errno("path_unlink_file", RO, "file") == Errno.EROFS
    old, old_len = guest.string("file")
    new, new_len = guest.string("renamed")
    assert guest.errno("path_rename", RO, old, old_len, RO, new, new_len) == Errno.EROFS
    assert guest.errno("path_link", RO, 0, old, old_len, RO, new, new_len) == Errno.EROFS
    assert guest.errno("path_symlink", old, old_len, RO, new, new_len) == Errno.EROFS
    assert guest.errno("path_filestat_set_times", RO, 0, old, old_len, 0, 0,
                       int(FstFlags.MTIM_NOW)) == Errno.EROFS
    assert _snapshot(tree) == before


def test_descriptor_mutations_are_refused(guest, tree):
    before = _snapshot(tree)
    fd = guest.open(RO, "file", rights=READ)
    array, count, _ = guest.iovecs(b"overwrite")
    out = guest.alloc(8)
    # no fd_write right was granted (and the host file is open read-only anyway)
    assert guest.errno("fd_write", fd, array, count, out) == Errno.ENOTCAPABLE
    assert guest.errno("fd_pwrite", fd, array, count, 0, out) == Errno.ENOTCAPABLE
    assert guest.errno("fd_filestat_set_size", fd, 0) == Errno.ENOTCAPABLE
    assert guest.errno("fd_allocate", fd, 0, 100) == Errno.ENOTCAPABLE
    assert guest.errno("fd_filestat_set_times", fd, 0, 0, int(FstFlags.MTIM_NOW)) == Errno.EROFS
    assert guest.errno("fd_fdstat_set_flags", fd, int(FdFlags.APPEND)) == Errno.EROFS
    dir_fd = guest.open(RO, "dir", OFlags.DIRECTORY, rights=int(Rights.FD_FILESTAT_SET_TIMES))
    assert guest.errno("fd_filestat_set_times", dir_fd, 0, 0, int(FstFlags.ATIM_NOW)) == Errno.EROFS
    assert _snapshot(tree) == before


def test_rights_cannot_be_regained(guest):
    fd = guest.open(RO, "file", rights=READ)
    regain = READ | int(Rights.FD_WRITE)
    assert guest.errno("fd_fdstat_set_rights", fd, regain, 0) == Errno.ENOTCAPABLE


def test_a_readonly_and_a_writable_view_of_one_tree_stay_separate(tree, make_guest):
    """The same host directory preopened twice: nothing can be linked or renamed from
    the read-only view into the writable one, so read-only files stay read-only."""
    config = WasiConfig().preopen(tree, "/ro", readonly=True).preopen(tree / "dir", "/rw")
    guest = make_guest(config)
    old, old_len = guest.string("file")
    new, new_len = guest.string("writable-alias")
    assert guest.errno("path_link", 3, 0, old, old_len, 4, new, new_len) == Errno.EXDEV
    assert guest.errno("path_rename", 3, old, old_len, 4, new, new_len) == Errno.EROFS
    assert os.listdir(tree / "dir") == []
