"""Control instructions (Spec: Core 2.0 §4.4.8, exec/instructions.html#control-
instructions).

The structure (``block``/``loop``/``if``/``else``/``end``) is handled by
:class:`~.compiler.FunctionCompiler`; branches move their values into the target's slot
variables and then ``break``/``continue``/``return`` (see the compiler's docstring).
``br_table`` is a binary search over the runs of equal targets, or a single tuple
lookup when all targets are entries of the innermost dispatch region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Tuple

from ..._opcodes import Op
from .codegen import If, Statement

if TYPE_CHECKING:
    from .compiler import Ctl, FunctionCompiler

__all__ = ["HANDLERS"]

Handler = Callable[["FunctionCompiler", tuple], None]


def unreachable(c: FunctionCompiler, ins: tuple) -> None:
    c.spill_ordered()
    c.emit("raise Trap(TRAP_UNREACHABLE)")
    c.reachable = False


def nop(c: FunctionCompiler, ins: tuple) -> None:
    """Nothing to do."""


def block(c: FunctionCompiler, ins: tuple) -> None:
    c.open_construct("block")


def loop(c: FunctionCompiler, ins: tuple) -> None:
    c.open_construct("loop")


def if_(c: FunctionCompiler, ins: tuple) -> None:
    c.open_construct("if")


def else_(c: FunctionCompiler, ins: tuple) -> None:
    c.else_()


def end(c: FunctionCompiler, ins: tuple) -> None:
    c.end()


def br(c: FunctionCompiler, ins: tuple) -> None:
    ctl = c.label(ins[1])
    c.spill_ordered(len(c.stack) - ctl.arity)
    c.branch(ctl)
    c.reachable = False


def return_(c: FunctionCompiler, ins: tuple) -> None:
    ctl = c.ctls[0]
    c.spill_ordered(len(c.stack) - ctl.arity)
    c.branch(ctl)
    c.reachable = False


def br_if(c: FunctionCompiler, ins: tuple) -> None:
    ctl = c.label(ins[1])
    c.spill_ordered(len(c.stack) - 1)
    cond = c.pop()
    if cond.const is not None:
        # a constant condition: never taken, or an unconditional branch
        if cond.const:
            c.spill_ordered(len(c.stack) - ctl.arity)
            c.branch(ctl)
            c.reachable = False
        return
    c.branch_if(ctl, cond)


def br_table(c: FunctionCompiler, ins: tuple) -> None:
    labels, default = ins[1], ins[2]
    c.spill_ordered()
    index = c.value_var()
    c.pop()
    targets = [c.label(depth) for depth in labels]
    fallback = c.label(default)
    if _dispatch_fast_path(c, index.text, targets, fallback):
        c.reachable = False
        return
    # runs of equal targets: (first index, target)
    runs: List[Tuple[int, Ctl]] = []
    for i, target in enumerate(targets):
        if not runs or runs[-1][1] is not target:
            runs.append((i, target))
    if not runs or runs[-1][1] is not fallback:
        runs.append((len(targets), fallback))
    else:
        # the last run and the default share a target: the run extends to infinity
        pass
    # a run's end is the next run's start; the last run (default or equal) is open
    c.out.extend(_search(c, index.text, runs, 0, len(runs), len(targets)))
    c.reachable = False


def _branch_code(c: FunctionCompiler, target: Ctl) -> List[Statement]:
    saved = c.out
    body: List[Statement] = []
    c.out = body
    c.branch(target)
    c.out = saved
    return body


def _search(c: FunctionCompiler, index: str, runs: List[Tuple[int, Ctl]], lo: int, hi: int,
            count: int) -> List[Statement]:
    """Statements branching on ``index`` among ``runs[lo:hi]`` (known to contain it)."""
    if hi - lo == 1:
        return _branch_code(c, runs[lo][1])
    mid = (lo + hi) // 2
    return [If("%s < %d" % (index, runs[mid][0]), _search(c, index, runs, lo, mid, count),
               _search(c, index, runs, mid, hi, count))]


def _search_runs(index: str, runs: List[Tuple[int, int]], lo: int, hi: int,
                 leaf: Callable[[int, int], List[Statement]], level: int = 0) -> List[Statement]:
    """A binary search of ``index`` over ``runs``; ``level`` counts the enclosing tests."""
    if hi - lo == 1:
        return leaf(runs[lo][1], level)
    mid = (lo + hi) // 2
    return [If("%s < %d" % (index, runs[mid][0]),
               _search_runs(index, runs, lo, mid, leaf, level + 1),
               _search_runs(index, runs, mid, hi, leaf, level + 1))]


def _dispatch_fast_path(c: FunctionCompiler, index: str, targets: List[Ctl],
                        fallback: Ctl) -> bool:
    """``E = (e0, e1, ...)[index]; continue`` when most targets are entries of the
    innermost dispatch region; the few others get negative codes tested afterwards."""
    if not c.loops or fallback.arity:
        return False
    plan = c.loops[-1].region
    if plan is None:
        return False
    outside: List[Ctl] = []
    codes = []
    for target in targets + [fallback]:
        if target.mode in ("region", "absorbed") and target.plan is plan:
            if target.mode == "region":
                codes.append(0 if target.kind == "loop" else plan.exit)
            else:
                key = target.info.start if target.kind == "loop" else target.info.end
                codes.append(plan.entries[key])
        else:
            if not any(known is target for known in outside):
                outside.append(target)
            codes.append(-1 - next(k for k, known in enumerate(outside) if known is target))
    if len(codes) - sum(1 for code in codes if code < 0) < 4 or len(outside) > 3:
        return False
    n = len(targets)
    runs: List[Tuple[int, int]] = []
    for i, code in enumerate(codes[:-1]):
        if not runs or runs[-1][1] != code:
            runs.append((i, code))
    if runs[-1][1] != codes[-1]:
        runs.append((n, codes[-1]))
    if len(runs) > 1 and (len(runs) - 1).bit_length() <= plan.tree_depth() + 1:
        # search the index directly; leaves jump to their entry, or receive the case
        # itself when nothing else enters it (see RegionPlan.inline_cases)
        def leaf(code: int, level: int) -> List[Statement]:
            if code < 0:
                return _branch_code(c, outside[-1 - code])
            # a list object of its own, placed in the tree as it is (never copied)
            statements: List[Statement] = ["%s = %d" % (plan.var, code), "continue"]
            plan.table_leaves.setdefault(code, []).append((statements, c.indent + level))
            return statements

        c.out.extend(_search_runs(index, runs, 0, len(runs), leaf))
        return True
    for code in set(codes):
        if code >= 0:  # dynamic jumps: these entries must stay in the dispatch tree
            plan.jumps[code] = plan.jumps.get(code, 0) + 1
    c.emit("%s = %r[%s if %s < %d else %d]" % (plan.var, tuple(codes), index, index, n, n))
    if not outside:
        c.emit("continue")
        return True
    c.out.append(If("%s >= 0" % plan.var, ["continue"]))
    for k, target in enumerate(outside):
        statements = _branch_code(c, target)
        if k == len(outside) - 1:
            c.out.extend(statements)
        else:
            c.out.append(If("%s == %d" % (plan.var, -1 - k), statements))
    return True


def call(c: FunctionCompiler, ins: tuple) -> None:
    """``call f``: ``s{h} = f{i}(args)``. Spec: Core 2.0 §4.4.8 (call)."""
    index = ins[1]
    function_type = c.module.function_type(index)
    args = c.pop_n(len(function_type.params))
    c.before_side_effect()
    from .compiler import _bare
    c.assign_results("f%d(%s)" % (index, ", ".join(_bare(a.text) for a in args)),
                     len(function_type.results))


def call_indirect(c: FunctionCompiler, ins: tuple) -> None:
    """Spec: Core 2.0 §4.4.8 (call_indirect): bounds ("undefined element"), null
    ("uninitialized element") and type ("indirect call type mismatch") checks."""
    type_index, table = ins[1], ins[2]
    function_type = c.module.types[type_index]
    c.spill_ordered()
    index = c.value_var().text
    c.pop()
    args = c.pop_n(len(function_type.params))
    c.emit("cf = T%d[%s] if %s < len(T%d) else None" % (table, index, index, table))
    c.emit("if cf is None or cf.type_id != TY%d: indirect_call_trap(T%d, %s, TY%d)"
           % (type_index, table, index, type_index))
    from .compiler import _bare
    c.assign_results("cf.call(%s)" % ", ".join(_bare(a.text) for a in args),
                     len(function_type.results))


HANDLERS: Dict[int, Handler] = {
    int(Op["UNREACHABLE"]): unreachable, int(Op["NOP"]): nop, int(Op["BLOCK"]): block,
    int(Op["LOOP"]): loop, int(Op["IF"]): if_, int(Op["ELSE"]): else_, int(Op["END"]): end,
    int(Op["BR"]): br, int(Op["BR_IF"]): br_if, int(Op["BR_TABLE"]): br_table,
    int(Op["RETURN"]): return_, int(Op["CALL"]): call, int(Op["CALL_INDIRECT"]): call_indirect,
}
