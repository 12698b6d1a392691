"""Every plugin of the Extism test corpus behaves as PLUGINS.md records.

One test (or a few) per case of ``../shared/testsuite/extism/PLUGINS.md``; the case's
status there is noted where it matters (VERIFIED = reproduced with native Extism). Where
native Extism and go-sdk differ, the comment says which one zerowasm follows.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from typing import Any, List

import pytest

import zerowasm.plugin as extism
from conftest import extism_dir, plugin_path
from zerowasm.wasi import WasiConfig

I32, I64 = extism.ValType.I32, extism.ValType.I64


def make(name: str, *, manifest: Any = None, **kw: Any) -> extism.Plugin:
    m = {"wasm": [{"path": plugin_path(name)}]}
    m.update(manifest or {})
    kw.setdefault("functions", [])
    return extism.Plugin(m, **kw)


def count(output: bytes) -> int:
    return int(json.loads(output)["count"])


#: plugin file -> the tests below that cover it (checked against expectations.json)
COVERED = {
    "count_vowels.wasm", "count_vowels_pysdk.wasm", "code-functions.wasm", "globals.wasm",
    "loop.wasm", "reflect.wasm", "upper.wasm", "http.wasm", "http_headers.wasm",
    "read_write.wasm", "empty.wasm", "unreachable.wasm", "allocations.wasm", "consume.wasm",
    "echo.wasm", "alloc.wasm", "config.wasm", "count_vowels_std.wasm", "exit.wasm",
    "fail.wasm", "fs.wasm", "fs_std.wasm", "hello.wasm", "hello_haskell.wasm", "host.wasm",
    "host_memory.wasm", "host_multiple.wasm", "http_go.wasm", "input_offset.wasm",
    "lib.wasm", "main.wasm", "log.wasm", "nested.c.instr.wasm", "noop.wasm", "throw.wasm",
    "println.wasm", "replace.wasm", "sleep.wasm", "std_command.wasm", "var.wasm",
}


def test_every_corpus_plugin_has_tests() -> None:
    with open(os.path.join(extism_dir(), "expectations.json")) as f:
        plugins = set(json.load(f)["plugins"])
    assert plugins - COVERED == set(), "plugins without tests"
    assert plugins == set(os.listdir(os.path.join(extism_dir(), "plugins")))


# -- count_vowels.wasm -------------------------------------------------------------------
@pytest.mark.parametrize("text, n", [("hello world", 3), ("aaaaaa", 6), ("", 0),
                                     ("bbbbbbb", 0), ("abc123", 1)])
def test_count_vowels(text: str, n: int) -> None:
    out = make("count_vowels.wasm").call("count_vowels", text)
    assert json.loads(out) == {"count": n, "total": n, "vowels": "aeiouAEIOU"}


def test_count_vowels_total_persists_in_a_var() -> None:
    plugin = make("count_vowels.wasm")
    assert plugin.call("count_vowels", "aaa") == b'{"count":3,"total":3,"vowels":"aeiouAEIOU"}'
    assert plugin.call("count_vowels", "bbba") == b'{"count":1,"total":4,"vowels":"aeiouAEIOU"}'


def test_count_vowels_max_pages() -> None:
    big = "a" * 131072
    with pytest.raises(extism.OutOfMemory) as info:
        make("count_vowels.wasm", manifest={"memory": {"max_pages": 16}}).call("count_vowels", big)
    assert str(info.value) == "oom"
    for memory in ({"max_pages": 17}, {}):
        out = make("count_vowels.wasm", manifest={"memory": memory}).call("count_vowels", big)
        assert json.loads(out)["count"] == 131072


def test_count_vowels_config_replaces_the_vowel_set() -> None:
    out = make("count_vowels.wasm", manifest={"config": {"vowels": "o"}}).call(
        "count_vowels", "hello world")
    assert out == b'{"count":2,"total":2,"vowels":"o"}'


def test_unknown_function() -> None:
    plugin = make("count_vowels.wasm")
    assert plugin.function_exists("count_vowels")
    assert not plugin.function_exists("i_dont_exist")
    with pytest.raises(extism.Error) as info:
        plugin.call("i_dont_exist", "")
    assert str(info.value) == "Function not found: i_dont_exist"
    assert count(plugin.call("count_vowels", "a")) == 1  # still usable


def test_count_vowels_many_calls_on_one_plugin() -> None:
    plugin = make("count_vowels.wasm")
    for _ in range(10001):
        out = plugin.call("count_vowels", "abc123")
    assert out == b'{"count":1,"total":10001,"vowels":"aeiouAEIOU"}'


@pytest.mark.parametrize("text, n", [("this is a test", 4), ("this is a test again", 7),
                                     ("this is a test thrice", 6), ("🌎hello🌎world🌎", 3),
                                     ("test", 1)])
def test_count_vowels_pysdk(text: str, n: int) -> None:
    assert count(make("count_vowels_pysdk.wasm").call("count_vowels", text)) == n


# -- code-functions.wasm (C + host function hello_world) --------------------------------
@extism.host_fn(name="hello_world", signature=([I64], [I64]))
def _identity(plugin: Any, params: List[extism.Val], results: List[extism.Val]) -> None:
    results[0].value = params[0].value


def test_code_functions_large_input() -> None:
    text = "aeiouAEIOU" + ("bcdfghjklmnpqrstvwxyz" * 3)[:45]
    assert len(text) == 55 and sum(c in "aeiouAEIOU" for c in text) == 10
    data = text * 1182
    plugin = make("code-functions.wasm", wasi=True, functions=[_identity])
    assert json.loads(plugin.call("count_vowels", data)) == {"count": 11820}
    assert json.loads(plugin.call("count_vowels", "this is a test aaa")) == {"count": 7}


def test_code_functions_host_function_returns_a_new_block() -> None:
    @extism.host_fn(signature=([I64], [I64]), user_data=b"test")
    def hello_world(plugin: extism.CurrentPlugin, params: Any, results: Any,
                    user_data: bytes) -> None:
        offs = plugin.alloc(len(user_data))
        plugin.memory(offs)[:] = user_data
        results[0].value = offs.offset
    plugin = make("code-functions.wasm", wasi=True, functions=[hello_world])
    assert plugin.call("count_vowels", "aaa") == b"test"


def test_code_functions_inferred_host_function() -> None:
    @extism.host_fn(user_data=b"test")
    def hello_world(inp: str, *user_data: bytes) -> str:
        return "hello world: %s %s" % (inp, user_data[0].decode("utf-8"))
    plugin = make("code-functions.wasm", wasi=True, functions=[hello_world])
    assert plugin.call("count_vowels", "aaa") == b'hello world: {"count": 3} test'


def test_code_functions_without_its_host_function_fails_to_load() -> None:
    with pytest.raises(extism.Error) as info:
        make("code-functions.wasm", wasi=True)
    assert "unknown import: `extism:host/user::hello_world` has not been defined" in str(info.value)


# -- globals.wasm ----------------------------------------------------------------------
def test_globals_survive_between_calls() -> None:
    plugin = make("globals.wasm", wasi=True)
    for i in range(10001):
        out = plugin.call("globals", "")
        if i % 2500 == 0:
            assert json.loads(out) == {"count": i}
    assert json.loads(out) == {"count": 10000}


# -- loop.wasm: timeout, fuel, cancel --------------------------------------------------
def test_loop_timeout() -> None:
    plugin = make("loop.wasm", manifest={"timeout_ms": 1000})
    start = time.monotonic()
    with pytest.raises(extism.Timeout) as info:
        plugin.call("loop_forever", "abc123")
    elapsed = time.monotonic() - start
    assert str(info.value) == "timeout" and info.value.rc == 134
    assert 0.9 < elapsed < 1.6
    with pytest.raises(extism.Timeout):  # and again: the plugin stays usable
        plugin.call("loop_forever", "abc123")


@pytest.mark.parametrize("fuel", [1, 10000])
def test_loop_fuel(fuel: int) -> None:
    plugin = make("loop.wasm", fuel=fuel)
    with pytest.raises(extism.FuelExhausted) as info:
        plugin.call("loop_forever", "abc123")
    assert "fuel" in str(info.value)


def test_loop_cancel() -> None:
    plugin = make("loop.wasm")
    handle = plugin.cancel_handle()
    timer = threading.Timer(0.5, handle.cancel)
    timer.start()
    start = time.monotonic()
    with pytest.raises(extism.Cancelled):
        plugin.call("loop_forever", "abc123")
    assert 0.4 < time.monotonic() - start < 1.5
    timer.join()


def test_loop_python_sdk_tests_call_a_missing_function() -> None:
    plugin = make("loop.wasm", manifest={"timeout_ms": 1000})
    with pytest.raises(extism.Error, match="Function not found: infinite_loop"):
        plugin.call("infinite_loop", b"")


# -- reflect.wasm / upper.wasm -----------------------------------------------------------
def test_reflect_host_context() -> None:
    @extism.host_fn(name="host_reflect", signature=([I64], [I64]))
    def reflect(plugin: extism.CurrentPlugin, params: Any, results: Any) -> None:
        plugin.return_string(results[0], plugin.host_context()["message"])
    plugin = make("reflect.wasm", functions=[reflect])
    assert plugin.call("reflect", "anything, really",
                       host_context={"message": "hello world"}) == b"hello world"


@extism.host_fn(name="host_reflect")
def _reflect_identity(data: bytes) -> bytes:
    return data


def test_reflect_many_lengths() -> None:
    # upstream echoes every length 1..65539; a pure-Python kernel moves bytes one host
    # call at a time, so this samples: all of 1..260 and the boundaries around 2**k
    plugin = make("reflect.wasm", functions=[_reflect_identity])
    lengths = set(range(1, 261))
    for k in range(9, 17):
        lengths.update({2 ** k - 1, 2 ** k, 2 ** k + 1})
    lengths.add(65539)
    for n in sorted(lengths):
        data = bytes(97 + (i * 7 + n) % 26 for i in range(n))  # the guest wants UTF-8
        assert plugin.call("reflect", data) == data, n


def linked_upper() -> extism.Plugin:
    return extism.Plugin({"wasm": [{"path": plugin_path("upper.wasm"), "name": "extism:host/user"},
                                   {"path": plugin_path("reflect.wasm"), "name": "main"}]},
                         functions=[])


def test_upper_links_as_host_functions() -> None:
    plugin = linked_upper()
    for _ in range(5):
        assert plugin.call("reflect", "Hello, world!") == b"HELLO, WORLD!"


def test_upper_library_export_is_not_a_plugin_function() -> None:
    plugin = linked_upper()
    assert not plugin.function_exists("host_reflect")
    with pytest.raises(extism.Error):
        plugin.call("host_reflect", "")


# -- http.wasm / http_headers.wasm / http_go.wasm ---------------------------------------
def test_http_not_allowed() -> None:
    plugin = make("http.wasm")
    with pytest.raises(extism.Error) as info:
        plugin.call("http_request", json.dumps({"url": "https://extism.org"}))
    assert str(info.value) == "HTTP request to https://extism.org is not allowed"


def test_http_get(http_server: str) -> None:
    plugin = make("http.wasm", manifest={"allowed_hosts": ["127.0.0.1"]})
    request = json.dumps({"url": http_server + "/"})
    for _ in range(2):
        assert b"</html>" in plugin.call("http_request", request)


def test_http_post(http_server: str) -> None:
    plugin = make("http.wasm", manifest={"allowed_hosts": ["127.0.0.1"]})
    out = plugin.call("http_request", json.dumps(
        {"url": http_server + "/post", "method": "POST", "data": "testing 123..."}))
    assert json.loads(out) == {"data": "testing 123...", "method": "POST"}
    big = "x" * 10000
    out = plugin.call("http_request", json.dumps(
        {"url": http_server + "/post", "method": "POST", "data": big}))
    assert json.loads(out)["data"] == big and len(out) == 10030


def test_http_timeout(http_server: str) -> None:
    plugin = make("http.wasm", manifest={"allowed_hosts": ["127.0.0.1"], "timeout_ms": 1})
    with pytest.raises(extism.Timeout):
        plugin.call("http_request", json.dumps({"url": http_server + "/slow"}))


def test_http_headers_recorded(http_server: str) -> None:
    plugin = make("http_headers.wasm", manifest={"allowed_hosts": ["127.0.0.1"]},
                  http_response_headers=True)
    headers = json.loads(plugin.call("http_get", json.dumps({"url": http_server + "/"})))
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["x-corpus"] == "yes"


def test_http_headers_not_recorded_by_default(http_server: str) -> None:
    plugin = make("http_headers.wasm", manifest={"allowed_hosts": ["127.0.0.1"]})
    assert plugin.call("http_get", json.dumps({"url": http_server + "/"})) == b"{}"


@pytest.mark.parametrize("hosts", [[], ["google.*"]])
def test_http_go_denied(hosts: List[str]) -> None:
    plugin = make("http_go.wasm", wasi=True, manifest={"allowed_hosts": hosts})
    with pytest.raises(extism.Error) as info:
        plugin.call("run_test", "")
    assert "HTTP request to https://jsonplaceholder.typicode.com/todos/1 is not allowed" \
        in str(info.value)


# -- read_write.wasm / fs.wasm / fs_std.wasm ----------------------------------------------
def test_read_write_readonly_mount(fixture_dir: str) -> None:
    plugin = make("read_write.wasm", wasi=True, manifest={
        "allowed_paths": {"ro:" + fixture_dir: "/mnt"}, "config": {"path": "/mnt/test.txt"}})
    assert plugin.call("try_read", "") == b"hello world!"
    with pytest.raises(extism.GuestError) as info:
        plugin.call("try_write", "hello hello!")
    assert "Failed to write file" in str(info.value) and info.value.rc == 1
    with open(os.path.join(fixture_dir, "test.txt"), "rb") as f:
        assert f.read() == b"hello world!"


def test_read_write_writable_mount_appends(fixture_dir: str) -> None:
    plugin = make("read_write.wasm", wasi=True, manifest={
        "allowed_paths": {fixture_dir: "/mnt"}, "config": {"path": "/mnt/test.txt"}})
    assert plugin.call("try_read", "") == b"hello world!"
    assert plugin.call("try_write", "hello hello!") == b"hello world!hello hello!"
    with open(os.path.join(fixture_dir, "test.txt"), "rb") as f:
        assert f.read() == b"hello world!hello hello!"


def test_fs_reads_and_writes_back(fixture_dir: str) -> None:
    # native Extism refuses fs.wasm (it exports both _start and _initialize); like go-sdk,
    # zerowasm loads it and runs _initialize first
    plugin = make("fs.wasm", wasi=True, manifest={"allowed_paths": {fixture_dir: "/mnt"}})
    assert plugin.call("run_test", "") == b"hello world!"
    with open(os.path.join(fixture_dir, "test.txt"), "rb") as f:
        assert f.read() == b"hello world!"


def test_fs_readonly_mount_fails(fixture_dir: str) -> None:
    plugin = make("fs.wasm", wasi=True, manifest={"allowed_paths": {"ro:" + fixture_dir: "/mnt"}})
    with pytest.raises(extism.GuestError) as info:
        plugin.call("run_test", "")
    assert info.value.rc == 1


def test_fs_std(fixture_dir: str) -> None:
    plugin = make("fs_std.wasm", wasi=True, manifest={"allowed_paths": {fixture_dir: "/mnt"}})
    assert plugin.call("run_test", "") == b"hello world!"
    with open(os.path.join(fixture_dir, "test.txt"), "rb") as f:
        assert f.read() == b"hello world!"


# -- small plugins -----------------------------------------------------------------------
def test_empty_plugin_without_input() -> None:
    assert make("empty.wasm", wasi=True).call("test", b"") == b""


def test_unreachable_is_a_trap() -> None:
    plugin = make("unreachable.wasm", wasi=True)
    with pytest.raises(extism.TrapError) as info:
        plugin.call("do_unreachable", "")
    assert info.value.rc == 134 and "unreachable" in str(info.value)


def test_allocations() -> None:
    assert make("allocations.wasm").call("allocations", "") == b""


@pytest.mark.parametrize("factor", [1, 10, 100])
def test_consume(factor: int) -> None:
    assert make("consume.wasm").call("consume", b"a" * 65536 * factor) == b""


@pytest.mark.parametrize("factor", [1, 10, 100])
def test_echo_large(factor: int) -> None:
    data = bytes(range(256)) * 256 * factor
    assert make("echo.wasm").call("echo", data) == data


def test_echo_short_inputs() -> None:
    plugin = make("echo.wasm")
    for n in range(8, 18):
        data = bytes(range(65, 65 + n))
        assert plugin.call("echo", data) == data
    # the u64 loop runs once and reads past the end of inputs under 8 bytes: zeros come back
    assert plugin.call("echo", "hello") == b"\0" * 5
    assert plugin.call("echo", "a") == b"\0"
    assert plugin.call("echo", "abcdefg") == b"\0" * 7


def test_alloc() -> None:
    assert make("alloc.wasm").call("run_test", "") == b""


def test_config() -> None:
    assert make("config.wasm", wasi=True, config={"thing": "hello"}).call("run_test", "") == \
        b'{"config": "hello"}'
    assert make("config.wasm", wasi=True).call("run_test", "") == b'{"config": "<unset by host>"}'
    assert make("config.wasm", wasi=True, manifest={"config": {"thing": "hello"}}).call(
        "run_test", "") == b'{"config": "hello"}'


def test_count_vowels_std() -> None:
    plugin = make("count_vowels_std.wasm", wasi=True)
    assert plugin.call("_start", "hello world") == \
        b'{"count": 3, "config": "<unset by host>", "a": "this is var a"}'
    assert plugin.call("_start", "aeiou AEIOU xyz") == \
        b'{"count": 10, "config": "<unset by host>", "a": "this is var a"}'
    plugin = make("count_vowels_std.wasm", wasi=True, config={"thing": "hello"})
    assert plugin.call("_start", "hello world") == \
        b'{"count": 3, "config": "hello", "a": "this is var a"}'


@pytest.mark.parametrize("code, rc", [("-1", -1), ("500", 500), ("abc", 1), (None, 2),
                                      ("125", 125), ("126", 126)])
def test_exit_status_is_the_return_code(code: Any, rc: int) -> None:
    # go-sdk semantics (any u32 exit status passes through); native wasmtime traps with
    # rc -1 for statuses outside 0..125 (PLUGINS.md: DIFFERS)
    plugin = make("exit.wasm", wasi=True, config={} if code is None else {"code": code})
    with pytest.raises(extism.GuestError) as info:
        plugin.call("_start", "")
    assert info.value.rc == rc and str(info.value) == "Error code: %d" % rc


def test_exit_zero_is_success() -> None:
    assert make("exit.wasm", wasi=True, config={"code": "0"}).call("_start", "") == b""


def test_fail() -> None:
    with pytest.raises(extism.GuestError) as info:
        make("fail.wasm").call("run_test", "")
    assert str(info.value) == "Some error message" and info.value.rc == 1


def test_hello() -> None:
    assert make("hello.wasm").call("run_test", "") == b"Hello, world!"


def test_hello_haskell() -> None:
    # the GHC runtime uses 128-bit SIMD (v128 loads, stores and constants)
    plugin = make("hello_haskell.wasm", wasi=True, config={"greeting": "Howdy"})
    lines: List[str] = []
    logger = extism.set_log_custom(lines.append, "debug")
    try:
        assert plugin.call("testing", "John") == b"Howdy, John"
        logger.drain()
    finally:
        extism.set_log_custom(lambda s: None, "off")
    assert any("initialized Haskell language runtime" in line for line in lines)


def test_host_mult_with_plain_integers() -> None:
    @extism.host_fn(signature=([I64, I64], [I64]))
    def mult(plugin: Any, params: List[extism.Val], results: List[extism.Val]) -> None:
        results[0].value = params[0].value * params[1].value
    assert make("host.wasm", wasi=True, functions=[mult]).call("run_test", "") == b"42 x 2 = 84"


def test_host_memory_custom_namespace() -> None:
    @extism.host_fn(namespace="host", signature=([I64], [I64]))
    def to_upper(plugin: extism.CurrentPlugin, params: Any, results: Any) -> None:
        text = plugin.input_string(params[0])
        plugin.free(plugin.memory_at_offset(params[0]))
        plugin.return_string(results[0], text.upper())
    plugin = make("host_memory.wasm", wasi=True, functions=[to_upper])
    assert plugin.call("run_test", "Frodo") == b"HELLO FRODO!"


def test_host_multiple() -> None:
    @extism.host_fn()
    def hostGreenMessage(text: str) -> str:  # noqa: N802 - the guest's import name
        return "🟢:" + text

    @extism.host_fn()
    def hostPurpleMessage(text: str) -> str:  # noqa: N802
        return "🟣:" + text
    plugin = make("host_multiple.wasm", wasi=True, functions=[hostGreenMessage, hostPurpleMessage])
    assert plugin.call("say_green", "John Doe").decode() == "🟢:🫱 Hey from say_green John Doe"
    assert plugin.call("say_purple", "Jane Doe").decode() == "🟣:👋 Hello from say_purple Jane Doe"


def test_input_offset_block_is_a_normal_block() -> None:
    assert make("input_offset.wasm").call("input_offset_length", "hello world") == \
        b"\x0b" + b"\0" * 7


def test_module_linking_lib_and_main() -> None:
    plugin = extism.Plugin({"wasm": [{"path": plugin_path("lib.wasm"), "name": "lib"},
                                     {"path": plugin_path("main.wasm"), "name": "main"}]},
                           wasi=True, functions=[])
    for _ in range(3):
        assert plugin.call("run_test", "benjamin") == b"Hello, BENJAMIN"


@pytest.mark.parametrize("level, expected", [
    ("warn", ["this is a warning log", "this is an error log"]),
    ("trace", ["this is a trace log", "this is a debug log", "this is an info log",
               "this is a warning log", "this is an error log"]),
])
def test_log_levels(level: str, expected: List[str]) -> None:
    lines: List[str] = []
    logger = extism.set_log_custom(lines.append, level)
    try:
        assert make("log.wasm", wasi=True).call("run_test", "") == b""
        logger.drain()
    finally:
        extism.set_log_custom(lambda s: None, "off")
    messages = [line.split("extism::pdk: ", 1)[1].rsplit(" plugin=", 1)[0] for line in lines]
    assert messages == expected


def test_nested_instrumented_call_tree() -> None:
    events: List[Any] = []

    @extism.host_fn(namespace="dylibso_observe", signature=([I32], []))
    def instrument_enter(plugin: Any, params: List[extism.Val], results: Any) -> None:
        events.append(("enter", params[0].value))

    @extism.host_fn(namespace="dylibso_observe", signature=([I32], []))
    def instrument_exit(plugin: Any, params: List[extism.Val], results: Any) -> None:
        events.append(("exit", params[0].value))

    @extism.host_fn(namespace="dylibso_observe", signature=([I32], []))
    def instrument_memory_grow(plugin: Any, params: List[extism.Val], results: Any) -> None:
        events.append(("grow", params[0].value))
    stdout = io.BytesIO()
    plugin = make("nested.c.instr.wasm", wasi=True, wasi_config=WasiConfig(stdout=stdout),
                  functions=[instrument_enter, instrument_exit, instrument_memory_grow])
    assert plugin.call("_start", "hello world") == b""
    assert stdout.getvalue() == b"Hello from Wasm!\n"
    names = plugin.compiled_plugin.main.syntax.names.functions  # type: ignore[union-attr]
    depth, first = 0, {}
    for kind, index in events:
        if kind == "enter":
            first.setdefault(names.get(index), depth)
            depth += 1
        elif kind == "exit":
            depth -= 1
    assert depth == 0 and len([e for e in events if e[0] != "grow"]) == 68
    chain = ["_start", "__main_void", "main", "one", "two", "three", "printf"]
    depths = [first[name] for name in chain if name in first]
    assert depths == sorted(depths) and first["main"] < first["one"] < first["two"] \
        < first["three"] < first["printf"]


def test_noop() -> None:
    assert make("noop.wasm", wasi=True).call("run_test", "") == b""


def test_throw() -> None:
    with pytest.raises(extism.GuestError) as info:
        make("throw.wasm", wasi=True).call("run_test", "")
    assert str(info.value) == "my custom error" and info.value.rc == 1


def test_println_writes_to_wasi_stdout() -> None:
    stdout = io.BytesIO()
    plugin = make("println.wasm", wasi=True, wasi_config=WasiConfig(stdout=stdout))
    assert plugin.call("run_test", "hello") == b""
    assert stdout.getvalue() == b"this was printed from the plugin hello\n"


def test_replace() -> None:
    plugin = make("replace.wasm", wasi=True)
    assert plugin.call("run_test", "this is a test; test again") == b"this is a wasm; wasm again"
    data = ("a test of " * 4600).encode()
    assert plugin.call("run_test", data) == data.replace(b"test", b"wasm")
    assert plugin.call("run_test", "") == b""


def test_sleep_timeout() -> None:
    plugin = make("sleep.wasm", wasi=True,
                  manifest={"timeout_ms": 100, "config": {"duration": "3"}})
    start = time.monotonic()
    with pytest.raises(extism.Timeout):
        plugin.call("run_test", "")
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize("seconds", [0, 1])
def test_sleep(seconds: int) -> None:
    plugin = make("sleep.wasm", wasi=True, config={"duration": str(seconds)})
    start = time.monotonic()
    assert plugin.call("run_test", "") == b"slept for %d seconds" % seconds
    assert time.monotonic() - start >= seconds


def test_std_command_reinstantiates_after_start() -> None:
    plugin = make("std_command.wasm", wasi=True)
    assert plugin.call("_start", "ben") == b"hello ben"
    assert plugin.call("_start", "bob") == b"hello bob"


def test_var_unset() -> None:
    plugin = make("var.wasm", wasi=True)
    assert plugin.call("run_test", "") == b"a: 0"
    assert plugin.call("run_test", "") == b"a: 0"


def test_var_set_by_the_host() -> None:
    # go TestVar: the host sets a = u32le(10); each call outputs it and doubles it
    plugin = make("var.wasm", wasi=True)
    plugin.vars["a"] = (10).to_bytes(4, "little")
    assert plugin.call("run_test", "") == b"a: 10"
    assert int.from_bytes(plugin.vars["a"][:4], "little") == 20
    assert plugin.call("run_test", "") == b"a: 20"
    assert int.from_bytes(plugin.vars["a"][:4], "little") == 40


def test_vars_disabled() -> None:
    plugin = make("var.wasm", wasi=True, manifest={"memory": {"max_var_bytes": 0}})
    with pytest.raises(extism.Error, match="Vars are disabled by this host"):
        plugin.call("run_test", "")


def test_var_store_full() -> None:
    plugin = make("var.wasm", wasi=True, manifest={"memory": {"max_var_bytes": 10}})
    with pytest.raises(extism.Error, match="Variable store is full"):
        plugin.call("run_test", "")

