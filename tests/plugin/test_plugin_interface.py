"""Typed extension interfaces: JSON over the Extism ABI, checked against type hints."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Dict, List, Optional, Tuple

import pytest

import zerowasm.plugin as extism
from wat import wat
from zerowasm.plugin import InterfaceError, export_name, load_interface, optional

# exports: name -> "wat-ext"; echo -> its input; rules -> a fixed list; bad -> wrong
# types; fail -> error_set; notjson -> hello
GUEST = wat(r"""
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\"wat-ext\"")
  (data (i32.const 16) "[{\"kind\":\"cc_library\",\"name\":\"lib\",\"srcs\":[\"a.c\",\"b.c\"]},"
                       "{\"kind\":\"cc_binary\",\"name\":\"app\",\"srcs\":[],"
                       "\"attrs\":{\"x\":\"y\"},\"extra\":1}]")
  (data (i32.const 256) "[{\"kind\":\"k\",\"name\":\"n\",\"srcs\":[\"ok\",7]}]")
  (data (i32.const 320) "something broke")
  (data (i32.const 352) "hello")
  (func $block (param $ptr i32) (param $len i32) (result i64)
    (local $p i64) (local $i i32)
    (local.set $p (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $p) (i64.extend_i32_u (local.get $i)))
                        (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (local.get $p))
  (func $out (param $ptr i32) (param $len i32)
    (call $output_set (call $block (local.get $ptr) (local.get $len))
                      (i64.extend_i32_u (local.get $len))))
  (func (export "name") (result i32) (call $out (i32.const 0) (i32.const 9)) (i32.const 0))
  (func (export "rules") (result i32) (call $out (i32.const 16) (i32.const 129)) (i32.const 0))
  (func (export "bad") (result i32) (call $out (i32.const 256) (i32.const 41)) (i32.const 0))
  (func (export "notjson") (result i32) (call $out (i32.const 352) (i32.const 5)) (i32.const 0))
  (func (export "nothing") (result i32) (i32.const 0))
  (func (export "fail") (result i32)
    (call $error_set (call $block (i32.const 320) (i32.const 15))) (i32.const 1))
  (func (export "echo") (result i32)
    (call $output_set (call $input_offset) (call $input_length)) (i32.const 0))
  (func (export "takes_params") (param i32) (result i32) (local.get 0)))
""")


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Rule:
    kind: str
    name: str
    srcs: List[str]
    attrs: Dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Point:
    x: float
    y: float
    label: Optional[str] = None


class Extension:
    def name(self) -> str: ...

    def rules(self) -> List[Rule]: ...

    @export_name("echo")
    def echo(self, path: str, n: int, ratio: float, flag: bool, data: bytes, color: Color,
             point: Point, items: List[int], pair: Tuple[int, str], maybe: Optional[int] = None
             ) -> Dict[str, Any]: ...

    @export_name("echo")
    def roundtrip_point(self, point: Point) -> Dict[str, Point]: ...

    @optional
    def version(self) -> str:
        return "default version"

    def nothing(self) -> None: ...


def load() -> Any:
    return load_interface(Extension, GUEST)


def test_methods_call_the_guest_and_decode_results() -> None:
    ext = load()
    assert isinstance(ext, Extension) and isinstance(ext, extism.Extension)
    assert ext.name() == "wat-ext"
    assert ext.rules() == [Rule("cc_library", "lib", ["a.c", "b.c"]),
                           Rule("cc_binary", "app", [], {"x": "y"})]
    assert ext.nothing() is None


def test_arguments_are_a_json_object_by_parameter_name() -> None:
    ext = load()
    got = ext.echo("src/a.c", 3, 0.5, True, b"\x00\xff", Color.BLUE, Point(1, 2.5), [1, 2],
                   (7, "seven"))
    assert got == {"path": "src/a.c", "n": 3, "ratio": 0.5, "flag": True, "data": "AP8=",
                   "color": "blue", "point": {"x": 1, "y": 2.5, "label": None},
                   "items": [1, 2], "pair": [7, "seven"], "maybe": None}
    got = ext.echo(path="p", n=0, ratio=1, flag=False, data=b"", color=Color.RED,
                   point=Point(0, 0, "o"), items=[], pair=(0, ""), maybe=5)
    assert got["maybe"] == 5 and got["point"]["label"] == "o"
    assert ext.roundtrip_point(Point(3.0, 4.0, "p")) == {"point": Point(3.0, 4.0, "p")}


def test_wrong_arguments_raise_type_error() -> None:
    with pytest.raises(TypeError):
        load().echo("only one")


def test_optional_missing_method_runs_the_default() -> None:
    assert load().version() == "default version"


def test_missing_exports_are_reported_at_load_time() -> None:
    class Wider(Extension):
        def compile(self, path: str) -> str: ...

        def link(self) -> None: ...
    with pytest.raises(InterfaceError) as info:
        load_interface(Wider, GUEST)
    assert "missing exports compile, link" in str(info.value)


def test_exports_with_parameters_are_rejected_at_load_time() -> None:
    class Bad:
        def takes_params(self) -> int: ...
    with pytest.raises(InterfaceError, match="not plugin functions"):
        load_interface(Bad, GUEST)


def test_result_type_mismatch_says_where() -> None:
    class Ext:
        def bad(self) -> List[Rule]: ...
    with pytest.raises(InterfaceError, match=r"bad\(\)\[0\]\.srcs\[1\]: expected str, got int"):
        load_interface(Ext, GUEST).bad()


def test_guest_errors_and_non_json_output() -> None:
    class Ext:
        def fail(self) -> str: ...

        def notjson(self) -> str: ...
    ext = load_interface(Ext, GUEST)
    with pytest.raises(extism.GuestError, match="something broke"):
        ext.fail()
    with pytest.raises(InterfaceError, match="not JSON"):
        ext.notjson()


def test_load_from_a_plugin_object_and_close() -> None:
    plugin = extism.Plugin(GUEST, functions=[])
    with load_interface(Extension, plugin) as ext:
        assert ext.plugin is plugin and ext.name() == "wat-ext"
    assert plugin.plugin == -1


def test_value_codec_round_trips() -> None:
    from zerowasm.plugin import decode_value, encode_value
    value = {"a": [Point(1.0, 2.0)], "b": []}
    hint = Dict[str, List[Point]]
    assert decode_value(encode_value(value, hint), hint) == value
    assert decode_value(encode_value(b"bytes"), bytes) == b"bytes"
    with pytest.raises(InterfaceError, match="missing field 'y'"):
        decode_value({"x": 1}, Point)
    with pytest.raises(InterfaceError):
        decode_value(True, int)
