"""The public API: compile, instantiate, call, host functions, store objects, errors."""

from __future__ import annotations

import struct
import threading

import pytest

import zerowasm
from wat import wat
from zerowasm import F32, F64, FUNCREF, I32, I64, FunctionType, GlobalType, Limits


def instance_of(text: str, imports: object = None, config: object = None) -> zerowasm.Instance:
    rt = zerowasm.Runtime(config)  # type: ignore[arg-type]
    return rt.instantiate(rt.compile(wat(text, "--debug-names")), imports)  # type: ignore[arg-type]


ARITH = """
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "fadd") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
  (func (export "dadd") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)
  (func (export "swap") (param i32 f64) (result f64 i32) local.get 1 local.get 0)
  (func (export "nothing")))
"""


def test_values_cross_as_python_ints_and_floats() -> None:
    exports = instance_of(ARITH).exports
    assert exports["add"](2, 3) == 5
    assert exports.add(0x7FFFFFFF, 1) == -0x80000000          # results are signed
    assert exports.add(0xFFFFFFFF, 0) == -1                    # arguments: unsigned range too
    assert exports.add64(-1, -1) == -2
    assert exports.add64(0xFFFFFFFFFFFFFFFF, 2) == 1
    assert exports.fadd(0.1, 0.2) == struct.unpack("<f", struct.pack("<f", 0.1 + 0.2))[0]
    assert exports.dadd(0.1, 0.2) == 0.1 + 0.2
    assert exports.swap(7, 2.5) == (2.5, 7)                    # several results: a tuple
    assert exports.nothing() is None


def test_wrong_arguments_are_type_errors() -> None:
    exports = instance_of(ARITH).exports
    with pytest.raises(TypeError):
        exports.add(1)
    with pytest.raises(TypeError):
        exports.add(1, 2, 3)
    with pytest.raises(TypeError):
        exports.add("1", 2)
    with pytest.raises(TypeError):
        exports.dadd(None, 1.0)
    with pytest.raises(OverflowError):
        exports.add(2**32, 0)


def test_module_describes_imports_and_exports() -> None:
    module = zerowasm.Runtime().compile(wat("""
      (module (import "env" "log" (func (param i32)))
              (memory (export "mem") 1 2)
              (global (export "g") (mut i64) (i64.const 0)))"""))
    assert [(i.module, i.name, i.type) for i in module.imports] == [
        ("env", "log", FunctionType([I32], []))]
    exports = {e.name: e.type for e in module.exports}
    assert exports["mem"] == zerowasm.MemoryType(Limits(1, 2))
    assert exports["g"] == GlobalType(I64, True)


HOST = """
(module
  (import "env" "double" (func $double (param i32) (result i32)))
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "run") (param i32) (result i32)
    i32.const 16 i32.const 5 call $log
    local.get 0 call $double))
"""


def test_host_functions_plain_typed_and_with_caller() -> None:
    seen = []

    def log(caller: zerowasm.Instance, ptr: int, length: int) -> None:
        seen.append(caller.memory.read(ptr, length))

    imports = {"env": {
        "double": lambda x: x * 2,                        # signature from the import
        "log": zerowasm.Function(FunctionType([I32, I32], []), log, with_caller=True),
    }}
    inst = instance_of(HOST, imports)
    assert inst.exports.run(21) == 42
    assert inst.exports.run(-4) == -8                      # host sees signed values
    assert seen == [b"hello", b"hello"]


def test_host_function_from_type_hints() -> None:
    @zerowasm.host_function
    def double(x: zerowasm.I32) -> zerowasm.I32:
        return x * 2

    assert double.type == FunctionType([I32], [I32])

    @zerowasm.host_function(with_caller=True)
    def log(caller: zerowasm.Instance, ptr: i32, length: int) -> None:  # noqa: F821
        pass

    assert log.type == FunctionType([I32, I32], [])
    inst = instance_of(HOST, {"env": {"double": double, "log": log}})
    assert inst.exports.run(5) == 10


def test_host_exceptions_propagate_unchanged() -> None:
    class Boom(Exception):
        pass

    def double(x: int) -> int:
        raise Boom("from the host")

    inst = instance_of(HOST, {"env": {"double": double, "log": lambda p, n: None}})
    with pytest.raises(Boom, match="from the host"):
        inst.exports.run(1)

    def bad_index(x: int) -> int:
        return [][x]                                       # an IndexError of the host's own

    inst = instance_of(HOST, {"env": {"double": bad_index, "log": lambda p, n: None}})
    with pytest.raises(IndexError):
        inst.exports.run(1)


def test_host_result_of_wrong_type_is_a_type_error() -> None:
    inst = instance_of(HOST, {"env": {"double": lambda x: "no", "log": lambda p, n: None}})
    with pytest.raises(TypeError):
        inst.exports.run(1)


TRAPS = """
(module
  (memory 1)
  (func $div (export "div") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_s)
  (func $inner (param i32) (result i32) local.get 0 i32.const 0 call $div)
  (func (export "outer") (result i32) i32.const 7 call $inner)
  (func (export "unreachable") unreachable)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load offset=4)
  (func $rec (export "recurse") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $rec))
"""


@pytest.mark.parametrize("call, kind", [
    (lambda e: e.div(1, 0), zerowasm.TrapKind.INTEGER_DIVIDE_BY_ZERO),
    (lambda e: e.div(-0x80000000, -1), zerowasm.TrapKind.INTEGER_OVERFLOW),
    (lambda e: e.unreachable(), zerowasm.TrapKind.UNREACHABLE),
    (lambda e: e.load(65532), zerowasm.TrapKind.OUT_OF_BOUNDS_MEMORY_ACCESS),
    (lambda e: e.load(0xFFFFFFFF), zerowasm.TrapKind.OUT_OF_BOUNDS_MEMORY_ACCESS),
    (lambda e: e.recurse(0), zerowasm.TrapKind.CALL_STACK_EXHAUSTED),
])
def test_traps(call: object, kind: zerowasm.TrapKind) -> None:
    inst = instance_of(TRAPS)
    with pytest.raises(zerowasm.Trap) as info:
        call(inst.exports)  # type: ignore[operator]
    assert info.value.kind is kind
    assert info.value.message == kind.value
    assert isinstance(info.value, zerowasm.WasmError)
    # the instance stays usable after a trap
    assert inst.exports.div(7, 2) == 3
    assert inst.exports.load(0) == 0


def test_trap_backtrace_names_functions() -> None:
    inst = instance_of(TRAPS)
    with pytest.raises(zerowasm.Trap) as info:
        inst.exports.outer()
    names = [frame.function_name for frame in info.value.frames]
    assert names[:2] == ["div", "inner"]
    assert "wasm backtrace" in str(info.value) and "div" in str(info.value)


def test_call_depth_is_configurable() -> None:
    inst = instance_of(TRAPS, config=zerowasm.RuntimeConfig(max_call_depth=500))
    with pytest.raises(zerowasm.Trap) as info:
        inst.exports.recurse(0)
    assert info.value.kind is zerowasm.TrapKind.CALL_STACK_EXHAUSTED


MEMORY = """
(module
  (import "env" "mem" (memory 1 4))
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u)
  (func (export "store8") (param i32 i32) local.get 0 local.get 1 i32.store8))
"""


def test_host_memory_read_write_grow() -> None:
    memory = zerowasm.Memory(zerowasm.MemoryType(Limits(1, 4)))
    inst = instance_of(MEMORY, {"env": {"mem": memory}})
    memory.write(100, b"\x2a")
    assert inst.exports.load8(100) == 42
    inst.exports.store8(101, 7)
    assert memory.read(100, 2) == b"\x2a\x07"
    assert memory.size == 1 and len(memory.view) == 65536
    assert inst.exports.grow(2) == 1
    assert memory.size == 3 and inst.exports.size() == 3
    inst.exports.store8(3 * 65536 - 1, 9)                  # the guest sees the new pages
    assert memory.read(3 * 65536 - 1, 1) == b"\x09"
    assert memory.grow(1) == 3
    assert inst.exports.grow(1) == -1                      # past the maximum: -1, no trap
    with pytest.raises(IndexError):
        memory.read(4 * 65536 - 1, 2)


def test_memory_cap_from_config() -> None:
    config = zerowasm.RuntimeConfig(max_memory_pages=2)
    inst = instance_of("""(module (memory 1) (func (export "grow") (param i32) (result i32)
                          local.get 0 memory.grow))""", config=config)
    assert inst.exports.grow(1) == 1
    assert inst.exports.grow(1) == -1


def test_host_global_and_table_and_linking() -> None:
    counter = zerowasm.Global(GlobalType(I32, mutable=True), 5)
    table = zerowasm.Table(zerowasm.TableType(FUNCREF, Limits(2)))
    producer = instance_of("""
      (module (func (export "seven") (result i32) i32.const 7)
              (func (export "eight") (result i32) i32.const 8))""")
    table.set(0, producer.exports.seven)
    consumer = instance_of("""
      (module
        (import "env" "counter" (global $c (mut i32)))
        (import "env" "table" (table 2 funcref))
        (import "producer" "eight" (func $eight (result i32)))
        (type $t (func (result i32)))
        (func (export "bump") (result i32)
          global.get $c i32.const 1 i32.add global.set $c global.get $c)
        (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $t))
        (func (export "eight") (result i32) call $eight))""",
        {"env": {"counter": counter, "table": table}, "producer": producer})
    assert consumer.exports.bump() == 6
    assert counter.value == 6
    counter.value = -1
    assert consumer.exports.bump() == 0
    assert consumer.exports.call(0) == 7
    with pytest.raises(zerowasm.Trap) as info:
        consumer.exports.call(1)
    assert info.value.kind is zerowasm.TrapKind.UNINITIALIZED_ELEMENT
    assert consumer.exports.eight() == 8
    immutable = zerowasm.Global(GlobalType(F64), 1.5)
    with pytest.raises(AttributeError):
        immutable.value = 2.0


def test_link_errors() -> None:
    module = zerowasm.Runtime().compile(wat(HOST))
    rt = zerowasm.Runtime()
    with pytest.raises(zerowasm.LinkError, match="unknown import"):
        rt.instantiate(module, {"env": {"double": lambda x: x}})
    wrong = zerowasm.Function(FunctionType([F32], [I32]), lambda x: 0)
    with pytest.raises(zerowasm.LinkError, match="incompatible import type"):
        rt.instantiate(module, {"env": {"double": wrong, "log": lambda a, b: None}})
    with pytest.raises(zerowasm.LinkError, match="incompatible import type"):
        rt.instantiate(module, {"env": {"double": zerowasm.Memory(Limits(1)), "log": print}})


def test_failed_instantiation_keeps_earlier_writes() -> None:
    memory = zerowasm.Memory(Limits(1))
    module = zerowasm.Runtime().compile(wat("""
      (module (import "env" "mem" (memory 1))
              (data (i32.const 0) "ok")
              (data (i32.const 65535) "too long"))"""))
    with pytest.raises(zerowasm.Trap) as info:
        zerowasm.Runtime().instantiate(module, {"env": {"mem": memory}})
    assert info.value.kind is zerowasm.TrapKind.OUT_OF_BOUNDS_MEMORY_ACCESS
    assert memory.read(0, 2) == b"ok"


def test_validation_and_decode_errors() -> None:
    rt = zerowasm.Runtime()
    with pytest.raises(zerowasm.ValidationError) as info:
        rt.compile(wat("(module (func (result i32) i64.const 0))", "--no-check"))
    assert info.value.message.startswith("type mismatch")
    assert info.value.function == 0
    with pytest.raises(zerowasm.DecodeError):
        rt.compile(b"\x00asm\x01\x00\x00")


def test_start_function_runs_and_exports_work_from_threads() -> None:
    calls = []
    inst = instance_of("""
      (module (import "env" "hit" (func $hit))
              (func $start call $hit) (start $start)
              (func (export "sq") (param i64) (result i64) local.get 0 local.get 0 i64.mul))""",
                       {"env": {"hit": lambda: calls.append(1)}})
    assert calls == [1]
    results = []
    threads = [threading.Thread(target=lambda: results.append(inst.exports.sq(12)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [144] * 4


def test_native_reachable_state() -> None:
    memory = zerowasm.Memory(Limits(1))
    if memory.base_address is not None:
        # the reservation never moves: the base stays put across grows
        base = memory.base_address
        memory.grow(3)
        assert memory.base_address == base
    counter = zerowasm.Global(GlobalType(I64, mutable=True), -2, native=True)
    assert counter.address != 0 and counter.value == -2
    assert struct.unpack("<Q", (__import__("ctypes").c_char * 8).from_address(
        counter.address).raw)[0] == 2**64 - 2
    counter.value = 5
    assert counter.cell[0] == 5
    assert zerowasm.Global(GlobalType(I64, mutable=True), 1).address == 0   # a list cell
