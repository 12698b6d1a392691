"""The benchmark cases (issue 6): what is measured on each runtime, and how.

Each case function runs on one peer (a :class:`benchmarks.peers.Peer`, or the
:data:`PYTHON` baseline) and returns ``{case_id: result}`` for the case ids it
produces (a cold load produces both the load time and the time of the first render on
the new instance). A result is a dict:

- ``value``: seconds per operation (bytes for memory cases), scaled to the full
  workload when the peer ran a smaller one; ``lower_bound``: True when the operation
  was cut off by the time limit and ``value`` is that limit;
- ``measured``, ``scale``, ``size``: the raw median, the factor applied, the size run;
- ``reps``, ``min``, ``samples``; ``note``; ``extra`` (sub-timings);
- or ``{"skip": reason}``.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import workloads as wl
from .peers import GraphvizSession, Guest, Peer, QuickJSSession
from .timing import Measurement, Settings, TimeLimit, per_call, per_op, time_limit

__all__ = ["CASES", "CASE_INFO", "Case", "Context", "PYTHON", "PythonBaseline", "run_case"]


class PythonBaseline:
    """Plain Python: the same workloads written in Python, as a baseline."""

    name = "python"
    skip: Optional[str] = None
    pure_python = True
    version = "%d.%d.%d" % sys.version_info[:3]


PYTHON = PythonBaseline()
Result = Dict[str, Any]


class Case:
    """A row of the report."""

    def __init__(self, case_id: str, title: str, group: str, unit: str = "s",
                 detail: str = "") -> None:
        self.id = case_id
        self.title = title
        self.group = group
        self.unit = unit
        self.detail = detail


#: every row, in report order
CASE_INFO: Dict[str, Case] = {}


def _row(case_id: str, title: str, group: str, unit: str = "s", detail: str = "") -> None:
    CASE_INFO[case_id] = Case(case_id, title, group, unit, detail)


_row("runtime_create", "runtime creation", "boundary",
     detail="zerowasm.Runtime(), wasmtime.Engine(), pywasm.core.Runtime()")
_row("load_tiny", "load a tiny module (compile + instantiate)", "boundary",
     detail="guests/tiny.wasm (73 bytes, one function), new runtime each time (untimed)")
_row("call_add", "trivial call add(1, 2)", "boundary", detail="an export called from Python")
_row("host_call", "host call from the guest", "boundary",
     detail="a guest loop calling a Python function 1,000 times; time per host call")
_row("round_trip", "round trip Python -> Wasm -> Python", "boundary",
     detail="an export whose only work is one host call")
_row("read_string", "read a 64-byte string from memory", "boundary",
     detail="the address is known")
_row("read_string_call", "read a 64-byte string, with the call that returns it", "boundary",
     detail="call message_ptr(), then read")
_row("fib", "fib(%d)" % wl.FIB_N, "compute", detail="recursive, i32: call-heavy")
_row("sieve", "sieve(%s)" % format(wl.SIEVE_N, ","), "compute",
     detail="sieve of Eratosthenes: byte loads and stores")
_row("sha256", "sha256 of 1 MiB", "compute", detail="32-bit arithmetic, rotations")
_row("graphviz_render", "graphviz: render a small graph", "real",
     detail="graphviz.wasm (0.9 MB), 10 nodes to SVG with dot, warm instance")
_row("quickjs_eval", "quickjs: evaluate 3 small scripts", "real",
     detail="quickjs.wasm (1.1 MB): a loop, JSON, a sort; warm instance")
_row("load_graphviz_cold", "graphviz.wasm: load cold", "load",
     detail="decode + validate (+ compile) + instantiate, nothing cached")
_row("first_graphviz_cold", "graphviz.wasm: first render after a cold load", "load",
     detail="includes lazy compilation of the functions it runs")
_row("load_graphviz_cache", "graphviz.wasm: load from cache", "load",
     detail="as a new process loading it again")
_row("first_graphviz_cache", "graphviz.wasm: first render after a load from cache", "load")
_row("load_graphviz_again", "graphviz.wasm: load again in the same runtime", "load",
     detail="compile + instantiate with the runtime's in-memory cache")
_row("load_quickjs_cold", "quickjs.wasm: load cold", "load",
     detail="decode + validate (+ compile) + instantiate + _initialize, nothing cached")
_row("first_quickjs_cold", "quickjs.wasm: qjs_init + first eval after a cold load", "load",
     detail="includes lazy compilation of the functions it runs")
_row("load_quickjs_cache", "quickjs.wasm: load from cache", "load")
_row("first_quickjs_cache", "quickjs.wasm: qjs_init + first eval after a load from cache",
     "load")
_row("load_quickjs_again", "quickjs.wasm: load again in the same runtime", "load",
     detail="compile + instantiate (+ _initialize) with the runtime's in-memory cache")
_row("memory_graphviz", "graphviz: peak memory of an instance", "memory", unit="B",
     detail="peak RSS growth of a fresh process: load, instantiate, one render")
_row("memory_quickjs", "quickjs: peak memory of an instance", "memory", unit="B",
     detail="peak RSS growth of a fresh process: load, instantiate, qjs_init, one eval")


class Context:
    """What every case needs: settings, module bytes, per-peer instances, notes."""

    def __init__(self, settings: Settings, sites: List[str]) -> None:
        self.settings = settings
        self.sites = sites
        self.data: Dict[str, Optional[bytes]] = {}
        self.paths: Dict[str, Optional[str]] = {}
        for name, path in (("bench", wl.BENCH_WASM), ("tiny", wl.TINY_WASM)):
            self.paths[name] = path
            with open(path, "rb") as f:
                self.data[name] = f.read()
        for name in wl.REAL_MODULES:
            path = wl.find_real_module(name, sites)
            self.paths[name] = path
            self.data[name] = None
            if path is not None:
                with open(path, "rb") as f:
                    self.data[name] = f.read()
        self._guests: Dict[str, Guest] = {}
        self.tmp = tempfile.mkdtemp(prefix="zerowasm-bench-")
        #: the case ids asked for (None: all)
        self.only: Optional[set] = None

    def wanted(self, case_id: str) -> bool:
        return self.only is None or case_id in self.only

    def close(self) -> None:
        self._guests.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def bench_guest(self, peer: Peer) -> Guest:
        """The instance of guests/bench.wasm on ``peer`` (made once)."""
        guest = self._guests.get(peer.name)
        if guest is None:
            env = {"host_inc": (("i32",), ("i32",), wl.inc)}
            guest = self._guests[peer.name] = peer.load(self.data["bench"], env)  # type: ignore[arg-type]
        return guest

    def missing_module(self, name: str) -> Optional[str]:
        if self.data.get(name) is None:
            dist = wl.REAL_MODULES[name][0]
            return ("%s.wasm not found: install %s (pip install %s), or pass --site with "
                    "a site-packages directory that holds it" % (name, dist, dist))
        return None


def _skip(reason: str) -> Result:
    return {"skip": reason}


def _result(measurement: Measurement, scale: float = 1.0, size: Any = None,
            note: str = "", extra: Optional[Dict[str, Any]] = None) -> Result:
    result: Result = {
        "value": measurement.median * scale, "measured": measurement.median,
        "min": measurement.minimum * scale, "scale": scale, "size": size,
        "reps": len(measurement.samples), "loops": measurement.loops,
        "samples": measurement.samples,
    }
    if note:
        result["note"] = note
    if extra:
        result["extra"] = extra
    return result


def _cut_off(limit: float, note: str = "") -> Result:
    return {"value": limit, "measured": limit, "lower_bound": True, "reps": 0, "scale": 1.0,
            "note": ("cut off after %.0f s" % limit) + ("; " + note if note else "")}


def _is_slow(peer: Any) -> bool:
    """pywasm runs 100-500x slower than the others: it gets smaller or time-limited runs."""
    return getattr(peer, "name", "") == "pywasm"


def _slow_limit(ctx: Context) -> float:
    return 12.0 if ctx.settings.quick else 40.0


# ---- the boundary -------------------------------------------------------------------------

def case_runtime_create(ctx: Context, peer: Any) -> Dict[str, Result]:
    if peer is PYTHON:
        return {"runtime_create": _skip("not applicable")}
    if peer.name == "pwasm":
        return {"runtime_create": _skip("pwasm has no runtime object: a module is decoded "
                                        "and instantiated directly")}
    factory = {"zerowasm": lambda: peer.zw.Runtime, "wasmtime": lambda: peer.wt.Engine,
               "pywasm": lambda: peer.core.Runtime}[peer.name]()
    measurement = per_call("R()", "R = G_R", {"G_R": factory}, ctx.settings)
    return {"runtime_create": _result(measurement)}


def case_load_tiny(ctx: Context, peer: Any) -> Dict[str, Result]:
    if peer is PYTHON:
        return {"load_tiny": _skip("not applicable")}
    data = ctx.data["tiny"]
    measurement = per_op(lambda runtime: peer.load(data, runtime=runtime), ctx.settings,
                         prepare=peer.cold_runtime, warmup=3,
                         repeat=10 if ctx.settings.quick else 40,
                         budget=1.0 if ctx.settings.quick else 3.0)
    return {"load_tiny": _result(measurement)}


def _python_stmts() -> Dict[str, Tuple[str, str, Dict[str, Any]]]:
    memory = bytearray(1 << 16)
    memory[1024:1024 + len(wl.MESSAGE)] = wl.MESSAGE
    return {
        "call_add": ("f(1, 2)", "f = G_f", {"G_f": wl.add}),
        "host_call": ("f(%d)" % HOST_CALLS, "f = G_f", {"G_f": wl.call_host}),
        "round_trip": ("f(7)", "f = G_f", {"G_f": wl.round_trip}),
        "read_string": ("m[p:p + n]", "m = G_m; p = 1024; n = 64", {"G_m": memory}),
        "read_string_call": ("p = g(); m[p:p + n]", "m = G_m; g = G_g; n = 64",
                             {"G_m": memory, "G_g": lambda: 1024}),
    }


#: host calls per call of call_host (pywasm: HOST_CALLS_SLOW)
HOST_CALLS = 1000
HOST_CALLS_SLOW = 100


def case_calls(ctx: Context, peer: Any) -> Dict[str, Result]:
    """The per-call cases, sharing one instance of bench.wasm."""
    results: Dict[str, Result] = {}
    settings = ctx.settings
    if peer is PYTHON:
        for case_id, (stmt, setup, ns) in _python_stmts().items():
            if not ctx.wanted(case_id):
                continue
            measurement = per_call(stmt, setup, ns, settings)
            scale = 1.0 / HOST_CALLS if case_id == "host_call" else 1.0
            results[case_id] = _result(measurement, scale=scale)
        return results
    guest = ctx.bench_guest(peer)
    ptr = guest.func("message_ptr")()
    if guest.read(ptr, 64) != wl.MESSAGE:
        raise AssertionError("%s read the wrong message" % peer.name)
    calls = HOST_CALLS_SLOW if _is_slow(peer) else HOST_CALLS
    if guest.func("call_host")(calls) != calls or guest.func("round_trip")(7) != 8:
        raise AssertionError("%s: host calls give wrong results" % peer.name)
    stmts = {
        "call_add": guest.call_stmt("add", "1, 2"),
        "host_call": guest.call_stmt("call_host", str(calls)),
        "round_trip": guest.call_stmt("round_trip", "7"),
        "read_string": guest.read_stmt(ptr, 64, None),
        "read_string_call": guest.read_stmt(ptr, 64, "message_ptr"),
    }
    for case_id, (stmt, setup, ns) in stmts.items():
        if not ctx.wanted(case_id):
            continue
        measurement = per_call(stmt, setup, ns, settings)
        if case_id == "host_call":
            note = "" if calls == HOST_CALLS else "%d host calls per export call" % calls
            results[case_id] = _result(measurement, scale=1.0 / calls, size=calls, note=note)
        else:
            results[case_id] = _result(measurement)
    return results


# ---- compute ------------------------------------------------------------------------------

#: smaller sizes for pywasm (scaled back to the full size in the report)
SLOW_SIZES = {"fib": 20, "sieve": 10_000, "sha256": 4096}


def _fib_expected(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def case_compute(ctx: Context, peer: Any) -> Dict[str, Result]:
    results: Dict[str, Result] = {}
    settings = ctx.settings
    slow = _is_slow(peer)
    sizes = {"fib": wl.FIB_N, "sieve": wl.SIEVE_N, "sha256": wl.SHA256_SIZE}
    if slow:
        sizes.update(SLOW_SIZES)
    data = wl.sha256_input(sizes["sha256"])
    if peer is PYTHON:
        fib, sieve = wl.fib, wl.sieve

        def sha256(size: int) -> bytes:
            return wl.sha256(data[:size])
    else:
        guest = ctx.bench_guest(peer)
        fib, sieve, sha = guest.func("fib"), guest.func("sieve"), guest.func("sha256")
        guest.write(guest.func("input_ptr")(), data)

        def sha256(size: int) -> bytes:
            return guest.read(sha(size), 32)
    # warm up with small inputs (runtimes that compile a function on its first calls)
    for _ in range(3):
        fib(10), sieve(100), sha256(100)
    expected = {"fib": _fib_expected(sizes["fib"]), "sieve": wl.primes_up_to(sizes["sieve"]),
                "sha256": wl.sha256_expected(sizes["sha256"])}
    runs: Dict[str, Callable[[int], Any]] = {"fib": fib, "sieve": sieve, "sha256": sha256}
    scales = {"fib": wl.fib_calls(wl.FIB_N) / wl.fib_calls(sizes["fib"]),
              "sieve": wl.SIEVE_N / sizes["sieve"],
              "sha256": wl.SHA256_SIZE / sizes["sha256"]}
    notes = {"fib": "ran fib(%s), scaled by the number of calls (x%.0f)",
             "sieve": "ran sieve(%s), scaled linearly (x%.0f)",
             "sha256": "hashed %s bytes, scaled linearly (x%.0f)"}
    for case_id in ("fib", "sieve", "sha256"):
        if not ctx.wanted(case_id):
            continue
        function, size = runs[case_id], sizes[case_id]
        if function(size) != expected[case_id]:
            raise AssertionError("%s: %s(%s) gives a wrong result" % (peer.name, case_id, size))
        scale = scales[case_id] if slow else 1.0
        repeat = (2 if settings.quick else 3) if slow else None
        if case_id == "sha256" and not slow:
            repeat = 2 if settings.quick else 5
        measurement = per_op(lambda _, f=function, s=size: f(s), settings, warmup=0,
                             repeat=repeat)
        note = (notes[case_id] % (format(size, ","), scale)) if slow else ""
        results[case_id] = _result(measurement, scale=scale, size=size, note=note)
    return results


# ---- the real modules ---------------------------------------------------------------------

def _session(kind: str, peer: Peer, data: bytes, runtime: Any = None, module: Any = None,
             start: bool = True) -> Any:
    cls = GraphvizSession if kind == "graphviz" else QuickJSSession
    return cls(peer, data, runtime, module, start=start)


def _operation(kind: str) -> Callable[[Any], None]:
    """One unit of work on a session, checked: a render, or the three scripts."""
    if kind == "graphviz":
        def render(session: Any) -> None:
            wl.check_svg(session.render(wl.DOT_SOURCE))
        return render
    expected = wl.js_expected()

    def evaluate(session: Any) -> None:
        got = [session.eval(code) for code in wl.JS_SCRIPTS]
        if got != expected:
            raise AssertionError("quickjs gave %r, expected %r" % (got, expected))
    return evaluate


def _real_case_id(kind: str) -> str:
    return "graphviz_render" if kind == "graphviz" else "quickjs_eval"


def case_real(ctx: Context, peer: Any, kind: str) -> Dict[str, Result]:
    case_id = _real_case_id(kind)
    if peer is PYTHON:
        return {case_id: _skip("not applicable")}
    missing = ctx.missing_module(kind) or _wasi_missing(peer)
    if missing:
        return {case_id: _skip(missing)}
    data = ctx.data[kind]
    assert data is not None
    operation = _operation(kind)
    slow = _is_slow(peer)
    with peer.disk_cache(None):
        session = _session(kind, peer, data)
        if slow:
            limit = _slow_limit(ctx)
            try:
                measurement = per_op(lambda _: operation(session), ctx.settings, warmup=0,
                                     repeat=1, limit=limit)
            except TimeLimit:
                return {case_id: _cut_off(limit)}
        else:
            measurement = per_op(lambda _: operation(session), ctx.settings,
                                 warmup=2 if ctx.settings.quick else 3)
    return {case_id: _result(measurement)}


def _wasi_missing(peer: Any) -> Optional[str]:
    return getattr(peer, "wasi_error", None)


def case_load(ctx: Context, peer: Any, kind: str, cached: bool) -> Dict[str, Result]:
    """Loads of a real module, then the first operation on the new instance.

    Cold: a new runtime with nothing cached (zerowasm: an empty cache directory once it
    has a cache; pwasm: its on-disk code cache off). From cache: as a new process that
    loaded and ran the module before (see each peer's ``cache_note``).
    The load is compile + instantiate (+ ``_initialize``); the first operation is a
    render, or ``qjs_init`` and the three scripts.
    """
    which = "cache" if cached else "cold"
    load_id, first_id = "load_%s_%s" % (kind, which), "first_%s_%s" % (kind, which)
    if peer is PYTHON:
        return {load_id: _skip("not applicable"), first_id: _skip("not applicable")}
    missing = ctx.missing_module(kind) or _wasi_missing(peer)
    if missing:
        return {load_id: _skip(missing), first_id: _skip(missing)}
    data = ctx.data[kind]
    assert data is not None
    operation = _operation(kind)
    settings = ctx.settings
    slow = _is_slow(peer)
    scenario = peer.cache(data) if cached else None
    if cached and scenario is None:
        reason = ("zerowasm has no compilation cache yet (issue 6, item 2)"
                  if peer.name == "zerowasm" else "%s has no compilation cache" % peer.name)
        return {load_id: _skip(reason), first_id: _skip(reason)}
    repeat = 1 if slow else (2 if settings.quick else 3)
    budget = 10.0 if settings.quick else 30.0
    limit = _slow_limit(ctx) if slow else settings.op_limit
    loads: List[float] = []
    compiles: List[float] = []
    firsts: List[float] = []
    first_cut = False
    cache_dir = os.path.join(ctx.tmp, "code-cache-%s-%s" % (peer.name, kind)) if cached else None
    start = time.perf_counter()
    with peer.disk_cache(cache_dir):
        if scenario is not None and scenario.populate is not None:
            # what a previous process leaves in the cache: a load and a few runs
            warm = _session(kind, peer, data, scenario.populate())
            for _ in range(3):
                operation(warm)
            del warm
        for _ in range(repeat):
            if scenario is not None:
                runtime, state = scenario.prepare()
            else:
                runtime = peer.cold_runtime()
            gc.collect()
            try:
                with time_limit(limit):
                    t0 = time.perf_counter()
                    if scenario is not None:
                        module = scenario.load(state)
                    else:
                        module = peer.compile(runtime, data)
                    t1 = time.perf_counter()
                    session = _session(kind, peer, data, runtime, module, start=False)
                    t2 = time.perf_counter()
            except TimeLimit:
                return {load_id: _cut_off(limit), first_id: _skip("the load did not finish")}
            loads.append(t2 - t0)
            compiles.append(t1 - t0)
            try:
                with time_limit(limit):
                    t3 = time.perf_counter()
                    operation(session.start())
                    firsts.append(time.perf_counter() - t3)
            except TimeLimit:
                first_cut = True
            del session, module
            if time.perf_counter() - start > budget:
                break
    note = (peer.cache_note or "") if cached else ""
    compile_median = Measurement(compiles).median
    load_result = _result(Measurement(loads), note=note,
                          extra={"compile": compile_median,
                                 "instantiate": Measurement(loads).median - compile_median})
    first_result = _cut_off(limit) if first_cut and not firsts else _result(Measurement(firsts))
    return {load_id: load_result, first_id: first_result}


def case_reload(ctx: Context, peer: Any, kind: str) -> Dict[str, Result]:
    """Compile + instantiate a module the same runtime compiled (and ran) before."""
    case_id = "load_%s_again" % kind
    if peer is PYTHON:
        return {case_id: _skip("not applicable")}
    if peer.name != "zerowasm":
        return {case_id: _skip("%s has no in-memory module cache (see the cold load)"
                               % peer.name)}
    missing = ctx.missing_module(kind) or _wasi_missing(peer)
    if missing:
        return {case_id: _skip(missing)}
    if peer.cache_api is None:
        return {case_id: _skip("zerowasm has no compilation cache yet (issue 6, item 2)")}
    data = ctx.data[kind]
    assert data is not None
    operation = _operation(kind)
    runtime = peer.cold_runtime()
    first = _session(kind, peer, data, runtime)
    for _ in range(3):
        operation(first)

    def load(_: Any) -> None:
        _session(kind, peer, data, runtime, runtime.compile(data), start=False)

    measurement = per_op(load, ctx.settings, warmup=1, budget=5.0)
    return {case_id: _result(measurement)}


# ---- memory -------------------------------------------------------------------------------

def case_memory(ctx: Context, peer: Any, kind: str) -> Dict[str, Result]:
    case_id = "memory_%s" % kind
    if peer is PYTHON:
        return {case_id: _skip("not applicable")}
    missing = ctx.missing_module(kind) or _wasi_missing(peer)
    if missing:
        return {case_id: _skip(missing)}
    try:
        import resource  # noqa: F401
    except ImportError:
        return {case_id: _skip("needs the resource module (Unix)")}
    limit = 300.0
    command = [sys.executable, "-m", "benchmarks.memprobe", peer.name, kind,
               ctx.paths[kind] or ""]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    paths = [root, os.path.join(root, "src")] + env.get("PYTHONPATH", "").split(os.pathsep)
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    try:
        completed = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                                   timeout=limit)
    except subprocess.TimeoutExpired:
        return {case_id: _skip("the probe process did not finish within %.0f s" % limit)}
    if completed.returncode != 0:
        tail = (completed.stderr.strip().splitlines() or ["?"])[-1]
        return {case_id: _skip("the probe process failed: %s" % tail)}
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    growth = report["peak_after"] - report["peak_before"]
    return {case_id: {"value": float(growth), "measured": float(growth), "reps": 1,
                      "scale": 1.0, "extra": report}}


# ---- the list -----------------------------------------------------------------------------

#: (name, produced case ids, function(ctx, peer))
CASES: List[Tuple[str, List[str], Callable[[Context, Any], Dict[str, Result]]]] = [
    ("runtime_create", ["runtime_create"], case_runtime_create),
    ("load_tiny", ["load_tiny"], case_load_tiny),
    ("calls", ["call_add", "host_call", "round_trip", "read_string", "read_string_call"],
     case_calls),
    ("compute", ["fib", "sieve", "sha256"], case_compute),
    ("graphviz_render", ["graphviz_render"], lambda c, p: case_real(c, p, "graphviz")),
    ("quickjs_eval", ["quickjs_eval"], lambda c, p: case_real(c, p, "quickjs")),
    ("load_graphviz_cold", ["load_graphviz_cold", "first_graphviz_cold"],
     lambda c, p: case_load(c, p, "graphviz", False)),
    ("load_graphviz_cache", ["load_graphviz_cache", "first_graphviz_cache"],
     lambda c, p: case_load(c, p, "graphviz", True)),
    ("load_graphviz_again", ["load_graphviz_again"], lambda c, p: case_reload(c, p, "graphviz")),
    ("load_quickjs_cold", ["load_quickjs_cold", "first_quickjs_cold"],
     lambda c, p: case_load(c, p, "quickjs", False)),
    ("load_quickjs_cache", ["load_quickjs_cache", "first_quickjs_cache"],
     lambda c, p: case_load(c, p, "quickjs", True)),
    ("load_quickjs_again", ["load_quickjs_again"], lambda c, p: case_reload(c, p, "quickjs")),
    ("memory_graphviz", ["memory_graphviz"], lambda c, p: case_memory(c, p, "graphviz")),
    ("memory_quickjs", ["memory_quickjs"], lambda c, p: case_memory(c, p, "quickjs")),
]


def run_case(ctx: Context, function: Callable[[Context, Any], Dict[str, Result]],
             ids: List[str], peer: Any) -> Dict[str, Result]:
    """Run one case function on one peer; an error becomes a skip with its message."""
    if getattr(peer, "skip", None):
        return {case_id: _skip(peer.skip) for case_id in ids}
    try:
        return function(ctx, peer)
    except TimeLimit as error:
        return {case_id: _skip(str(error)) for case_id in ids}
    except Exception as error:  # a peer that cannot run a case is reported, not fatal
        first_line = str(error).splitlines()[0] if str(error) else ""
        frames = traceback.extract_tb(error.__traceback__)
        where = " (at %s:%d)" % (os.path.basename(frames[-1].filename), frames[-1].lineno) \
            if frames else ""
        message = "%s: %s%s" % (type(error).__name__, first_line, where)
        return {case_id: _skip("failed: " + message) for case_id in ids}
