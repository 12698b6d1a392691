"""The WASI test suite (WebAssembly/wasi-testsuite, wasm32-wasip1: C, Rust, AssemblyScript).

Each ``FOO.wasm`` runs through the ``zerowasm run`` command line (in-process, through
``zerowasm._cli.main``, so 72 modules do not pay 72 interpreter start-ups) as
``zerowasm run --dir ROOT::/ --env K=V FOO.wasm ARGS`` per its ``FOO.json`` (keys ``args``,
``env``, ``root``, ``exit_code``, ``stdout``, ``stderr``; see the suite's SOURCES.md).
The fixture directory is copied to a temporary directory first (the suite's copy is
read-only and tests write to it), and ``*.cleanup`` files are deleted before and after.

The suite is read from ``../shared/testsuite/wasi`` beside the checkout, or from
``$ZEROWASM_WASI_TESTSUITE``; the tests are skipped when it is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from zerowasm import _cli

_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "testsuite" / "wasi"
SUITE = Path(os.environ.get("ZEROWASM_WASI_TESTSUITE", _DEFAULT))
LANGUAGES = ("c", "rust", "assemblyscript")


def _cases():
    cases = []
    for language in LANGUAGES:
        directory = SUITE / "wasm32-wasip1" / language
        if directory.is_dir():
            for module in sorted(directory.glob("*.wasm")):
                cases.append(pytest.param(module, id="%s/%s" % (language, module.stem)))
    return cases


CASES = _cases()
pytestmark = pytest.mark.skipif(
    not CASES, reason="WASI test suite not found at %s (set ZEROWASM_WASI_TESTSUITE)" % SUITE)


def _delete_cleanup_files(root: Path) -> None:
    for path in sorted(root.rglob("*.cleanup"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _writable_copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)
    for directory, _names, files in os.walk(target):
        os.chmod(directory, os.stat(directory).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        for name in files:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)


def _expectations(module: Path) -> dict:
    spec = module.with_suffix(".json")
    return json.loads(spec.read_text()) if spec.exists() else {}


@pytest.mark.parametrize("module", CASES or [pytest.param(None, id="absent")])
def test_wasi_testsuite(module: Path, tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    expected = _expectations(module)
    argv = ["run"]
    root = None
    if expected.get("root") is not None:
        root = tmp_path / "root"
        _writable_copy(module.parent / expected["root"], root)
        _delete_cleanup_files(root)
        argv += ["--dir", "%s::/" % root]
    for name, value in expected.get("env", {}).items():
        argv += ["--env", "%s=%s" % (name, value)]
    argv += [str(module), *expected.get("args", [])]
    capfd.readouterr()
    status = _cli.main(argv)
    out, err = capfd.readouterr()
    if root is not None:
        _delete_cleanup_files(root)
    detail = "stdout:\n%s\nstderr:\n%s" % (out[-2000:], err[-2000:])
    assert status == expected.get("exit_code", 0), detail
    if "stdout" in expected:
        assert out[:len(expected["stdout"])] == expected["stdout"], detail
    if "stderr" in expected:
        assert err[:len(expected["stderr"])] == expected["stderr"], detail
