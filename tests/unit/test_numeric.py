"""Tests of zerowasm._numeric: bit-exact Wasm numerics (Spec: Core 2.0 §4.3).

Three layers:

* the spec suite's own numeric scripts (i32, i64, f32, f64, *_bitwise, *_cmp,
  conversions, float_misc), converted with ``wast2json`` and run directly against the
  helpers (each export of those modules wraps a single instruction);
* hand-written tables of the edge cases that are easy to get wrong in Python;
* hypothesis properties against exact references computed with ``fractions.Fraction``.

Everything runs twice: on the module as imported (fast arithmetic tricks) and on a
copy built with its portable fallback forced (what a platform failing the import-time
self-check would use).
"""

from __future__ import annotations

import json
import math
import operator
import os
import shutil
import struct
import subprocess
import types
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zerowasm import _numeric as fast_numeric
from zerowasm._errors import Trap, TrapKind

# --------------------------------------------------------------------------------------
# Fixtures: the two implementations


def _load_fallback() -> types.ModuleType:
    """The module with ``_tricks_hold()`` forced false (portable struct/round forms)."""
    source = Path(fast_numeric.__file__).read_text(encoding="utf-8")
    marker = "if not _tricks_hold():"
    assert source.count(marker) == 1
    source = source.replace(marker, "if True:")
    module = types.ModuleType("zerowasm._numeric_fallback_under_test")
    module.__package__ = "zerowasm"
    module.__file__ = fast_numeric.__file__
    exec(compile(source, fast_numeric.__file__, "exec"), module.__dict__)
    return module


fallback_numeric = _load_fallback()
IMPLEMENTATIONS = {"fast": fast_numeric, "fallback": fallback_numeric}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def N(request):
    return IMPLEMENTATIONS[request.param]


def test_fallback_really_differs():
    assert fallback_numeric.f32_round is fallback_numeric._f32_round_struct
    assert fast_numeric.f32_round is not fast_numeric._f32_round_struct
    assert fast_numeric._tricks_hold()


# --------------------------------------------------------------------------------------
# Independent bit helpers and exact references

_D = struct.Struct("<d")
_Q = struct.Struct("<Q")
_F = struct.Struct("<f")
_I = struct.Struct("<I")

INF = float("inf")
FLT_MAX = _F.unpack(_I.pack(0x7F7FFFFF))[0]
FLT_TRUE_MIN = 2.0 ** -149
MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def dbits(x: float) -> int:
    return _Q.unpack(_D.pack(x))[0]


def dfrom(b: int) -> float:
    return _D.unpack(_Q.pack(b))[0]


def f32rep(b: int) -> float:
    """Independent construction of the internal f32 representation of bits ``b``."""
    if (b & 0x7F800000) == 0x7F800000 and b & 0x7FFFFF:
        return dfrom(((b & 0x80000000) << 32) | 0x7FF0000000000000 | ((b & 0x7FFFFF) << 29))
    return _F.unpack(_I.pack(b))[0]


def is_f32_rep(x: float) -> bool:
    """``x`` is a well-formed internal f32: an exact f32 value or a NaN whose payload
    sits in the top 23 mantissa bits."""
    if x != x:
        return dbits(x) & 0x1FFFFFFF == 0
    if abs(x) == INF:
        return True
    return abs(x) <= FLT_MAX and _F.unpack(_F.pack(x))[0] == x


def s32(x: int) -> int:
    return x - (1 << 32) if x >= 1 << 31 else x


def s64(x: int) -> int:
    return x - (1 << 64) if x >= 1 << 63 else x


def ref_round(q: Fraction, precision: int, emin: int, emax: int) -> float:
    """Round an exact rational to a binary float format, nearest ties-to-even.

    ``precision`` counts the significand bits (hidden bit included); ``emin`` is the
    exponent of the smallest normal, ``emax`` of the largest. Overflow gives +-inf, a
    zero result has the sign of ``q``.
    """
    if q == 0:
        return 0.0
    sign = -1.0 if q < 0 else 1.0
    a = abs(q)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    if Fraction(2) ** (e + 1) <= a:
        e += 1
    e = max(e, emin)
    quantum = Fraction(2) ** (e - precision + 1)
    r = round(a / quantum) * quantum
    if r >= Fraction(2) ** (emax + 1):
        return sign * INF
    return sign * float(r)


def ref_f32(q: Fraction) -> float:
    return ref_round(q, 24, -126, 127)


def ref_f64(q: Fraction) -> float:
    return ref_round(q, 53, -1022, 1023)


def exact_sqrt_for_rounding(x: float) -> Fraction:
    """A rational that rounds (to f32 or f64) exactly as sqrt(x) does, for x > 0."""
    q = Fraction(x)
    n, d = q.numerator, q.denominator  # d is a power of two
    k = d.bit_length() - 1
    m = (k + 300) // 2 + 1  # 2m >= k, and the root keeps >= 150 bits
    big = (n << (2 * m)) // d
    assert (big * d) == (n << (2 * m))
    s = math.isqrt(big)
    if s * s == big:
        return Fraction(s, 1 << m)
    return Fraction(2 * s + 1, 1 << (m + 1))


def same(a: float, b: float) -> bool:
    """Bit-identical floats (distinguishes -0.0 and NaN payloads)."""
    return dbits(a) == dbits(b)


# --------------------------------------------------------------------------------------
# Layer 1: the spec suite's numeric scripts

TESTSUITE = Path(os.environ.get(
    "ZEROWASM_TESTSUITE",
    str(Path(__file__).resolve().parents[3] / "shared" / "testsuite"))) / "spec" / "core-2.0"

SPEC_FILES = {
    # file: prefix put before the export name to find the helper ("" = name has it)
    "i32": "i32_", "i64": "i64_", "f32": "f32_", "f64": "f64_",
    "f32_bitwise": "f32_", "f64_bitwise": "f64_", "f32_cmp": "f32_", "f64_cmp": "f64_",
    "conversions": "", "float_misc": "",
}


def _comparisons(N):
    """The operations that need no helper (plain Python, see the module docstring)."""
    table = {}
    for width, signed in ((32, N.s32), (64, N.s64)):
        p = "i%d_" % width
        table.update({
            p + "and": lambda a, b: a & b, p + "or": lambda a, b: a | b,
            p + "xor": lambda a, b: a ^ b, p + "eqz": lambda a: int(a == 0),
            p + "eq": lambda a, b: int(a == b), p + "ne": lambda a, b: int(a != b),
            p + "lt_u": lambda a, b: int(a < b), p + "le_u": lambda a, b: int(a <= b),
            p + "gt_u": lambda a, b: int(a > b), p + "ge_u": lambda a, b: int(a >= b),
            p + "lt_s": lambda a, b, s=signed: int(s(a) < s(b)),
            p + "le_s": lambda a, b, s=signed: int(s(a) <= s(b)),
            p + "gt_s": lambda a, b, s=signed: int(s(a) > s(b)),
            p + "ge_s": lambda a, b, s=signed: int(s(a) >= s(b)),
        })
    for p in ("f32_", "f64_"):
        table.update({
            p + "eq": lambda a, b: int(a == b), p + "ne": lambda a, b: int(a != b),
            p + "lt": lambda a, b: int(a < b), p + "le": lambda a, b: int(a <= b),
            p + "gt": lambda a, b: int(a > b), p + "ge": lambda a, b: int(a >= b),
        })
    return table


@pytest.fixture(scope="session")
def spec_json_dir(tmp_path_factory):
    if not TESTSUITE.is_dir():
        pytest.skip("spec test suite not found at %s (set ZEROWASM_TESTSUITE)" % TESTSUITE)
    if shutil.which("wast2json") is None:
        pytest.skip("wast2json (wabt) is not installed")
    return tmp_path_factory.mktemp("numeric_spec")


def _load_script(name: str, out_dir: Path) -> list:
    target = out_dir / name / (name + ".json")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["wast2json", str(TESTSUITE / (name + ".wast")), "-o", str(target)],
                       check=True, capture_output=True)
    return json.loads(target.read_text())["commands"]


def _arg(N, value: dict):
    t, v = value["type"], value["value"]
    if t in ("i32", "i64"):
        return int(v)
    if t == "f32":
        return N.f32_from_bits(int(v))
    return N.f64_from_bits(int(v))


def _check_result(N, actual, expected: dict) -> str:
    """'' if ``actual`` matches the script's expectation, else a description."""
    t, v = expected["type"], expected["value"]
    if t in ("i32", "i64"):
        limit = 1 << int(t[1:])
        if type(actual) is not int or not 0 <= actual < limit:
            return "not an unsigned %s: %r" % (t, actual)
        return "" if actual == int(v) else "got %d" % actual
    if type(actual) is not float:
        return "not a float: %r" % (actual,)
    if t == "f32":
        if not is_f32_rep(actual):
            return "not a well-formed f32 representation: %#x" % dbits(actual)
        bits, width = N.f32_to_bits(actual), 32
    else:
        bits, width = dbits(actual), 64
    quiet = 1 << (22 if width == 32 else 51)
    exponent = (0xFF << 23) if width == 32 else (0x7FF << 52)
    payload = quiet - 1
    is_nan = bits & exponent == exponent and bits & (quiet | payload)
    if v == "nan:canonical":
        ok = is_nan and bits & (quiet | payload) == quiet
    elif v == "nan:arithmetic":
        ok = is_nan and bits & quiet
    else:
        ok = bits == int(v)
    return "" if ok else "got bits %#x" % bits


@pytest.mark.parametrize("script", sorted(SPEC_FILES))
def test_spec_script(N, script, spec_json_dir):
    """Every assert_return/assert_trap of the script, run against the helpers."""
    commands = _load_script(script, spec_json_dir)
    extra = _comparisons(N)
    failures, checked, unknown = [], 0, set()
    for command in commands:
        kind = command["type"]
        if kind not in ("assert_return", "assert_trap"):
            continue
        action = command["action"]
        assert action["type"] == "invoke"
        name = SPEC_FILES[script] + action["field"].replace(".", "_")
        fn = N.NUMERIC_HELPERS.get(name) or extra.get(name)
        if fn is None:
            unknown.add(name)
            continue
        args = [_arg(N, a) for a in action["args"]]
        where = "%s.wast:%d %s%r" % (script, command["line"], name,
                                     tuple(a["value"] for a in action["args"]))
        checked += 1
        if kind == "assert_trap":
            try:
                result = fn(*args)
            except Trap as trap:
                if trap.kind.value != command["text"]:
                    failures.append("%s: trapped %r, expected %r"
                                    % (where, trap.kind.value, command["text"]))
            else:
                failures.append("%s: returned %r, expected trap %r"
                                % (where, result, command["text"]))
            continue
        try:
            result = fn(*args)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append("%s: raised %r" % (where, error))
            continue
        (expected,) = command["expected"]
        problem = _check_result(N, result, expected)
        if problem:
            failures.append("%s: %s, expected %s" % (where, problem, expected["value"]))
    assert not unknown, "no helper for: %s" % sorted(unknown)
    assert checked > 50
    assert not failures, "%d of %d failed:\n%s" % (len(failures), checked,
                                                   "\n".join(failures[:40]))


# --------------------------------------------------------------------------------------
# Layer 2: hand-written edge cases

def test_helper_table_is_complete():
    assert set(fast_numeric.NUMERIC_HELPERS) == set(fast_numeric.__all__) - {"NUMERIC_HELPERS"}
    for name, fn in fast_numeric.NUMERIC_HELPERS.items():
        assert callable(fn), name
        assert fn.__doc__ and "Spec: Core 2.0" in fn.__doc__, name


@pytest.mark.parametrize("fn, a, b, expected", [
    ("i32_div_s", 7, 2, 3),
    ("i32_div_s", (-7) & MASK32, 2, (-3) & MASK32),
    ("i32_div_s", 7, (-2) & MASK32, (-3) & MASK32),
    ("i32_div_s", (-7) & MASK32, (-2) & MASK32, 3),
    ("i32_div_s", (-1) & MASK32, 2, 0),
    ("i32_div_s", 0x80000000, 2, 0xC0000000),
    ("i32_div_s", 0x80000001, MASK32, 0x7FFFFFFF),
    ("i32_div_s", 0x80000000, 1, 0x80000000),
    ("i32_rem_s", (-7) & MASK32, 2, MASK32),
    ("i32_rem_s", 7, (-2) & MASK32, 1),
    ("i32_rem_s", (-7) & MASK32, (-2) & MASK32, MASK32),
    ("i32_rem_s", 0x80000000, MASK32, 0),
    ("i32_rem_s", 0x80000000, 2, 0),
    ("i32_div_u", 0x80000000, 2, 0x40000000),
    ("i32_rem_u", 0x80000001, 2, 1),
    ("i64_div_s", 0x8000000000000000, 2, 0xC000000000000000),
    ("i64_div_s", (-7) & MASK64, 2, (-3) & MASK64),
    ("i64_div_s", 0x8000000000000001, MASK64, 0x7FFFFFFFFFFFFFFF),
    ("i64_rem_s", 0x8000000000000000, MASK64, 0),
    ("i64_rem_s", (-7) & MASK64, 2, MASK64),
    ("i64_div_u", MASK64, 2, 0x7FFFFFFFFFFFFFFF),
    ("i64_rem_u", MASK64, 10, 5),
    ("i32_rotl", 0x80000001, 1, 3),
    ("i32_rotl", 0x12345678, 32, 0x12345678),
    ("i32_rotr", 1, 1, 0x80000000),
    ("i32_rotr", 0x12345678, 0xFFFFFFE4, 0x81234567),
    ("i64_rotl", 0x8000000000000001, 65, 3),
    ("i64_rotr", 1, 0xFFFFFFFFFFFFFFFF, 2),
    ("i32_shr_s", 0x80000000, 31, MASK32),
    ("i32_shr_s", 0x80000000, 32, 0x80000000),
    ("i32_shr_s", 0x7FFFFFFF, 33, 0x3FFFFFFF),
    ("i64_shr_s", 0x8000000000000000, 63, MASK64),
    ("i64_shr_s", 0x8000000000000000, 64, 0x8000000000000000),
    ("i32_shl", 1, 33, 2),
    ("i64_shl", 1, 63, 0x8000000000000000),
    ("i32_shr_u", 0x80000000, 63, 1),
    ("i64_shr_u", MASK64, 127, 1),
])
def test_integer_binary_table(fn, a, b, expected):
    assert fast_numeric.NUMERIC_HELPERS[fn](a, b) == expected


@pytest.mark.parametrize("fn, a, b, kind", [
    ("i32_div_s", 1, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
    ("i32_div_s", 0x80000000, MASK32, TrapKind.INTEGER_OVERFLOW),
    ("i32_div_u", 1, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
    ("i32_rem_s", 0x80000000, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
    ("i32_rem_u", 0, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
    ("i64_div_s", 1, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
    ("i64_div_s", 0x8000000000000000, MASK64, TrapKind.INTEGER_OVERFLOW),
    ("i64_div_u", 1, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
    ("i64_rem_s", 1, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
    ("i64_rem_u", 1, 0, TrapKind.INTEGER_DIVIDE_BY_ZERO),
])
def test_integer_traps(fn, a, b, kind):
    with pytest.raises(Trap) as info:
        fast_numeric.NUMERIC_HELPERS[fn](a, b)
    assert info.value.kind is kind
    assert str(info.value) == kind.value


@pytest.mark.parametrize("fn, x, expected", [
    ("i32_clz", 0, 32), ("i32_clz", 1, 31), ("i32_clz", 0x80000000, 0),
    ("i64_clz", 0, 64), ("i64_clz", 1, 63), ("i64_clz", MASK64, 0),
    ("i32_ctz", 0, 32), ("i32_ctz", 0x80000000, 31), ("i32_ctz", 6, 1),
    ("i64_ctz", 0, 64), ("i64_ctz", 0x8000000000000000, 63),
    ("i32_popcnt", 0, 0), ("i32_popcnt", MASK32, 32), ("i32_popcnt", 0x55555555, 16),
    ("i64_popcnt", MASK64, 64), ("i64_popcnt", 0x8000000000000001, 2),
    ("i32_extend8_s", 0x7F, 0x7F), ("i32_extend8_s", 0x80, 0xFFFFFF80),
    ("i32_extend8_s", 0x12345680, 0xFFFFFF80), ("i32_extend16_s", 0x8000, 0xFFFF8000),
    ("i32_extend16_s", 0x12347FFF, 0x7FFF),
    ("i64_extend8_s", 0xFF, MASK64), ("i64_extend16_s", 0x8000, 0xFFFFFFFFFFFF8000),
    ("i64_extend32_s", 0x80000000, 0xFFFFFFFF80000000),
    ("i64_extend32_s", 0x123456787FFFFFFF, 0x7FFFFFFF),
    ("i64_extend_i32_s", 0x80000000, 0xFFFFFFFF80000000),
    ("i64_extend_i32_s", 0x7FFFFFFF, 0x7FFFFFFF),
    ("i64_extend_i32_u", 0x80000000, 0x80000000),
    ("i32_wrap_i64", 0x1234567890ABCDEF, 0x90ABCDEF),
    ("s32", 0xFFFFFFFF, -1), ("s32", 0x80000000, -0x80000000), ("s32", 0x7FFFFFFF, 0x7FFFFFFF),
    ("s64", MASK64, -1), ("s64", 0x8000000000000000, -(1 << 63)), ("s64", 5, 5),
])
def test_integer_unary_table(fn, x, expected):
    assert fast_numeric.NUMERIC_HELPERS[fn](x) == expected


# -- truncation boundaries ------------------------------------------------------------

F32_BELOW_MIN_I32 = -2147483904.0      # the f32 just below -2**31
F32_BELOW_2_31 = 2147483520.0          # the f32 just below 2**31
F64_BELOW_2_63 = 9223372036854774784.0  # the f64 just below 2**63


@pytest.mark.parametrize("fn, x, expected", [
    ("i32_trunc_f32_s", -2147483648.0, 0x80000000),
    ("i32_trunc_f32_s", F32_BELOW_MIN_I32, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f32_s", 2147483648.0, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f32_s", F32_BELOW_2_31, 2147483520),
    ("i32_trunc_f32_s", -0.0, 0), ("i32_trunc_f32_s", -0.9, 0),
    ("i32_trunc_f32_s", -1.5, MASK32),
    ("i32_trunc_f64_s", -2147483648.9, 0x80000000),
    ("i32_trunc_f64_s", -2147483649.0, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f64_s", 2147483647.9, 0x7FFFFFFF),
    ("i32_trunc_f64_s", 2147483648.0, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f64_s", INF, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f64_s", -INF, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f64_s", float("nan"), TrapKind.INVALID_CONVERSION_TO_INTEGER),
    ("i32_trunc_f64_u", -0.9999999999999999, 0),
    ("i32_trunc_f64_u", -1.0, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f64_u", 4294967295.9, MASK32),
    ("i32_trunc_f64_u", 4294967296.0, TrapKind.INTEGER_OVERFLOW),
    ("i32_trunc_f32_u", -0.9, 0), ("i32_trunc_f32_u", 4294967040.0, 4294967040),
    ("i32_trunc_f32_u", 4294967296.0, TrapKind.INTEGER_OVERFLOW),
    ("i64_trunc_f64_s", -9223372036854775808.0, 0x8000000000000000),
    ("i64_trunc_f64_s", -9223372036854777856.0, TrapKind.INTEGER_OVERFLOW),
    ("i64_trunc_f64_s", F64_BELOW_2_63, 9223372036854774784),
    ("i64_trunc_f64_s", 9223372036854775808.0, TrapKind.INTEGER_OVERFLOW),
    ("i64_trunc_f64_s", -1.5, MASK64),
    ("i64_trunc_f32_s", -9223372036854775808.0, 0x8000000000000000),
    ("i64_trunc_f32_s", -9223373136366403584.0, TrapKind.INTEGER_OVERFLOW),
    ("i64_trunc_f64_u", 18446744073709549568.0, 18446744073709549568),
    ("i64_trunc_f64_u", 18446744073709551616.0, TrapKind.INTEGER_OVERFLOW),
    ("i64_trunc_f64_u", -0.9, 0), ("i64_trunc_f64_u", -1.0, TrapKind.INTEGER_OVERFLOW),
    ("i64_trunc_f64_u", float("-nan"), TrapKind.INVALID_CONVERSION_TO_INTEGER),
    ("i32_trunc_sat_f32_s", F32_BELOW_MIN_I32, 0x80000000),
    ("i32_trunc_sat_f32_s", 2147483648.0, 0x7FFFFFFF),
    ("i32_trunc_sat_f64_s", float("nan"), 0), ("i32_trunc_sat_f64_s", -INF, 0x80000000),
    ("i32_trunc_sat_f64_s", -2147483648.9, 0x80000000),
    ("i32_trunc_sat_f64_u", -1.0, 0), ("i32_trunc_sat_f64_u", INF, MASK32),
    ("i32_trunc_sat_f64_u", float("nan"), 0), ("i32_trunc_sat_f64_u", 4294967295.5, MASK32),
    ("i64_trunc_sat_f64_s", INF, 0x7FFFFFFFFFFFFFFF),
    ("i64_trunc_sat_f64_s", -INF, 0x8000000000000000),
    ("i64_trunc_sat_f64_s", -9223372036854775808.0, 0x8000000000000000),
    ("i64_trunc_sat_f64_s", float("nan"), 0),
    ("i64_trunc_sat_f64_u", 1e30, MASK64), ("i64_trunc_sat_f64_u", -1e30, 0),
    ("i64_trunc_sat_f32_u", float("nan"), 0),
])
def test_truncation_table(N, fn, x, expected):
    f = N.NUMERIC_HELPERS[fn]
    if isinstance(expected, TrapKind):
        with pytest.raises(Trap) as info:
            f(x)
        assert info.value.kind is expected
    else:
        assert f(x) == expected


def test_truncation_of_signaling_nan_representation_traps():
    snan = f32rep(0xFFA00001)
    with pytest.raises(Trap) as info:
        fast_numeric.i32_trunc_f32_s(snan)
    assert info.value.kind is TrapKind.INVALID_CONVERSION_TO_INTEGER
    assert fast_numeric.i64_trunc_sat_f32_s(snan) == 0


# -- f32 rounding -----------------------------------------------------------------------

HALF_ULP_AT_MAX = 2.0 ** 103  # half an ulp of FLT_MAX's binade (ulp 2**104)


@pytest.mark.parametrize("x, expected", [
    (0.0, 0.0), (-0.0, -0.0), (1.0, 1.0), (INF, INF), (-INF, -INF),
    (FLT_MAX, FLT_MAX), (-FLT_MAX, -FLT_MAX),
    # just above FLT_MAX: below the half-way point rounds down, the tie goes to even (inf)
    (FLT_MAX + HALF_ULP_AT_MAX / 2, FLT_MAX),
    (dfrom(dbits(FLT_MAX + HALF_ULP_AT_MAX) - 1), FLT_MAX),
    (FLT_MAX + HALF_ULP_AT_MAX, INF),
    (-(FLT_MAX + HALF_ULP_AT_MAX), -INF),
    (1e39, INF), (-1e39, -INF), (1e300, INF), (-1.7976931348623157e308, -INF),
    (1.0 + 2.0 ** -24, 1.0),                    # tie, even is down
    (1.0 + 3 * 2.0 ** -24, 1.0 + 2.0 ** -22),    # tie, even is up
    (1.0 + 2.0 ** -24 + 2.0 ** -52, 1.0 + 2.0 ** -23),
    (2.0 - 2.0 ** -25, 2.0),                    # carries into the next binade
    (0.1, 0.10000000149011612),
    (2.0 ** -126, 2.0 ** -126),                 # smallest normal
    (2.0 ** -126 - 2.0 ** -151, 2.0 ** -126),   # subnormal range rounding up to normal
    (2.0 ** -149, 2.0 ** -149),                 # smallest subnormal
    (2.0 ** -150, 0.0),                         # tie to even: zero
    (-(2.0 ** -150), -0.0),
    (2.0 ** -150 + 2.0 ** -200, 2.0 ** -149),
    (3 * 2.0 ** -150, 2.0 ** -148),             # tie to even: up
    (1e-50, 0.0), (-1e-50, -0.0), (5e-324, 0.0),
    (1.1754942106924411e-38, 1.1754942106924411e-38),  # largest subnormal
])
def test_f32_round_table(N, x, expected):
    assert same(N.f32_round(x), expected)
    assert same(N.f32_demote_f64(x), expected)


def test_f32_round_nan(N):
    quiet = N.f32_round(dfrom(0x7FF8000000000000))
    assert dbits(quiet) == 0x7FF8000000000000
    # a signaling f32 representation comes back quiet with its payload
    assert N.f32_to_bits(N.f32_round(f32rep(0x7FA00001))) == 0x7FE00001
    # a double NaN with low payload bits: cut to an f32 representation, quiet
    out = N.f32_round(dfrom(0xFFF0000000000001))
    assert dbits(out) == 0xFFF8000000000000


# -- float operations -----------------------------------------------------------------

NAN_F64_SIGNALING = dfrom(0x7FF4000000000001)
NAN_F32_SIGNALING = f32rep(0x7FA00001)


@pytest.mark.parametrize("fn, x, expected", [
    ("f64_ceil", -0.5, -0.0), ("f64_ceil", 0.5, 1.0), ("f64_ceil", -0.0, -0.0),
    ("f64_ceil", -1.5, -1.0), ("f64_ceil", 4503599627370495.5, 4503599627370496.0),
    ("f64_ceil", -4503599627370495.5, -4503599627370495.0), ("f64_ceil", 1e300, 1e300),
    ("f64_ceil", -INF, -INF), ("f64_ceil", 5e-324, 1.0), ("f64_ceil", -5e-324, -0.0),
    ("f64_floor", -0.5, -1.0), ("f64_floor", 0.5, 0.0), ("f64_floor", -0.0, -0.0),
    ("f64_floor", 5e-324, 0.0), ("f64_floor", -5e-324, -1.0), ("f64_floor", INF, INF),
    ("f64_floor", -4503599627370495.5, -4503599627370496.0),
    ("f64_trunc", -0.5, -0.0), ("f64_trunc", 0.5, 0.0), ("f64_trunc", -1.5, -1.0),
    ("f64_trunc", 1.9999999999999998, 1.0), ("f64_trunc", -0.0, -0.0),
    ("f64_nearest", 0.5, 0.0), ("f64_nearest", 1.5, 2.0), ("f64_nearest", 2.5, 2.0),
    ("f64_nearest", -0.5, -0.0), ("f64_nearest", -1.5, -2.0), ("f64_nearest", -2.5, -2.0),
    ("f64_nearest", -0.0, -0.0), ("f64_nearest", 0.49999999999999994, 0.0),
    ("f64_nearest", -0.49999999999999994, -0.0),
    ("f64_nearest", 4503599627370495.5, 4503599627370496.0),
    ("f64_nearest", -4503599627370495.5, -4503599627370496.0),
    ("f64_nearest", 4503599627370497.0, 4503599627370497.0),
    ("f64_nearest", 5e-324, 0.0), ("f64_nearest", -INF, -INF),
    ("f32_nearest", 8388609.0, 8388609.0), ("f32_nearest", 8388608.5, 8388608.0),
    ("f32_nearest", -3.5, -4.0), ("f32_ceil", -0.75, -0.0), ("f32_floor", 0.75, 0.0),
    ("f32_trunc", -0.75, -0.0),
    ("f64_sqrt", -0.0, -0.0), ("f64_sqrt", 0.0, 0.0), ("f64_sqrt", INF, INF),
    ("f64_sqrt", 4.0, 2.0), ("f32_sqrt", -0.0, -0.0), ("f32_sqrt", 2.0, 1.4142135381698608),
    ("f32_sqrt", INF, INF), ("f32_sqrt", FLT_TRUE_MIN, 3.743392066509216e-23),
    ("f64_abs", -0.0, 0.0), ("f64_abs", -INF, INF), ("f64_neg", 0.0, -0.0),
    ("f64_neg", -INF, INF), ("f32_abs", -1.5, 1.5), ("f32_neg", FLT_MAX, -FLT_MAX),
    ("f64_promote_f32", -0.0, -0.0), ("f64_promote_f32", FLT_TRUE_MIN, FLT_TRUE_MIN),
])
def test_float_unary_table(N, fn, x, expected):
    assert same(N.NUMERIC_HELPERS[fn](x), expected)


@pytest.mark.parametrize("fn", ["f64_sqrt", "f32_sqrt"])
@pytest.mark.parametrize("x", [-1.0, -INF, -5e-324, -FLT_MAX])
def test_sqrt_of_negative_is_canonical_nan(N, fn, x):
    r = N.NUMERIC_HELPERS[fn](x)
    assert r != r and dbits(r) & 0x7FFFFFFFFFFFFFFF == 0x7FF8000000000000


@pytest.mark.parametrize("fn", [
    "f64_ceil", "f64_floor", "f64_trunc", "f64_nearest", "f64_sqrt", "f64_promote_f32",
    "f32_ceil", "f32_floor", "f32_trunc", "f32_nearest", "f32_sqrt",
])
@pytest.mark.parametrize("nan_bits", [
    0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000000, 0xFFF0000020000000,
    0x7FFFFFFFE0000000, 0x7FF0000020000000,
])
def test_unary_nan_propagation(N, fn, nan_bits):
    """A NaN operand comes back as itself with the quiet bit set (canonical stays
    canonical; signaling becomes quiet with the payload kept)."""
    r = N.NUMERIC_HELPERS[fn](dfrom(nan_bits))
    assert dbits(r) == nan_bits | 0x0008000000000000


@pytest.mark.parametrize("nan_bits", [
    0x7FF4000000000001, 0xFFF0000000000001, 0x7FF8000000000000, 0xFFFFFFFFFFFFFFFF,
    0x7FF0000020000000, 0xFFF4000000000000,
])
def test_bitwise_ops_keep_nan_bits(N, nan_bits):
    x = dfrom(nan_bits)
    for prefix in ("f32_", "f64_"):
        assert dbits(N.NUMERIC_HELPERS[prefix + "abs"](x)) == nan_bits & ~(1 << 63)
        assert dbits(N.NUMERIC_HELPERS[prefix + "neg"](x)) == nan_bits ^ (1 << 63)
        cs = N.NUMERIC_HELPERS[prefix + "copysign"]
        assert dbits(cs(x, -1.0)) == nan_bits | (1 << 63)
        assert dbits(cs(x, 0.0)) == nan_bits & ~(1 << 63)
        assert dbits(cs(1.0, x)) == dbits(1.0) | (nan_bits & (1 << 63))
        assert dbits(cs(x, dfrom(0xFFF4000000000000))) == nan_bits | (1 << 63)


@pytest.mark.parametrize("fn", ["f64_min", "f32_min"])
@pytest.mark.parametrize("a, b, expected", [
    (0.0, -0.0, -0.0), (-0.0, 0.0, -0.0), (0.0, 0.0, 0.0), (-0.0, -0.0, -0.0),
    (1.0, 2.0, 1.0), (2.0, 1.0, 1.0), (-INF, INF, -INF), (INF, 3.0, 3.0), (5.0, 5.0, 5.0),
])
def test_min_table(N, fn, a, b, expected):
    assert same(N.NUMERIC_HELPERS[fn](a, b), expected)


@pytest.mark.parametrize("fn", ["f64_max", "f32_max"])
@pytest.mark.parametrize("a, b, expected", [
    (0.0, -0.0, 0.0), (-0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (-0.0, -0.0, -0.0),
    (1.0, 2.0, 2.0), (2.0, 1.0, 2.0), (-INF, INF, INF), (-INF, 3.0, 3.0),
])
def test_max_table(N, fn, a, b, expected):
    assert same(N.NUMERIC_HELPERS[fn](a, b), expected)


@pytest.mark.parametrize("fn", ["f64_min", "f64_max", "f32_min", "f32_max"])
def test_min_max_nan(N, fn):
    f = N.NUMERIC_HELPERS[fn]
    snan = dfrom(0x7FF4000000000000)
    for a, b, expected in [
        (snan, 1.0, 0x7FFC000000000000), (1.0, snan, 0x7FFC000000000000),
        (dfrom(0xFFF8000000000000), 0.0, 0xFFF8000000000000),
        (-0.0, dfrom(0x7FF8000000000000), 0x7FF8000000000000),
        (INF, dfrom(0x7FF0000020000000), 0x7FF8000020000000),
    ]:
        assert dbits(f(a, b)) == expected


@pytest.mark.parametrize("fn", ["f64_div", "f32_div"])
@pytest.mark.parametrize("a, b, expected", [
    (1.0, 0.0, INF), (1.0, -0.0, -INF), (-1.0, 0.0, -INF), (-1.0, -0.0, INF),
    (INF, 0.0, INF), (-INF, -0.0, INF), (5e-324, -0.0, -INF), (1.0, INF, 0.0),
    (-1.0, INF, -0.0), (6.0, 3.0, 2.0),
])
def test_div_table(N, fn, a, b, expected):
    assert same(N.NUMERIC_HELPERS[fn](a, b), expected)


@pytest.mark.parametrize("fn", ["f64_div", "f32_div"])
def test_div_nan_cases(N, fn):
    f = N.NUMERIC_HELPERS[fn]
    for a, b in [(0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (INF, INF), (-INF, INF)]:
        r = f(a, b)
        assert r != r and dbits(r) & 0x7FFFFFFFFFFFFFFF == 0x7FF8000000000000
    # NaN / 0 propagates the NaN, quieted, instead of raising ZeroDivisionError
    assert dbits(f(dfrom(0xFFF4000000000000), 0.0)) == 0xFFFC000000000000
    assert dbits(f(dfrom(0x7FF8000000000000), -0.0)) == 0x7FF8000000000000
    assert f(1.0, dfrom(0x7FF8000000000000)) != f(1.0, dfrom(0x7FF8000000000000))


def test_f64_arithmetic_overflows_to_infinity():
    n = fast_numeric
    assert n.f64_add(1.7976931348623157e308, 1.7976931348623157e308) == INF
    assert n.f64_sub(-1.7976931348623157e308, 1.7976931348623157e308) == -INF
    assert n.f64_mul(1e200, 1e200) == INF
    assert n.f64_mul(-1e200, 1e200) == -INF
    assert n.f64_mul(1e-200, 1e-200) == 0.0
    assert same(n.f64_mul(-1e-200, 1e-200), -0.0)
    r = n.f64_add(INF, -INF)
    assert r != r
    r = n.f64_mul(0.0, INF)
    assert r != r
    assert n.f64_div(1e300, 1e-300) == INF


def test_f32_arithmetic_overflow_and_underflow(N):
    assert N.f32_add(FLT_MAX, FLT_MAX) == INF
    assert N.f32_mul(FLT_MAX, -2.0) == -INF
    assert N.f32_add(FLT_MAX, 2.0 ** 102) == FLT_MAX  # below half an ulp
    assert N.f32_add(FLT_MAX, 2.0 ** 103) == INF      # exactly half: tie to even
    assert N.f32_div(FLT_MAX, 0.5) == INF
    assert same(N.f32_mul(FLT_TRUE_MIN, 0.5), 0.0)     # tie to even (zero)
    assert same(N.f32_mul(-FLT_TRUE_MIN, 0.5), -0.0)
    assert N.f32_mul(FLT_TRUE_MIN, 0.75) == FLT_TRUE_MIN
    assert same(N.f32_sub(1.0, 1.0), 0.0)
    assert same(N.f32_add(-0.0, -0.0), -0.0)
    assert N.f32_sub(INF, INF) != N.f32_sub(INF, INF)


def test_f32_arithmetic_nan_results_are_f32_representations(N):
    snan = f32rep(0x7FA00001)
    for r in (N.f32_add(snan, 1.0), N.f32_mul(2.0, snan), N.f32_sub(snan, snan),
              N.f32_div(snan, 3.0), N.f32_sqrt(snan)):
        assert N.f32_to_bits(r) == 0x7FE00001
        assert is_f32_rep(r)
    for r in (N.f32_add(INF, -INF), N.f32_mul(0.0, INF), N.f32_div(0.0, 0.0),
              N.f32_sqrt(-1.0)):
        assert N.f32_to_bits(r) & 0x7FFFFFFF == 0x7FC00000


# -- conversions ------------------------------------------------------------------------

@pytest.mark.parametrize("x, expected", [
    (0, 0.0), (1, 1.0), (0x7FFFFFFFFFFFFFFF, 9223372036854775808.0),
    (0x8000000000000000, -9223372036854775808.0),
    (MASK64, -1.0),
    # double rounding traps: via double these would round twice the wrong way
    (0x0020000020000001, 9007200328482816.0),  # 2**53 + 2**29 + 1: just above a tie
    (0x0020000010000001, 9007199254740992.0),  # below the half-way point
    ((-0x0020000020000001) & MASK64, -9007200328482816.0),
    (0x7FFFFF4000000001, 9223371487098961920.0),
    (16777217, 16777216.0), (16777219, 16777220.0),
    (((-16777217) & MASK64), -16777216.0),
])
def test_f32_convert_i64_s_table(N, x, expected):
    assert same(N.f32_convert_i64_s(x), expected)


@pytest.mark.parametrize("x, expected", [
    (MASK64, 18446744073709551616.0), (0x8000000000000000, 9223372036854775808.0),
    (0x8000008000000001, 9223373136366403584.0),  # above the tie: rounds up
    (0x8000008000000000, 9223372036854775808.0),  # tie: to even (down)
    (0xFFFFFF7FFFFFFFFF, 18446742974197923840.0),
    (0x0020000020000001, 9007200328482816.0),
])
def test_f32_convert_i64_u_table(N, x, expected):
    assert same(N.f32_convert_i64_u(x), expected)


def test_other_conversions():
    n = fast_numeric
    assert same(n.f32_convert_i32_s(0x80000000), -2147483648.0)
    assert same(n.f32_convert_i32_s(0x7FFFFFFF), 2147483648.0)
    assert same(n.f32_convert_i32_s(16777217), 16777216.0)
    assert same(n.f32_convert_i32_u(MASK32), 4294967296.0)
    assert same(n.f32_convert_i32_u(0x80000080), 2147483648.0)   # tie down to even
    assert same(n.f32_convert_i32_u(0x80000180), 2147484160.0)   # tie up to even
    assert same(n.f64_convert_i32_s(MASK32), -1.0)
    assert same(n.f64_convert_i32_u(MASK32), 4294967295.0)
    assert same(n.f64_convert_i64_s(0x8000000000000000), -9223372036854775808.0)
    assert same(n.f64_convert_i64_u(MASK64), 18446744073709551616.0)
    assert same(n.f64_convert_i64_u(0x0020000000000001), 9007199254740992.0)
    assert same(n.f64_convert_i64_u(0x0020000000000003), 9007199254740996.0)


@pytest.mark.parametrize("bits, expected", [
    (0x7FF8000000000000, 0x7FC00000), (0xFFF8000000000000, 0xFFC00000),
    (0x7FF4000000000000, 0x7FE00000),                 # signaling: quieted, payload kept
    (0x7FF0000000000001, 0x7FC00000),                 # payload only below the f32 bits
    (0x7FFFFFFFFFFFFFFF, 0x7FFFFFFF), (0xFFF0000020000000, 0xFFC00001),
])
def test_demote_nan(N, bits, expected):
    assert N.f32_to_bits(N.f32_demote_f64(dfrom(bits))) == expected
    assert is_f32_rep(N.f32_demote_f64(dfrom(bits)))


@pytest.mark.parametrize("f32_bits, f64_bits", [
    (0x7FC00000, 0x7FF8000000000000), (0xFFC00000, 0xFFF8000000000000),
    (0x7FA00000, 0x7FFC000000000000), (0x7F800001, 0x7FF8000020000000),
    (0xFFFFFFFF, 0xFFFFFFFFE0000000),
])
def test_promote_nan(N, f32_bits, f64_bits):
    assert dbits(N.f64_promote_f32(N.f32_from_bits(f32_bits))) == f64_bits


# -- bit conversions and memory ----------------------------------------------------------

SPECIAL_F32_BITS = [
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x00800000, 0x3F800000,
    0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7F800001, 0xFF800001, 0x7FA00000,
    0x7FBFFFFF, 0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7FFFFFFF, 0xFFFFFFFF, 0x7F812345,
]
SPECIAL_F64_BITS = [
    0, 1 << 63, 1, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF,
    0x7FF0000000000000, 0xFFF0000000000000, 0x7FF0000000000001, 0xFFF0000000000001,
    0x7FF4000000000000, 0x7FF7FFFFFFFFFFFF, 0x7FF8000000000000, 0xFFF8000000000000,
    0x7FF8000000000001, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF,
]


@pytest.mark.parametrize("bits", SPECIAL_F32_BITS)
def test_f32_bits_roundtrip_table(N, bits):
    x = N.f32_from_bits(bits)
    assert same(x, f32rep(bits))
    assert is_f32_rep(x)
    assert N.f32_to_bits(x) == bits
    assert N.i32_reinterpret_f32(N.f32_reinterpret_i32(bits)) == bits
    memory = bytearray(8)
    view = memoryview(memory)
    N.f32_store(view, 3, x)
    assert memory[3:7] == _I.pack(bits)
    assert same(N.f32_load(view, 3), x)


@pytest.mark.parametrize("bits", SPECIAL_F64_BITS)
def test_f64_bits_roundtrip_table(N, bits):
    x = N.f64_from_bits(bits)
    assert N.f64_to_bits(x) == bits
    assert N.i64_reinterpret_f64(N.f64_reinterpret_i64(bits)) == bits
    memory = bytearray(16)
    view = memoryview(memory)
    N.f64_store(view, 5, x)
    assert memory[5:13] == _Q.pack(bits)
    assert N.f64_to_bits(N.f64_load(view, 5)) == bits
    # and through a Python list, as locals and operand stacks hold them
    assert N.f64_to_bits([x][0]) == bits


def test_out_of_bounds_memory_access_is_not_caught():
    n = fast_numeric
    view = memoryview(bytearray(8))
    for call in (lambda: n.f32_load(view, 5), lambda: n.f32_store(view, 5, 1.0),
                 lambda: n.f32_store(view, 8, f32rep(0x7FA00000)),
                 lambda: n.f64_load(view, 1), lambda: n.f64_store(view, 1, 1.0),
                 lambda: n.f32_load(view, 1 << 40), lambda: n.f64_load(view, 8)):
        with pytest.raises((struct.error, IndexError)):
            call()
    n.f32_store(view, 4, 2.0)
    assert n.f32_load(view, 4) == 2.0
    n.f64_store(view, 0, -3.5)
    assert n.f64_load(view, 0) == -3.5


def test_f32_store_of_nan_load_of_signaling_nan():
    n = fast_numeric
    memory = bytearray(_I.pack(0xFF812345))
    x = n.f32_load(memoryview(memory), 0)
    assert dbits(x) == 0xFFF02468A0000000
    out = bytearray(4)
    n.f32_store(out, 0, x)
    assert out == memory


# --------------------------------------------------------------------------------------
# Layer 3: properties against exact references

PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
MANY = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

u32 = st.integers(0, MASK32)
u64 = st.integers(0, MASK64)
edge_u32 = st.sampled_from([0, 1, 2, 0x7FFFFFFF, 0x80000000, 0x80000001, MASK32, MASK32 - 1])
edge_u64 = st.sampled_from([0, 1, 2, (1 << 63) - 1, 1 << 63, (1 << 63) + 1, MASK64,
                            MASK64 - 1, 1 << 53, (1 << 53) + 1, (1 << 24) + 1])
i32s = u32 | edge_u32
i64s = u64 | edge_u64 | st.integers(0, 1 << 60).map(lambda v: (v * 2 ** 4) & MASK64)


@st.composite
def near_f32_doubles(draw):
    """Doubles near f32 rounding boundaries, over the f32 exponent range and past it."""
    sign = draw(st.integers(0, 1)) << 63
    exponent = draw(st.integers(-160, 130))
    high = draw(st.integers(0, (1 << 23) - 1)
                | st.sampled_from([0, 1, 0x3FFFFF, 0x400000, 0x7FFFFE, 0x7FFFFF]))
    low = draw(st.integers(0, (1 << 29) - 1)
               | st.sampled_from([0, 1, (1 << 28) - 1, 1 << 28, (1 << 28) + 1, (1 << 29) - 1]))
    return dfrom(sign | ((exponent + 1023) << 52) | (high << 29) | low)


any_double = st.floats(allow_nan=False) | near_f32_doubles()
f32_values = st.integers(0, MASK32).filter(
    lambda b: (b & 0x7F800000) != 0x7F800000).map(f32rep) | st.floats(
    width=32, allow_nan=False, allow_infinity=False)


def _f32_arith_reference(op: str, a: float, b: float) -> float:
    operation = {"add": operator.add, "sub": operator.sub,
                 "mul": operator.mul, "div": operator.truediv}[op]
    exact = operation(Fraction(a), Fraction(b))
    if exact == 0:  # the sign of an exact zero: IEEE rules, which double arithmetic obeys
        return operation(a, b)
    return ref_f32(exact)


@MANY
@given(x=any_double)
@example(x=FLT_MAX + HALF_ULP_AT_MAX)
@example(x=2.0 ** -150)
@example(x=-0.0)
def test_f32_round_matches_fraction_reference(N, x):
    expected = x if x == 0 or abs(x) == INF else ref_f32(Fraction(x))
    assert same(N.f32_round(x), expected)


@MANY
@given(x=near_f32_doubles())
def test_f32_round_fast_path_matches_struct(x):
    assert same(fast_numeric.f32_round(x), fallback_numeric.f32_round(x))


def test_f32_round_fast_path_systematic_grid():
    """Deterministic sweep of the rounding-critical patterns over every f32 exponent
    (and past both ends): the Veltkamp path must agree with the C conversion."""
    fast, slow = fast_numeric.f32_round, fallback_numeric.f32_round
    highs = (0, 1, 2, 3, 0x155555, 0x2AAAAA, 0x3FFFFF, 0x400000, 0x400001, 0x7FFFFD,
             0x7FFFFE, 0x7FFFFF)
    lows = (0, 1, 2, 0x0FFFFFFF, 0x10000000, 0x10000001, 0x1FFFFFFE, 0x1FFFFFFF, 0x0AAAAAAA)
    for exponent in range(-155, 131):
        for sign in (0, 1 << 63):
            base = sign | ((exponent + 1023) << 52)
            for high in highs:
                for low in lows:
                    x = dfrom(base | (high << 29) | low)
                    assert same(fast(x), slow(x)), hex(dbits(x))


@PROPERTY
@given(a=f32_values, b=f32_values, op=st.sampled_from(["add", "sub", "mul", "div"]))
def test_f32_arithmetic_matches_fraction_reference(N, a, b, op):
    if op == "div" and b == 0:
        return
    result = N.NUMERIC_HELPERS["f32_" + op](a, b)
    assert is_f32_rep(result)
    assert same(result, _f32_arith_reference(op, a, b))


@PROPERTY
@given(x=f32_values)
def test_f32_sqrt_matches_fraction_reference(N, x):
    r = N.f32_sqrt(abs(x))
    expected = ref_f32(exact_sqrt_for_rounding(abs(x))) if x else abs(x)
    assert same(r, expected)


@PROPERTY
@given(x=st.floats(min_value=5e-324, allow_infinity=False, allow_nan=False))
def test_f64_sqrt_matches_fraction_reference(x):
    assert same(fast_numeric.f64_sqrt(x), ref_f64(exact_sqrt_for_rounding(x)))


@MANY
@given(x=i64s)
def test_f32_convert_i64_matches_fraction_reference(N, x):
    assert same(N.f32_convert_i64_u(x), ref_f32(Fraction(x)) if x else 0.0)
    assert same(N.f32_convert_i64_s(x), ref_f32(Fraction(s64(x))) if x else 0.0)


@PROPERTY
@given(x=i64s)
def test_f64_convert_i64_matches_fraction_reference(x):
    assert same(fast_numeric.f64_convert_i64_u(x), ref_f64(Fraction(x)) if x else 0.0)
    assert same(fast_numeric.f64_convert_i64_s(x), ref_f64(Fraction(s64(x))) if x else 0.0)


@PROPERTY
@given(x=i32s)
def test_convert_i32_matches_fraction_reference(x):
    n = fast_numeric
    assert same(n.f32_convert_i32_u(x), ref_f32(Fraction(x)) if x else 0.0)
    assert same(n.f32_convert_i32_s(x), ref_f32(Fraction(s32(x))) if x else 0.0)
    assert n.f64_convert_i32_u(x) == x and n.f64_convert_i32_s(x) == s32(x)


@MANY
@given(b=st.integers(0, MASK32)
       | st.tuples(st.integers(0, 1), st.integers(1, (1 << 23) - 1)).map(
           lambda t: (t[0] << 31) | 0x7F800000 | t[1]))
def test_f32_bits_roundtrip_property(N, b):
    x = N.f32_from_bits(b)
    assert is_f32_rep(x) and same(x, f32rep(b))
    assert N.f32_to_bits(x) == b
    assert N.f32_to_bits(N.f32_neg(x)) == b ^ 0x80000000
    assert N.f32_to_bits(N.f32_abs(x)) == b & 0x7FFFFFFF
    buffer = bytearray(4)
    N.f32_store(buffer, 0, x)
    assert _I.unpack(buffer)[0] == b
    assert same(N.f32_load(buffer, 0), x)


@MANY
@given(b=u64 | st.tuples(st.integers(0, 1), st.integers(1, (1 << 52) - 1)).map(
    lambda t: (t[0] << 63) | 0x7FF0000000000000 | t[1]))
def test_f64_bits_roundtrip_property(b):
    n = fast_numeric
    x = n.f64_from_bits(b)
    assert n.f64_to_bits(x) == b
    assert n.f64_to_bits(n.f64_neg(x)) == b ^ (1 << 63)
    assert n.f64_to_bits(n.f64_abs(x)) == b & ~(1 << 63)
    assert n.f64_to_bits(n.f64_copysign(x, -1.0)) == b | (1 << 63)
    buffer = bytearray(8)
    n.f64_store(buffer, 0, x)
    assert _Q.unpack(buffer)[0] == b
    assert n.f64_to_bits(n.f64_load(buffer, 0)) == b


@PROPERTY
@given(b=st.integers(0, MASK32))
def test_promote_demote_roundtrip(N, b):
    x = N.f32_from_bits(b)
    promoted = N.f64_promote_f32(x)
    back = N.f32_to_bits(N.f32_demote_f64(promoted))
    if x == x:
        assert same(promoted, x) and back == b
    else:
        assert back == b | 0x00400000  # quieted, payload kept


def _trunc_reference(x: float, lo: int, hi: int):
    if x != x:
        return TrapKind.INVALID_CONVERSION_TO_INTEGER
    if abs(x) == INF:
        return TrapKind.INTEGER_OVERFLOW
    t = int(Fraction(x))  # toward zero
    return t if lo <= t <= hi else TrapKind.INTEGER_OVERFLOW


TRUNCATIONS = [
    ("i32_trunc_f64_s", -(1 << 31), (1 << 31) - 1, 32),
    ("i32_trunc_f64_u", 0, (1 << 32) - 1, 32),
    ("i64_trunc_f64_s", -(1 << 63), (1 << 63) - 1, 64),
    ("i64_trunc_f64_u", 0, (1 << 64) - 1, 64),
]
_BOUNDARIES = [s * (v + d) for v in (2.0 ** 31, 2.0 ** 32, 2.0 ** 63, 2.0 ** 64)
               for s in (1.0, -1.0) for d in (0.0, 0.5, -0.5, 1.0, -1.0)]
boundary_doubles = st.sampled_from(
    _BOUNDARIES + [math.nextafter(v, INF) for v in _BOUNDARIES]
    + [math.nextafter(v, -INF) for v in _BOUNDARIES])


@MANY
@given(x=st.floats() | boundary_doubles | st.floats(-2e19, 2e19),
       which=st.sampled_from(TRUNCATIONS))
def test_truncations_match_reference(N, x, which):
    name, lo, hi, width = which
    expected = _trunc_reference(x, lo, hi)
    mask = (1 << width) - 1
    if isinstance(expected, TrapKind):
        with pytest.raises(Trap) as info:
            N.NUMERIC_HELPERS[name](x)
        assert info.value.kind is expected
    else:
        assert N.NUMERIC_HELPERS[name](x) == expected & mask
    saturating = N.NUMERIC_HELPERS[name.replace("trunc_", "trunc_sat_")](x)
    if x != x:
        assert saturating == 0
    else:
        t = int(Fraction(x)) if abs(x) != INF else (hi if x > 0 else lo)
        assert saturating == min(max(t, lo), hi) & mask


@PROPERTY
@given(x=st.floats() | near_f32_doubles() | st.floats(-1e17, 1e17))
def test_rounding_to_integral_matches_reference(N, x):
    if x != x or abs(x) == INF:
        return
    q = Fraction(x)
    for name, ref in (("nearest", round(q)), ("ceil", math.ceil(q)),
                      ("floor", math.floor(q)), ("trunc", int(q))):
        got = N.NUMERIC_HELPERS["f64_" + name](x)
        expected = float(ref) if ref else math.copysign(0.0, x)
        assert same(got, expected), (name, x)


@PROPERTY
@given(a=st.floats() | st.sampled_from([0.0, -0.0]), b=st.floats() | st.sampled_from([0.0, -0.0]))
def test_min_max_properties(N, a, b):
    lo, hi = N.f64_min(a, b), N.f64_max(a, b)
    if a != a or b != b:
        assert lo != lo and hi != hi
        assert dbits(lo) & 0x0008000000000000 and dbits(hi) & 0x0008000000000000
        return
    assert same(lo, N.f64_min(b, a)) and same(hi, N.f64_max(b, a))
    if a == b == 0:
        neg = math.copysign(1, a) < 0 or math.copysign(1, b) < 0
        pos = math.copysign(1, a) > 0 or math.copysign(1, b) > 0
        assert same(lo, -0.0 if neg else 0.0) and same(hi, 0.0 if pos else -0.0)
    else:
        assert lo == min(a, b) and hi == max(a, b)


@PROPERTY
@given(a=i32s, b=i32s)
def test_i32_division_matches_reference(a, b):
    n = fast_numeric
    sa, sb = s32(a), s32(b)
    if b == 0:
        for name in ("i32_div_s", "i32_div_u", "i32_rem_s", "i32_rem_u"):
            with pytest.raises(Trap):
                n.NUMERIC_HELPERS[name](a, b)
        return
    q = int(Fraction(sa, sb))  # toward zero
    if q == 1 << 31:
        with pytest.raises(Trap) as info:
            n.i32_div_s(a, b)
        assert info.value.kind is TrapKind.INTEGER_OVERFLOW
    else:
        assert n.i32_div_s(a, b) == q & MASK32
    assert n.i32_rem_s(a, b) == (sa - int(Fraction(sa, sb)) * sb) & MASK32
    assert n.i32_div_u(a, b) == a // b and n.i32_rem_u(a, b) == a % b


@PROPERTY
@given(a=i64s, b=i64s)
def test_i64_division_matches_reference(a, b):
    n = fast_numeric
    sa, sb = s64(a), s64(b)
    if b == 0:
        return
    q = int(Fraction(sa, sb))
    if q == 1 << 63:
        with pytest.raises(Trap):
            n.i64_div_s(a, b)
    else:
        assert n.i64_div_s(a, b) == q & MASK64
    assert n.i64_rem_s(a, b) == (sa - q * sb) & MASK64
    assert n.i64_div_u(a, b) == a // b and n.i64_rem_u(a, b) == a % b


@PROPERTY
@given(x=i64s, k=st.integers(0, MASK64))
def test_bit_counting_rotation_and_shifts(x, k):
    n = fast_numeric
    for width, mask in ((32, MASK32), (64, MASK64)):
        p = "i%d_" % width
        v = x & mask
        text = format(v, "0%db" % width)
        assert n.NUMERIC_HELPERS[p + "clz"](v) == len(text) - len(text.lstrip("0"))
        assert n.NUMERIC_HELPERS[p + "ctz"](v) == len(text) - len(text.rstrip("0"))
        assert n.NUMERIC_HELPERS[p + "popcnt"](v) == text.count("1")
        r = k % width
        assert n.NUMERIC_HELPERS[p + "rotl"](v, k) == int(text[r:] + text[:r], 2)
        assert n.NUMERIC_HELPERS[p + "rotr"](v, k) == int(text[width - r:] + text[:width - r], 2)
        assert n.NUMERIC_HELPERS[p + "shr_s"](v, k) == (
            (v - (1 << width) if v >> (width - 1) else v) >> r) & mask
        assert n.NUMERIC_HELPERS[p + "shl"](v, k) == (v << r) & mask
        assert n.NUMERIC_HELPERS[p + "shr_u"](v, k) == v >> r
