"""Bit-exact numeric semantics of WebAssembly values, for the engines.

Spec: Core 2.0 §4.3 (exec/numerics.html).

Theory of operation
-------------------
Internal value convention (shared by every engine, see ``_engine/protocol.py``):

* **i32 / i64** are Python ``int`` in the *unsigned* range ``[0, 2**N)``. Signed views
  are taken with :func:`s32` / :func:`s64` where an operation needs them.
* **f64** is a Python ``float`` (an IEEE binary64 on every supported platform).
* **f32** is a Python ``float`` holding the f32 value *exactly* (every binary32 value is
  a binary64 value). Results of f32 arithmetic are therefore computed in double and
  rounded once to single precision with :func:`f32_round`. For ``+ - * /`` and ``sqrt``
  this double rounding is innocuous: binary64 has 53 >= 2*24 + 2 bits, so rounding the
  exact result to double and then to single gives the correctly rounded single
  (Figueroa, "When is double rounding innocuous?", 1995).
* **f32 NaNs** are the double NaN with the same sign whose 52-bit mantissa is the f32's
  23-bit mantissa shifted left by 29 (what an x86 ``cvtss2sd`` does to a quiet NaN, but
  also done for signaling NaNs, which hardware would quiet). The f32 quiet bit (bit 22)
  lands on the f64 quiet bit (bit 51), so quieting, negating, ``abs`` and ``copysign``
  are the same bit operations for both representations, and a NaN produced by double
  arithmetic on f32 operands is already a well-formed f32 NaN. Payloads (signaling
  included) survive locals, globals, loads, stores and reinterprets bit for bit.

NaN policy (Spec: Core 2.0 §4.3.3, "NaN propagation"): an operation with NaN operands
returns one of them with the quiet bit set (canonical in, canonical out); an operation
that makes a NaN out of non-NaN operands returns the positive canonical NaN. Python's
own float arithmetic follows the hardware, which obeys the same rules (x86 makes the
*negative* canonical NaN, also allowed), so ``a + b`` needs no help for f64.

What Python already gets right, so no helper is needed (the compiler inlines these):

* comparisons ``== != < <= > >=`` on floats are IEEE 754 comparisons (every comparison
  with a NaN is false except ``!=``, ``-0.0 == 0.0``), i.e. Spec §4.3.3 ``feq`` ...
  ``fge``; the result is turned into an i32 with ``int(...)`` or a conditional;
* f64 ``+ - *`` never raise (overflow gives ``inf``, invalid gives NaN); ``/`` raises
  ``ZeroDivisionError`` for a zero divisor, hence :func:`f64_div`;
* integer ``& | ^``, ``(a + b) & MASK``, ``(a - b) & MASK``, ``(a * b) & MASK`` and
  comparisons of unsigned operands.

What CPython does *not* get right, and why the NaN paths below are written by hand:
``struct`` packing a double NaN with format ``'f'`` converts it with a C cast, and
unpacking ``'f'`` converts back with a C cast; on CPython <= 3.13 both quiet a
signaling NaN. ``'<d'``/``'<Q'`` are plain byte copies and are bit-exact everywhere.

Everything here is a plain function of plain values: thread-safe, no state.
"""

from __future__ import annotations

import math
import struct
from typing import Union

from ._errors import Trap, TrapKind

__all__ = [
    # representations
    "s32", "s64",
    "f32_to_bits", "f32_from_bits", "f64_to_bits", "f64_from_bits", "f32_round",
    # integer operations
    "i32_add", "i32_sub", "i32_mul", "i64_add", "i64_sub", "i64_mul",
    "i32_div_s", "i32_div_u", "i32_rem_s", "i32_rem_u",
    "i64_div_s", "i64_div_u", "i64_rem_s", "i64_rem_u",
    "i32_clz", "i32_ctz", "i32_popcnt", "i64_clz", "i64_ctz", "i64_popcnt",
    "i32_shl", "i32_shr_s", "i32_shr_u", "i64_shl", "i64_shr_s", "i64_shr_u",
    "i32_rotl", "i32_rotr", "i64_rotl", "i64_rotr",
    "i32_extend8_s", "i32_extend16_s", "i64_extend8_s", "i64_extend16_s",
    "i64_extend32_s",
    # floating-point operations
    "f32_add", "f32_sub", "f32_mul", "f32_div", "f32_sqrt",
    "f32_min", "f32_max", "f32_ceil", "f32_floor", "f32_trunc", "f32_nearest",
    "f32_abs", "f32_neg", "f32_copysign",
    "f64_add", "f64_sub", "f64_mul", "f64_div", "f64_sqrt",
    "f64_min", "f64_max", "f64_ceil", "f64_floor", "f64_trunc", "f64_nearest",
    "f64_abs", "f64_neg", "f64_copysign",
    # conversions
    "i32_wrap_i64", "i64_extend_i32_s", "i64_extend_i32_u",
    "i32_trunc_f32_s", "i32_trunc_f32_u", "i32_trunc_f64_s", "i32_trunc_f64_u",
    "i64_trunc_f32_s", "i64_trunc_f32_u", "i64_trunc_f64_s", "i64_trunc_f64_u",
    "i32_trunc_sat_f32_s", "i32_trunc_sat_f32_u", "i32_trunc_sat_f64_s",
    "i32_trunc_sat_f64_u", "i64_trunc_sat_f32_s", "i64_trunc_sat_f32_u",
    "i64_trunc_sat_f64_s", "i64_trunc_sat_f64_u",
    "f32_convert_i32_s", "f32_convert_i32_u", "f32_convert_i64_s", "f32_convert_i64_u",
    "f64_convert_i32_s", "f64_convert_i32_u", "f64_convert_i64_s", "f64_convert_i64_u",
    "f32_demote_f64", "f64_promote_f32",
    "i32_reinterpret_f32", "i64_reinterpret_f64", "f32_reinterpret_i32",
    "f64_reinterpret_i64",
    # memory
    "f32_load", "f32_store", "f64_load", "f64_store",
    # everything above by name, for an engine's HELPERS mapping
    "NUMERIC_HELPERS",
]

# --------------------------------------------------------------------------------------
# Precompiled codecs (bound methods: no attribute lookup at call time)

_F = struct.Struct("<f")
_I = struct.Struct("<I")
_D = struct.Struct("<d")
_Q = struct.Struct("<Q")
_f_pack = _F.pack
_f_unpack = _F.unpack
_f_pack_into = _F.pack_into
_f_unpack_from = _F.unpack_from
_I_pack = _I.pack
_I_unpack = _I.unpack
_I_pack_into = _I.pack_into
_I_unpack_from = _I.unpack_from
_d_pack = _D.pack
_d_unpack = _D.unpack
_d_pack_into = _D.pack_into
_d_unpack_from = _D.unpack_from
_Q_pack = _Q.pack
_Q_unpack = _Q.unpack

_copysign = math.copysign
_sqrt = math.sqrt
_floor = math.floor
_ceil = math.ceil

_INF = float("inf")
_NINF = -_INF
#: The positive canonical NaN, 0x7FF8000000000000. For f32 it is the representation of
#: the f32 canonical NaN 0x7FC00000 as well. Built from bits: ``float("nan")`` has been
#: negative on some platforms.
_CANONICAL_NAN = _d_unpack(_Q_pack(0x7FF8000000000000))[0]

_DIVIDE_BY_ZERO = TrapKind.INTEGER_DIVIDE_BY_ZERO
_OVERFLOW = TrapKind.INTEGER_OVERFLOW
_INVALID = TrapKind.INVALID_CONVERSION_TO_INTEGER

_SIGN64 = 0x8000000000000000
_QUIET64 = 0x0008000000000000
_F32_IN_F64_MASK = 0xFFFFFFFFE0000000  # sign, exponent, top 23 mantissa bits

# Literal constants used inline in the hot f32 rounding paths (LOAD_CONST is cheaper
# than LOAD_GLOBAL), spelled out here once:
#   1.3817869688151111e-76 == 2.0 ** -252 == (2 ** -126) ** 2, the smallest normal f32
#                             squared;
#   1.1579207543382391e+77 == fl(FLT_MAX * FLT_MAX), FLT_MAX = 3.4028234663852886e+38;
#   536870913.0            == 2.0 ** 29 + 1, Veltkamp's splitting constant for 53 -> 24
#                             bits.
_F32_MIN_NORMAL_SQ = 1.3817869688151111e-76
_F32_MAX_SQ = 1.1579207543382391e+77
_SPLITTER = 536870913.0


# --------------------------------------------------------------------------------------
# Representations — Spec: Core 2.0 §4.3.1 (exec/numerics.html#representations)

def s32(x: int) -> int:
    """Signed view of an unsigned i32 (``signed_32``).

    Spec: Core 2.0 §4.3.1 (exec/numerics.html#aux-signed).
    """
    return (x ^ 0x80000000) - 0x80000000


def s64(x: int) -> int:
    """Signed view of an unsigned i64 (``signed_64``).

    Spec: Core 2.0 §4.3.1 (exec/numerics.html#aux-signed).
    """
    return (x ^ 0x8000000000000000) - 0x8000000000000000


def f64_to_bits(x: float) -> int:
    """The 64-bit pattern of an f64 (``bits_f64``), bit-exact for every NaN.

    Spec: Core 2.0 §4.3.1 (exec/numerics.html#aux-bits).
    """
    return _Q_unpack(_d_pack(x))[0]


def f64_from_bits(b: int) -> float:
    """The f64 whose bit pattern is ``b`` (``bits_f64^-1``), bit-exact for every NaN.

    Spec: Core 2.0 §4.3.1 (exec/numerics.html#aux-bits).
    """
    return _d_unpack(_Q_pack(b))[0]


def f32_to_bits(x: float) -> int:
    """The 32-bit pattern of an f32 in the internal representation (``bits_f32``).

    ``x`` must be an f32 value (exact) or an f32 NaN representation (mantissa in the
    top 23 bits). Signaling NaNs keep their bits.

    Spec: Core 2.0 §4.3.1 (exec/numerics.html#aux-bits).
    """
    if x == x:
        return _I_unpack(_f_pack(x))[0]
    b = _Q_unpack(_d_pack(x))[0]
    mantissa = (b >> 29) & 0x7FFFFF
    if not mantissa:  # a stray double NaN with only low payload bits: keep it a NaN
        mantissa = 0x400000
    return ((b >> 32) & 0x80000000) | 0x7F800000 | mantissa


def f32_from_bits(b: int) -> float:
    """The internal representation of the f32 whose bit pattern is ``b``.

    Non-NaN values are exact doubles; a NaN becomes the double NaN with the same sign
    and the 23-bit mantissa shifted left by 29 (signaling NaNs stay signaling).

    Spec: Core 2.0 §4.3.1 (exec/numerics.html#aux-bits).
    """
    x = _f_unpack(_I_pack(b))[0]
    if x == x:
        return x
    return _d_unpack(_Q_pack(((b & 0x80000000) << 32) | 0x7FF0000000000000
                             | ((b & 0x7FFFFF) << 29)))[0]


def _quiet(x: float) -> float:
    """``x`` (a NaN, f32 or f64 representation) with its quiet bit set."""
    return _d_unpack(_Q_pack(_Q_unpack(_d_pack(x))[0] | _QUIET64))[0]


def _f32_quiet(x: float) -> float:
    """A double NaN made into a quiet f32 NaN representation (top payload kept)."""
    return _d_unpack(_Q_pack((_Q_unpack(_d_pack(x))[0] & _F32_IN_F64_MASK) | _QUIET64))[0]


def _f32_round_struct(x: float) -> float:
    """Round a double to f32 with the C library's conversion (slow path of rounding).

    Handles every input: zeros, f32 subnormals, overflow to infinity (``struct``
    raises ``OverflowError`` exactly when the correctly rounded value is infinite) and
    NaNs (quieted, by hand).
    """
    if x != x:
        return _f32_quiet(x)
    try:
        return _f_unpack(_f_pack(x))[0]
    except OverflowError:
        return _INF if x > 0.0 else _NINF


def f32_round(x: float) -> float:
    """Round a double to the nearest f32 (ties to even), as a double.

    Overflow gives +-inf (values that round down to FLT_MAX give FLT_MAX); f32
    subnormals round correctly; a NaN comes back as a quiet f32 NaN representation.
    This runs after every f32 ``add``/``sub``/``mul``/``div``: where ``x`` lies in the
    f32 normal range (checked with one chained comparison on ``x * x``), Veltkamp's
    splitting rounds it to 24 bits with three float operations; everything else goes
    through ``struct``. An import-time self-check falls back to ``struct`` everywhere
    if the platform's double arithmetic is not plain binary64 (e.g. x87 excess
    precision).

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#floating-point-operations), rounding
    to nearest ties-to-even as IEEE 754-2019 §4.3.1 defines it.
    """
    if 1.3817869688151111e-76 < x * x < 1.1579207543382391e+77:
        p = x * 536870913.0
        return p + (x - p)
    return _f32_round_struct(x)


# --------------------------------------------------------------------------------------
# Integer operations — Spec: Core 2.0 §4.3.2 (exec/numerics.html#integer-operations)

def i32_add(a: int, b: int) -> int:
    """``iadd_32``: addition modulo 2**32. Spec: Core 2.0 §4.3.2 (#op-iadd)."""
    return (a + b) & 0xFFFFFFFF


def i32_sub(a: int, b: int) -> int:
    """``isub_32``: subtraction modulo 2**32. Spec: Core 2.0 §4.3.2 (#op-isub)."""
    return (a - b) & 0xFFFFFFFF


def i32_mul(a: int, b: int) -> int:
    """``imul_32``: multiplication modulo 2**32. Spec: Core 2.0 §4.3.2 (#op-imul)."""
    return (a * b) & 0xFFFFFFFF


def i64_add(a: int, b: int) -> int:
    """``iadd_64``: addition modulo 2**64. Spec: Core 2.0 §4.3.2 (#op-iadd)."""
    return (a + b) & 0xFFFFFFFFFFFFFFFF


def i64_sub(a: int, b: int) -> int:
    """``isub_64``: subtraction modulo 2**64. Spec: Core 2.0 §4.3.2 (#op-isub)."""
    return (a - b) & 0xFFFFFFFFFFFFFFFF


def i64_mul(a: int, b: int) -> int:
    """``imul_64``: multiplication modulo 2**64. Spec: Core 2.0 §4.3.2 (#op-imul)."""
    return (a * b) & 0xFFFFFFFFFFFFFFFF


def i32_div_u(a: int, b: int) -> int:
    """``idiv_u_32``; traps on a zero divisor.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-idiv-u).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    return a // b


def i64_div_u(a: int, b: int) -> int:
    """``idiv_u_64``; traps on a zero divisor.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-idiv-u).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    return a // b


def i32_rem_u(a: int, b: int) -> int:
    """``irem_u_32``; traps on a zero divisor.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irem-u).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    return a % b


def i64_rem_u(a: int, b: int) -> int:
    """``irem_u_64``; traps on a zero divisor.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irem-u).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    return a % b


def i32_div_s(a: int, b: int) -> int:
    """``idiv_s_32``: signed division truncating toward zero.

    Traps on a zero divisor, and on -2**31 / -1 (the quotient 2**31 is not
    representable). Python's ``//`` floors, so an inexact negative quotient is moved
    one up.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-idiv-s).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    if a < 0x80000000 and b < 0x80000000:  # both non-negative: the common case
        return a // b
    a = (a ^ 0x80000000) - 0x80000000
    b = (b ^ 0x80000000) - 0x80000000
    q = a // b
    if q < 0 and q * b != a:
        q += 1
    if q == 0x80000000:
        raise Trap(_OVERFLOW)
    return q & 0xFFFFFFFF


def i64_div_s(a: int, b: int) -> int:
    """``idiv_s_64``: signed division truncating toward zero.

    Traps on a zero divisor, and on -2**63 / -1.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-idiv-s).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    if a < 0x8000000000000000 and b < 0x8000000000000000:  # both non-negative: the common case
        return a // b
    a = (a ^ 0x8000000000000000) - 0x8000000000000000
    b = (b ^ 0x8000000000000000) - 0x8000000000000000
    q = a // b
    if q < 0 and q * b != a:
        q += 1
    if q == 0x8000000000000000:
        raise Trap(_OVERFLOW)
    return q & 0xFFFFFFFFFFFFFFFF


def i32_rem_s(a: int, b: int) -> int:
    """``irem_s_32``: remainder with the sign of the dividend.

    Traps on a zero divisor; -2**31 rem -1 is 0. Python's ``%`` takes the sign of the
    divisor, so a non-zero remainder with operands of different signs is moved by ``b``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irem-s).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    if a < 0x80000000 and b < 0x80000000:  # both non-negative: the common case
        return a % b
    a = (a ^ 0x80000000) - 0x80000000
    b = (b ^ 0x80000000) - 0x80000000
    r = a % b
    if r and (a ^ b) < 0:
        r -= b
    return r & 0xFFFFFFFF


def i64_rem_s(a: int, b: int) -> int:
    """``irem_s_64``: remainder with the sign of the dividend; -2**63 rem -1 is 0.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irem-s).
    """
    if not b:
        raise Trap(_DIVIDE_BY_ZERO)
    if a < 0x8000000000000000 and b < 0x8000000000000000:  # both non-negative: the common case
        return a % b
    a = (a ^ 0x8000000000000000) - 0x8000000000000000
    b = (b ^ 0x8000000000000000) - 0x8000000000000000
    r = a % b
    if r and (a ^ b) < 0:
        r -= b
    return r & 0xFFFFFFFFFFFFFFFF


def i32_clz(x: int) -> int:
    """``iclz_32``: count of leading zero bits (32 for 0).

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-iclz).
    """
    return 32 - x.bit_length()


def i64_clz(x: int) -> int:
    """``iclz_64``: count of leading zero bits (64 for 0).

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-iclz).
    """
    return 64 - x.bit_length()


def i32_ctz(x: int) -> int:
    """``ictz_32``: count of trailing zero bits (32 for 0).

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ictz).
    """
    if not x:
        return 32
    return (x & -x).bit_length() - 1


def i64_ctz(x: int) -> int:
    """``ictz_64``: count of trailing zero bits (64 for 0).

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ictz).
    """
    if not x:
        return 64
    return (x & -x).bit_length() - 1


if hasattr(int, "bit_count"):  # Python 3.10+
    _bit_count = int.bit_count

    def i32_popcnt(x: int) -> int:
        """``ipopcnt_32``: number of one bits.

        Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ipopcnt).
        """
        return _bit_count(x)

    def i64_popcnt(x: int) -> int:
        """``ipopcnt_64``: number of one bits.

        Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ipopcnt).
        """
        return _bit_count(x)
else:  # pragma: no cover - Python 3.9
    def i32_popcnt(x: int) -> int:
        """``ipopcnt_32``: number of one bits.

        Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ipopcnt).
        """
        return bin(x).count("1")

    def i64_popcnt(x: int) -> int:
        """``ipopcnt_64``: number of one bits.

        Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ipopcnt).
        """
        return bin(x).count("1")


def i32_shl(a: int, k: int) -> int:
    """``ishl_32``: shift left by ``k mod 32``. Spec: Core 2.0 §4.3.2 (#op-ishl)."""
    return (a << (k & 31)) & 0xFFFFFFFF


def i64_shl(a: int, k: int) -> int:
    """``ishl_64``: shift left by ``k mod 64``. Spec: Core 2.0 §4.3.2 (#op-ishl)."""
    return (a << (k & 63)) & 0xFFFFFFFFFFFFFFFF


def i32_shr_u(a: int, k: int) -> int:
    """``ishr_u_32``: logical shift right by ``k mod 32``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ishr-u).
    """
    return a >> (k & 31)


def i64_shr_u(a: int, k: int) -> int:
    """``ishr_u_64``: logical shift right by ``k mod 64``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ishr-u).
    """
    return a >> (k & 63)


def i32_shr_s(a: int, k: int) -> int:
    """``ishr_s_32``: arithmetic shift right by ``k mod 32``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ishr-s).
    """
    return (((a ^ 0x80000000) - 0x80000000) >> (k & 31)) & 0xFFFFFFFF


def i64_shr_s(a: int, k: int) -> int:
    """``ishr_s_64``: arithmetic shift right by ``k mod 64``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-ishr-s).
    """
    return (((a ^ 0x8000000000000000) - 0x8000000000000000) >> (k & 63)) \
        & 0xFFFFFFFFFFFFFFFF


def i32_rotl(a: int, k: int) -> int:
    """``irotl_32``: rotate left by ``k mod 32``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irotl).
    """
    k &= 31
    return ((a << k) | (a >> (32 - k))) & 0xFFFFFFFF


def i32_rotr(a: int, k: int) -> int:
    """``irotr_32``: rotate right by ``k mod 32``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irotr).
    """
    k &= 31
    return ((a >> k) | (a << (32 - k))) & 0xFFFFFFFF


def i64_rotl(a: int, k: int) -> int:
    """``irotl_64``: rotate left by ``k mod 64``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irotl).
    """
    k &= 63
    return ((a << k) | (a >> (64 - k))) & 0xFFFFFFFFFFFFFFFF


def i64_rotr(a: int, k: int) -> int:
    """``irotr_64``: rotate right by ``k mod 64``.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-irotr).
    """
    k &= 63
    return ((a >> k) | (a << (64 - k))) & 0xFFFFFFFFFFFFFFFF


def i32_extend8_s(x: int) -> int:
    """``iextend8_s_32``: sign-extend the low 8 bits.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-iextendn-s).
    """
    return (((x & 0xFF) ^ 0x80) - 0x80) & 0xFFFFFFFF


def i32_extend16_s(x: int) -> int:
    """``iextend16_s_32``: sign-extend the low 16 bits.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-iextendn-s).
    """
    return (((x & 0xFFFF) ^ 0x8000) - 0x8000) & 0xFFFFFFFF


def i64_extend8_s(x: int) -> int:
    """``iextend8_s_64``: sign-extend the low 8 bits.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-iextendn-s).
    """
    return (((x & 0xFF) ^ 0x80) - 0x80) & 0xFFFFFFFFFFFFFFFF


def i64_extend16_s(x: int) -> int:
    """``iextend16_s_64``: sign-extend the low 16 bits.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-iextendn-s).
    """
    return (((x & 0xFFFF) ^ 0x8000) - 0x8000) & 0xFFFFFFFFFFFFFFFF


def i64_extend32_s(x: int) -> int:
    """``iextend32_s_64``: sign-extend the low 32 bits.

    Spec: Core 2.0 §4.3.2 (exec/numerics.html#op-iextendn-s).
    """
    return (((x & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000) & 0xFFFFFFFFFFFFFFFF


# --------------------------------------------------------------------------------------
# Floating-point operations — Spec: Core 2.0 §4.3.3
# (exec/numerics.html#floating-point-operations)

def f64_add(a: float, b: float) -> float:
    """``fadd_64``. Python float addition is IEEE addition: it never raises, overflow
    gives +-inf, inf - inf gives a NaN. Spec: Core 2.0 §4.3.3 (#op-fadd)."""
    return a + b


def f64_sub(a: float, b: float) -> float:
    """``fsub_64`` (plain Python subtraction, never raises).

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fsub).
    """
    return a - b


def f64_mul(a: float, b: float) -> float:
    """``fmul_64`` (plain Python multiplication, never raises; 0 * inf is a NaN).

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fmul).
    """
    return a * b


def _div_by_zero(a: float, b: float) -> float:
    """``a / b`` for a zero ``b`` (which Python refuses with ZeroDivisionError).

    NaN / 0 propagates the NaN (quieted); 0 / 0 is the canonical NaN; otherwise an
    infinity whose sign is the exclusive or of the operands' signs.
    """
    if a != a:
        return _quiet(a)
    if not a:
        return _CANONICAL_NAN
    if (_copysign(1.0, a) < 0.0) is (_copysign(1.0, b) < 0.0):
        return _INF
    return _NINF


def f64_div(a: float, b: float) -> float:
    """``fdiv_64``: IEEE division; a zero divisor gives +-inf or NaN instead of
    Python's ZeroDivisionError.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fdiv).
    """
    try:
        return a / b
    except ZeroDivisionError:
        return _div_by_zero(a, b)


def f64_sqrt(x: float) -> float:
    """``fsqrt_64``: sqrt(-0) is -0, sqrt of a negative number or -inf is the
    canonical NaN (not Python's ValueError), NaNs propagate quieted.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fsqrt).
    """
    if x > 0.0:
        return _sqrt(x)
    if x == 0.0:
        return x
    if x != x:
        return _quiet(x)
    return _CANONICAL_NAN


def f32_add(a: float, b: float) -> float:
    """``fadd_32``: the sum computed in double, rounded once to f32 (innocuous double
    rounding, see the module docstring).

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fadd).
    """
    x = a + b
    if 1.3817869688151111e-76 < x * x < 1.1579207543382391e+77:
        p = x * 536870913.0
        return p + (x - p)
    return _f32_round_struct(x)


def f32_sub(a: float, b: float) -> float:
    """``fsub_32``: computed in double, rounded once to f32.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fsub).
    """
    x = a - b
    if 1.3817869688151111e-76 < x * x < 1.1579207543382391e+77:
        p = x * 536870913.0
        return p + (x - p)
    return _f32_round_struct(x)


def f32_mul(a: float, b: float) -> float:
    """``fmul_32``: the product of two f32 is exact in double; rounded once to f32.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fmul).
    """
    x = a * b
    if 1.3817869688151111e-76 < x * x < 1.1579207543382391e+77:
        p = x * 536870913.0
        return p + (x - p)
    return _f32_round_struct(x)


def f32_div(a: float, b: float) -> float:
    """``fdiv_32``: computed in double, rounded once to f32; a zero divisor gives
    +-inf or NaN.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fdiv).
    """
    try:
        x = a / b
    except ZeroDivisionError:
        return _div_by_zero(a, b)
    if 1.3817869688151111e-76 < x * x < 1.1579207543382391e+77:
        p = x * 536870913.0
        return p + (x - p)
    return _f32_round_struct(x)


def f32_sqrt(x: float) -> float:
    """``fsqrt_32``: the double square root rounded to f32 is the correctly rounded
    f32 square root (53 >= 2*24 + 2). Special cases as :func:`f64_sqrt`.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fsqrt).
    """
    if x > 0.0:
        x = _sqrt(x)
        if 1.3817869688151111e-76 < x * x < 1.1579207543382391e+77:
            p = x * 536870913.0
            return p + (x - p)
        return _f32_round_struct(x)
    if x == 0.0:
        return x
    if x != x:
        return _quiet(x)
    return _CANONICAL_NAN


def f64_min(a: float, b: float) -> float:
    """``fmin``: a NaN operand gives a quiet NaN (the first NaN operand, quieted);
    -0.0 is smaller than +0.0. Valid for f32 representations too.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fmin).
    """
    if a < b:
        return a
    if b < a:
        return b
    if a == b:
        if a:
            return a
        return a if _copysign(1.0, a) < 0.0 else b
    return _quiet(a if a != a else b)


def f64_max(a: float, b: float) -> float:
    """``fmax``: a NaN operand gives a quiet NaN (the first NaN operand, quieted);
    +0.0 is larger than -0.0. Valid for f32 representations too.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fmax).
    """
    if a > b:
        return a
    if b > a:
        return b
    if a == b:
        if a:
            return a
        return b if _copysign(1.0, a) < 0.0 else a
    return _quiet(a if a != a else b)


def f64_ceil(x: float) -> float:
    """``fceil``: ceil(-0.5) is -0.0; zeros, infinities and integral values (every
    |x| >= 2**52) are returned as they are; NaNs come back quieted. Exact for f32
    representations too.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fceil).
    """
    if -4503599627370496.0 < x < 4503599627370496.0 and x:
        r = _ceil(x)
        return float(r) if r else -0.0  # r == 0 only for -1 < x < 0
    if x == x:
        return x
    return _quiet(x)


def f64_floor(x: float) -> float:
    """``ffloor``: floor(-0.0) is -0.0, floor(0.5) is +0.0; NaNs come back quieted.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-ffloor).
    """
    if -4503599627370496.0 < x < 4503599627370496.0 and x:
        return float(_floor(x))  # 0 only for 0 < x < 1: +0.0 is right
    if x == x:
        return x
    return _quiet(x)


def f64_trunc(x: float) -> float:
    """``ftrunc``: rounds toward zero keeping the sign of zero (trunc(-0.5) is -0.0);
    NaNs come back quieted.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-ftrunc).
    """
    if -4503599627370496.0 < x < 4503599627370496.0 and x:
        r = int(x)
        if r:
            return float(r)
        return 0.0 if x > 0.0 else -0.0
    if x == x:
        return x
    return _quiet(x)


def f64_nearest(x: float) -> float:
    """``fnearest``: round to the nearest integral value, ties to even, keeping the
    sign of zero (nearest(-0.5) is -0.0); NaNs come back quieted.

    For 0 < x < 2**52, ``(x + 2**52) - 2**52`` rounds at the units place with the
    current (nearest-even) rounding mode, and 2**52 is even so the parity is right.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fnearest).
    """
    if 0.0 < x < 4503599627370496.0:
        return (x + 4503599627370496.0) - 4503599627370496.0
    if -4503599627370496.0 < x < 0.0:
        r = (x - 4503599627370496.0) + 4503599627370496.0
        return r if r else -0.0
    if x == x:
        return x
    return _quiet(x)


def f64_abs(x: float) -> float:
    """``fabs``: clear the sign bit; NaN payloads (signaling too) are kept exactly.
    Valid for f32 representations too.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fabs).
    """
    if x == x:
        return _copysign(x, 1.0)
    return _d_unpack(_Q_pack(_Q_unpack(_d_pack(x))[0] & 0x7FFFFFFFFFFFFFFF))[0]


def f64_neg(x: float) -> float:
    """``fneg``: flip the sign bit; NaN payloads (signaling too) are kept exactly.
    Valid for f32 representations too.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fneg).
    """
    if x == x:
        return -x
    return _d_unpack(_Q_pack(_Q_unpack(_d_pack(x))[0] ^ _SIGN64))[0]


def f64_copysign(a: float, b: float) -> float:
    """``fcopysign``: ``a`` with the sign bit of ``b``; NaN payloads (signaling too)
    are kept exactly, a NaN ``b`` contributes its sign bit. Valid for f32
    representations too.

    Spec: Core 2.0 §4.3.3 (exec/numerics.html#op-fcopysign).
    """
    if a == a and b == b:
        return _copysign(a, b)
    return _d_unpack(_Q_pack((_Q_unpack(_d_pack(a))[0] & 0x7FFFFFFFFFFFFFFF)
                             | (_Q_unpack(_d_pack(b))[0] & _SIGN64)))[0]


# The f32 forms of the operations that are exact on f32 values and treat NaNs with
# bit operations that mean the same for both representations.
f32_min = f64_min
f32_max = f64_max
f32_ceil = f64_ceil
f32_floor = f64_floor
f32_trunc = f64_trunc
f32_nearest = f64_nearest
f32_abs = f64_abs
f32_neg = f64_neg
f32_copysign = f64_copysign


# --------------------------------------------------------------------------------------
# Conversions — Spec: Core 2.0 §4.3.4 (exec/numerics.html#conversions)

def i32_wrap_i64(x: int) -> int:
    """``wrap_64,32``: keep the low 32 bits. Spec: Core 2.0 §4.3.4 (#op-wrap)."""
    return x & 0xFFFFFFFF


def i64_extend_i32_u(x: int) -> int:
    """``extend_u_32,64``: the value itself (already unsigned).

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-extend-u).
    """
    return x


def i64_extend_i32_s(x: int) -> int:
    """``extend_s_32,64``: sign-extend an i32 to i64.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-extend-s).
    """
    return ((x ^ 0x80000000) - 0x80000000) & 0xFFFFFFFFFFFFFFFF


def i32_trunc_f64_s(x: float) -> int:
    """``trunc_s_64,32`` (also ``i32.trunc_f32_s``): truncate toward zero.

    Accepts -2147483649 < x < 2147483648 (so -2147483648.9 gives -2147483648); a NaN
    traps with "invalid conversion to integer", anything else out of range with
    "integer overflow".

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-s).
    """
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & 0xFFFFFFFF
    raise Trap(_INVALID if x != x else _OVERFLOW)


def i32_trunc_f64_u(x: float) -> int:
    """``trunc_u_64,32`` (also ``i32.trunc_f32_u``): accepts -1 < x < 2**32.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-u).
    """
    if -1.0 < x < 4294967296.0:
        return int(x)
    raise Trap(_INVALID if x != x else _OVERFLOW)


def i64_trunc_f64_s(x: float) -> int:
    """``trunc_s_64,64`` (also ``i64.trunc_f32_s``): accepts -2**63 <= x < 2**63
    (no double lies strictly between -2**63 - 1 and -2**63).

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-s).
    """
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return int(x) & 0xFFFFFFFFFFFFFFFF
    raise Trap(_INVALID if x != x else _OVERFLOW)


def i64_trunc_f64_u(x: float) -> int:
    """``trunc_u_64,64`` (also ``i64.trunc_f32_u``): accepts -1 < x < 2**64.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-u).
    """
    if -1.0 < x < 18446744073709551616.0:
        return int(x)
    raise Trap(_INVALID if x != x else _OVERFLOW)


i32_trunc_f32_s = i32_trunc_f64_s
i32_trunc_f32_u = i32_trunc_f64_u
i64_trunc_f32_s = i64_trunc_f64_s
i64_trunc_f32_u = i64_trunc_f64_u


def i32_trunc_sat_f64_s(x: float) -> int:
    """``trunc_sat_s_64,32`` (also from f32): NaN gives 0, out of range saturates.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-sat-s).
    """
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & 0xFFFFFFFF
    if x > 0.0:
        return 0x7FFFFFFF
    if x < 0.0:
        return 0x80000000
    return 0


def i32_trunc_sat_f64_u(x: float) -> int:
    """``trunc_sat_u_64,32`` (also from f32): NaN and negatives give 0, large
    values saturate to 2**32 - 1.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-sat-u).
    """
    if -1.0 < x < 4294967296.0:
        return int(x)
    if x > 0.0:
        return 0xFFFFFFFF
    return 0


def i64_trunc_sat_f64_s(x: float) -> int:
    """``trunc_sat_s_64,64`` (also from f32): NaN gives 0, out of range saturates.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-sat-s).
    """
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return int(x) & 0xFFFFFFFFFFFFFFFF
    if x > 0.0:
        return 0x7FFFFFFFFFFFFFFF
    if x < 0.0:
        return 0x8000000000000000
    return 0


def i64_trunc_sat_f64_u(x: float) -> int:
    """``trunc_sat_u_64,64`` (also from f32): NaN and negatives give 0, large
    values saturate to 2**64 - 1.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-trunc-sat-u).
    """
    if -1.0 < x < 18446744073709551616.0:
        return int(x)
    if x > 0.0:
        return 0xFFFFFFFFFFFFFFFF
    return 0


i32_trunc_sat_f32_s = i32_trunc_sat_f64_s
i32_trunc_sat_f32_u = i32_trunc_sat_f64_u
i64_trunc_sat_f32_s = i64_trunc_sat_f64_s
i64_trunc_sat_f32_u = i64_trunc_sat_f64_u


def f64_convert_i32_s(x: int) -> float:
    """``convert_s_32,64``: exact. Spec: Core 2.0 §4.3.4 (#op-convert-s)."""
    return float((x ^ 0x80000000) - 0x80000000)


def f64_convert_i32_u(x: int) -> float:
    """``convert_u_32,64``: exact. Spec: Core 2.0 §4.3.4 (#op-convert-u)."""
    return float(x)


def f64_convert_i64_s(x: int) -> float:
    """``convert_s_64,64``: Python's ``float(int)`` rounds correctly (ties to even).

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-convert-s).
    """
    return float((x ^ 0x8000000000000000) - 0x8000000000000000)


def f64_convert_i64_u(x: int) -> float:
    """``convert_u_64,64``: Python's ``float(int)`` rounds correctly (ties to even).

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-convert-u).
    """
    return float(x)


def f32_convert_i32_s(x: int) -> float:
    """``convert_s_32,32``: the i32 is exact in double, so one rounding to f32.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-convert-s).
    """
    f = float((x ^ 0x80000000) - 0x80000000)
    if -16777216.0 <= f <= 16777216.0:  # |x| <= 2**24: already an f32
        return f
    return _f32_round_struct(f)


def f32_convert_i32_u(x: int) -> float:
    """``convert_u_32,32``: the i32 is exact in double, so one rounding to f32.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-convert-u).
    """
    if x <= 16777216:  # x <= 2**24: already an f32
        return float(x)
    return _f32_round_struct(float(x))


def _f32_from_magnitude(m: int) -> float:
    """Round a non-negative integer below 2**64 to f32 with a single rounding.

    Below 2**53 the conversion to double is exact. Above, rounding to double first and
    then to f32 could round twice the wrong way, so the integer is cut to 26
    significant bits (24 kept + the rounding bit + a sticky bit that ORs everything
    below): that double is exact and rounds to the same f32 as the integer.
    """
    if m <= 16777216:  # m <= 2**24: already an f32
        return float(m)
    if m < 9007199254740992:
        return _f32_round_struct(float(m))
    shift = m.bit_length() - 26
    top = m >> shift
    if m & ((1 << shift) - 1):
        top |= 1
    return _f32_round_struct(float(top << shift))


def f32_convert_i64_s(x: int) -> float:
    """``convert_s_64,32``: correctly rounded once from the integer to f32.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-convert-s).
    """
    if x & 0x8000000000000000:
        return -_f32_from_magnitude(0x10000000000000000 - x)
    return _f32_from_magnitude(x)


def f32_convert_i64_u(x: int) -> float:
    """``convert_u_64,32``: correctly rounded once from the integer to f32.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-convert-u).
    """
    return _f32_from_magnitude(x)


def f32_demote_f64(x: float) -> float:
    """``demote_64,32``: round to nearest f32 (overflow to +-inf); a NaN keeps its
    sign and top 23 payload bits and gets the quiet bit, as hardware does (a
    canonical NaN stays canonical).

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-demote).
    """
    if 1.3817869688151111e-76 < x * x < 1.1579207543382391e+77:
        p = x * 536870913.0
        return p + (x - p)
    return _f32_round_struct(x)


def f64_promote_f32(x: float) -> float:
    """``promote_32,64``: exact; a NaN keeps sign and payload and gets the quiet bit.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-promote).
    """
    if x == x:
        return x
    return _quiet(x)


def i32_reinterpret_f32(x: float) -> int:
    """``reinterpret_f32,i32``: the f32's bit pattern, bit-exact.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-reinterpret).
    """
    return f32_to_bits(x)


def f32_reinterpret_i32(b: int) -> float:
    """``reinterpret_i32,f32``: the f32 with bit pattern ``b``, bit-exact.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-reinterpret).
    """
    return f32_from_bits(b)


def i64_reinterpret_f64(x: float) -> int:
    """``reinterpret_f64,i64``: the f64's bit pattern, bit-exact.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-reinterpret).
    """
    return _Q_unpack(_d_pack(x))[0]


def f64_reinterpret_i64(b: int) -> float:
    """``reinterpret_i64,f64``: the f64 with bit pattern ``b``, bit-exact.

    Spec: Core 2.0 §4.3.4 (exec/numerics.html#op-reinterpret).
    """
    return _d_unpack(_Q_pack(b))[0]


# --------------------------------------------------------------------------------------
# Memory — Spec: Core 2.0 §4.4.7 (exec/instructions.html#memory-instructions), with the
# byte encoding of §4.3.1 ``bytes_t`` (little endian). Out-of-bounds accesses raise
# struct.error from struct itself (never caught here; the engine maps it to a trap).

_Buffer = Union[memoryview, bytearray, bytes]
_WritableBuffer = Union[memoryview, bytearray]

def f32_load(view: _Buffer, address: int) -> float:
    """Read the f32 at ``address`` of a buffer (``memoryview``/``bytearray``)
    into the internal representation, bit-exact for NaNs.

    Spec: Core 2.0 §4.4.7 (exec/instructions.html#memory-instructions), ``load``.
    """
    x = _f_unpack_from(view, address)[0]
    if x == x:
        return x
    return f32_from_bits(_I_unpack_from(view, address)[0])


def f32_store(view: _WritableBuffer, address: int, x: float) -> None:
    """Write f32 ``x`` (internal representation) at ``address``, bit-exact for NaNs.

    Spec: Core 2.0 §4.4.7 (exec/instructions.html#memory-instructions), ``store``.
    """
    if x == x:
        _f_pack_into(view, address, x)
    else:
        _I_pack_into(view, address, f32_to_bits(x))


def f64_load(view: _Buffer, address: int) -> float:
    """Read the f64 at ``address`` (a byte copy: bit-exact, sNaN included).

    Spec: Core 2.0 §4.4.7 (exec/instructions.html#memory-instructions), ``load``.
    """
    return _d_unpack_from(view, address)[0]


def f64_store(view: _WritableBuffer, address: int, x: float) -> None:
    """Write f64 ``x`` at ``address`` (a byte copy: bit-exact, sNaN included).

    Spec: Core 2.0 §4.4.7 (exec/instructions.html#memory-instructions), ``store``.
    """
    _d_pack_into(view, address, x)


# --------------------------------------------------------------------------------------
# Import-time self-check of the arithmetic tricks above

def _tricks_hold() -> bool:
    """Check that this platform's float arithmetic is plain binary64 round-to-nearest.

    Veltkamp's splitting (in :func:`f32_round` and the f32 arithmetic) and the 2**52
    trick of :func:`f64_nearest` rely on every operation being rounded once to
    binary64. That holds on every SSE2/NEON build; an x87 build with excess precision
    would round twice. The probes are the hard cases (ties and near-ties, both
    parities, binade and range boundaries); if any disagrees with the C library's
    conversion, the slower struct/math-based forms are used instead.
    """
    for sign in (0, 1 << 63):
        for exponent in (1, 2, 62, 126, 127, 128, 150, 151, 190, 253, 254):
            for high in (0, 1, 0x3FFFFF, 0x400000, 0x7FFFFE, 0x7FFFFF):
                for low in (0, 1, 0x0FFFFFFF, 0x10000000, 0x10000001, 0x1FFFFFFF):
                    bits = sign | ((exponent - 127 + 1023) << 52) | (high << 29) | low
                    x = _d_unpack(_Q_pack(bits))[0]
                    if _Q_unpack(_d_pack(f32_round(x)))[0] != \
                            _Q_unpack(_d_pack(_f32_round_struct(x)))[0]:
                        return False
    for k in range(-8, 9):
        for frac in (0.5, 0.25, 0.75, 0.4999999999999999, 0.5000000000000001):
            x = k + frac
            if f64_nearest(x) != float(round(x)):
                return False
    big = 4503599627370495.5  # 2**52 - 0.5: a tie that must go to 2**52
    return f64_nearest(big) == 4503599627370496.0 and f64_nearest(-big) == -4503599627370496.0


if not _tricks_hold():  # pragma: no cover - only on non-binary64 arithmetic (x87)
    f32_round = _f32_round_struct
    f32_demote_f64 = _f32_round_struct

    def f32_add(a: float, b: float) -> float:  # noqa: F811
        """``fadd_32`` (struct-based fallback). Spec: Core 2.0 §4.3.3 (#op-fadd)."""
        return _f32_round_struct(a + b)

    def f32_sub(a: float, b: float) -> float:  # noqa: F811
        """``fsub_32`` (struct-based fallback). Spec: Core 2.0 §4.3.3 (#op-fsub)."""
        return _f32_round_struct(a - b)

    def f32_mul(a: float, b: float) -> float:  # noqa: F811
        """``fmul_32`` (struct-based fallback). Spec: Core 2.0 §4.3.3 (#op-fmul)."""
        return _f32_round_struct(a * b)

    def f32_div(a: float, b: float) -> float:  # noqa: F811
        """``fdiv_32`` (struct-based fallback). Spec: Core 2.0 §4.3.3 (#op-fdiv)."""
        try:
            x = a / b
        except ZeroDivisionError:
            return _div_by_zero(a, b)
        return _f32_round_struct(x)

    def f32_sqrt(x: float) -> float:  # noqa: F811
        """``fsqrt_32`` (struct-based fallback). Spec: Core 2.0 §4.3.3 (#op-fsqrt)."""
        y = f64_sqrt(x)
        return _f32_round_struct(y) if y == y else y

    def f64_nearest(x: float) -> float:  # noqa: F811
        """``fnearest`` (round()-based fallback). Spec: Core 2.0 §4.3.3 (#op-fnearest)."""
        if -4503599627370496.0 < x < 4503599627370496.0 and x:
            r = float(round(x))
            return r if r else _copysign(0.0, x)
        if x == x:
            return x
        return _quiet(x)

    f32_nearest = f64_nearest


#: Every public operation by its name (``"i32_div_s"`` -> function), for an engine's
#: ``HELPERS`` mapping or a reference interpreter.
NUMERIC_HELPERS = {name: globals()[name] for name in __all__ if name != "NUMERIC_HELPERS"}
