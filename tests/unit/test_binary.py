"""The binary decoder: sections, names, custom sections, malformed input."""

from __future__ import annotations

import pytest

import zerowasm
from wat import wat
from zerowasm._binary import decode_body, decode_module
from zerowasm._opcodes import Op

PREAMBLE = b"\x00asm\x01\x00\x00\x00"


def test_sections_and_index_spaces() -> None:
    module = decode_module(wat("""
      (module
        (import "env" "f" (func $imported (param i32)))
        (import "env" "g" (global i32))
        (func $add (export "add") (param i32 i32) (result i32)
          local.get 0 local.get 1 i32.add)
        (table 2 funcref) (memory 1 3)
        (global $g (mut i64) (i64.const -1))
        (elem (i32.const 0) $add)
        (data (i32.const 8) "hi"))""", "--debug-names"))
    assert module.imported_function_count == 1
    assert len(module.function_types) == 2
    assert str(module.function_type(1)) == "FunctionType([i32, i32] -> [i32])"
    assert module.memories[0].limits == zerowasm.Limits(1, 3)
    assert module.global_inits[0].init == [(Op.I64_CONST, 0xFFFFFFFFFFFFFFFF)]
    assert module.datas[0].init == b"hi"
    assert module.names.functions == {0: "imported", 1: "add"}
    function = module.functions[0]
    instructions, offsets = decode_body(function.code, function.offset)
    assert instructions == [(Op.LOCAL_GET, 0), (Op.LOCAL_GET, 1), (Op.I32_ADD,), (Op.END,)]
    assert offsets[0] == function.offset


def test_custom_sections_are_kept() -> None:
    name = b"hello"
    payload = bytes([len(name)]) + name + b"\x01\x02\x03"
    module = decode_module(PREAMBLE + b"\x00" + bytes([len(payload)]) + payload)
    assert [(c.name, c.data) for c in module.custom_sections] == [("hello", b"\x01\x02\x03")]
    compiled = zerowasm.Runtime().compile(PREAMBLE + b"\x00" + bytes([len(payload)]) + payload)
    assert compiled.custom_sections[0].name == "hello"


@pytest.mark.parametrize("data, message", [
    (b"", "unexpected end"),
    (b"\x00asn\x01\x00\x00\x00", "magic header not detected"),
    (b"\x00asm\x02\x00\x00\x00", "unknown binary version"),
    (PREAMBLE + b"\x0e\x01\x00", "malformed section id"),
    (PREAMBLE + b"\x01\x07\x02\x60\x00\x00", "length out of bounds"),
    (PREAMBLE + b"\x05\x03\x01\x02\x00", "integer too large"),
    (PREAMBLE + b"\x03\x02\x01\x00", "function and code section have inconsistent lengths"),
    (PREAMBLE + b"\x01\x04\x01\x60\x00\x00\x01\x04\x01\x60\x00\x00",
     "unexpected content after last section"),
    (PREAMBLE + b"\x05\x07\x01\x00\x82\x80\x80\x80\x80\x00", "integer representation too long"),
    (PREAMBLE + b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x05\x01\x03\x00\xff\x0b",
     "illegal opcode"),
])
def test_malformed(data: bytes, message: str) -> None:
    with pytest.raises(zerowasm.DecodeError) as info:
        zerowasm.Runtime().compile(data)
    assert info.value.message == message
    assert str(info.value).startswith(message)


def test_error_names_offset_and_section() -> None:
    with pytest.raises(zerowasm.DecodeError) as info:
        decode_module(PREAMBLE + b"\x05\x03\x01\x02\x00")
    assert info.value.section == "memory"
    assert info.value.offset == 11
    assert "section memory" in str(info.value) and "0xb" in str(info.value)


def test_not_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        decode_module("(module)")  # type: ignore[arg-type]
