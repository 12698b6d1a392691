"""The validator (``zerowasm._validate``): each rule of Core 2.0 §3 with a valid and an
invalid case, the spec suite's message texts, error locations, and what is recorded for
the engines (:class:`FunctionInfo`).

Modules are written in the text format and built with ``wat2wasm --no-check`` (from
wabt; these tests are skipped without it), or written as bytes where wat2wasm cannot
express the module.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List

import pytest

from zerowasm._binary import decode_module
from zerowasm._binary.code import decode_body
from zerowasm._errors import DecodeError, ValidationError
from zerowasm._types import F32, I32, I64, ValType
from zerowasm._validate import BlockInfo, FunctionInfo, validate_function, validate_module

WAT2WASM = shutil.which("wat2wasm")
needs_wabt = pytest.mark.skipif(WAT2WASM is None, reason="wat2wasm (wabt) is not installed")


def wasm(text: str) -> bytes:
    """The binary of a text-format module, not checked by wabt."""
    assert WAT2WASM is not None
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "m.wat"
        output = Path(tmp) / "m.wasm"
        source.write_text(text)
        subprocess.run([WAT2WASM, "--no-check", "--debug-names", str(source), "-o", str(output)],
                       check=True, capture_output=True)
        return output.read_bytes()


def validate(text: str) -> List[FunctionInfo]:
    return validate_module(decode_module(wasm(text)))


def assert_invalid(text: str, message: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate(text)
    assert info.value.message.startswith(message), info.value.message
    return info.value


# -- function bodies: valid code ------------------------------------------------------------

VALID_BODIES = [
    # numeric, variables
    "(func (param i32 i64) (result i64) (i64.add (i64.extend_i32_u (local.get 0)) (local.get 1)))",
    "(func (local f32) (local.set 0 (f32.const 1)) (drop (local.tee 0 (f32.const 2))))",
    "(global $g (mut i32) (i32.const 0)) (func (global.set $g (i32.add (global.get $g)"
    " (i32.const 1))))",
    "(func (result i32) (i32.trunc_sat_f64_s (f64.const 1)))",
    "(func (result i64) (i64.extend32_s (i64.const 5)))",
    # memory
    "(memory 1) (func (i32.store8 align=1 (i32.const 0) (i32.load16_u align=2 (i32.const 0))))",
    "(memory 1) (func (result i32) (memory.grow (memory.size)))",
    "(memory 1) (data \"x\") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))"
    " (data.drop 0))",
    "(memory 1) (func (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))"
    " (memory.fill (i32.const 0) (i32.const 1) (i32.const 2)))",
    # control
    "(func (result i32) (block (result i32) (br 0 (i32.const 1))))",
    "(func (result i32) (loop (result i32) (br_if 0 (i32.const 0)) (i32.const 1)))",
    "(func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else"
    " (i32.const 2))))",
    "(func (param i32) (result i32) (block (result i32) (block (result i32)"
    " (br_table 0 1 0 (i32.const 7) (local.get 0)))))",
    "(func (result i32 i64) (i32.const 1) (i64.const 2))",
    "(type $t (func (param i32) (result i32 i32))) (func (result i32 i32) (i32.const 1) (block"
    " (type $t) (i32.const 2)))",
    "(func (param i32) (result i32) (local.get 0) (if (param i32) (result i32) (i32.const 1)"
    " (then) (else (drop) (i32.const 0))))",
    "(func (param i32) (local.get 0) (if (param i32) (local.get 0) (then (drop)) (else (drop))))",
    "(func $f (param i32) (result i32) (call $f (local.get 0)))",
    "(type $t (func (result i32))) (table 1 funcref) (func (result i32) (call_indirect"
    " (type $t) (i32.const 0)))",
    "(func (result i32) (return (i32.const 1)))",
    "(func (result i32) (select (i32.const 1) (i32.const 2) (i32.const 0)))",
    "(func (result externref) (select (result externref) (ref.null extern) (ref.null extern)"
    " (i32.const 0)))",
    "(func (param v128 v128) (result v128) (select (local.get 0) (local.get 1) (i32.const 0)))",
    # stack-polymorphic (unreachable) code
    "(func (result i32) (unreachable) (i32.add))",
    "(func (result i32) (unreachable) (select))",
    "(func (result i64) (unreachable) (select) (i64.add (i64.const 1)))",
    "(func (result i32) (block (result i32) (br 0 (i32.const 1)) (i64.const 0) (drop)))",
    "(func (result i32) (return (i32.const 0)) (br_table 0 0))",
    "(func (block (result f32) (unreachable) (br_table 0 0)) (drop))",
    "(func (result i32) (block (result i32) (unreachable) (br_if 0)))",
    "(func (unreachable) (ref.is_null) (drop))",
    # references and tables
    "(table 2 funcref) (elem declare func $f) (func $f (result i32) (table.grow (ref.func $f)"
    " (i32.const 1)))",
    "(table 2 externref) (func (param externref) (table.set (i32.const 0) (local.get 0))"
    " (table.fill (i32.const 0) (ref.null extern) (i32.const 1)) (drop (table.get (i32.const 0))))",
    "(table $a 1 funcref) (table $b 1 funcref) (elem $e func) (func (table.copy $a $b (i32.const 0)"
    " (i32.const 0) (i32.const 0)) (table.init $b $e (i32.const 0) (i32.const 0) (i32.const 0))"
    " (elem.drop $e)"
    " (drop (table.size $a)))",
    "(func (result i32) (ref.is_null (ref.null func)))",
    "(func $f (export \"f\") (drop (ref.func $f)))",
    "(global funcref (ref.func $f)) (func $f (drop (ref.func $f)))",
]


@needs_wabt
@pytest.mark.parametrize("body", VALID_BODIES)
def test_valid_code(body: str) -> None:
    validate("(module %s)" % body)


# -- function bodies: invalid code ----------------------------------------------------------

INVALID_BODIES = [
    # operand types and counts
    ("(func (result i32) (i32.add (i32.const 1) (i64.const 2)))", "type mismatch"),
    ("(func (i32.add (i32.const 1)) (drop))", "type mismatch"),
    ("(func (i32.const 1))", "type mismatch"),
    ("(func (result i32))", "type mismatch"),
    ("(func (result i32) (i64.const 1))", "type mismatch"),
    ("(func (local i32) (local.set 0 (f32.const 1)))", "type mismatch"),
    ("(func (drop))", "type mismatch"),
    ("(func (block (i32.const 1)))", "type mismatch"),
    ("(func (i32.const 1) (block (drop)))", "type mismatch"),
    ("(func (result i64) (unreachable) (i64.eqz))", "type mismatch"),
    ("(func (unreachable) (i32.const 0))", "type mismatch"),
    ("(func (result i32) (unreachable) (i64.const 0) (i32.const 0) (select))", "type mismatch"),
    # indices
    ("(func (drop (local.get 2)))", "unknown local"),
    ("(func (param i32) (local.set 1 (i32.const 0)))", "unknown local"),
    ("(func (drop (global.get 0)))", "unknown global"),
    ("(func (call 3))", "unknown function"),
    ("(func (br 1))", "unknown label"),
    ("(func (block (br_if 2 (i32.const 0))))", "unknown label"),
    ("(func (block (br_table 0 5 (i32.const 0))))", "unknown label"),
    ("(func (drop (i32.load (i32.const 0))))", "unknown memory"),
    ("(func (drop (memory.size)))", "unknown memory"),
    ("(func (drop (table.get 0 (i32.const 0))))", "unknown table"),
    ("(type $t (func)) (func (call_indirect (type $t) (i32.const 0)))", "unknown table"),
    ("(memory 1) (data \"\") (func (data.drop 3))", "unknown data segment"),
    ("(table 1 funcref) (func (elem.drop 0))", "unknown elem segment"),
    # globals, alignment, results
    ("(global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))", "global is immutable"),
    ("(memory 1) (func (drop (i32.load align=8 (i32.const 0))))",
     "alignment must not be larger than natural"),
    ("(memory 1) (func (i64.store16 align=4 (i32.const 0) (i64.const 0)))",
     "alignment must not be larger than natural"),
    ("(func (select (result) (nop) (nop) (i32.const 1)))", "invalid result arity"),
    ("(func (result i32 i32) (select (result i32 i32) (i32.const 0) (i32.const 0)"
     " (i32.const 0) (i32.const 0) (i32.const 1)))", "invalid result arity"),
    # select without a type only for numeric (and vector) operands
    ("(func (drop (select (ref.null func) (ref.null func) (i32.const 1))))", "type mismatch"),
    ("(func (drop (select (i32.const 1) (i64.const 1) (i32.const 1))))", "type mismatch"),
    # control
    ("(func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1))))",
     "type mismatch"),
    ("(func (block (result i32) (block (br_table 0 1 (i32.const 0)))) (drop))", "type mismatch"),
    ("(func (block (result i32) (br 0)) (drop))", "type mismatch"),
    ("(func (result i32) (return))", "type mismatch"),
    ("(func (param i32) (result i32) (local.get 0) (loop (param i32) (result i32)"
     " (br 0 (i64.const 1))))", "type mismatch"),
    ("(func (result i32) (block (result i32) (br_if 0 (f32.const 0)"
     " (i32.const 0))))", "type mismatch"),
    ("(func (block (br_if 0 (i64.const 0))))", "type mismatch"),
    # calls and tables
    ("(func $f (param i32) (call $f (i64.const 0)))", "type mismatch"),
    ("(type $t (func)) (table 1 externref) (func (call_indirect (type $t)"
     " (i32.const 0)))", "type mismatch"),
    ("(type $t (func (param i32))) (table 1 funcref) (func (call_indirect (type $t)"
     " (i32.const 0)))",
     "type mismatch"),
    ("(table 1 funcref) (func (table.set (i32.const 0) (ref.null extern)))", "type mismatch"),
    ("(table $a 1 funcref) (table $b 1 externref) (func (table.copy $a $b (i32.const 0)"
     " (i32.const 0) (i32.const 0)))", "type mismatch"),
    ("(table 1 externref) (elem $e func) (func (table.init $e (i32.const 0) (i32.const 0)"
     " (i32.const 0)))",
     "type mismatch"),
    # references
    ("(func (result i32) (ref.is_null (i32.const 0)))", "type mismatch"),
    ("(func $f (drop (ref.func $f)))", "undeclared function reference"),
    ("(func $f (drop (ref.func 7)))", "unknown function"),
    ("(start $f) (func $f (drop (ref.func $f)))", "undeclared function reference"),
]


@needs_wabt
@pytest.mark.parametrize("body,message", INVALID_BODIES)
def test_invalid_code(body: str, message: str) -> None:
    assert_invalid("(module %s)" % body, message)


# -- module-level rules --------------------------------------------------------------------

VALID_MODULES = [
    "(memory 0 65536)",
    "(table 0 0xffffffff funcref)",
    "(global (import \"m\" \"g\") i32) (global i32 (global.get 0))",
    "(global (import \"m\" \"g\") i32) (memory 1) (data (global.get 0) \"a\")",
    "(global externref (ref.null extern)) (global f64 (f64.const 1))",
    "(func $f) (table 1 funcref) (elem (i32.const 0) $f)",
    "(table 1 externref) (elem (table 0) (i32.const 0) externref (ref.null extern))",
    "(func $s) (start $s)",
    "(func (export \"a\")) (memory (export \"b\") 1) (global (export \"c\") i32 (i32.const 0))",
    "(data \"passive\")",
]


@needs_wabt
@pytest.mark.parametrize("text", VALID_MODULES)
def test_valid_module(text: str) -> None:
    validate("(module %s)" % text)


INVALID_MODULES = [
    ("(memory 2 1)", "size minimum must not be greater than maximum"),
    ("(table 2 1 funcref)", "size minimum must not be greater than maximum"),
    ("(memory 65537)", "memory size must be at most 65536 pages (4GiB)"),
    ("(memory 0 65537)", "memory size must be at most 65536 pages (4GiB)"),
    ("(import \"m\" \"mem\" (memory 1 0))", "size minimum must not be greater than maximum"),
    ("(memory 1) (memory 1)", "multiple memories"),
    ("(import \"m\" \"mem\" (memory 1)) (memory 1)", "multiple memories"),
    # constant expressions
    ("(global i32 (i32.add (i32.const 1) (i32.const 2)))", "constant expression required"),
    ("(global i32 (i32.const 0) (nop))", "constant expression required"),
    ("(global i32 (f32.const 0))", "type mismatch"),
    ("(global i32 (i32.const 0) (i32.const 0))", "type mismatch"),
    ("(global i32)", "type mismatch"),
    ("(global i32 (i32.const 0)) (global i32 (global.get 0))", "unknown global"),
    ("(global (import \"m\" \"g\") (mut i32)) (global i32 (global.get 0))",
     "constant expression required"),
    ("(memory 1) (global i32 (i32.const 0)) (data (global.get 0) \"a\")", "unknown global"),
    ("(memory 1) (data (i64.const 0) \"a\")", "type mismatch"),
    ("(global funcref (ref.func 3))", "unknown function"),
    # segments
    ("(data (i32.const 0) \"a\")", "unknown memory"),
    ("(func $f) (elem (i32.const 0) $f)", "unknown table"),
    ("(table 1 externref) (func $f) (elem (i32.const 0) func $f)", "type mismatch"),
    ("(table 1 funcref) (elem (i32.const 0) funcref (ref.null extern))", "type mismatch"),
    ("(table 1 funcref) (elem (i32.const 0) funcref (i32.const 0))", "type mismatch"),
    ("(table 1 funcref) (elem (i32.const 0) funcref (ref.func 9))", "unknown function"),
    # start and exports
    ("(start 0)", "unknown function"),
    ("(func $s (param i32)) (start $s)", "start function"),
    ("(func $s (result i32) (i32.const 0)) (start $s)", "start function"),
    ("(func (export \"a\")) (func (export \"a\"))", "duplicate export name"),
    ("(func (export \"a\")) (memory (export \"a\") 1)", "duplicate export name"),
    ("(export \"a\" (func 0))", "unknown function"),
    ("(export \"a\" (global 0))", "unknown global"),
    ("(export \"a\" (table 0))", "unknown table"),
    ("(export \"a\" (memory 0))", "unknown memory"),
]


@needs_wabt
@pytest.mark.parametrize("text,message", INVALID_MODULES)
def test_invalid_module(text: str, message: str) -> None:
    assert_invalid("(module %s)" % text, message)


def _section(section_id: int, payload: bytes) -> bytes:
    assert len(payload) < 128
    return bytes([section_id, len(payload)]) + payload


HEADER = b"\x00asm\x01\x00\x00\x00"


def _one_function(code: bytes, function_type: int = 0) -> bytes:
    """A module with type [] -> [], one table and one function of body ``code``."""
    body = bytes([len(code) + 1, 0]) + code
    return (HEADER + _section(1, b"\x01\x60\x00\x00") + _section(3, bytes([1, function_type]))
            + _section(4, b"\x01\x70\x00\x01") + _section(10, b"\x01" + body))


@pytest.mark.parametrize("module", [
    _one_function(b"\x0b", function_type=5),          # the function's own type
    _one_function(b"\x02\x09\x0b\x0b"),                # block (type 9)
    _one_function(b"\x41\x00\x11\x07\x00\x0b"),          # call_indirect (type 7)
], ids=["function", "block", "call_indirect"])
def test_unknown_type(module: bytes) -> None:
    """Type indices out of range (bytes: wat2wasm drops or refuses them)."""
    with pytest.raises(ValidationError) as info:
        validate_module(decode_module(module))
    assert info.value.message.startswith("unknown type")


@pytest.mark.parametrize("code", [b"\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b",
                                  b"\xfc\x09\x00\x0b"])
def test_data_count_section_required(code: bytes) -> None:
    """memory.init/data.drop without a data count section is malformed (spec binary.wast)."""
    body = bytes([len(code) + 1, 0]) + code
    module = (HEADER + _section(1, b"\x01\x60\x00\x00") + _section(3, b"\x01\x00")
              + _section(5, b"\x01\x00\x00") + _section(10, b"\x01" + body)
              + _section(11, b"\x01\x01\x00"))
    with pytest.raises(DecodeError) as info:
        validate_module(decode_module(module))
    assert info.value.message == "data count section required"


# -- error locations -----------------------------------------------------------------------

@needs_wabt
def test_error_names_function_and_offset() -> None:
    data = wasm("(module (import \"m\" \"f\" (func)) (func $ok) (func $bad (result i32)"
                " (i32.const 1) (i64.const 2) (i32.add)))")
    module = decode_module(data)
    with pytest.raises(ValidationError) as info:
        validate_module(module)
    error = info.value
    assert error.message.startswith("type mismatch")
    assert error.function == 2
    assert error.function_name == "$bad" or error.function_name == "bad"
    code, offsets = decode_body(module.functions[1].code, module.functions[1].offset)
    assert error.offset == offsets[2]                      # the i32.add
    assert data[error.offset] == 0x6A
    assert "i32.add" in str(error) and "function 2" in str(error)


@needs_wabt
def test_module_error_says_where() -> None:
    error = assert_invalid("(module (global i32 (i32.const 0)) (global i64 (i32.const 0)))",
                           "type mismatch")
    assert "global 1" in str(error)


# -- what is recorded for the engines ------------------------------------------------------

@needs_wabt
def test_function_info() -> None:
    infos = validate("""(module (func (param i32) (result i32) (local i64)
        i32.const 1            ;; 0
        block (result i32)     ;; 1
          local.get 0          ;; 2
          local.get 0          ;; 3
          br_if 0              ;; 4
        end                    ;; 5
        loop                   ;; 6
        end                    ;; 7
        if (result i32)        ;; 8
          i32.const 2          ;; 9
        else                   ;; 10
          i32.const 3          ;; 11
        end                    ;; 12
        i32.add))              ;; 13, end 14
    """)
    assert len(infos) == 1
    info = infos[0]
    assert isinstance(info, FunctionInfo)
    assert info.locals == (I32, I64)
    assert info.max_height == 3
    blocks = info.blocks
    assert sorted(blocks) == [-1, 1, 6, 8]
    assert all(isinstance(b, BlockInfo) for b in blocks.values())
    body = blocks[-1]
    assert (body.kind, body.start, body.end, body.params, body.results, body.height) == (
        "function", -1, 14, (), (I32,), 0)
    block = blocks[1]
    assert (block.kind, block.end, block.else_, block.params, block.results, block.height,
            block.branched) == ("block", 5, -1, (), (I32,), 1, True)
    loop = blocks[6]
    assert (loop.kind, loop.end, loop.height, loop.branched) == ("loop", 7, 2, False)
    if_ = blocks[8]
    assert (if_.kind, if_.else_, if_.end, if_.results, if_.height, if_.branched) == (
        "if", 10, 12, (I32,), 1, False)
    assert all(isinstance(t, ValType) for b in blocks.values() for t in b.params + b.results)


@needs_wabt
def test_function_info_multi_value_blocks_and_branches() -> None:
    infos = validate("""(module
      (type $t (func (param i32 f32) (result i64)))
      (func (result i64)
        i64.const 9            ;; 0
        i32.const 1            ;; 1
        f32.const 2            ;; 2
        loop (type $t)         ;; 3   height 1 (below its two parameters)
          br 0                 ;; 4   branch back to the loop
        end                    ;; 5
        i64.add                ;; 6
        block (result i64)     ;; 7
          i64.const 1          ;; 8
          i32.const 0          ;; 9
          br_table 0 1 0       ;; 10  targets the block and the function
        end                    ;; 11
        drop))                 ;; 12, end 13
    """)
    blocks = infos[0].blocks
    loop = blocks[3]
    assert (loop.kind, loop.params, loop.results, loop.height, loop.branched, loop.end) == (
        "loop", (I32, F32), (I64,), 1, True, 5)
    assert blocks[7].branched and blocks[-1].branched
    assert (blocks[7].height, blocks[7].end, blocks[-1].end) == (1, 11, 13)
    assert infos[0].max_height == 3


@needs_wabt
def test_validate_function_on_its_own() -> None:
    module = decode_module(wasm("(module (import \"m\" \"f\" (func)) (func) (func (result i32)"
                                " (block (result i32) (i32.const 4))))"))
    info = validate_function(module, 1)
    assert sorted(info.blocks) == [-1, 0]
    assert info.blocks[0].results == (I32,)
    with pytest.raises(IndexError):
        validate_function(module, 2)


@needs_wabt
def test_one_info_per_defined_function() -> None:
    infos = validate("(module (import \"m\" \"f\" (func)) (func)"
                     " (func (param f32) (local i32 i32)))")
    assert [info.locals for info in infos] == [(), (F32, I32, I32)]
