"""Headline numbers of the native tier against wasmtime-py (not a test: run it).

    python tests/native/bench_native.py [rounds]

fib(25) (recursive calls), a 10M-iteration loop, ``add(1, 2)`` called from Python and a
host function called from the guest, each on zerowasm's native tier, zerowasm's Python
tier (the slow ones with fewer repetitions) and wasmtime-py, interleaved in one process;
the best time of ``rounds`` rounds is reported with the ratio to wasmtime.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict

WAT = """
(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else local.get 0 i32.const 1 i32.sub call $fib
         local.get 0 i32.const 2 i32.sub call $fib i32.add end)
  (func (export "loop") (param i32) (result i32) (local i32)
    block loop local.get 0 i32.eqz br_if 1
      local.get 1 local.get 0 i32.xor i32.const 3 i32.add local.set 1
      local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end local.get 1)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "calls") (param i32) (result i32) (local i32)
    block loop local.get 0 i32.eqz br_if 1
      local.get 0 call $host local.get 1 i32.add local.set 1
      local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end local.get 1)
)
"""


def _wasm() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "b.wat")
        with open(source, "w") as f:
            f.write(WAT)
        subprocess.run(["wat2wasm", source, "-o", os.path.join(tmp, "b.wasm")], check=True)
        with open(os.path.join(tmp, "b.wasm"), "rb") as f:
            return f.read()


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _zerowasm(wasm: bytes, tier: str) -> Dict[str, Any]:
    import zerowasm
    rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier=tier))
    inst = rt.instantiate(rt.compile(wasm), {"env": {"host": lambda x: x}})
    return dict(inst.exports)


def _wasmtime(wasm: bytes) -> Dict[str, Any]:
    import wasmtime
    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, wasm)
    host = wasmtime.Func(store, wasmtime.FuncType([wasmtime.ValType.i32()],
                                                  [wasmtime.ValType.i32()]),
                         lambda x: x)
    inst = wasmtime.Instance(store, module, [host])
    exports = inst.exports(store)
    return {name: (lambda f: (lambda *a: f(store, *a)))(exports[name])
            for name in ("fib", "loop", "add", "calls")}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    wasm = _wasm()
    engines = {"native": _zerowasm(wasm, "native"), "python": _zerowasm(wasm, "python")}
    try:
        engines["wasmtime"] = _wasmtime(wasm)
    except ImportError:
        print("wasmtime not installed: pip install wasmtime")
    calls = 100_000
    work = {
        "fib(25)": (lambda e: e["fib"](25), 1.0, 1),
        "loop 10M": (lambda e: e["loop"](10_000_000), 1.0, 1),
        "add(1,2) from Python": (lambda e: [e["add"](1, 2) for _ in range(calls)], 1e9 / calls, 1),
        "host call from the guest": (lambda e: e["calls"](calls), 1e9 / calls, 1),
    }
    slow = {"python": {"fib(25)": lambda e: e["fib"](18), "loop 10M": lambda e: e["loop"](100_000)}}
    scale = {"fib(25)": 121393 / 4181, "loop 10M": 100.0}
    results: Dict[str, Dict[str, float]] = {name: {} for name in work}
    for _ in range(rounds):
        for engine, exports in engines.items():
            for name, (fn, factor, _) in work.items():
                run = fn
                extra = 1.0
                if name in slow.get(engine, {}):
                    run = slow[engine][name]
                    extra = scale[name]
                t = _best(lambda: run(exports), 1) * factor * extra
                results[name][engine] = min(results[name].get(engine, float("inf")), t)
    print("%-26s %14s %14s %14s %10s" % ("", "native", "python tier", "wasmtime", "native/wt"))
    for name, row in results.items():
        unit = "ns" if "call" in name or "add" in name else "ms"
        mult = 1.0 if unit == "ns" else 1e3

        def show(v: float) -> str:
            return "%.1f %s" % (v * mult, unit) if v == v else "-"
        ratio = row["native"] / row["wasmtime"] if "wasmtime" in row else float("nan")
        print("%-26s %14s %14s %14s %9.2fx"
              % (name, show(row["native"]), show(row.get("python", float("nan"))),
                 show(row.get("wasmtime", float("nan"))), ratio))


if __name__ == "__main__":
    main()
