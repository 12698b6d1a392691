"""Our own WASI guests (C, Zig and Go; sources and build.sh in tests/testdata/wasi) doing
real work, end to end through ``zerowasm run`` and through the Python API."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import zerowasm
from zerowasm.wasi import Wasi, WasiConfig, _sandbox

DATA = Path(__file__).resolve().parent.parent / "testdata" / "wasi"
WASITOOL = DATA / "wasitool.wasm"
ZIGREPORT = DATA / "zigreport.wasm"
GOCOPY = DATA / "gocopy.wasm"
SRC = Path(__file__).resolve().parents[2] / "src"
needs_sandbox = pytest.mark.skipif(not _sandbox.supported(), reason="no dir_fd support")


@pytest.fixture(scope="module")
def runtime():
    return zerowasm.Runtime()


@pytest.fixture(scope="module")
def wasitool(runtime):
    return runtime.load(str(WASITOOL))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "docs" / "deep").mkdir(parents=True)
    (root / "hello.txt").write_text("hello world\nsecond line\n")
    (root / "docs" / "readme.txt").write_text("read me\n")
    (root / "docs" / "deep" / "data.bin").write_bytes(bytes(range(256)))
    os.symlink("hello.txt", root / "link")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("secret")
    os.symlink("../outside", root / "escape")
    return tmp_path


def run_api(runtime, module, args, stdin=None, env=None, preopens=()):
    out, err = io.BytesIO(), io.BytesIO()
    config = WasiConfig(args=args, env=env or {}, stdin=stdin, stdout=out, stderr=err)
    for host, guest in preopens:
        config.preopen(host, guest)
    with Wasi(config) as wasi:
        instance = runtime.instantiate(module, wasi.imports())
        code = wasi.run(instance)
    return code, out.getvalue().decode(), err.getvalue().decode()


def run_cli(*argv, stdin=b""):
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "zerowasm", "run", *map(str, argv)], input=stdin,
                          capture_output=True, env=env, timeout=300)


# -- C (wasi-libc, built with zig cc) ------------------------------------------------------
@needs_sandbox
def test_c_walks_a_tree(runtime, wasitool, tree):
    code, out, err = run_api(runtime, wasitool, ["wasitool", "tree", "/sandbox"],
                             preopens=[(tree / "root", "/sandbox")])
    assert (code, err) == (0, "")
    assert out == ("docs/\n  deep/\n    data.bin 256\n  readme.txt 8\nescape -> ../outside\n"
                   "hello.txt 24\nlink -> hello.txt\n")


@needs_sandbox
def test_c_copies_and_transforms_a_file(runtime, wasitool, tree):
    code, out, _ = run_api(runtime, wasitool, ["wasitool", "upper", "/s/hello.txt", "/s/docs/UP"],
                           preopens=[(tree / "root", "/s")])
    assert (code, out) == (0, "copied 24 bytes\n")
    assert (tree / "root" / "docs" / "UP").read_text() == "HELLO WORLD\nSECOND LINE\n"


@needs_sandbox
def test_c_creates_renames_and_removes(runtime, wasitool, tree):
    code, out, err = run_api(runtime, wasitool, ["wasitool", "mkdirs", "/s"],
                             preopens=[(tree / "root", "/s")])
    assert (code, out, err) == (0, "ok\n", "")
    assert (tree / "root" / "a" / "renamed.txt").read_text() == "created by wasitool\n"


@needs_sandbox
def test_c_cannot_escape(runtime, wasitool, tree):
    code, out, _ = run_api(runtime, wasitool, ["wasitool", "escape"],
                           preopens=[(tree / "root", "/sandbox")])
    assert code == 0
    assert "ALLOWED" not in out
    assert "open /sandbox/escape/secret: Capabilities insufficient" in out
    assert not (tree / "root" / "evil").exists()
    assert sorted(os.listdir(tree / "outside")) == ["secret"]


def test_c_args_env_stdin_exit(runtime, wasitool):
    code, out, _ = run_api(runtime, wasitool, ["prog", "args", "x y", "é"])
    assert (code, out) == (0, "argc=4\nargv[0]=prog\nargv[1]=args\nargv[2]=x y\nargv[3]=é\n")
    code, out, _ = run_api(runtime, wasitool, ["prog", "env"], env={"B": "2", "A": "1"})
    assert (code, out) == (0, "A=1\nB=2\n")
    assert run_api(runtime, wasitool, ["prog", "env"])[1] == ""
    code, out, _ = run_api(runtime, wasitool, ["prog", "stdin"], stdin=b"shout\n")
    assert (code, out) == (0, "SHOUT\n")
    assert run_api(runtime, wasitool, ["prog", "exit", "42"])[0] == 42


def test_c_time_sleep_random(runtime, wasitool):
    import time
    code, out, _ = run_api(runtime, wasitool, ["prog", "time"])
    assert code == 0 and abs(int(out) - time.time()) < 60
    assert run_api(runtime, wasitool, ["prog", "sleep", "30"])[1] == "slept at least 30 ms\n"
    first = run_api(runtime, wasitool, ["prog", "random", "16"])[1]
    second = run_api(runtime, wasitool, ["prog", "random", "16"])[1]
    assert len(first) == 33 and first != second


@needs_sandbox
def test_c_through_the_command_line(tree):
    result = run_cli("--dir", "%s::/sandbox" % (tree / "root"), WASITOOL, "cat",
                     "/sandbox/hello.txt", "/sandbox/docs/readme.txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello world\nsecond line\nread me\n"
    result = run_cli("--env", "X=1", WASITOOL, "env", "X")
    assert (result.returncode, result.stdout) == (0, b"1\n")
    result = run_cli(WASITOOL, "exit", "9")
    assert result.returncode == 9
    result = run_cli(WASITOOL, "stdin", stdin=b"piped")
    assert result.stdout == b"PIPED"
    result = run_cli(WASITOOL, "args", "--not-an-option")
    assert result.stdout.splitlines()[0:3] == [b"argc=3", b"argv[0]=%s" % str(WASITOOL).encode(),
                                               b"argv[1]=args"]


def _words(data: bytes) -> int:
    """Words as zigreport counts them: runs of bytes other than space, tab, CR, LF."""
    for separator in (b"\t", b"\r", b"\n"):
        data = data.replace(separator, b" ")
    return len([word for word in data.split(b" ") if word])


# -- Zig (std.Io) -------------------------------------------------------------------------------
@needs_sandbox
def test_zig_reports_on_a_tree(runtime, tree, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    module = runtime.load(str(ZIGREPORT))
    code, out, err = run_api(runtime, module, ["zigreport", "/in", "/out", "report.txt"],
                             env={"GREETING": "hi"},
                             preopens=[(tree / "root", "/in"), (out_dir, "/out")])
    assert code == 0, err
    report = (out_dir / "report.txt").read_text()
    files = {"docs/deep/data.bin": bytes(range(256)), "docs/readme.txt": b"read me\n",
             "hello.txt": b"hello world\nsecond line\n"}
    expected = ["%s %d %d %d %08x" % (path, data.count(b"\n"), _words(data), len(data),
                                      zlib.crc32(data)) for path, data in sorted(files.items())]
    expected.append("total 3 files %d %d 288" % (sum(d.count(b"\n") for d in files.values()),
                                                 sum(_words(d) for d in files.values())))
    assert report.splitlines() == expected
    assert out == "greeting: hi\n" + report + "slept at least 20 ms\nrandom: ok\n"


# -- Go (GOOS=wasip1) ----------------------------------------------------------------------------
def _expected_manifest(root: Path) -> str:
    lines = []
    for rel, data in (("docs/deep/data.bin", bytes(range(256))),
                      ("docs/readme.txt", b"READ ME\n"),
                      ("hello.txt", b"HELLO WORLD\nSECOND LINE\n")):
        lines.append("%s  %s" % (hashlib.sha256(data).hexdigest(), rel))
    return "\n".join(sorted(lines)) + "\n"


@needs_sandbox
def test_go_copies_a_tree_through_the_command_line(tree, tmp_path):
    dst = tmp_path / "dst"
    dst.mkdir()
    result = run_cli("--dir", "%s::/src" % (tree / "root"), "--dir", "%s::/dst" % dst,
                     "--env", "GREETING=hello", GOCOPY, "/src", "/dst")
    assert result.returncode == 3, result.stderr
    manifest = _expected_manifest(tree)
    assert result.stdout.decode() == (
        "greeting: hello\n" + manifest + "copied 3 files, 288 bytes\noutside: not reachable\n"
        "year ok: true\nslept at least 20ms: true\nrandom bytes: 16\n")
    assert (dst / "MANIFEST").read_text() == manifest
    assert (dst / "docs" / "readme.txt").read_text() == "READ ME\n"
    assert (dst / "docs" / "deep" / "data.bin").read_bytes() == bytes(range(256))


@needs_sandbox
def test_go_through_the_python_api(runtime, tree, tmp_path):
    dst = tmp_path / "dst"
    dst.mkdir()
    module = runtime.load(str(GOCOPY))
    code, out, err = run_api(runtime, module, ["gocopy", "/src", "/dst"],
                             preopens=[(tree / "root", "/src"), (dst, "/dst")])
    assert code == 3, err
    assert out.startswith(_expected_manifest(tree))
    assert (dst / "hello.txt").read_text() == "HELLO WORLD\nSECOND LINE\n"
