"""The guest kits (guest/c, guest/zig, guest/go): the same "greet" plugin written with
each behaves the same. The .wasm files are committed; guest/build.py rebuilds them."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, List

import pytest

import zerowasm.plugin as extism
from conftest import REPO
from zerowasm.plugin import load_interface

EXAMPLES = os.path.join(REPO, "guest", "examples")
KITS = {
    "c": (os.path.join(EXAMPLES, "greet_c", "greet.wasm"), False),
    "zig": (os.path.join(EXAMPLES, "greet_zig", "greet.wasm"), False),
    "go": (os.path.join(EXAMPLES, "greet_go", "greet.wasm"), True),  # Go needs WASI
}


@dataclasses.dataclass
class Counts:
    length: int
    vowels: int


class Counter:
    def count_json(self, text: str) -> Counts: ...


@pytest.fixture(scope="module", params=sorted(KITS))
def compiled(request: Any) -> Any:
    path, wasi = KITS[request.param]

    @extism.host_fn()
    def decorate(text: str) -> str:
        return "*" + text + "*"
    return extism.CompiledPlugin(path, wasi=wasi, functions=[decorate])


def test_greet(compiled: Any) -> None:
    plugin = extism.Plugin(compiled, config={"greeting": "Howdy"})
    lines: List[str] = []
    logger = extism.set_log_custom(lines.append, "info")
    try:
        assert plugin.call("greet", "Ada") == b"*Howdy*, Ada! (call #1)"
        assert plugin.call("greet", "Grace") == b"*Howdy*, Grace! (call #2)"
        logger.drain()
    finally:
        extism.set_log_custom(lambda line: None, "off")
    assert sum("greeted someone" in line for line in lines) == 2
    assert plugin.vars["count"] == (2).to_bytes(8, "little")


def test_greet_defaults_and_errors(compiled: Any) -> None:
    plugin = extism.Plugin(compiled)
    assert plugin.call("greet", "Bob") == b"*Hello*, Bob! (call #1)"
    with pytest.raises(extism.GuestError) as info:
        plugin.call("greet", "")
    assert str(info.value) == "no name given" and info.value.rc == 1


def test_typed_interface(compiled: Any) -> None:
    counter = load_interface(Counter, extism.Plugin(compiled))
    assert counter.count_json("Hello \"world\" é\n") == Counts(length=17, vowels=3)
    assert counter.count_json(text="") == Counts(0, 0)
    with pytest.raises(extism.GuestError, match="expected"):
        counter.plugin.call("count_json", "{}")


def test_kit_sources_exist() -> None:
    for path in ("guest/c/zerowasm_plugin.h", "guest/zig/zerowasm.zig", "guest/go/pdk.go",
                 "guest/build.py"):
        assert os.path.exists(os.path.join(REPO, path)), path
