"""Module validation: every rule of Core 2.0 §3.4 outside function bodies, then the bodies.

Spec: Core 2.0 §3.4 (valid/modules.html). The checks run in the order of the spec's
definition of a valid module: imports, globals, tables, memories, element and data
segments, functions, start function, exports. Errors carry the spec suite's message
text and say where ("global 2", "export \\"f\\"", ...).
"""

from __future__ import annotations

import weakref
from typing import List

from .._errors import DecodeError, ValidationError
from .._syntax import ElementMode, ModuleSyntax
from .._types import MAX_PAGES, ExternKind, Limits
from .constant import check_constant
from .context import Invalid, ModuleContext
from .function import check_body
from .info import FunctionInfo

__all__ = ["validate_module", "validate_module_rules", "validate_function", "module_context"]

_I32 = 0x7F
_CONTEXTS: weakref.WeakKeyDictionary[ModuleSyntax, ModuleContext] = weakref.WeakKeyDictionary()


def module_context(module: ModuleSyntax) -> ModuleContext:
    """The (cached) validation context of ``module``."""
    c = _CONTEXTS.get(module)
    if c is None:
        c = _CONTEXTS[module] = ModuleContext(module)
    return c


def validate_module(module: ModuleSyntax) -> List[FunctionInfo]:
    """Validate ``module``; return one FunctionInfo per defined function, in order.

    Spec: Core 2.0 §3.4.10 (valid/modules.html#valid-module). Raises
    :class:`ValidationError` for an invalid module, and :class:`DecodeError` for a
    function body that turns out to be malformed when decoded.
    """
    validate_module_rules(module)
    return [validate_function(module, i) for i in range(len(module.functions))]


def validate_module_rules(module: ModuleSyntax) -> None:
    """Every rule of :func:`validate_module` but the function bodies (for a module whose
    bodies are known to be valid, :mod:`zerowasm._module_cache`)."""
    c = ModuleContext(module)
    _CONTEXTS[module] = c
    _check_module(c)


def validate_function(module: ModuleSyntax, defined_index: int) -> FunctionInfo:
    """Decode and validate defined function ``defined_index`` (0 = first non-imported).

    Spec: Core 2.0 §3.4.1 (valid/modules.html#functions). Checks only the body (and
    that its type exists); :func:`validate_module` checks the rest of the module.
    """
    from .._binary.code import decode_body

    c = module_context(module)
    function = module.functions[defined_index]
    index = module.imported_function_count + defined_index
    if index < len(c.functions):
        sig = c.functions[index]
    else:  # function_types and functions disagree: only a broken decoder does this
        try:
            sig = c.type(function.type_index)
        except Invalid as error:
            raise ValidationError(error.message, function=index) from None
    code, offsets = decode_body(function.code, function.offset)
    declared = function.locals
    locals_ = sig[4] + [int(t) for t in declared]
    return check_body(c, code, offsets, locals_, sig, index, sig[2] + tuple(declared))


def _check_module(c: ModuleContext) -> None:
    module = c.module
    if module.data_count is not None and module.data_count != len(module.datas):
        raise DecodeError("data count and data section have inconsistent lengths",
                          section="data")
    where = ""
    try:
        where = "type section"
        ntypes = len(module.types)
        for index, type_index in enumerate(module.function_types):
            if type_index >= ntypes:
                where = "function %d" % index
                raise Invalid("unknown type %d" % type_index)
        for index, table in enumerate(module.tables):
            where = "table %d" % index
            _check_limits(table.limits, 2 ** 32, "table size must be at most 2^32-1")
        for index, mem in enumerate(module.memories):
            where = "memory %d" % index
            _check_limits(mem.limits, MAX_PAGES,
                          "memory size must be at most 65536 pages (4GiB)")
        if len(module.memories) > 1:
            where = "memory 1"
            raise Invalid("multiple memories")
        first = module.imported_global_count
        for index, definition in enumerate(module.global_inits):
            where = "global %d" % (first + index)
            check_constant(c, definition.init, int(definition.type.content))
        for index, segment in enumerate(module.elements):
            where = "element segment %d" % index
            _check_element(c, segment)
        for index, data in enumerate(module.datas):
            where = "data segment %d" % index
            if data.mode == "active":
                c.memory(data.memory)
                check_constant(c, data.offset or [], _I32)
        if module.start is not None:
            where = "start function"
            sig = c.function(module.start)
            if sig[0] or sig[1]:
                raise Invalid("start function must have type [] -> []")
        where = "export section"
        _check_exports(c)
    except Invalid as error:
        raise ValidationError(error.message, where=where) from None


def _check_limits(limits: Limits, bound: int, message: str) -> None:
    """Spec: Core 2.0 §3.2.1 (valid/types.html#limits)."""
    if limits.min > bound:
        raise Invalid(message)
    if limits.max is not None:
        if limits.max > bound:
            raise Invalid(message)
        if limits.min > limits.max:
            raise Invalid("size minimum must not be greater than maximum")


def _check_element(c: ModuleContext, segment: object) -> None:
    """Spec: Core 2.0 §3.4.7 (valid/modules.html#element-segments)."""
    rt = int(segment.type)  # type: ignore[attr-defined]
    for expr in segment.init:  # type: ignore[attr-defined]
        check_constant(c, expr, rt)
    if segment.mode == ElementMode.ACTIVE:  # type: ignore[attr-defined]
        if c.table(segment.table) != rt:  # type: ignore[attr-defined]
            raise Invalid("type mismatch: element segment type differs from the table's")
        check_constant(c, segment.offset or [], _I32)  # type: ignore[attr-defined]


def _check_exports(c: ModuleContext) -> None:
    """Spec: Core 2.0 §3.4.9 (valid/modules.html#exports) and §3.4.10 (unique names)."""
    module = c.module
    names = set()
    for export in module.exports:
        kind = export.kind
        if kind == ExternKind.FUNCTION:
            c.function(export.index)
        elif kind == ExternKind.TABLE:
            c.table(export.index)
        elif kind == ExternKind.MEMORY:
            c.memory(export.index)
        else:
            c.global_(export.index)
        if export.name in names:
            raise Invalid("duplicate export name %r" % export.name)
        names.add(export.name)
