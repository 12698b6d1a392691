"""Dispatch regions: flattening Wasm control structures Python cannot nest.

Theory of operation
-------------------
Branched Wasm blocks and loops normally become Python ``while True:`` loops (``break``
leaves a block, ``continue`` restarts a loop). Python allows only 20 statically nested
loops/``try`` blocks and 100 levels of indentation, and C compilers emit deep nests (a
``switch`` is ``block block ... br_table``, hundreds deep). A *dispatch region* replaces
a whole construct ``R`` (and chosen constructs inside it, the *absorbed* ones) by a
single loop over numbered *segments*::

    E3 = 0
    while True:
        if E3 < 4:
            if E3 < 2:
                <segment 0>          # falls through into segment 1
                E3 = 1
            <segment 1> ...
            E3 = 4
        ...
        <last segment: break>        # the end of R

A segment starts at an *entry point*: the start of ``R``, the start of an absorbed loop
(its branch target), the end of an absorbed block or ``if`` (theirs), the ``else`` of an
absorbed ``if``. A branch to an entry is ``E3 = k; continue``; a jump costs one
comparison per level of the halving tree (``O(log n)``), and falling from one segment
into the next needs no jump at all: after the left half of a node ran to its end, the
right half starts at its first segment.

Two kinds of region:

* *full*: every construct inside ``R`` is absorbed; the segments are straight-line code,
  so nesting inside the region is bounded whatever the input. Used when the structured
  translation runs out of loop or indentation budget.
* *chain*: ``R`` heads a chain of blocks each opening its parent (``block block block``,
  a C ``switch``); only the chain is absorbed, the code between the ``end``\\ s (the
  cases) is compiled structured. A ``br_table`` over the chain becomes one tuple lookup
  and a dispatch.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from ..._validate.info import BlockInfo, FunctionInfo

__all__ = ["Construct", "build_tree", "RegionPlan", "chain_length", "loop_chain", "CHAIN_MIN"]

#: A chain of at least this many nested branched blocks becomes a chain region.
CHAIN_MIN = 4


class Construct:
    """A ``block``/``loop``/``if`` of the body with its nested constructs."""

    __slots__ = ("info", "children", "parent")

    def __init__(self, info: BlockInfo, parent: Optional[Construct]) -> None:
        self.info = info
        self.children: List[Construct] = []
        self.parent = parent


def build_tree(info: FunctionInfo) -> Dict[int, Construct]:
    """Map each construct's start index (and -1, the body) to its :class:`Construct`."""
    root_info = info.blocks[-1]
    root = Construct(root_info, None)
    constructs: Dict[int, Construct] = {-1: root}
    stack = [root]
    for start in sorted(k for k in info.blocks if k >= 0):
        block = info.blocks[start]
        while stack[-1].info.end < start and len(stack) > 1:
            stack.pop()
        parent = stack[-1]
        node = Construct(block, parent)
        parent.children.append(node)
        constructs[start] = node
        stack.append(node)
    return constructs


def _chain(construct: Construct) -> List[Construct]:
    """The blocks nesting directly from ``construct`` (itself first): each next link is
    a ``block`` that is the first instruction of the current link's body. Unbranched
    links emit no Python and do not end the chain."""
    links = []
    node: Optional[Construct] = construct
    while node is not None and node.info.kind == "block":
        links.append(node)
        first = node.children[0] if node.children else None
        if first is None or first.info.start != node.info.start + 1:
            break
        node = first
    return links


def chain_length(construct: Construct, targets: Optional[Set[int]] = None) -> int:
    """How many branched blocks form the chain headed by ``construct`` (0 unless it is
    itself a branched block); with ``targets``, only the links in it count (the
    blocks some ``br_table`` targets: a ``switch``)."""
    if construct.info.kind != "block" or not construct.info.branched:
        return 0
    return sum(1 for link in _chain(construct)
               if link.info.branched and (targets is None or link.info.start in targets))


def _chain_members(construct: Construct) -> List[Construct]:
    return _chain(construct)[1:]


def loop_chain(construct: Construct, minimum: int,
               targets: Optional[Set[int]] = None) -> Optional[Construct]:
    """For a loop: its first direct child heading a chain of at least ``minimum``
    branched blocks (an interpreter's ``for (;;) switch (op)``), if any."""
    for child in construct.children:
        if chain_length(child, targets) >= minimum:
            return child
    return None


def _descendants(construct: Construct, out: List[Construct]) -> None:
    """Every construct inside ``construct``, in code order (iteratively: nests can be
    thousands deep)."""
    pending = list(reversed(construct.children))
    while pending:
        node = pending.pop()
        out.append(node)
        pending.extend(reversed(node.children))


#: Deepest indentation a moved case may reach (CPython refuses 100 levels).
MAX_INDENT = 92


def _nesting(statements: list) -> int:
    """How many indentation levels the statements open below their own."""
    deepest = 0
    pending = [(statements, 0)]
    while pending:
        block, level = pending.pop()
        for statement in block:
            if isinstance(statement, str):
                continue
            deepest = max(deepest, level + 1)
            pending.append((statement.body, level + 1))
            orelse = getattr(statement, "orelse", None)
            if orelse:
                pending.append((orelse, level + 1))
    return deepest


def _ends_with_jump(statements: list) -> bool:
    """True when the statement list certainly does not fall through."""
    if not statements:
        return False
    last = statements[-1]
    return isinstance(last, str) and (last in ("continue", "break") or last.startswith(
        ("return", "raise ")))


class RegionPlan:
    """The segments of one dispatch region: which constructs are absorbed, the entry
    points (instruction index -> entry number) and the segments' statement lists."""

    def __init__(self, root: Construct, full: bool, number: int,
                 chain_head: Optional[Construct] = None) -> None:
        self.root = root
        self.full = full
        self.number = number
        self.var = "E%d" % number
        members: List[Construct] = []
        if full:
            _descendants(root, members)
        elif chain_head is not None and chain_head is not root:
            members = _chain(chain_head)
        else:
            members = _chain_members(root)
        #: start index -> Construct, for every absorbed construct
        self.absorbed: Dict[int, Construct] = {m.info.start: m for m in members}
        positions: Set[int] = {root.info.start}
        info = root.info
        if info.kind == "if" and info.else_ != -1:
            positions.add(info.else_)
        for member in members:
            b = member.info
            if b.kind == "loop":
                if b.branched:
                    positions.add(b.start)
            elif b.kind == "block":
                if b.branched:
                    positions.add(b.end)
            else:  # if
                positions.add(b.end)
                if b.else_ != -1:
                    positions.add(b.else_)
        positions.add(info.end)
        ordered = sorted(positions)
        #: instruction index -> entry number (the root's start is 0, its end the last)
        self.entries: Dict[int, int] = {pos: k for k, pos in enumerate(ordered)}
        self.count = len(ordered)
        self.segments: List[list] = [[] for _ in ordered]
        self.exit = self.count - 1
        #: first label id of this region's entries (set by the compiler)
        self.base = 0
        #: entry -> number of jumps to it (``E = k``) other than a br_table's leaves
        self.jumps: Dict[int, int] = {}
        #: entry -> the br_table leaves that jump to it: (statement list, its indentation)
        self.table_leaves: Dict[int, List[Tuple[list, int]]] = {}

    def jump_to(self, entry: int) -> str:
        """The statement setting the dispatch variable (a counted jump to ``entry``)."""
        self.jumps[entry] = self.jumps.get(entry, 0) + 1
        return "%s = %d" % (self.var, entry)

    def inline_cases(self) -> None:
        """Move each segment entered only from one ``br_table`` leaf into that leaf.

        Such a segment (a ``switch`` case: no fall-through into it, no other jump)
        then runs straight from the ``br_table``'s search, without a second dispatch.
        A moved segment that could fall through ends with an explicit jump instead.
        """
        closed = [_ends_with_jump(segment) for segment in self.segments]
        for entry in sorted(self.table_leaves):
            leaves = self.table_leaves[entry]
            if (len(leaves) != 1 or self.jumps.get(entry) or entry in (0, self.exit)
                    or not closed[entry - 1]):
                continue
            segment = self.segments[entry]
            leaf, indent = leaves[0]
            if indent + _nesting(segment) > MAX_INDENT:
                continue  # too deep there: it stays a jump
            if not _ends_with_jump(segment):
                segment = segment + [self.jump_to(entry + 1), "continue"]
            leaf[:] = segment
            self.segments[entry] = []

    def tree_depth(self) -> int:
        """Indentation levels the halving tree adds above a segment (an upper bound)."""
        depth, n = 0, 1
        while n < self.count:
            n *= 2
            depth += 1
        return depth + 1
