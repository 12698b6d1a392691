"""The filesystem sandbox: a guest sees only its preopens and cannot step outside.

Each test builds a preopen ``root`` next to a directory ``outside`` holding a secret,
then tries a way out and checks both the errno and that nothing outside was read,
created, changed or removed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zerowasm.wasi import Errno, LookupFlags, OFlags, Rights, WasiConfig, _sandbox

FOLLOW = int(LookupFlags.SYMLINK_FOLLOW)
NOTCAPABLE = Errno.ENOTCAPABLE
ROOT_FD = 3
pytestmark = pytest.mark.skipif(not _sandbox.supported(), reason="no dir_fd support")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("top secret")
    root = tmp_path / "root"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "file").write_text("inside")
    (root / "sub" / "note").write_text("note")
    return tmp_path


@pytest.fixture
def guest(tree: Path, make_guest):
    return make_guest(WasiConfig().preopen(tree / "root", "/"))


def _outside_unchanged(tree: Path) -> None:
    assert sorted(os.listdir(tree / "outside")) == ["secret"]
    assert (tree / "outside" / "secret").read_text() == "top secret"


@pytest.mark.parametrize("path", ["..", "../outside/secret", "sub/../../outside/secret",
                                  "sub/deeper/../../../outside", "./../root/file",
                                  "sub/./..//../outside/secret"])
def test_dotdot_cannot_climb_above_the_preopen(guest, tree, path):
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, path)
    assert info.value.errno == Errno.ENOTCAPABLE
    _outside_unchanged(tree)


def test_dotdot_inside_the_preopen_works(guest):
    fd = guest.open(ROOT_FD, "sub/deeper/../../sub/./note")
    assert guest.read_fd(fd, 100) == b"note"


@pytest.mark.parametrize("path", ["/", "/file", str(Path("/etc/passwd"))])
def test_absolute_paths_are_refused(guest, path):
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, path)
    assert info.value.errno == Errno.ENOTCAPABLE


def test_a_subdirectory_descriptor_cannot_climb_to_its_parent(guest):
    sub = guest.open(ROOT_FD, "sub", OFlags.DIRECTORY, rights=int(Rights.PATH_OPEN),
                     inheriting=int(Rights.FD_READ))
    with pytest.raises(OSError) as info:
        guest.open(sub, "../file")
    assert info.value.errno == Errno.ENOTCAPABLE
    assert guest.read_fd(guest.open(sub, "note", rights=int(Rights.FD_READ)), 10) == b"note"


@pytest.mark.parametrize("target", ["absolute", "relative"])
def test_host_symlinks_pointing_outside_are_not_followed(guest, tree, target):
    link = tree / "root" / "escape"
    os.symlink(str(tree / "outside") if target == "absolute" else "../outside", link)
    for path, lookup in (("escape/secret", 0), ("escape/secret", FOLLOW), ("escape", FOLLOW),
                         ("sub/../escape/secret", FOLLOW)):
        with pytest.raises(OSError) as info:
            guest.open(ROOT_FD, path, lookup=lookup)
        assert info.value.errno == Errno.ENOTCAPABLE, path
    stat = guest.alloc(64)
    pointer, length = guest.string("escape/secret")
    assert guest.errno("path_filestat_get", ROOT_FD, 0, pointer, length, stat) == Errno.ENOTCAPABLE
    pointer, length = guest.string("escape")
    assert guest.errno("path_filestat_get", ROOT_FD, FOLLOW, pointer, length, stat) == NOTCAPABLE
    # without symlink_follow the link itself is described, which is inside
    assert guest.errno("path_filestat_get", ROOT_FD, 0, pointer, length, stat) == Errno.ESUCCESS
    assert guest.read(stat + 16, 1) == b"\x07"  # symbolic_link
    _outside_unchanged(tree)


def test_mutations_through_an_escaping_symlink_are_refused(guest, tree):
    os.symlink(str(tree / "outside"), tree / "root" / "escape")
    assert guest.path_errno("path_create_directory", ROOT_FD, "escape/new") == Errno.ENOTCAPABLE
    assert guest.path_errno("path_unlink_file", ROOT_FD, "escape/secret") == Errno.ENOTCAPABLE
    assert guest.path_errno("path_remove_directory", ROOT_FD, "escape/.") == Errno.ENOTCAPABLE
    old, old_len = guest.string("escape/secret")
    new, new_len = guest.string("stolen")
    assert guest.errno("path_rename", ROOT_FD, old, old_len, ROOT_FD, new, new_len) == NOTCAPABLE
    assert guest.errno("path_rename", ROOT_FD, new, new_len, ROOT_FD, old, old_len) == NOTCAPABLE
    assert guest.errno("path_link", ROOT_FD, 0, old, old_len, ROOT_FD, new, new_len) == NOTCAPABLE
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "escape/created", OFlags.CREAT, rights=int(Rights.FD_WRITE))
    assert info.value.errno == Errno.ENOTCAPABLE
    target, target_len = guest.string("x")
    link, link_len = guest.string("escape/link")
    assert guest.errno("path_symlink", target, target_len, ROOT_FD, link, link_len) == NOTCAPABLE
    _outside_unchanged(tree)
    assert not (tree / "root" / "stolen").exists()


@pytest.mark.parametrize("target", ["/etc/passwd", "/", "..", "../outside/secret",
                                    "sub/../../outside", "./../x"])
def test_guest_cannot_create_symlinks_leading_out(guest, tree, target):
    pointer, length = guest.string(target)
    link, link_len = guest.string("link")
    assert guest.errno("path_symlink", pointer, length, ROOT_FD, link, link_len) == NOTCAPABLE
    assert not os.path.lexists(tree / "root" / "link")


def test_guest_symlinks_inside_the_preopen_work(guest, tree):
    pointer, length = guest.string("../file")
    link, link_len = guest.string("sub/link")
    assert guest.errno("path_symlink", pointer, length, ROOT_FD, link, link_len) == Errno.ESUCCESS
    assert os.readlink(tree / "root" / "sub" / "link") == "../file"
    fd = guest.open(ROOT_FD, "sub/link", lookup=FOLLOW)
    assert guest.read_fd(fd, 100) == b"inside"
    # without symlink_follow, opening the link itself is ELOOP (O_NOFOLLOW)
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "sub/link")
    assert info.value.errno == Errno.ELOOP


def test_a_symlink_loop_is_eloop(guest, tree):
    os.symlink("a", tree / "root" / "b")
    os.symlink("b", tree / "root" / "a")
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "a", lookup=FOLLOW)
    assert info.value.errno == Errno.ELOOP
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "a/x")
    assert info.value.errno == Errno.ELOOP


def test_hard_links_cannot_reach_outside(guest, tree):
    os.symlink(str(tree / "outside" / "secret"), tree / "root" / "escape")
    old, old_len = guest.string("escape")
    new, new_len = guest.string("stolen")
    # following the link is refused ...
    assert guest.errno("path_link", ROOT_FD, FOLLOW, old, old_len, ROOT_FD, new, new_len) \
        == Errno.ENOTCAPABLE
    assert not os.path.lexists(tree / "root" / "stolen")
    # ... without following, the new name is a second link to the symbolic link itself,
    # which is just as unable to lead out
    assert guest.errno("path_link", ROOT_FD, 0, old, old_len, ROOT_FD, new, new_len) == 0
    assert os.path.islink(tree / "root" / "stolen")
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "stolen", lookup=FOLLOW)
    assert info.value.errno == Errno.ENOTCAPABLE
    _outside_unchanged(tree)


def test_links_and_renames_between_preopens_are_exdev(tree, make_guest):
    other = tree / "other"
    other.mkdir()
    guest = make_guest(WasiConfig().preopen(tree / "root", "/").preopen(other, "/other"))
    old, old_len = guest.string("file")
    new, new_len = guest.string("file")
    assert guest.errno("path_link", 3, 0, old, old_len, 4, new, new_len) == Errno.EXDEV
    assert guest.errno("path_rename", 3, old, old_len, 4, new, new_len) == Errno.EXDEV
    assert os.listdir(other) == []


def test_a_symlink_swapped_in_after_the_check_is_not_followed(guest, tree, monkeypatch):
    """The final component is checked with readlink, then opened with O_NOFOLLOW: if a
    symbolic link appears in between, the open fails instead of following it."""
    real_readlink = _sandbox._readlink

    def racing_readlink(dirfd, name):
        result = real_readlink(dirfd, name)
        if name == b"file":
            os.unlink(tree / "root" / "file")
            os.symlink(str(tree / "outside" / "secret"), tree / "root" / "file")
        return result

    monkeypatch.setattr(_sandbox, "_readlink", racing_readlink)
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "file", lookup=FOLLOW)
    assert info.value.errno == Errno.ELOOP


def test_a_directory_swapped_for_a_symlink_mid_walk_is_not_followed(guest, tree, monkeypatch):
    """Intermediate directories are opened with O_NOFOLLOW relative to the previous one,
    so replacing ``sub`` by a link to the outside between two calls leads nowhere."""
    fd = guest.open(ROOT_FD, "sub/note")
    os.rename(tree / "root" / "sub", tree / "root" / "sub.old")
    os.symlink(str(tree / "outside"), tree / "root" / "sub")
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "sub/secret")
    assert info.value.errno == Errno.ENOTCAPABLE
    assert guest.read_fd(fd, 10) == b"note"


def test_descriptors_opened_before_a_rename_stay_confined(guest, tree):
    """A directory descriptor keeps naming the same directory; even if the host moves it
    out of the preopen, ``..`` from it is still refused."""
    sub = guest.open(ROOT_FD, "sub", OFlags.DIRECTORY, rights=int(Rights.PATH_OPEN),
                     inheriting=int(Rights.FD_READ))
    os.rename(tree / "root" / "sub", tree / "outside" / "moved")
    with pytest.raises(OSError) as info:
        guest.open(sub, "../secret")
    assert info.value.errno == Errno.ENOTCAPABLE


def test_guest_descriptors_are_not_host_descriptors(guest):
    host_fd = os.open(os.devnull, os.O_RDONLY)
    try:
        out = guest.alloc(24)
        assert guest.errno("fd_fdstat_get", host_fd, out) == Errno.EBADF
        assert guest.errno("fd_fdstat_get", 1 << 31, out) == Errno.EBADF
    finally:
        os.close(host_fd)


def test_nul_bytes_in_paths_are_rejected(guest):
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "file\0.txt")
    assert info.value.errno == Errno.EILSEQ


def test_open_files_are_limited(tree, make_guest):
    guest = make_guest(WasiConfig(max_open_files=6).preopen(tree / "root", "/"))
    opened = [guest.open(ROOT_FD, "file"), guest.open(ROOT_FD, "file")]
    with pytest.raises(OSError) as info:
        guest.open(ROOT_FD, "file")
    assert info.value.errno == Errno.EMFILE
    assert opened == [4, 5]


def test_resolver_walks_relative_to_descriptors(tree):
    fd = os.open(tree / "root", os.O_RDONLY)
    try:
        with _sandbox.resolve(fd, 0, b"sub/deeper/../note", False) as resolved:
            assert resolved.name == b"note" and resolved.depth == 1
            assert resolved.dirfd != fd
        with _sandbox.resolve(fd, 0, b"sub/", False) as resolved:
            assert resolved.name == b"sub" and resolved.must_be_dir
        with _sandbox.resolve(fd, 0, b"sub/..", False) as resolved:
            assert resolved.name == b"." and resolved.dirfd == fd
    finally:
        os.close(fd)


@pytest.mark.parametrize("target,depth,escapes", [
    ("a", 0, False), ("..", 0, True), ("..", 1, False), ("a/../..", 0, True),
    ("a/../b", 0, False), ("/x", 5, True), ("./.././..", 1, True)])
def test_symlink_target_escapes(target, depth, escapes):
    assert _sandbox.symlink_target_escapes(target.encode(), depth) is escapes


def test_moving_a_directory_up_does_not_let_the_guest_plant_an_escaping_link(guest, tree):
    """``sub/deeper`` is opened (depth 2), then renamed to ``moved`` (depth 1): a link
    ``../../x`` in it would now point outside, and is refused."""
    deeper = guest.open(ROOT_FD, "sub/deeper", OFlags.DIRECTORY,
                        rights=int(Rights.PATH_SYMLINK), inheriting=0)
    old, old_len = guest.string("sub/deeper")
    new, new_len = guest.string("moved")
    assert guest.errno("path_rename", ROOT_FD, old, old_len, ROOT_FD, new, new_len) == 0
    target, target_len = guest.string("../../outside/secret")
    link, link_len = guest.string("link")
    assert guest.errno("path_symlink", target, target_len, deeper, link, link_len) == NOTCAPABLE
    target, target_len = guest.string("../file")
    assert guest.errno("path_symlink", target, target_len, deeper, link, link_len) == 0
    assert os.readlink(tree / "root" / "moved" / "link") == "../file"


def test_depth_below(tree):
    root = tree / "root"
    root_st = os.stat(root)
    fd = os.open(root / "sub" / "deeper", os.O_RDONLY)
    try:
        assert _sandbox.depth_below(fd, (root_st.st_dev, root_st.st_ino)) == 2
        other = os.stat(tree / "outside")
        assert _sandbox.depth_below(fd, (other.st_dev, other.st_ino)) is None
    finally:
        os.close(fd)
