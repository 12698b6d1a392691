"""The flagship example, end to end: examples/gazelle generates the BUILD files of its
sample tree with language extensions written in C, Zig and Go."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any, Dict, List

import pytest

from conftest import REPO
from wat import wat

GAZELLE = os.path.join(REPO, "examples", "gazelle")
SAMPLE = os.path.join(GAZELLE, "sample")
sys.path.insert(0, GAZELLE)
import gazelle  # noqa: E402


def committed_build_files(root: str) -> Dict[str, str]:
    found = {}
    for directory, _, files in os.walk(root):
        if gazelle.BUILD_FILE in files:
            package = os.path.relpath(directory, root).replace(os.sep, "/")
            with open(os.path.join(directory, gazelle.BUILD_FILE)) as f:
                found["" if package == "." else package] = f.read()
    return found


@pytest.fixture(scope="module")
def extensions() -> List[Any]:
    return gazelle.load_extensions(os.path.join(GAZELLE, "extensions"),
                                   {"go": {"module": "example.com/project"}})


def test_extensions_in_three_languages(extensions: List[Any]) -> None:
    assert [e.name for e in extensions] == ["cc", "go", "zig"]


def test_generates_the_committed_build_files(extensions: List[Any], tmp_path: Any) -> None:
    tree = str(tmp_path / "tree")
    shutil.copytree(SAMPLE, tree, ignore=shutil.ignore_patterns(gazelle.BUILD_FILE))
    outputs = gazelle.generate(tree, extensions)
    expected = committed_build_files(SAMPLE)
    assert sorted(outputs) == sorted(expected) == [
        "cc/app", "cc/mathx", "go/cmd/hello", "go/greeting", "zig/strings", "zig/tool"]
    for package, text in outputs.items():
        assert text == expected[package], package
    assert 'deps = ["//cc/mathx:mathx"]' in outputs["cc/app"]
    assert 'deps = ["//go/greeting:greeting"]' in outputs["go/cmd/hello"]
    assert 'importpath = "example.com/project/go/greeting"' in outputs["go/greeting"]
    assert 'deps = ["//zig/strings:strings"]' in outputs["zig/tool"]


def test_new_files_and_dependencies_are_picked_up(extensions: List[Any], tmp_path: Any) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, str(tree))
    (tree / "cc" / "app" / "extra.h").write_text('#include "cc/mathx/mathx.h"\n')
    (tree / "go" / "greeting" / "loud.go").write_text(
        'package greeting\n\nimport "example.com/project/go/shout"\n\n'
        'func Loud(s string) string { return shout.Up(Hello(s)) }\n')
    (tree / "go" / "shout").mkdir()
    (tree / "go" / "shout" / "shout.go").write_text(
        'package shout\n\nimport "strings"\n\n'
        'func Up(s string) string { return strings.ToUpper(s) }\n')
    outputs = gazelle.generate(str(tree), extensions)
    assert "cc_library(\n    name = \"app\"" in outputs["cc/app"]
    assert 'srcs = [\n        "greeting.go",\n        "loud.go",\n    ]' in outputs["go/greeting"]
    assert 'deps = ["//go/shout:shout"]' in outputs["go/greeting"]
    assert 'importpath = "example.com/project/go/shout"' in outputs["go/shout"]


def test_command_line_as_the_readme_says(tmp_path: Any) -> None:
    tree = str(tmp_path / "tree")
    shutil.copytree(SAMPLE, tree, ignore=shutil.ignore_patterns(gazelle.BUILD_FILE))
    script = os.path.join(GAZELLE, "gazelle.py")
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "src"))
    run = subprocess.run([sys.executable, script, tree], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert "wrote go/greeting/BUILD.bazel" in run.stdout
    assert committed_build_files(tree) == committed_build_files(SAMPLE)
    # --check in this process (loading the extensions again is quicker here: compiled
    # modules are cached per process)
    assert gazelle.main(["--check", tree]) == 0
    with open(os.path.join(tree, "go", "greeting", gazelle.BUILD_FILE), "a") as f:
        f.write("# a hand edit\n")
    assert gazelle.main(["--check", tree]) == 1


def test_a_runaway_extension_is_stopped(tmp_path: Any) -> None:
    directory = tmp_path / "extensions"
    directory.mkdir()
    shutil.copy(os.path.join(GAZELLE, "extensions", "cc.wasm"), str(directory))
    (directory / "zz_spin.wasm").write_bytes(wat(r"""
    (module
      (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
      (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
      (func (export "name") (result i32)
        (local $p i64)
        (local.set $p (call $alloc (i64.const 3)))
        (call $store_u8 (local.get $p) (i32.const 34))
        (call $store_u8 (i64.add (local.get $p) (i64.const 1)) (i32.const 122))
        (call $store_u8 (i64.add (local.get $p) (i64.const 2)) (i32.const 34))
        (call $output_set (local.get $p) (i64.const 3))
        (i32.const 0))
      (func (export "claims") (result i32) (loop (br 0)) (i32.const 0))
      (func (export "imports") (result i32) (i32.const 0))
      (func (export "rules") (result i32) (i32.const 0)))"""))
    tree = str(tmp_path / "tree")
    shutil.copytree(os.path.join(SAMPLE, "zig"), os.path.join(tree, "zig"))
    code = gazelle.main(["--extensions", str(directory), "--timeout-ms", "300", tree])
    assert code == 2


def test_an_extension_missing_a_method_is_refused_at_load(tmp_path: Any) -> None:
    directory = tmp_path / "extensions"
    directory.mkdir()
    (directory / "partial.wasm").write_bytes(wat(
        '(module (func (export "name") (result i32) (i32.const 0)))'))
    with pytest.raises(Exception, match="missing exports claims, imports, rules"):
        gazelle.load_extensions(str(directory), {})
