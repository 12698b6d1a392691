"""i32/i64 numeric instructions (Spec: Core 2.0 §4.4.1, exec/instructions.html#numeric-
instructions; operators in §4.3.2, exec/numerics.html#integer-operations).

Values are unsigned Python ints. ``+ - * <<`` are masked; ``& | ^ >>`` of canonical
values need no mask. Comparisons push a condition (``a < b``) that ``if``/``br_if``/
``select`` use directly; as a value it is ``(1 if a < b else 0)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Optional, Tuple

from ..._opcodes import Op
from .codegen import Expr
from .common import MASK32, MASK64, binary, call_helper, compare, fold_with, unary

if TYPE_CHECKING:
    from .compiler import FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def _consts(bits: int) -> Tuple[int, int, int]:
    mask = MASK32 if bits == 32 else MASK64
    sign = 0x80000000 if bits == 32 else 0x8000000000000000
    return mask, sign, bits - 1


# ---------------------------------------------------------------------------- constants
def i32_const(c: FunctionCompiler, ins: tuple) -> None:
    c.push(Expr.integer(ins[1]))


i64_const = i32_const


# ---------------------------------------------------------------------------- arithmetic
def _masked(op: str, bits: int, name: str) -> Handler:
    """``+ - *``: the result is left unmasked (congruent) until a consumer needs it."""
    mask = MASK32 if bits == 32 else MASK64
    template = "({a} %s {b})" % op
    fold = fold_with(name)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        raw_binary(c, template, fold, mask)
    handler.__name__ = name
    return handler


def raw_binary(c: FunctionCompiler, template: str, fold: Optional[Callable[..., Optional[int]]],
               wrap: int) -> None:
    """A congruence-safe binary operation on the operands' unmasked forms."""
    a, b = c.stack[-2], c.stack[-1]
    if a.const is not None and b.const is not None and fold is not None:
        folded = fold(a.const, b.const)
        if folded is not None:
            c.pop_n(2)
            c.push(Expr.integer(folded))
            return
    a, b = c.operands(2)
    result = c.make(template.format(a=a.raw, b=b.raw), a, b, wrap=wrap)
    if wrap and not a.wrap and not b.wrap and a.const is None and b.const is None:
        # both operands canonical: the result lies in a small range, and a comparison
        # is cheaper than masking with a multi-digit int (sieve's inner loop -8%)
        op = template[5]
        modulus = wrap + 1
        if op == "+":      # [0, 2 * modulus)
            result.canon = "(w_ if (w_ := %s) < %d else w_ - %d)" % (result.raw, modulus,
                                                                     modulus)
        elif op == "-":    # (-modulus, modulus)
            result.canon = "(w_ if (w_ := %s) >= 0 else w_ + %d)" % (result.raw, modulus)
        elif op == "*":    # [0, modulus ** 2)
            result.canon = "(w_ if (w_ := %s) <= %d else w_ & %d)" % (result.raw, wrap, wrap)
    c.push(result)


def _add_sub(op: str, bits: int, name: str) -> Handler:
    """``+ -``: like :func:`_masked`, except that a canonical variable plus or minus a
    constant becomes ``(x - k if x >= k else x + c)`` (or ``(x + c if x < k else x -
    k)``), canonical with no mask: CPython's arithmetic on ints below 2**30 has a fast
    path that masks with ``0xffffffff`` (a two-digit int) miss -- fib(25) 36 -> 25 ms."""
    general = _masked(op, bits, name)
    modulus = 1 << bits

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a, b = c.stack[-2], c.stack[-1]
        if (b.const is None or a.const is not None or a.wrap or a.cond is not None
                or not a.raw.isidentifier()):
            general(c, ins)
            return
        k = b.const % modulus if op == "-" else (modulus - b.const) % modulus  # x - k
        a, _ = c.operands(2)
        if k == 0:
            c.push(a)
        elif k <= modulus >> 1:
            c.push(c.make("(%s - %d if %s >= %d else %s + %d)"
                          % (a.raw, k, a.raw, k, a.raw, modulus - k), a))
        else:
            added = modulus - k
            c.push(c.make("(%s + %d if %s < %d else %s - %d)"
                          % (a.raw, added, a.raw, k, a.raw, k), a))
    handler.__name__ = name
    return handler


i32_add = _add_sub("+", 32, "i32_add")
i32_sub = _add_sub("-", 32, "i32_sub")
i32_mul = _masked("*", 32, "i32_mul")
i64_add = _add_sub("+", 64, "i64_add")
i64_sub = _add_sub("-", 64, "i64_sub")
i64_mul = _masked("*", 64, "i64_mul")


def _fold_and(a: int, b: int) -> int:
    return a & b


def _fold_or(a: int, b: int) -> int:
    return a | b


def _fold_xor(a: int, b: int) -> int:
    return a ^ b


def _bitwise(op: str, fold: Callable[[int, int], int], name: str) -> Handler:
    """``& | ^`` on unmasked operands: ``a & b`` is canonical when either operand is
    (both non-negative and below 2**N); ``|``/``^`` only when both are."""
    template = "({a} %s {b})" % op

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a, b = c.stack[-2], c.stack[-1]
        if a.const is not None and b.const is not None:
            c.pop_n(2)
            c.push(Expr.integer(fold(a.const, b.const)))
            return
        wrap = (a.wrap if a.wrap and b.wrap else 0) if op == "&" else (a.wrap or b.wrap)
        a, b = c.operands(2)
        c.push(c.make(template.format(a=a.raw, b=b.raw), a, b, wrap=wrap))
    handler.__name__ = name
    return handler


i32_and = _bitwise("&", _fold_and, "i32_and")
i32_or = _bitwise("|", _fold_or, "i32_or")
i32_xor = _bitwise("^", _fold_xor, "i32_xor")
i64_and = i32_and
i64_or = i32_or
i64_xor = i32_xor


def _division(bits: int, signed: bool, rem: bool) -> Handler:
    """``div``/``rem``: a helper that traps; an unsigned constant divisor is inlined."""
    name = "i%d_%s_%s" % (bits, "rem" if rem else "div", "s" if signed else "u")
    fold = fold_with(name)
    mask = MASK32 if bits == 32 else MASK64

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a, b = c.stack[-2], c.stack[-1]
        if a.const is not None and b.const is not None:
            result = fold(a.const, b.const)
            if result is not None:
                c.pop_n(2)
                c.push(Expr.integer(result))
                return
        if b.const is not None and b.const != 0:
            if not signed:
                binary(c, "({a} %s %d)" % ("%" if rem else "//", b.const))
                return
            if b.const != mask:
                call_helper(c, name, 2, ordered=False, fold=False)
                return
        call_helper(c, name, 2, ordered=True, fold=False)
    handler.__name__ = name
    return handler


i32_div_s = _division(32, True, False)
i32_div_u = _division(32, False, False)
i32_rem_s = _division(32, True, True)
i32_rem_u = _division(32, False, True)
i64_div_s = _division(64, True, False)
i64_div_u = _division(64, False, False)
i64_rem_s = _division(64, True, True)
i64_rem_u = _division(64, False, True)


# ---------------------------------------------------------------------------- shifts
def _shift(bits: int, kind: str) -> Handler:
    mask, sign, k_mask = _consts(bits)
    name = "i%d_%s" % (bits, kind)
    fold = fold_with(name)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        k = c.stack[-1]
        if kind in ("rotl", "rotr"):
            if k.const is not None and c.stack[-2].const is None:
                # a constant rotation inline, left unmasked (congruent): sha256's
                # Sigma functions XOR three of them and mask once
                n = k.const & k_mask
                if kind == "rotr":
                    n = (bits - n) & k_mask
                c.pop()
                if n == 0:
                    return
                a = c.value_var()
                c.pop()
                c.push(c.make("((%s << %d) | (%s >> %d))" % (a.raw, n, a.raw, bits - n), a,
                              wrap=mask))
                return
            call_helper(c, name, 2)
            return
        if k.const is not None and c.stack[-2].const is None:
            n = k.const & k_mask
            c.pop()
            if n == 0:
                return
            if kind == "shl":
                (a,) = c.operands(1)
                c.push(c.make("(%s << %d)" % (a.raw, n), a, wrap=mask))
            elif kind == "shr_u":
                unary(c, "({a} >> %d)" % n)
            else:
                unary(c, "(((({a} ^ %s) - %s) >> %d) & %s)" % (hex(sign), hex(sign), n, hex(mask)))
            return
        if kind == "shl":
            binary(c, "(({a} << ({b} & %d)) & %s)" % (k_mask, hex(mask)), fold)
        elif kind == "shr_u":
            binary(c, "({a} >> ({b} & %d))" % k_mask, fold)
        else:
            binary(c, "(((({a} ^ %s) - %s) >> ({b} & %d)) & %s)"
                   % (hex(sign), hex(sign), k_mask, hex(mask)), fold)
    handler.__name__ = name
    return handler


i32_shl = _shift(32, "shl")
i32_shr_s = _shift(32, "shr_s")
i32_shr_u = _shift(32, "shr_u")
i32_rotl = _shift(32, "rotl")
i32_rotr = _shift(32, "rotr")
i64_shl = _shift(64, "shl")
i64_shr_s = _shift(64, "shr_s")
i64_shr_u = _shift(64, "shr_u")
i64_rotl = _shift(64, "rotl")
i64_rotr = _shift(64, "rotr")


# ---------------------------------------------------------------------------- unary
def _helper_unary(name: str) -> Handler:
    def handler(c: FunctionCompiler, ins: tuple) -> None:
        call_helper(c, name, 1)
    handler.__name__ = name
    return handler


i32_clz = _helper_unary("i32_clz")
i32_ctz = _helper_unary("i32_ctz")
i32_popcnt = _helper_unary("i32_popcnt")
i64_clz = _helper_unary("i64_clz")
i64_ctz = _helper_unary("i64_ctz")
i64_popcnt = _helper_unary("i64_popcnt")


def _extend(bits: int, from_bits: int) -> Handler:
    name = "i%d_extend%d_s" % (bits, from_bits)
    mask = MASK32 if bits == 32 else MASK64
    low = (1 << from_bits) - 1
    sign = 1 << (from_bits - 1)
    template = "((({a} & %s) ^ %s) - %s)" % (hex(low), hex(sign), hex(sign))
    fold = fold_with(name)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        a = c.stack[-1]
        if a.const is not None:
            unary(c, template, fold)
            return
        (a,) = c.operands(1)
        c.push(c.make(template.format(a=a.raw), a, wrap=mask))
    handler.__name__ = name
    return handler


i32_extend8_s = _extend(32, 8)
i32_extend16_s = _extend(32, 16)
i64_extend8_s = _extend(64, 8)
i64_extend16_s = _extend(64, 16)
i64_extend32_s = _extend(64, 32)


# ---------------------------------------------------------------------------- tests
def i32_eqz(c: FunctionCompiler, ins: tuple) -> None:
    a = c.stack[-1]
    if a.const is not None:
        c.pop()
        c.push(Expr.integer(0 if a.const else 1))
        return
    (a,) = c.operands(1)
    if a.cond is not None:
        cond = "(not %s)" % a.cond
        c.push(c.make("(0 if %s else 1)" % a.cond, a, cond=cond))
    else:
        c.push(c.make("(0 if %s else 1)" % a.text, a, cond="(not %s)" % a.text))


i64_eqz = i32_eqz


def _fold_compare(op: str) -> Callable[[int, int], int]:
    import operator
    function = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
                "<=": operator.le, ">=": operator.ge}[op]

    def fold(a: int, b: int) -> int:
        return 1 if function(a, b) else 0
    return fold


def _compare_u(op: str, name: str) -> Handler:
    template = "{a} %s {b}" % op
    fold = _fold_compare(op)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        compare(c, template, fold)
    handler.__name__ = name
    return handler


def _compare_s(op: str, bits: int, name: str) -> Handler:
    _, sign, _ = _consts(bits)
    fold_u = _fold_compare(op)

    def fold(a: int, b: int) -> int:
        return fold_u(a ^ sign, b ^ sign)

    def handler(c: FunctionCompiler, ins: tuple) -> None:
        b = c.stack[-1]
        if b.const is not None and c.stack[-2].const is None:
            c.pop()
            if b.const == 0 and op in ("<", ">="):
                # the sign bit alone: a < 0 is a >= 2**(N-1)
                compare_const(c, "{a} %s %s" % (">=" if op == "<" else "<", hex(sign)))
            else:
                a = c.stack[-1]
                if a.const is None and not a.wrap and a.cond is None and a.raw.isidentifier():
                    # two comparisons of small ints beat a flip with a multi-digit int
                    compare_const(c, _signed_range(op, b.const, sign))
                else:
                    compare_const(c, "({a} ^ %s) %s %s" % (hex(sign), op,
                                                           hex(b.const ^ sign)))
            return
        a = c.stack[-2]
        if a.const is None and b.const is None:
            # a loop-invariant local's flipped sign is computed once, before the loop
            left = c.hoisted_xor(a, sign)
            right = c.hoisted_xor(b, sign)
            if left is not None or right is not None:
                a, b = c.operands(2)
                cond = "(%s %s %s)" % (left or "(%s ^ %s)" % (a.text, hex(sign)), op,
                                       right or "(%s ^ %s)" % (b.text, hex(sign)))
                c.push(c.make("(1 if %s else 0)" % cond, a, b, cond=cond))
                return
        compare(c, "({a} ^ %s) %s ({b} ^ %s)" % (hex(sign), op, hex(sign)), fold)
    handler.__name__ = name
    return handler


def _signed_range(op: str, constant: int, sign: int) -> str:
    """``a op constant`` for signed ``a`` and ``constant`` (both given unsigned), as
    comparisons of the unsigned ``a`` (a template on ``{a}``, a plain variable)."""
    C, S = constant, sign
    if constant < sign:   # constant >= 0: negative values (a >= sign) are below it
        return {"<": "{a} < %d or {a} >= %d" % (C, S),
                "<=": "{a} <= %d or {a} >= %d" % (C, S),
                ">": "%d < {a} < %d" % (C, S),
                ">=": "%d <= {a} < %d" % (C, S)}[op]
    return {"<": "%d <= {a} < %d" % (S, C),       # constant < 0
            "<=": "%d <= {a} <= %d" % (S, C),
            ">": "{a} > %d or {a} < %d" % (C, S),
            ">=": "{a} >= %d or {a} < %d" % (C, S)}[op]


def compare_const(c: FunctionCompiler, template: str) -> None:
    (a,) = c.operands(1)
    cond = "(" + template.format(a=a.text) + ")"
    c.push(c.make("(1 if %s else 0)" % cond, a, cond=cond))


i32_eq = _compare_u("==", "i32_eq")
i32_ne = _compare_u("!=", "i32_ne")
i32_lt_u = _compare_u("<", "i32_lt_u")
i32_gt_u = _compare_u(">", "i32_gt_u")
i32_le_u = _compare_u("<=", "i32_le_u")
i32_ge_u = _compare_u(">=", "i32_ge_u")
i32_lt_s = _compare_s("<", 32, "i32_lt_s")
i32_gt_s = _compare_s(">", 32, "i32_gt_s")
i32_le_s = _compare_s("<=", 32, "i32_le_s")
i32_ge_s = _compare_s(">=", 32, "i32_ge_s")
i64_eq = _compare_u("==", "i64_eq")
i64_ne = _compare_u("!=", "i64_ne")
i64_lt_u = _compare_u("<", "i64_lt_u")
i64_gt_u = _compare_u(">", "i64_gt_u")
i64_le_u = _compare_u("<=", "i64_le_u")
i64_ge_u = _compare_u(">=", "i64_ge_u")
i64_lt_s = _compare_s("<", 64, "i64_lt_s")
i64_gt_s = _compare_s(">", 64, "i64_gt_s")
i64_le_s = _compare_s("<=", 64, "i64_le_s")
i64_ge_s = _compare_s(">=", 64, "i64_ge_s")


HANDLERS: Dict[int, Handler] = {}
for _name in [n for n in Op.__members__ if n.startswith(("I32_", "I64_"))]:
    _handler = globals().get(_name.lower())
    if _handler is not None and callable(_handler):
        HANDLERS[int(getattr(Op, _name))] = _handler
