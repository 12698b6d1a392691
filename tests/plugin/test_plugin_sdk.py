"""zerowasm.plugin behaves like the ``extism`` Python SDK: loading, manifests, host
functions and their inferred signatures, parse, config, logging, lifetime."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import threading
import typing
from typing import Any, List, Tuple

import pytest

import zerowasm.plugin as extism
from wat import wat

# input block -> extism:host/user::fn -> output
CALL_HOST = wat(r"""
(module
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/user" "fn" (func $fn (param i64) (result i64)))
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    (local $r i64)
    (local.set $r (call $fn (call $input_offset)))
    (call $output_set (local.get $r) (call $length (local.get $r)))
    (i32.const 0)))
""")

ECHO = wat(r"""
(module
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "echo") (result i32)
    (call $output_set (call $input_offset) (call $input_length))
    (i32.const 0))
  (func (export "code") (result i32) (i32.const 7)))
""")


def test_plugin_from_bytes_path_dict_and_json(tmp_path: Any) -> None:
    path = tmp_path / "echo.wasm"
    path.write_bytes(ECHO)
    sources = [ECHO, str(path), path, {"wasm": [{"data": ECHO}]},
               {"wasm": [{"path": str(path)}]},
               json.dumps({"wasm": [{"data": base64.b64encode(ECHO).decode()}]})]
    for source in sources:
        with extism.Plugin(source, functions=[]) as plugin:
            assert plugin.call("echo", "héllo") == "héllo".encode()


def test_manifest_file(tmp_path: Any) -> None:
    (tmp_path / "echo.wasm").write_bytes(ECHO)
    manifest = tmp_path / "plugin.json"
    manifest.write_text(json.dumps({"wasm": [{"path": str(tmp_path / "echo.wasm")}],
                                    "config": {"k": "v"}}))
    plugin = extism.Plugin(str(manifest), functions=[])
    assert plugin.call("echo", "x") == b"x" and plugin.config == {"k": "v"}


def test_manifest_hash() -> None:
    good = hashlib.sha256(ECHO).hexdigest()
    assert extism.Plugin({"wasm": [{"data": ECHO, "hash": good}]}, functions=[]).call(
        "echo", "a") == b"a"
    with pytest.raises(extism.ManifestError, match="hash mismatch"):
        extism.Plugin({"wasm": [{"data": ECHO, "hash": "00" * 32}]}, functions=[])


@pytest.mark.parametrize("bad", [{"invalid_manifest": True}, {"wasm": []},
                                 {"wasm": [{"nothing": 1}]}, "not json", b"\0asm\x05garbage",
                                 {"wasm": [{"path": "/does/not/exist.wasm"}]}])
def test_bad_plugins_raise_error(bad: Any) -> None:
    with pytest.raises(extism.Error):
        extism.Plugin(bad, functions=[])


def test_manifest_url(http_server: str) -> None:
    # the local server answers with an HTML page, which is reported as not a module
    with pytest.raises(extism.LoadError):
        extism.Plugin({"wasm": [{"url": http_server + "/"}]}, functions=[])
    with pytest.raises(extism.ManifestError, match="cannot download"):
        extism.Plugin({"wasm": [{"url": "http://127.0.0.1:1/x.wasm"}]}, functions=[])


def test_parse() -> None:
    plugin = extism.Plugin(ECHO, functions=[])
    assert plugin.call("echo", '{"a": 1}', parse=json.loads) == {"a": 1}
    view = plugin.call("echo", "abc", parse=None)
    assert isinstance(view, memoryview) and bytes(view) == b"abc"
    assert plugin.call("echo", b"raw", parse=lambda out: bytes(out).upper()) == b"RAW"


def test_non_zero_return_code() -> None:
    with pytest.raises(extism.Error) as info:
        extism.Plugin(ECHO, functions=[]).call("code", "")
    assert str(info.value) == "Error code: 7" and info.value.rc == 7


def test_compiled_plugin_makes_independent_plugins() -> None:
    @extism.host_fn(name="fn")
    def fn(text: str) -> str:
        return text[::-1]
    compiled = extism.CompiledPlugin(CALL_HOST, functions=[fn])
    first, second = extism.Plugin(compiled), extism.Plugin(compiled)
    assert first.call("run", "abc") == b"cba" and second.call("run", "xyz") == b"zyx"
    first.__del__()
    assert first.plugin == -1 and compiled.pointer != -1
    assert second.call("run", "12") == b"21"


def test_context_manager_frees() -> None:
    with extism.Plugin(ECHO, functions=[]) as plugin:
        assert plugin.call("echo", "a") == b"a"
        assert plugin._owns_compiled_plugin
    assert plugin.plugin == -1 and plugin.compiled_plugin is None
    with pytest.raises(extism.Error):
        plugin.call("echo", "a")
    plugin.__del__()  # twice is fine


def test_default_functions_are_the_registered_ones() -> None:
    @extism.host_fn(name="fn")
    def shout(text: str) -> str:
        return text.upper() + "!"
    assert extism.Plugin(CALL_HOST).call("run", "hey") == b"HEY!"


def _run_with(fn: Any, data: Any = "x", **kw: Any) -> bytes:
    return extism.Plugin(CALL_HOST, functions=[fn]).call("run", data, **kw)


def test_inferred_json_in_and_out() -> None:
    @extism.host_fn(name="fn")
    def fn(doc: typing.Annotated[dict, extism.Json]) -> typing.Annotated[dict, extism.Json]:
        doc["seen"] = True
        return doc
    assert json.loads(_run_with(fn, json.dumps({"a": 1}))) == {"a": 1, "seen": True}


class Gribble:
    def __init__(self, v: str) -> None:
        self.v = v


def test_inferred_pickle_and_codec() -> None:
    @extism.host_fn(name="fn")
    def fn(text: typing.Annotated[str, extism.Codec(lambda b: b.decode().replace("o", "u"))]
           ) -> typing.Annotated[Gribble, extism.Pickle]:
        return Gribble(text)
    assert pickle.loads(_run_with(fn, "foo")).v == "fuu"  # noqa: S301


def test_inferred_bytes_and_current_plugin_and_user_data() -> None:
    @extism.host_fn(name="fn", user_data=[b"ud1", b"ud2"])
    def fn(plugin: extism.CurrentPlugin, data: bytes, *user_data: bytes) -> bytes:
        ctx = plugin.host_context()
        ctx.append(data)
        return data + b"|" + b",".join(user_data)
    seen: List[bytes] = []
    assert _run_with(fn, b"\x00\xff", host_context=seen) == b"\x00\xff|ud1,ud2"
    assert seen == [b"\x00\xff"]


def test_inferred_int_result_is_a_block_of_eight_bytes_like_the_sdk() -> None:
    @extism.host_fn(name="fn")
    def fn(text: str) -> int:
        return len(text)
    assert _run_with(fn, "hello") == (5).to_bytes(8, "little")


def test_inferred_signatures() -> None:
    @extism.host_fn()
    def f(a: int, b: float, c: bool, d: str) -> Tuple[str, float]:
        return d * a, b
    V = extism.ValType
    assert f.param_types == (V.I64, V.F64, V.I32, V.I64)  # I64 is an alias of PTR
    assert f.result_types == (V.I64, V.F64)
    with pytest.raises(TypeError):
        @extism.host_fn()
        def g(x: list) -> str:  # type: ignore[type-arg]
            return ""


def test_explicit_signature_and_val() -> None:
    @extism.host_fn(name="fn", signature=([extism.ValType.PTR], [extism.ValType.PTR]))
    def fn(plugin: extism.CurrentPlugin, params: List[extism.Val],
           results: List[extism.Val]) -> None:
        assert params[0].t == extism.ValType.I64
        mem = plugin.memory_at_offset(params[0])
        text = bytes(plugin.memory(mem)).decode()
        plugin.return_string(results[0], text + text)
    assert _run_with(fn, "ab") == b"abab"


def test_host_context_is_per_call() -> None:
    @extism.host_fn(name="fn")
    def fn(plugin: extism.CurrentPlugin, text: str) -> str:
        return repr(plugin.host_context())
    plugin = extism.Plugin(CALL_HOST, functions=[fn])
    assert plugin.call("run", "x", host_context={"a": 1}) == b"{'a': 1}"
    assert plugin.call("run", "x") == b"None"


def test_config_merges() -> None:
    plugin = extism.Plugin({"wasm": [{"data": ECHO}], "config": {"a": "1", "b": "2"}},
                           functions=[], config={"b": None, "c": 3})
    assert plugin.config == {"a": "1", "c": "3"}


def test_calls_from_several_threads_are_serialised() -> None:
    @extism.host_fn(name="fn")
    def fn(text: str) -> str:
        return text * 2
    plugin = extism.Plugin(CALL_HOST, functions=[fn])
    errors: List[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(50):
                text = "%d-%d;" % (i, j)
                assert plugin.call("run", text) == (text * 2).encode()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_reentrant_call_is_refused() -> None:
    holder: List[extism.Plugin] = []

    @extism.host_fn(name="fn")
    def fn(text: str) -> str:
        return holder[0].call("run", text).decode()
    plugin = extism.Plugin(CALL_HOST, functions=[fn])
    holder.append(plugin)
    with pytest.raises(extism.Error, match="already running"):
        plugin.call("run", "x")


def test_set_log_file(tmp_path: Any) -> None:
    log = tmp_path / "guest.log"
    module = wat(r"""
    (module
      (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
      (import "extism:host/env" "log_info" (func $log_info (param i64)))
      (import "extism:host/env" "log_debug" (func $log_debug (param i64)))
      (func (export "run") (result i32)
        (call $log_info (call $input_offset))
        (call $log_debug (call $input_offset))
        (i32.const 0)))""")
    extism.set_log_file(str(log), "info")
    try:
        extism.Plugin(module, functions=[]).call("run", "a message")
    finally:
        extism.set_log_custom(lambda s: None, "off")
    lines = log.read_text().splitlines()
    assert len(lines) == 1 and "INFO" in lines[0] and "a message" in lines[0]


def test_wasi_required_is_reported() -> None:
    module = wat(r"""
    (module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
      (func (export "run") (result i32) (i32.const 0)))""")
    with pytest.raises(extism.LoadError, match="wasi=True"):
        extism.Plugin(module, functions=[])
    assert extism.Plugin(module, wasi=True, functions=[]).call("run", "") == b""


HTTP_GET = wat(r"""
(module
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "http_request" (func $http (param i64 i64) (result i64)))
  (import "extism:host/env" "http_status_code" (func $status (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "get") (result i32)
    (local $r i64)
    (local.set $r (call $http (call $input_offset) (i64.const 0)))
    (call $output_set (local.get $r) (call $length (local.get $r)))
    (i32.const 0))
  (func (export "status") (result i32)
    (local $p i64)
    (local.set $p (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $p) (i64.extend_i32_u (call $status)))
    (call $output_set (local.get $p) (i64.const 8))
    (i32.const 0)))
""")


def status(plugin: extism.Plugin) -> int:
    return int.from_bytes(plugin.call("status", ""), "little")


def test_http_status_code_and_glob(http_server: str) -> None:
    plugin = extism.Plugin({"wasm": [{"data": HTTP_GET}], "allowed_hosts": ["127.0.0.*"]},
                           functions=[])
    assert b"</html>" in plugin.call("get", json.dumps({"url": http_server + "/"}))
    assert status(plugin) == 200
    assert plugin.call("get", json.dumps({"url": http_server + "/missing"})) == b"not here"
    assert status(plugin) == 404


def test_http_redirect_to_a_host_not_allowed(http_server: str) -> None:
    plugin = extism.Plugin({"wasm": [{"data": HTTP_GET}], "allowed_hosts": ["127.0.0.1"]},
                           functions=[])
    port = http_server.rsplit(":", 1)[1]
    target = "http://localhost:%s/" % port
    with pytest.raises(extism.Error, match="HTTP request to %s is not allowed" % target):
        plugin.call("get", json.dumps({"url": http_server + "/redirect?to=" + target}))
    ok = "%s/redirect?to=%s/" % (http_server, http_server)
    assert b"</html>" in plugin.call("get", json.dumps({"url": ok}))


def test_http_request_headers(http_server: str) -> None:
    plugin = extism.Plugin({"wasm": [{"data": HTTP_GET}], "allowed_hosts": ["127.0.0.1"]},
                           functions=[])
    request = {"url": http_server + "/headers", "headers": {"X-Plugin": "yes"}}
    assert json.loads(plugin.call("get", json.dumps(request)))["x-plugin"] == "yes"


def test_http_connection_refused_is_an_error() -> None:
    plugin = extism.Plugin({"wasm": [{"data": HTTP_GET}], "allowed_hosts": ["127.0.0.1"]},
                           functions=[])
    with pytest.raises(extism.Error, match="failed"):
        plugin.call("get", json.dumps({"url": "http://127.0.0.1:1/"}))
