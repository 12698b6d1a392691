"""The validation context *C*: a module's index spaces, reduced to what checking needs.

Spec: Core 2.0 §3.1.1 (valid/conventions.html#contexts) and §3.4.10
(valid/modules.html#valid-module). Value types are kept as plain ``int`` (their binary
encoding), not :class:`ValType`, because the function-body checker compares them in its
hot loop and exact ints compare fastest; :data:`UNKNOWN` (0) is the appendix
algorithm's *Unknown* type of stack-polymorphic code.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from .._errors import DecodeError, ValidationError
from .._opcodes import Op
from .._syntax import ModuleSyntax
from .._types import ValType

__all__ = ["UNKNOWN", "ModuleContext", "Invalid", "type_name", "FuncSig"]

#: The *Unknown* operand type of the appendix algorithm (no ValType encodes as 0).
UNKNOWN = 0

#: A function type as the checker uses it:
#: (params as ints, results as ints, params as ValType, results as ValType, params as a
#: list, results as a list). The lists are shared: never mutate them.
FuncSig = Tuple[Tuple[int, ...], Tuple[int, ...], Tuple[ValType, ...], Tuple[ValType, ...],
                List[int], List[int]]

_REF_FUNC = int(Op.REF_FUNC)
_VALTYPES = frozenset(int(t) for t in ValType)


class Invalid(Exception):
    """Internal: raised by checks that do not know where they are; the caller adds
    the location and turns it into a :class:`ValidationError`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def type_name(t: int) -> str:
    """Text name of an operand type code (``"i32"``, ... or ``"unknown"``)."""
    if t == UNKNOWN:
        return "unknown"
    try:
        return str(ValType(t))
    except ValueError:
        return "0x%02x" % t


def _sig(params: Tuple[ValType, ...], results: Tuple[ValType, ...]) -> FuncSig:
    p = tuple(int(t) for t in params)
    r = tuple(int(t) for t in results)
    return (p, r, tuple(params), tuple(results), list(p), list(r))


class ModuleContext:
    """Spec: Core 2.0 §3.1.1. Built once per module; shared by every function check.

    ``types`` holds each function type as a :data:`FuncSig`; ``functions`` the
    signature of every function in the index space (imports first); ``tables`` the
    element type of each table; ``globals`` ``(type, mutable)`` pairs; ``elements`` the
    reference type of each element segment; ``data_count`` the number of data segments
    as the data count section declares it (None when the section is absent);
    ``refs`` the function indices that ``ref.func`` may name in function bodies.
    """

    __slots__ = ("module", "types", "functions", "tables", "memory_count", "globals",
                 "imported_global_count", "elements", "data_count", "data_total", "refs",
                 "_blocktypes")

    def __init__(self, module: ModuleSyntax) -> None:
        self.module = module
        self.types: List[FuncSig] = [_sig(t.params, t.results) for t in module.types]
        ntypes = len(self.types)
        functions: List[FuncSig] = []
        for index, type_index in enumerate(module.function_types):
            if not 0 <= type_index < ntypes:
                raise ValidationError("unknown type %d" % type_index,
                                      where="function %d" % index)
            functions.append(self.types[type_index])
        self.functions = functions
        self.tables: List[int] = [int(t.element) for t in module.tables]
        self.memory_count = len(module.memories)
        self.globals: List[Tuple[int, bool]] = [(int(g.content), bool(g.mutable))
                                                for g in module.globals]
        self.imported_global_count = module.imported_global_count
        self.elements: List[int] = [int(e.type) for e in module.elements]
        self.data_count: Optional[int] = module.data_count
        self.data_total = len(module.datas)
        self.refs: Set[int] = _declared_references(module)
        self._blocktypes: Dict[int, FuncSig] = {}

    # -- index lookups (each raises Invalid with the spec suite's text) --

    def function(self, index: int) -> FuncSig:
        if index >= len(self.functions):
            raise Invalid("unknown function %d" % index)
        return self.functions[index]

    def type(self, index: int) -> FuncSig:
        if index >= len(self.types):
            raise Invalid("unknown type %d" % index)
        return self.types[index]

    def table(self, index: int) -> int:
        if index >= len(self.tables):
            raise Invalid("unknown table %d" % index)
        return self.tables[index]

    def memory(self, index: int) -> None:
        if index >= self.memory_count:
            raise Invalid("unknown memory %d" % index)

    def global_(self, index: int) -> Tuple[int, bool]:
        if index >= len(self.globals):
            raise Invalid("unknown global %d" % index)
        return self.globals[index]

    def element(self, index: int) -> int:
        if index >= len(self.elements):
            raise Invalid("unknown elem segment %d" % index)
        return self.elements[index]

    def data(self, index: int) -> None:
        """A data index in code (``memory.init``, ``data.drop``).

        The binary format allows data indices in code only when the data count section
        is present (Spec: Core 2.0 §5.5.16), so its absence makes the module
        *malformed* (DecodeError "data count section required"). An index beyond the
        data segments is reported as invalid first: wast2json omits the data count
        section from text modules without data segments, and the suite expects
        "unknown data segment" for those.
        """
        count = self.data_count
        if index >= (self.data_total if count is None else count):
            raise Invalid("unknown data segment %d" % index)
        if count is None:
            raise DecodeError("data count section required", section="code")

    def blocktype(self, bt: int) -> FuncSig:
        """Resolve a block type (the binary s33: type index, -0x40 or a value type).

        Spec: Core 2.0 §3.2.2 (valid/types.html#block-types).
        """
        sig = self._blocktypes.get(bt)
        if sig is None:
            if bt >= 0:
                sig = self.type(bt)
            elif bt == -0x40:
                sig = _sig((), ())
            elif (bt + 0x80) in _VALTYPES:
                sig = _sig((), (ValType(bt + 0x80),))
            else:
                raise Invalid("malformed block type %d" % bt)
            self._blocktypes[bt] = sig
        return sig


def _declared_references(module: ModuleSyntax) -> Set[int]:
    """C.refs: function indices occurring outside function bodies and the start
    function, i.e. in element segments, exports and global initializers.

    Spec: Core 2.0 §3.4.10 (valid/modules.html#valid-module), *funcidx(module)*.
    """
    refs: Set[int] = set()
    exprs: List[list] = [g.init for g in module.global_inits]
    for segment in module.elements:
        exprs.extend(segment.init)
        if segment.offset is not None:
            exprs.append(segment.offset)
    for expr in exprs:
        for ins in expr:
            if ins[0] == _REF_FUNC:
                refs.add(ins[1])
    for export in module.exports:
        if export.kind == 0:  # ExternKind.FUNCTION
            refs.add(export.index)
    return refs
