"""Compile one Wasm function body to the source of one Python function.

Theory of operation
-------------------
``compile_function`` walks the decoded instructions once, keeping a compile-time stack
of pending expressions (:mod:`.codegen`) and a stack of open control constructs. Each
instruction family has its module of handlers named after the text format
(:mod:`.integer` has ``i32_add``, ...); they call the primitives of
:class:`FunctionCompiler` (``pop``, ``push``, ``emit``, ``materialize``, ``spill_*``,
``branch``...). The result is ``def f{index}(l0, l1, ...):`` where Wasm locals are Python
locals, stack values that must outlive an expression live in slot variables
``s{height}``, and control flow is Python's own:

Each construct gets a *mode* when it opens (``open_construct``):

* ``transparent``: an unbranched ``block``/``loop`` emits nothing;
* ``pyif``: an unbranched ``if`` is a Python ``if``/``else``;
* ``ifconv``: a block left only by ``br``/``br_if`` at its own level needs no loop: the
  rest of the block goes under ``else`` of each ``br_if`` (if-conversion);
* ``pyloop``: other branched blocks are ``while True: ... break`` (a branch to them is
  ``break``), branched loops ``while True: ... break`` whose branch is ``continue``,
  branched ifs an ``if`` inside such a loop. A branch that must leave several Python
  loops sets ``L`` to the target's label id and breaks; each loop exit through which
  some branch can be pending tests ``L``. A branch whose target ends right after the
  innermost loop leaves by that loop's own exit (no ``L``);
* ``region``/``absorbed``: a C ``switch`` (a chain of blocks a ``br_table`` dispatches
  into, possibly inside the interpreter loop that repeats it), or anything nested
  beyond Python's limits (20 statically nested loops/``try``, 100 indentation levels),
  becomes a dispatch region whose absorbed constructs are flattened into numbered
  segments (:mod:`.regions`). The ``br_table`` searches its index and runs a case
  directly when nothing else enters it.

Values: locals are Python locals, stack values that must outlive one expression live in
slot variables ``s{height}``; integer ``+ - * << & | ^`` keep their operands unmasked
until a consumer needs the canonical value (``Expr.wrap``); comparisons stay conditions
(``a < b``) for ``if``/``br_if``/``select``; trapping or state-reading expressions are
*ordered* and evaluated before any later side effect.

Traps are ``raise Trap(...)`` or come from helpers; out-of-bounds memory accesses raise
``struct.error``/``IndexError`` from the access itself, which the function's ``try``
turns into ``Trap(OUT_OF_BOUNDS_MEMORY_ACCESS)`` only when raised in its own frame.

Check points (opt-in, :class:`Checks`): with ``interruptible`` or ``consume_fuel`` the
function entry (``source``) and every loop header -- the start of a ``pyloop`` loop's
body, an absorbed loop's segment and entry 0 of a loop region, which every back edge
passes -- test the runtime's interrupt cell ``IR`` and/or charge the runtime's fuel
cell ``FU`` with the static instruction count of the code that runs until the next
check point (:func:`fuel_costs`). Without them no check is emitted at all. SIMD is one
more handler family (``vector.py``) merged in :mod:`.handlers`.

Spec: Core 2.0 §4.4 (exec/instructions.html) for what every instruction does.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from ..._binary.code import decode_body
from ..._errors import ValidationError
from ..._opcodes import OPCODE_NAMES
from ..._syntax import ModuleSyntax
from ..._types import ValType
from ..._validate.info import BlockInfo, FunctionInfo
from .codegen import Expr, If, Statement, While, render
from .regions import CHAIN_MIN, Construct, RegionPlan, build_tree, chain_length, loop_chain

__all__ = ["compile_function", "FunctionCompiler", "Ctl", "PyLoop", "Checks", "NO_CHECKS",
           "fuel_costs",
           "MAX_EXPR_DEPTH", "LOOP_BUDGET", "INDENT_BUDGET", "CHAIN_NEEDS_TABLE"]

#: Deepest pending expression before operands are materialized (Python's parser allows
#: 200 nested parentheses; its compiler recurses on nested expressions).
MAX_EXPR_DEPTH = 10
#: Python loops the structured translation may nest; above, a full dispatch region
#: (one more loop) takes over. CPython allows 20 nested blocks, ``try`` is one.
LOOP_BUDGET = 16
#: Chain regions only for chains a ``br_table`` dispatches into (a ``switch``); other
#: nests of blocks stay structured, where a branch is a plain ``break``.
CHAIN_NEEDS_TABLE = True
#: Indentation level above which no structured construct is opened (CPython: 100).
INDENT_BUDGET = 40

_ZERO = {ValType.I32: "0", ValType.I64: "0", ValType.F32: "0.0", ValType.F64: "0.0",
         ValType.FUNCREF: "None", ValType.EXTERNREF: "None", ValType.V128: "0"}

Handler = Callable[["FunctionCompiler", tuple], None]


class Checks:
    """What generated code checks at function entries and loop headers.

    ``interruptible``: ``if IR[0]: interrupted(IR)`` (the runtime's interrupt cell, set
    from any thread); ``consume_fuel``: ``FU[0] -= n`` then ``if FU[0] < 0:
    out_of_fuel(FU)`` where ``n`` is the number of instructions the code up to the next
    check point holds. Part of every compiled function's identity (and cache key).
    """

    __slots__ = ("interruptible", "consume_fuel")

    def __init__(self, interruptible: bool = False, consume_fuel: bool = False) -> None:
        self.interruptible = bool(interruptible)
        self.consume_fuel = bool(consume_fuel)

    @property
    def any(self) -> bool:
        return self.interruptible or self.consume_fuel

    @property
    def key(self) -> str:
        return "i%d-f%d" % (self.interruptible, self.consume_fuel)

    def lines(self, cost: int) -> List[str]:
        """The statements of one check point charging ``cost`` units of fuel."""
        out = []
        if self.interruptible:
            out.append("if IR[0]: interrupted(IR)")
        if self.consume_fuel:
            out.append("FU[0] -= %d" % max(cost, 1))
            out.append("if FU[0] < 0: out_of_fuel(FU)")
        return out


NO_CHECKS = Checks()


def fuel_costs(instructions: List[tuple], info: FunctionInfo) -> Dict[int, int]:
    """Fuel charged at each check point: ``-1`` (function entry) and the index of every
    branched ``loop`` map to the number of instructions directly inside them (not inside
    a nested branched loop), the code one entry or one iteration may run. An unbranched
    loop never repeats, so its instructions count for the construct around it.
    """
    costs: Dict[int, int] = {-1: 0}
    owners = [-1]      # per open construct: the check point its instructions charge
    for pc, instruction in enumerate(instructions):
        opcode = instruction[0]
        owner = owners[-1]
        costs[owner] += 1
        if opcode == 0x03 and info.blocks[pc].branched:      # loop
            owners.append(pc)
            costs[pc] = 0
        elif opcode == 0x02 or opcode == 0x03 or opcode == 0x04:  # block, loop, if
            owners.append(owner)
        elif opcode == 0x0B and len(owners) > 1:               # end
            owners.pop()
    return costs


class PyLoop:
    """An open Python ``while True:`` loop: a branched block/loop/if or a region.

    ``escapes`` maps the label id of every branch that left this loop with ``L`` set to
    ``(owner, action)``: the loop that owns the target and what to do there.
    """

    __slots__ = ("escapes", "region", "ctl", "tail_exit")

    def __init__(self, ctl: Ctl, region: Optional[RegionPlan] = None) -> None:
        self.escapes: Dict[int, Tuple[PyLoop, tuple]] = {}
        self.region = region
        #: the construct this loop realizes
        self.ctl = ctl
        #: a branch used the loop's own exit to reach the end of the enclosing block
        self.tail_exit = False


class Ctl:
    """An open control construct (the Wasm label stack)."""

    __slots__ = ("kind", "info", "mode", "loop", "plan", "lid", "saved_out", "saved_indent",
                 "if_node", "entry_stack", "else_seen", "then_reach", "while_node")

    def __init__(self, kind: str, info: BlockInfo, mode: str) -> None:
        self.kind = kind
        self.info = info
        #: "function" | "transparent" | "pyif" | "ifconv" | "pyloop" | "region" | "absorbed"
        self.mode = mode
        self.loop: Optional[PyLoop] = None
        self.plan: Optional[RegionPlan] = None
        self.lid = 0
        self.saved_out: List[Statement] = []
        self.saved_indent = 0
        self.if_node: Optional[If] = None
        self.while_node: Optional[While] = None
        self.entry_stack: List[Expr] = []
        self.else_seen = False
        self.then_reach = False

    @property
    def arity(self) -> int:
        """Number of values a branch to this label carries."""
        return len(self.info.params if self.kind == "loop" else self.info.results)


class FunctionCompiler:
    """Compiles one function body; see the module docstring."""

    def __init__(self, module: ModuleSyntax, defined_index: int, info: FunctionInfo,
                 handlers: Dict[int, Handler], checks: Checks = NO_CHECKS) -> None:
        self.module = module
        self.defined_index = defined_index
        self.index = module.imported_function_count + defined_index
        self.function = module.functions[defined_index]
        self.type = module.types[self.function.type_index]
        self.info = info
        self.handlers = handlers
        self.instructions, self.offsets = decode_body(self.function.code, self.function.offset)
        self.constructs = build_tree(info)
        self.deep_targets, self.branch_counts, self.table_targets = _deep_branch_targets(
            self.instructions, info)
        self.loop_assigned = _loop_assignments(self.instructions)
        self.hoisted: Dict[Tuple[int, str, int], str] = {}
        self.stack: List[Expr] = []
        self.ctls: List[Ctl] = []
        self.loops: List[PyLoop] = []
        self.body: List[Statement] = []
        self.out: List[Statement] = self.body
        self.indent = 3  # def, try, body
        self.reachable = True
        self.pc = 0
        self.uses_L = False
        self.uses_memory = False
        self.next_lid = 1
        self.region_count = 0
        self.constants: Dict[str, str] = {}
        self.constant_lines: List[str] = []
        self.checks = checks
        self.check_costs = fuel_costs(self.instructions, info) if checks.any else {}

    # ------------------------------------------------------------------ constants
    def constant(self, source: str) -> str:
        """A module-level name bound to the value of ``source`` (evaluated at exec)."""
        name = self.constants.get(source)
        if name is None:
            name = "K%d_%d" % (self.index, len(self.constants))
            self.constants[source] = name
            self.constant_lines.append("%s = %s" % (name, source))
        return name

    # ------------------------------------------------------------------ stack
    def push(self, expr: Expr) -> None:
        self.stack.append(expr)

    def pop(self) -> Expr:
        return self.stack.pop()

    def pop_n(self, n: int) -> List[Expr]:
        if n == 0:
            return []
        values = self.stack[-n:]
        del self.stack[-n:]
        return values

    def emit(self, line: str) -> None:
        self.out.append(line)

    def emit_check(self, pc: int) -> None:
        """The check point of the loop at ``pc`` (see :class:`Checks`), if enabled."""
        if self.checks.any:
            self.out.extend(self.checks.lines(self.check_costs.get(pc, 1)))

    def materialize(self, p: int, force: bool = False) -> None:
        """Evaluate the entry at height ``p`` into its slot ``s{p}`` now.

        Stable entries (constants) stay as they are unless ``force``. Ordered entries
        below are materialized first (Wasm evaluation order), and every pending entry
        that reads ``s{p}`` too (it needs the old value).
        """
        e = self.stack[p]
        name = "s%d" % p
        if e.text == name or (not force and e.is_stable):
            return
        if e.ordered:
            self.spill_ordered(p)
        self.spill_readers(name, p)
        self.out.append("%s = %s" % (name, _bare(e.text)))
        self.stack[p] = Expr.var(name)

    def spill_ordered(self, limit: Optional[int] = None) -> None:
        """Materialize every ordered entry below ``limit`` (default: the whole stack)."""
        stack = self.stack
        for q in range(len(stack) if limit is None else limit):
            if stack[q].ordered:
                self.materialize(q)

    def spill_readers(self, name: str, skip: int = -1) -> None:
        """Materialize every entry (but ``skip``) whose value depends on variable ``name``."""
        stack = self.stack
        for q in range(len(stack)):
            if q != skip and name in stack[q].reads:
                self.materialize(q)

    def flush(self, limit: Optional[int] = None, force_from: Optional[int] = None) -> None:
        """Materialize all non-stable entries below ``limit``; force from ``force_from``."""
        top = len(self.stack) if limit is None else limit
        start = top if force_from is None else force_from
        for q in range(top):
            self.materialize(q, force=q >= start)

    def make(self, text: str, *operands: Expr, ordered: bool = False,
             cond: Optional[str] = None, wrap: int = 0) -> Expr:
        """A new expression built from ``operands`` (already popped)."""
        if len(operands) == 1:
            a = operands[0]
            return Expr(text, a.reads, ordered or a.ordered, a.depth + 1, cond, wrap=wrap)
        if len(operands) == 2:
            a, b = operands
            reads = a.reads | b.reads if b.reads else a.reads
            depth = (a.depth if a.depth > b.depth else b.depth) + 1
            return Expr(text, reads, ordered or a.ordered or b.ordered, depth, cond, wrap=wrap)
        reads = frozenset().union(*(o.reads for o in operands)) if operands else frozenset()
        depth = 1 + max((o.depth for o in operands), default=0)
        return Expr(text, reads, ordered or any(o.ordered for o in operands), depth, cond,
                    wrap=wrap)

    def operands(self, n: int) -> List[Expr]:
        """Pop ``n`` operands, materializing them first if the result would be too deep."""
        stack = self.stack
        top = len(stack)
        if any(stack[q].depth >= MAX_EXPR_DEPTH for q in range(top - n, top)):
            for q in range(top - n, top):
                if stack[q].depth >= MAX_EXPR_DEPTH // 2:
                    self.materialize(q, force=False)
        return self.pop_n(n)

    def value_var(self) -> Expr:
        """Make the top entry a variable or a constant (it will be read several times)."""
        p = len(self.stack) - 1
        e = self.stack[p]
        if not (e.const is not None or (len(e.reads) == 1 and e.text in e.reads)):
            self.materialize(p, force=True)
        return self.stack[p]

    def before_side_effect(self) -> None:
        """Evaluate every pending ordered entry: a side effect follows."""
        self.spill_ordered()

    def assign_results(self, call: str, count: int) -> None:
        """Emit ``call`` (a side effect) and push its ``count`` results as slots."""
        base = len(self.stack)
        names = ["s%d" % (base + i) for i in range(count)]
        for name in names:
            self.spill_readers(name)
        if count == 0:
            self.emit(call)
        elif count == 1:
            self.emit("%s = %s" % (names[0], call))
        else:
            self.emit("%s = %s" % (", ".join(names), call))
        for name in names:
            self.stack.append(Expr.var(name))

    # ------------------------------------------------------------------ labels
    def label(self, depth: int) -> Ctl:
        return self.ctls[-1 - depth]

    def new_lid(self, count: int = 1) -> int:
        lid = self.next_lid
        self.next_lid += count
        return lid

    def _target(self, ctl: Ctl) -> Tuple[PyLoop, tuple, int]:
        """Where a branch to ``ctl`` goes: owning loop, action, label id."""
        if ctl.mode in ("pyloop", "region"):
            assert ctl.loop is not None
            if ctl.kind == "loop":
                if ctl.mode == "region":
                    assert ctl.plan is not None
                    return ctl.loop, ("goto", ctl.plan, 0), ctl.plan.base
                return ctl.loop, ("continue",), ctl.lid
            return ctl.loop, ("break",), ctl.lid
        if ctl.mode == "absorbed":
            plan = ctl.plan
            assert plan is not None
            entry = plan.entries[ctl.info.start if ctl.kind == "loop" else ctl.info.end]
            return plan.loop, ("goto", plan, entry), plan.base + entry  # type: ignore[attr-defined]
        raise ValidationError("internal: branch to an unbranched label (%s)" % ctl.mode,
                              function=self.index)

    def _action(self, action: tuple) -> None:
        if action[0] == "goto":
            self.emit(action[1].jump_to(action[2]))
            self.emit("continue")
        else:
            self.emit(action[0])

    def jump(self, ctl: Ctl) -> None:
        """Emit the transfer of control to label ``ctl`` (values already in place)."""
        inner = self.loops[-1] if self.loops else None
        if inner is not None and self._is_tail_exit(inner, ctl):
            inner.tail_exit = True
            self.emit("break")
            return
        owner, action, lid = self._target(ctl)
        assert inner is not None
        if owner is inner:
            self._action(action)
        else:
            self.uses_L = True
            self.emit("L = %d" % lid)
            self.emit("break")
            inner.escapes[lid] = (owner, action)
            if action[0] == "goto":  # reaches the entry through ``E = L - base``
                action[1].jumps[action[2]] = action[1].jumps.get(action[2], 0) + 1

    @staticmethod
    def _is_tail_exit(inner: PyLoop, target: Ctl) -> bool:
        """True when leaving the innermost Python loop lands exactly on ``target``'s end:
        the loop's construct is the last thing in the block ``target``, which carries
        no values (then ``break`` replaces ``L = id; break`` and the test after)."""
        construct = inner.ctl
        if target is construct or target.kind == "loop" or target.mode == "function":
            return False
        if target.info.results:
            return False
        inside = construct.info.start > target.info.start
        return inside and target.info.end == construct.info.end + 1

    def hoisted_xor(self, e: Expr, sign: int) -> Optional[str]:
        """For a local the innermost enclosing loop never assigns: a variable holding
        ``local ^ sign``, computed just before that loop's ``while`` (None otherwise)."""
        if not (e.raw[:1] == "l" and e.raw[1:].isdigit() and not e.wrap):
            return None
        for ctl in reversed(self.ctls):
            if ctl.kind == "loop" and ctl.while_node is not None:
                break
            if ctl.mode == "absorbed" and ctl.kind == "loop":
                return None
        else:
            return None
        if int(e.raw[1:]) in self.loop_assigned.get(ctl.info.start, ()):
            return None
        key = (ctl.info.start, e.raw, sign)
        name = self.hoisted.get(key)
        if name is None:
            name = "h%d" % len(self.hoisted)
            self.hoisted[key] = name
            where = ctl.saved_out
            for k, statement in enumerate(where):
                if statement is ctl.while_node:
                    where.insert(k, "%s = %s ^ %s" % (name, e.raw, hex(sign)))
                    break
            else:  # pragma: no cover - the loop's while is always in its parent list
                del self.hoisted[key]
                return None
        return name

    def return_values(self) -> None:
        """Emit ``return`` of the function's results from the top of the stack."""
        n = len(self.type.results)
        values = self.stack[len(self.stack) - n:]
        if n == 0:
            self.emit("return")
        elif n == 1:
            self.emit("return " + _bare(values[0].text))
        else:
            self.emit("return (%s)" % ", ".join(_bare(v.text) for v in values))

    def branch(self, ctl: Ctl) -> None:
        """Move the branch values into the label's slots and jump (no stack change)."""
        if ctl.mode == "function":
            self.return_values()
            return
        n = ctl.arity
        top = len(self.stack)
        base = ctl.info.height
        for i in range(n):
            src = self.stack[top - n + i]
            dst = "s%d" % (base + i)
            if src.text != dst:
                self.emit("%s = %s" % (dst, _bare(src.text)))
        if ctl.mode != "ifconv":
            self.jump(ctl)

    def branch_if(self, ctl: Ctl, cond: Expr) -> None:
        """``br_if``: the branch under ``if cond``; for an if-converted target the rest
        of its block continues in the ``else`` (or under ``if not cond``)."""
        node = If(cond.truth)
        self.out.append(node)
        saved = self.out
        self.out = node.body
        self.branch(ctl)
        if ctl.mode != "ifconv":
            self.out = saved
            return
        if node.body:
            node.orelse = []
            self.out = node.orelse
        else:
            node.cond = _negate(cond.truth)
            self.out = node.body
        self.indent += 1

    def handle_escapes(self, loop: PyLoop) -> None:
        """After ``loop`` closed: route the branches pending in ``L``."""
        if not loop.escapes:
            return
        inner = self.loops[-1] if self.loops else None
        local: List[Tuple[int, tuple]] = []
        gotos: Dict[int, RegionPlan] = {}
        further = False
        for lid, (owner, action) in sorted(loop.escapes.items()):
            if owner is inner:
                if action[0] == "goto":
                    gotos[id(action[1])] = action[1]
                else:
                    local.append((lid, action))
            else:
                further = True
                assert inner is not None
                inner.escapes[lid] = (owner, action)
        body: List[Statement] = []
        saved = self.out
        self.out = body
        if len(local) == 1 and not gotos and not further:
            self.emit("L = 0")
            self._action(local[0][1])
        else:
            for lid, action in local:
                node = If("L == %d" % lid)
                self.out.append(node)
                self.out = node.body
                self.emit("L = 0")
                self._action(action)
                self.out = body
            for plan in gotos.values():
                if len(gotos) == 1 and not local and not further:
                    cond = None
                else:
                    cond = "%d <= L < %d" % (plan.base, plan.base + plan.count)
                target = body
                if cond is not None:
                    node = If(cond)
                    body.append(node)
                    target = node.body
                target.append("%s = L - %d" % (plan.var, plan.base))
                target.append("L = 0")
                target.append("continue")
            if further:
                self.emit("break")
        self.out = saved
        self.out.append(If("L", body))

    # ------------------------------------------------------------------ constructs
    def current_region(self) -> Optional[RegionPlan]:
        return self.loops[-1].region if self.loops else None

    def open_construct(self, kind: str) -> None:
        """``block``/``loop``/``if`` at ``self.pc``. Spec: Core 2.0 §4.4.8."""
        pc = self.pc
        info = self.info.blocks[pc]
        node = self.constructs[pc]
        region = self.current_region()
        chain_head: Optional[Construct] = None
        if region is not None and pc in region.absorbed and (kind == "if" or info.branched):
            mode = "absorbed"
        elif kind != "if" and not info.branched:
            mode = "transparent"
        elif (kind == "block" and pc not in self.deep_targets
              and self.indent + self.branch_counts.get(pc, 0) < INDENT_BUDGET):
            # each br_if nests the rest of the block one level deeper
            mode = "ifconv"
        else:
            depth_ok = len(self.loops) < LOOP_BUDGET and self.indent < INDENT_BUDGET
            mode = ""
            targets = self.table_targets if CHAIN_NEEDS_TABLE else None
            if depth_ok and kind == "block" and chain_length(node, targets) >= CHAIN_MIN:
                mode = "chain"
            elif depth_ok and kind == "loop":
                chain_head = loop_chain(node, CHAIN_MIN, targets)
                if chain_head is not None:
                    mode = "chain"
            if mode == "chain" and self.indent + RegionPlan(
                    node, False, -1, chain_head).tree_depth() >= INDENT_BUDGET:
                mode = ""  # its dispatch tree would nest too deep here
            if mode:
                pass
            elif kind == "if" and not info.branched and self.indent < INDENT_BUDGET:
                mode = "pyif"
            elif depth_ok:
                mode = "pyloop"
            else:
                mode = "full"
        ctl = Ctl(kind, info, "region" if mode in ("chain", "full") else mode)
        if mode == "transparent":
            self.ctls.append(ctl)
            return
        # every value below the construct, and its parameters, must be in variables
        cond: Optional[Expr] = None
        nparams = len(info.params)
        if kind == "if":
            self.flush(len(self.stack) - 1, len(self.stack) - 1 - nparams)
            cond = self.pop()
        elif kind == "loop":
            self.flush(None, len(self.stack) - nparams)
        else:
            self.flush()
        ctl.entry_stack = list(self.stack)
        ctl.saved_out = self.out
        ctl.saved_indent = self.indent
        self.ctls.append(ctl)
        if mode == "ifconv":
            pass
        elif mode == "pyif":
            assert cond is not None
            ctl.if_node = If(cond.truth)
            self.out.append(ctl.if_node)
            self.out = ctl.if_node.body
            self.indent += 1
        elif mode == "pyloop":
            ctl.loop = PyLoop(ctl)
            ctl.lid = self.new_lid()
            self.loops.append(ctl.loop)
            ctl.while_node = While()
            self.out.append(ctl.while_node)
            self.out = ctl.while_node.body
            self.indent += 1
            if kind == "loop":
                self.emit_check(pc)
            if cond is not None:
                ctl.if_node = If(cond.truth)
                self.out.append(ctl.if_node)
                self.out = ctl.if_node.body
                self.indent += 1
        elif mode == "absorbed":
            plan = region
            assert plan is not None
            ctl.plan = plan
            if kind == "loop":
                self.out = plan.segments[plan.entries[pc]]
                self.emit_check(pc)
            elif kind == "if":
                assert cond is not None
                target = info.else_ if info.else_ != -1 else info.end
                node_if = If(_negate(cond.truth))
                self.out.append(node_if)
                node_if.body.append(plan.jump_to(plan.entries[target]))
                node_if.body.append("continue")
        else:
            self.open_region(ctl, node, mode == "full", cond,
                             chain_head if mode == "chain" else None)

    def open_region(self, ctl: Ctl, node: Construct, full: bool, cond: Optional[Expr],
                    chain_head: Optional[Construct] = None) -> None:
        plan = RegionPlan(node, full, self.region_count, chain_head)
        self.region_count += 1
        plan.base = self.new_lid(plan.count)
        ctl.plan = plan
        ctl.loop = PyLoop(ctl, plan)
        plan.loop = ctl.loop  # type: ignore[attr-defined]
        ctl.lid = self.new_lid()
        self.loops.append(ctl.loop)
        self.emit("%s = 0" % plan.var)
        ctl.while_node = While()
        self.out.append(ctl.while_node)
        self.out = plan.segments[0]
        self.indent += 1 + plan.tree_depth()
        if ctl.kind == "loop":
            self.emit_check(self.pc)
        if cond is not None:
            info = ctl.info
            node_if = If(_negate(cond.truth))
            self.out.append(node_if)
            if info.else_ != -1:
                node_if.body.append(plan.jump_to(plan.entries[info.else_]))
                node_if.body.append("continue")
            else:
                node_if.body.append("break")

    def join_results(self, ctl: Ctl) -> None:
        """Put the construct's results into their slots (a control-flow join)."""
        base = ctl.info.height
        for i in range(len(ctl.info.results)):
            self.materialize(base + i, force=True)

    def _result_stack(self, ctl: Ctl) -> None:
        base = ctl.info.height
        del self.stack[base:]
        for i in range(len(ctl.info.results)):
            self.stack.append(Expr.var("s%d" % (base + i)))

    def else_(self) -> None:
        """``else``. Spec: Core 2.0 §4.4.8 (if)."""
        ctl = self.ctls[-1]
        ctl.then_reach = self.reachable
        ctl.else_seen = True
        if self.reachable:
            self.join_results(ctl)
        mode = ctl.mode
        if mode in ("pyif", "pyloop"):
            assert ctl.if_node is not None
            ctl.if_node.orelse = []
            self.out = ctl.if_node.orelse
        else:
            plan = ctl.plan
            assert plan is not None
            if self.reachable:
                if mode == "region":
                    self.emit("break")
                else:
                    self.emit(plan.jump_to(plan.entries[ctl.info.end]))
                    self.emit("continue")
            self.out = plan.segments[plan.entries[self.pc]]
        self.stack = list(ctl.entry_stack)
        self.reachable = True

    def end(self) -> None:
        """``end`` of a construct or of the function. Spec: Core 2.0 §4.4.8."""
        ctl = self.ctls.pop()
        mode = ctl.mode
        kind = ctl.kind
        info = ctl.info
        if mode == "function":
            if self.reachable:
                self.return_values()
            return
        if mode == "transparent":
            return
        reach = self.reachable
        if kind == "if":
            after = reach or (ctl.then_reach if ctl.else_seen else True) or info.branched
        elif kind == "loop":
            after = reach
        else:
            after = reach or info.branched
        if reach and not (kind == "loop" and mode != "region"):
            self.join_results(ctl)
        if mode == "pyif" or mode == "ifconv":
            self.out = ctl.saved_out
            self.indent = ctl.saved_indent
        elif mode == "pyloop":
            if reach or (kind == "if" and after and not info.branched) or (
                    kind == "if" and (not ctl.else_seen or ctl.then_reach)):
                self.out = ctl.while_node.body  # type: ignore[union-attr]
                self.emit("break")
            if ctl.loop.tail_exit:  # type: ignore[union-attr]
                after = True
            self.loops.pop()
            self.out = ctl.saved_out
            self.indent = ctl.saved_indent
            self.handle_escapes(ctl.loop)  # type: ignore[arg-type]
        elif mode == "absorbed":
            plan = ctl.plan
            assert plan is not None
            if kind != "loop":
                self.out = plan.segments[plan.entries[info.end]]
        else:  # region
            plan = ctl.plan
            assert plan is not None
            if kind == "loop" and reach:
                self.join_results(ctl)
            exit_segment = plan.segments[plan.exit]
            exit_segment.append("break")
            plan.inline_cases()
            if kind == "loop" and plan.count > 2:
                # a loop's start is its hot entry: test it first
                head = list(plan.segments[0])
                if not _ends_with_jump(head):
                    head.append("%s = 1" % plan.var)
                tree = [If("%s < 1" % plan.var, head)] + _halving_tree(plan, 1, plan.count)
            else:
                tree = _halving_tree(plan, 0, plan.count)
            ctl.while_node.body = tree  # type: ignore[union-attr]
            if ctl.loop.tail_exit:  # type: ignore[union-attr]
                after = True
            self.loops.pop()
            self.out = ctl.saved_out
            self.indent = ctl.saved_indent
            self.handle_escapes(ctl.loop)  # type: ignore[arg-type]
        self.reachable = after
        if after and not (kind == "loop" and mode in ("pyloop", "absorbed")):
            self._result_stack(ctl)

    def resume_point(self) -> int:
        """Where code becomes reachable again after an unconditional transfer."""
        ctl = self.ctls[-1]
        if ctl.kind == "if" and not ctl.else_seen and ctl.info.else_ != -1:
            return ctl.info.else_
        return ctl.info.end

    # ------------------------------------------------------------------ driver
    def compile(self) -> str:
        instructions = self.instructions
        handlers = self.handlers
        root = self.info.blocks[-1]
        self.ctls.append(Ctl("function", root, "function"))
        n = len(instructions)
        pc = 0
        while pc < n:
            if not self.reachable:
                pc = self.resume_point()
            instruction = instructions[pc]
            self.pc = pc
            handler = handlers.get(instruction[0])
            if handler is None:
                raise ValidationError("unsupported instruction %s"
                                      % OPCODE_NAMES.get(instruction[0], hex(instruction[0])),
                                      function=self.index, offset=self.offsets[pc])
            handler(self, instruction)
            pc += 1
        return self.source()

    def source(self) -> str:
        nparams = len(self.type.params)
        lines: List[str] = list(self.constant_lines)
        params = ", ".join("l%d" % i for i in range(nparams))
        lines.append("def f%d(%s):" % (self.index, params))
        for i, t in enumerate(self.info.locals[nparams:], nparams):
            lines.append("    l%d = %s" % (i, _ZERO[t]))
        if self.uses_L:
            lines.append("    L = 0")
        if self.checks.any:
            lines.extend("    " + line for line in self.checks.lines(self.check_costs[-1]))
        if self.uses_memory:
            lines.append("    try:")
            render(self.body, 2, lines)
            lines.append("    except (struct_error, IndexError) as exc:")
            lines.append("        if is_memory_fault(exc):")
            lines.append("            raise Trap(TRAP_MEMORY) from None")
            lines.append("        raise")
        else:
            render(self.body, 1, lines)
        lines.append("")
        return "\n".join(lines)


def _deep_branch_targets(instructions: List[tuple],
                         info: FunctionInfo) -> Tuple[set, Dict[int, int], set]:
    """Start indices of the blocks some branch reaches from inside another Python
    construct (an ``if`` or a branched block/loop) or through a ``br_table``.

    The other branched blocks are only left by ``br``/``br_if`` at their own level (or
    inside unbranched blocks and loops, which emit no Python): they need no loop, the
    rest of the block goes into the ``else`` of the branch (see ``mode == "ifconv"``).
    Also returns how many ``br``/``br_if`` target each block, and the blocks some
    ``br_table`` targets.
    """
    deep = set()
    tables = set()
    counts: Dict[int, int] = {}
    stack = [-1]
    blocks = info.blocks
    for pc, instruction in enumerate(instructions):
        op = instruction[0]
        if op == 0x02 or op == 0x03 or op == 0x04:
            stack.append(pc)
        elif op == 0x0B:
            if len(stack) > 1:
                stack.pop()
        elif op == 0x0C or op == 0x0D:
            depth = instruction[1]
            if depth >= len(stack):
                continue
            target = stack[-1 - depth]
            counts[target] = counts.get(target, 0) + 1
            for start in stack[len(stack) - depth:]:
                inner = blocks.get(start)
                if inner is None or inner.kind == "if" or inner.branched:
                    deep.add(target)
                    break
        elif op == 0x0E:
            for depth in tuple(instruction[1]) + (instruction[2],):
                if depth < len(stack):
                    deep.add(stack[-1 - depth])
                    tables.add(stack[-1 - depth])
    return deep, counts, tables


def _loop_assignments(instructions: List[tuple]) -> Dict[int, set]:
    """For every ``loop`` (by start index): the locals some ``local.set``/``local.tee``
    inside it assigns."""
    assigned: Dict[int, set] = {}
    open_loops: List[int] = []
    kinds: List[bool] = []
    for pc, instruction in enumerate(instructions):
        op = instruction[0]
        if op == 0x02 or op == 0x04:
            kinds.append(False)
        elif op == 0x03:
            kinds.append(True)
            open_loops.append(pc)
            assigned[pc] = set()
        elif op == 0x0B:
            if kinds and kinds.pop():
                inner = open_loops.pop()
                if open_loops:
                    assigned[open_loops[-1]] |= assigned[inner]
        elif (op == 0x21 or op == 0x22) and open_loops:
            assigned[open_loops[-1]].add(instruction[1])
    return assigned


def _halving_tree(plan: RegionPlan, lo: int, hi: int) -> List[Statement]:
    """Segments ``lo..hi-1`` as nested ``if E < mid`` tests (see :mod:`.regions`)."""
    if hi - lo == 1:
        return list(plan.segments[lo])
    mid = (lo + hi) // 2
    left = _halving_tree(plan, lo, mid)
    if not _ends_with_jump(left):
        left.append("%s = %d" % (plan.var, mid))
    return [If("%s < %d" % (plan.var, mid), left)] + _halving_tree(plan, mid, hi)


def _ends_with_jump(statements: List[Statement]) -> bool:
    if not statements:
        return False
    last = statements[-1]
    return isinstance(last, str) and (last in ("continue", "break") or last.startswith(
        ("return", "raise ")))


def _bare(text: str) -> str:
    """``text`` without one pair of enclosing parentheses, when that is safe."""
    if text[:1] != "(":
        return text
    if len(text) > 1 and text[-1] == ")":
        level = 0
        for i, ch in enumerate(text):
            if ch == "(":
                level += 1
            elif ch == ")":
                level -= 1
                if level == 0 and i != len(text) - 1:
                    return text
        inner = text[1:-1]
        if "," in inner and level == 0:
            # a parenthesized tuple or generator must keep its parentheses
            depth = 0
            for ch in inner:
                if ch in "([{":
                    depth += 1
                elif ch in ")]}":
                    depth -= 1
                elif ch == "," and depth == 0:
                    return text
        return inner
    return text


def _negate(cond: str) -> str:
    """``not cond``, without stacking negations (conditions made by ``i32.eqz`` are
    ``(not X)`` where X is atomic or parenthesized, never a bare ``and``/``or``)."""
    inner = _bare(cond)
    if inner.startswith("not "):
        return inner[4:]
    return "not " + _paren(cond)


def _paren(text: str) -> str:
    if text.isidentifier() or text[0] == "(" and _bare(text) != text:
        return text
    return "(" + text + ")"


def compile_function(module: ModuleSyntax, defined_index: int, info: FunctionInfo,
                     checks: Checks = NO_CHECKS) -> str:
    """The Python source of defined function ``defined_index`` (``def f{index}(...)``).

    Spec: Core 2.0 §4.4 (exec/instructions.html).
    """
    from .handlers import HANDLERS
    return FunctionCompiler(module, defined_index, info, HANDLERS, checks).compile()
