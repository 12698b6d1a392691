"""128-bit SIMD outside the spec suite: a C program built scalar and with ``-msimd128``
(sources and build.sh in tests/testdata/simd) must compute the same results; v128 values
at the API boundary; v128 globals."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

import zerowasm
from wat import wat
from zerowasm import V128, GlobalType
from zerowasm._opcodes import OPCODE_NAMES, VECTOR_OPS
from zerowasm._simd import helper_names, simd_helper

DATA = Path(__file__).resolve().parent.parent / "testdata" / "simd"
BUILDS = ("simd_scalar.wasm", "simd_vector.wasm")


@pytest.fixture(scope="module", params=["python", "native"])
def programs(request: Any) -> Iterator[Dict[str, zerowasm.Instance]]:
    """Both builds, instantiated once per tier (under the native tier the scalar build
    runs as machine code, functions using v128 stay in the Python tier)."""
    if request.param == "python":
        rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="python"))
        yield {name: rt.instantiate(rt.load(str(DATA / name))) for name in BUILDS}
        return
    from zerowasm._engine import native
    from zerowasm._store import globals as globals_module
    from zerowasm._store import table as table_module
    if not native.available():
        pytest.skip("native tier not available here")
    # enabling the native tier is process-wide: restore the defaults afterwards
    saved = (globals_module.NATIVE_CELLS, table_module.ELEMENT_LIST_FACTORY, native._enabled)
    try:
        rt = zerowasm.Runtime(zerowasm.RuntimeConfig(tier="native"))
        yield {name: rt.instantiate(rt.load(str(DATA / name))) for name in BUILDS}
    finally:
        globals_module.NATIVE_CELLS, table_module.ELEMENT_LIST_FACTORY, native._enabled = saved


def _uses_vector_instructions(path: Path) -> int:
    from zerowasm._binary import decode_body, decode_module
    module = decode_module(path.read_bytes())
    count = 0
    for function in module.functions:
        for ins in decode_body(function.code, function.offset)[0]:
            count += ins[0] in VECTOR_OPS
    return count


def test_builds_differ_as_intended() -> None:
    assert _uses_vector_instructions(DATA / "simd_scalar.wasm") == 0
    assert _uses_vector_instructions(DATA / "simd_vector.wasm") > 100


def _run(instance: zerowasm.Instance, seed: int) -> Dict[str, Any]:
    """Call every export on the same input; collect results and output checksums."""
    e = instance.exports
    e.fill(seed)
    memory = instance.exports.memory
    out: Dict[str, Any] = {}
    out["sum_u32"] = [e.sum_u32(n) for n in (0, 1, 7, 16, 1000, 16384)]
    out["sum_bytes"] = [e.sum_bytes(n) for n in (0, 3, 15, 16, 17, 4096, 65536)]
    out["count_greater"] = [e.count_greater(n, t) for n in (5, 1000)
                            for t in (-(1 << 31), -5, 0, 1 << 30)]
    results = []
    for call, args, size in (("brighten", (1000, 7), 1000), ("brighten", (65536, 200), 65536),
                             ("blur3x3", (64, 48), 64 * 48), ("blur3x3", (255, 17), 255 * 17),
                             ("grayscale", (333,), 333), ("grayscale", (16384,), 16384),
                             ("mix_bytes", (65536,), 65536), ("mix_bytes", (40,), 32)):
        getattr(e, call)(*args)
        results.append((call, args, e.checksum_out(size),
                        bytes(memory.read(e.buf_out(), 64))))
    out["buffers"] = results
    out["dot_f32"] = [struct.pack("<f", e.dot_f32(n)) for n in (0, 4, 64, 1024, 32768)]
    return out


@pytest.mark.parametrize("seed", [1, 0xDEADBEEF, 0x12345678])
def test_vector_build_matches_scalar_build(programs: Dict[str, zerowasm.Instance],
                                           seed: int) -> None:
    scalar = _run(programs["simd_scalar.wasm"], seed)
    vector = _run(programs["simd_vector.wasm"], seed)
    assert scalar == vector


def test_sum_matches_python(programs: Dict[str, zerowasm.Instance]) -> None:
    instance = programs["simd_vector.wasm"]
    e = instance.exports
    e.fill(99)
    data = instance.exports.memory.read(e.buf_a(), 65536)
    words = struct.unpack("<16384I", data)
    assert e.sum_u32(16384) == _signed(sum(words) & 0xFFFFFFFF)
    assert e.sum_bytes(65536) == sum(data)
    e.blur3x3(8, 3)
    image = list(data[:24])
    got = instance.exports.memory.read(e.buf_out(), 24)
    for x in range(1, 7):
        s = sum(image[y * 8 + x + d] for y in range(3) for d in (-1, 0, 1))
        assert got[8 + x] == (s * 7282 + 32768) >> 16


def _signed(x: int) -> int:
    return x - (1 << 32) if x >= 1 << 31 else x


# -- the API boundary --------------------------------------------------------------------

VECTORS = """
(module
  (global (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (func (export "add") (param v128 v128) (result v128)
    local.get 0 local.get 1 i32x4.add)
  (func (export "swap") (param v128 i32) (result i32 v128) local.get 1 local.get 0)
  (func (export "bump") (global.set 0 (i32x4.add (global.get 0) (v128.const i32x4 1 1 1 1)))))
"""


def test_v128_crosses_the_boundary_as_an_int() -> None:
    rt = zerowasm.Runtime()
    e = rt.instantiate(rt.compile(wat(VECTORS))).exports
    a = zerowasm.v128_from_lanes("i32x4", [1, -1, 0x7FFFFFFF, 5])
    assert a == 1 | 0xFFFFFFFF << 32 | 0x7FFFFFFF << 64 | 5 << 96
    total = e.add(a, a)
    assert isinstance(total, int) and 0 <= total < 1 << 128
    assert zerowasm.v128_to_lanes(total, "i32x4", signed=True) == (2, -2, -2, 10)
    assert zerowasm.v128_to_lanes(total, "i32x4") == (2, 0xFFFFFFFE, 0xFFFFFFFE, 10)
    # 16 bytes and negative ints (two's complement) are accepted too
    assert e.add(bytes(range(16)), 0) == int.from_bytes(bytes(range(16)), "little")
    assert e.add(-1, 1) == zerowasm.v128_from_lanes("i32x4", [0, -1, -1, -1])
    assert e.swap(7, 3) == (3, 7)
    with pytest.raises(TypeError):
        e.add(1.5, 0)
    with pytest.raises(OverflowError):
        e.add(1 << 128, 0)
    with pytest.raises(ValueError):
        e.add(b"short", 0)


def test_v128_lanes_helpers() -> None:
    v = zerowasm.v128_from_lanes("f32x4", [1.0, -2.5, 0.0, 3.0])
    assert zerowasm.v128_to_lanes(v, "f32x4") == (1.0, -2.5, 0.0, 3.0)
    assert zerowasm.v128_to_lanes(v, "i32x4")[0] == 0x3F800000
    assert zerowasm.v128_to_lanes(zerowasm.v128_from_lanes("i8x16", range(-8, 8)), "i8x16",
                                  signed=True) == tuple(range(-8, 8))
    assert zerowasm.v128_from_lanes("f64x2", [1.0, 2.0]) >> 64 == 0x4000000000000000
    with pytest.raises(ValueError):
        zerowasm.v128_from_lanes("i32x4", [1, 2, 3])
    with pytest.raises(ValueError):
        zerowasm.v128_to_lanes(0, "i128")


@pytest.mark.parametrize("native", [False, True])
def test_v128_globals(native: bool) -> None:
    rt = zerowasm.Runtime()
    instance = rt.instantiate(rt.compile(wat(VECTORS)))
    g = instance.exports.g
    assert zerowasm.v128_to_lanes(g.value) == (1, 2, 3, 4)
    instance.exports.bump()
    assert zerowasm.v128_to_lanes(g.value) == (2, 3, 4, 5)
    g.value = -1
    assert g.value == (1 << 128) - 1
    host = zerowasm.Global(GlobalType(V128, mutable=True), 1 << 127, native=native)
    assert host.value == 1 << 127 and host.address == 0  # a list cell: 128 bits


def test_every_vector_instruction_has_a_name_and_a_handler() -> None:
    from zerowasm._engine.pycompile.handlers import HANDLERS
    assert len(VECTOR_OPS) == 236
    assert all(op in HANDLERS for op in VECTOR_OPS)
    assert all("x" in OPCODE_NAMES[op] or OPCODE_NAMES[op].startswith("v128.")
               for op in VECTOR_OPS)
    for name in helper_names():  # every lazily compiled helper compiles
        assert callable(simd_helper(name))


def test_inspect_reports_simd_use() -> None:
    from zerowasm.wasi._inspect import describe_module
    vector = describe_module((DATA / "simd_vector.wasm").read_bytes())
    scalar = describe_module((DATA / "simd_scalar.wasm").read_bytes())
    assert "simd (188 vector instructions)" in vector.splitlines()[-1]
    assert "simd" not in scalar


# -- the compiler's inline forms against plain Python references ---------------------------

def _lanes(v: int, width: int, signed: bool = False) -> list:
    mask = (1 << width) - 1
    lanes = [(v >> (i * width)) & mask for i in range(128 // width)]
    if signed:
        lanes = [x - (1 << width) if x >> (width - 1) else x for x in lanes]
    return lanes


def _vector(lanes: list, width: int) -> int:
    mask = (1 << width) - 1
    return sum((x & mask) << (i * width) for i, x in enumerate(lanes))


def test_inline_shuffles_extends_and_splat_multiplies() -> None:
    import random
    rng = random.Random(4)
    patterns = [tuple(range(16)), tuple(range(16, 32)), tuple(range(1, 17)),
                (4, 5, 6, 7) + (0,) * 12, (15, 14, 13, 12) * 4, (7, 16, 17, 18) + (31,) * 12,
                tuple(rng.randrange(32) for _ in range(16))]
    patterns += [tuple(sorted(rng.sample(range(32), 3)) * 5 + [9]) for _ in range(5)]
    funcs = []
    for k, lanes in enumerate(patterns):
        funcs.append('(func (export "shuffle%d") (param v128 v128) (result v128) '
                     '(i8x16.shuffle %s (local.get 0) (local.get 1)))'
                     % (k, " ".join(map(str, lanes))))
    for sign in "su":
        for outer in ("low", "high"):
            for inner in ("low", "high"):
                funcs.append(
                    '(func (export "ext_%s_%s_%s") (param v128) (result v128) '
                    '(i32x4.extend_%s_i16x8_%s (i16x8.extend_%s_i8x16_%s (local.get 0))))'
                    % (sign, outer, inner, outer, sign, inner, sign))
    funcs.append('(func (export "mul32") (param v128) (result v128) '
                 '(i32x4.mul (local.get 0) (v128.const i32x4 7282 7282 7282 7282)))')
    funcs.append('(func (export "mul16") (param v128) (result v128) '
                 '(i16x8.mul (local.get 0) (v128.const i16x8 -3 -3 -3 -3 -3 -3 -3 -3)))')
    rt = zerowasm.Runtime()
    e = rt.instantiate(rt.compile(wat("(module %s)" % " ".join(funcs)))).exports
    for _ in range(200):
        a, b = rng.getrandbits(128), rng.getrandbits(128)
        source = a.to_bytes(16, "little") + b.to_bytes(16, "little")
        for k, lanes in enumerate(patterns):
            expected = int.from_bytes(bytes(source[i] for i in lanes), "little")
            assert getattr(e, "shuffle%d" % k)(a, b) == expected, lanes
        for sign in "su":
            bytes_ = _lanes(a, 8, sign == "s")
            for outer in ("low", "high"):
                for inner in ("low", "high"):
                    half = bytes_[8:] if inner == "high" else bytes_[:8]
                    quarter = half[4:] if outer == "high" else half[:4]
                    got = getattr(e, "ext_%s_%s_%s" % (sign, outer, inner))(a)
                    assert got == _vector(quarter, 32)
        assert e.mul32(a) == _vector([x * 7282 for x in _lanes(a, 32)], 32)
        assert e.mul16(a) == _vector([x * -3 for x in _lanes(a, 16)], 16)


@pytest.mark.parametrize("width", [8, 16, 32, 64])
def test_swar_helpers_against_lanes(width: int) -> None:
    import random
    rng = random.Random(width)
    shape = "i%dx%d" % (width, 128 // width)
    mask = (1 << width) - 1
    ops = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y,
           "eq": lambda x, y: -(x == y), "ne": lambda x, y: -(x != y),
           "lt_s": lambda x, y: -(x < y), "gt_s": lambda x, y: -(x > y),
           "le_s": lambda x, y: -(x <= y), "ge_s": lambda x, y: -(x >= y),
           "mul": lambda x, y: x * y}
    unsigned = {"lt_u": lambda x, y: -(x < y), "ge_u": lambda x, y: -(x >= y),
                "min_u": min, "max_u": max, "avgr_u": lambda x, y: (x + y + 1) >> 1}
    signed_minmax = {"min_s": min, "max_s": max}
    for _ in range(300):
        a, b = rng.getrandbits(128), rng.getrandbits(128)
        if rng.random() < 0.3:  # equal lanes and splats too
            b = a ^ (rng.getrandbits(128) & rng.getrandbits(128) & rng.getrandbits(128))
        if rng.random() < 0.2:
            b = (b & mask) * sum(1 << (i * width) for i in range(128 // width))
        sa, sb = _lanes(a, width, True), _lanes(b, width, True)
        ua, ub = _lanes(a, width), _lanes(b, width)
        for name, op in ops.items():
            if name == "mul" and width == 8:
                continue  # there is no i8x16.mul
            expected = _vector([op(x, y) for x, y in zip(sa, sb)], width)
            assert simd_helper("%s_%s" % (shape, name))(a, b) == expected, name
        if width < 64:
            for name, op in unsigned.items():
                if name == "avgr_u" and width > 16:
                    continue
                expected = _vector([op(x, y) for x, y in zip(ua, ub)], width)
                assert simd_helper("%s_%s" % (shape, name))(a, b) == expected, name
            for name, op in signed_minmax.items():
                expected = _vector([op(x, y) for x, y in zip(sa, sb)], width)
                assert simd_helper("%s_%s" % (shape, name))(a, b) == expected, name
        for k in (0, 1, width - 1, width, width + 3):
            assert simd_helper(shape + "_shl")(a, k) == _vector(
                [x << (k % width) for x in ua], width)
            assert simd_helper(shape + "_shr_u")(a, k) == _vector(
                [x >> (k % width) for x in ua], width)
            assert simd_helper(shape + "_shr_s")(a, k) == _vector(
                [x >> (k % width) for x in sa], width)
        assert simd_helper(shape + "_neg")(a) == _vector([-x for x in sa], width)
        assert simd_helper(shape + "_all_true")(a) == int(all(ua))
        assert simd_helper(shape + "_bitmask")(a) == sum(
            (x >> (width - 1)) << i for i, x in enumerate(ua))
