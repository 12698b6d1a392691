"""``zerowasm run`` and ``zerowasm inspect``: flags, exit statuses, messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wat import wat
from zerowasm import _cli
from zerowasm.wasi._cli import TRAP_EXIT_STATUS, parse_dir

DATA = Path(__file__).resolve().parent.parent / "testdata" / "wasi"
WASITOOL = str(DATA / "wasitool.wasm")

TRAPPING = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "before the trap\\n")
  (data (i32.const 0) "\\10\\00\\00\\00\\10\\00\\00\\00")
  (func $inner (unreachable))
  (func $outer (call $inner))
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $outer))
  (func (export "add") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
  (func (export "pair") (result i32 f64) (i32.const 7) (f64.const 1.5)))
"""


@pytest.fixture
def trapping(tmp_path: Path) -> str:
    path = tmp_path / "trap.wasm"
    path.write_bytes(wat(TRAPPING, "--debug-names"))
    return str(path)


def test_parse_dir():
    assert parse_dir("data") == ("data", "data")
    assert parse_dir("data::/in") == ("data", "/in")
    assert parse_dir("C:\\x::/x") == ("C:\\x", "/x")


def test_trap_prints_message_and_backtrace(trapping, capfd):
    assert _cli.main(["run", trapping]) == TRAP_EXIT_STATUS
    out, err = capfd.readouterr()
    assert out == "before the trap\n"
    assert "wasm trap: unreachable" in err
    assert "wasm backtrace:" in err and "inner" in err and "outer" in err


def test_invoke(trapping, capfd):
    assert _cli.main(["run", "--invoke", "add", trapping, "-5", "0x10"]) == 0
    assert capfd.readouterr().out == "11\n"
    assert _cli.main(["run", "--invoke", "pair", trapping]) == 0
    assert capfd.readouterr().out == "7\n1.5\n"
    assert _cli.main(["run", "--invoke", "add", trapping, "1"]) == 1
    assert "takes 2 arguments" in capfd.readouterr().err
    assert _cli.main(["run", "--invoke", "nope", trapping]) == 1
    assert "exports no function 'nope'" in capfd.readouterr().err


def test_load_errors(tmp_path, capfd):
    assert _cli.main(["run", str(tmp_path / "missing.wasm")]) == 1
    assert "cannot read" in capfd.readouterr().err
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\1\0\0\0\x01")
    assert _cli.main(["run", str(bad)]) == 1
    assert "not a valid module" in capfd.readouterr().err
    unlinkable = tmp_path / "unlinkable.wasm"
    unlinkable.write_bytes(wat('(module (import "env" "f" (func)))'))
    assert _cli.main(["run", str(unlinkable)]) == 1
    assert "cannot link" in capfd.readouterr().err
    assert _cli.main(["run", "--dir", str(tmp_path / "nowhere"), WASITOOL, "args"]) == 1
    assert "nowhere" in capfd.readouterr().err


def test_env_flags(capfd, monkeypatch):
    monkeypatch.setenv("ZEROWASM_FROM_HOST", "host value")
    assert _cli.main(["run", "--env", "A=1", "--env", "ZEROWASM_FROM_HOST", WASITOOL, "env"]) == 0
    assert capfd.readouterr().out == "A=1\nZEROWASM_FROM_HOST=host value\n"
    assert _cli.main(["run", "--env-inherit", WASITOOL, "env", "ZEROWASM_FROM_HOST"]) == 0
    assert capfd.readouterr().out == "host value\n"
    assert _cli.main(["run", WASITOOL, "env", "ZEROWASM_FROM_HOST"]) == 1


def test_read_only_dir(tmp_path, capfd):
    (tmp_path / "f.txt").write_text("x")
    assert _cli.main(["run", "--dir-ro", "%s::/ro" % tmp_path, WASITOOL, "mkdirs", "/ro"]) == 1
    assert "Read-only file system" in capfd.readouterr().err
    assert _cli.main(["run", "--dir-ro", "%s::/ro" % tmp_path, WASITOOL, "cat", "/ro/f.txt"]) == 0
    assert capfd.readouterr().out == "x"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_guest_path_defaults_to_host_path(tmp_path, capfd, monkeypatch):
    (tmp_path / "f.txt").write_text("relative")
    monkeypatch.chdir(tmp_path)
    assert _cli.main(["run", "--dir", ".", WASITOOL, "cat", "f.txt"]) == 0
    assert capfd.readouterr().out == "relative"


def test_inspect(tmp_path, capfd):
    module = tmp_path / "m.wasm"
    module.write_bytes(wat("""
      (module
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (import "env" "g" (global (mut i32)))
        (memory (export "memory") 2 10)
        (table (export "t") 3 funcref)
        (func (export "f") (param i64) (result i32 i32)
          (i32.const 1) (i32.extend8_s (i32.const 2)))
        (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))""", "--debug-names"))
    assert _cli.main(["inspect", str(module)]) == 0
    out = capfd.readouterr().out
    assert "wasi_snapshot_preview1.proc_exit: func (i32) -> ()" in out
    assert "env.g: global mut i32" in out
    assert "memory: memory min 2, max 10 pages of 64 KiB" in out
    assert "t: table funcref, min 3, max unbounded elements" in out
    assert "f: func (i64) -> (i32, i32)" in out
    assert "name: " in out  # the name section is listed among custom sections
    assert ("features beyond WebAssembly 1.0: bulk-memory, multi-value, mutable-globals, "
            "sign-extension") in out
    assert _cli.main(["inspect", str(tmp_path / "missing.wasm")]) == 1


def test_inspect_a_wasi_guest(capfd):
    assert _cli.main(["inspect", WASITOOL]) == 0
    out = capfd.readouterr().out
    assert "wasi_snapshot_preview1.fd_write: func (i32, i32, i32, i32) -> (i32)" in out
    assert "_start: func () -> ()" in out
