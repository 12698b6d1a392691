"""Building blocks of the generated Python: pending expressions and a statement tree.

Theory of operation
-------------------
The Wasm operand stack does not exist at run time. While compiling, the compiler keeps
a stack of :class:`Expr` (a Python expression plus what it depends on); instructions
combine them into larger expressions, and only *materialize* one (assign it to the
stack-slot variable ``s{height}``) when it must be evaluated now: before a side effect
it must precede, before a local it reads is overwritten, at a control-flow join, or
when it grows too deep.

An :class:`Expr` knows:

* ``text``: the expression, atomic or fully parenthesized, giving the value in the
  internal convention (see :mod:`zerowasm._engine.protocol`);
* ``cond``: optionally a cheaper expression with the same truth value (``a < b`` for
  ``i32.lt_u``), used by ``if``/``br_if``/``select`` so no 0/1 int is made;
* ``reads``: the variable names (``l3``, ``s4``) whose later assignment would change its
  value;
* ``ordered``: its evaluation may trap or reads mutable instance state (memory, mutable
  globals, tables), so it must be evaluated in Wasm order with respect to side effects
  and other such expressions;
* ``depth``: nesting depth, capped so that Python's parser and compiler never recurse
  too deep;
* ``const``: the value of an integer constant (``None`` otherwise).

Statements are collected as a small tree (:class:`If`, :class:`While`, strings) and
rendered with indentation at the end, which lets the compiler emit the segments of a
dispatch loop separately and arrange them afterwards.
"""

from __future__ import annotations

from typing import FrozenSet, List, Optional, Union

__all__ = ["Expr", "If", "While", "Statement", "render", "EMPTY"]

EMPTY: FrozenSet[str] = frozenset()


class Expr:
    """A pending Python expression standing for one operand stack value.

    ``raw`` is the expression; when ``wrap`` is a mask (``0xffffffff``...), ``raw`` is
    only congruent to the value modulo ``wrap + 1`` (additions and multiplications
    skip their masks until a consumer needs the canonical value) and ``text`` applies
    the mask. Handlers that are congruence-safe (``+ - * & | ^ <<``) use ``raw``.
    """

    __slots__ = ("raw", "wrap", "cond", "reads", "ordered", "depth", "const", "canon")

    def __init__(self, text: str, reads: FrozenSet[str] = EMPTY, ordered: bool = False,
                 depth: int = 0, cond: Optional[str] = None, const: Optional[int] = None,
                 wrap: int = 0, canon: Optional[str] = None) -> None:
        self.raw = text
        self.wrap = wrap
        #: when ``wrap`` is set: a faster expression of the canonical value than the
        #: mask, valid because ``raw`` is known to lie in a small range (see integer.py)
        self.canon = canon
        self.cond = cond
        self.reads = reads
        self.ordered = ordered
        self.depth = depth
        self.const = const

    @property
    def text(self) -> str:
        """The expression giving the canonical value."""
        if self.wrap:
            if self.canon is not None:
                return self.canon
            return "(%s & %s)" % (self.raw, hex(self.wrap))
        return self.raw

    @staticmethod
    def var(name: str) -> Expr:
        """A variable (local or stack slot)."""
        return Expr(name, frozenset((name,)))

    @staticmethod
    def integer(value: int) -> Expr:
        """An integer constant (i32/i64, unsigned)."""
        return Expr(str(value) if value < 0x10000 else hex(value), const=value)

    @staticmethod
    def stable(text: str) -> Expr:
        """A value that cannot change during the function (literal, immutable name)."""
        return Expr(text)

    @property
    def truth(self) -> str:
        """An expression whose truth value is ``value != 0``."""
        return self.cond if self.cond is not None else self.text

    @property
    def is_stable(self) -> bool:
        """True when evaluating it later gives the same value and cannot trap."""
        return not self.reads and not self.ordered

    def __repr__(self) -> str:
        return "Expr(%r%s%s)" % (self.text, " ordered" if self.ordered else "",
                                 " reads=%s" % sorted(self.reads) if self.reads else "")


class If:
    """``if cond: body`` with an optional ``else`` branch."""

    __slots__ = ("cond", "body", "orelse")

    def __init__(self, cond: str, body: Optional[List[Statement]] = None,
                 orelse: Optional[List[Statement]] = None) -> None:
        self.cond = cond
        self.body: List[Statement] = body if body is not None else []
        self.orelse = orelse


class While:
    """``while True: body``."""

    __slots__ = ("body",)

    def __init__(self, body: Optional[List[Statement]] = None) -> None:
        self.body: List[Statement] = body if body is not None else []


Statement = Union[str, If, While]


def _strip(cond: str) -> str:
    """Drop one pair of enclosing parentheses when they enclose the whole text."""
    if len(cond) > 1 and cond[0] == "(" and cond[-1] == ")":
        level = 0
        for i, ch in enumerate(cond):
            if ch == "(":
                level += 1
            elif ch == ")":
                level -= 1
                if level == 0 and i != len(cond) - 1:
                    return cond
        return cond[1:-1]
    return cond


def render(statements: List[Statement], indent: int, out: List[str]) -> None:
    """Append the lines of ``statements`` at ``indent`` levels (4 spaces each) to ``out``."""
    pad = "    " * indent
    if not statements:
        out.append(pad + "pass")
        return
    for statement in statements:
        if isinstance(statement, str):
            out.append(pad + statement)
        elif isinstance(statement, If):
            out.append("%sif %s:" % (pad, _strip(statement.cond)))
            render(statement.body, indent + 1, out)
            if statement.orelse:
                out.append(pad + "else:")
                render(statement.orelse, indent + 1, out)
        else:
            out.append(pad + "while True:")
            render(statement.body, indent + 1, out)
