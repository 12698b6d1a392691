"""``zerowasm inspect``: a readable description of a module.

Lists imports and exports with their types, memory and table limits, globals, custom
sections, and which WebAssembly features beyond the 1.0 (MVP) core the module uses,
found by reading its types, segments and every function body.
Spec: Core 2.0 §5.5 (binary/modules.html) for what is read.
"""

from __future__ import annotations

from typing import Any, List, Set

from .._binary import decode_module
from .._binary.code import decode_body
from .._errors import DecodeError
from .._opcodes import PREFIX_FC, prefixed
from .._syntax import ModuleSyntax
from .._types import ExternKind, FunctionType, Limits, ValType

__all__ = ["describe_module", "features_used"]

_SIGN_EXTENSION = set(range(0xC0, 0xC5))
_SATURATING = {prefixed(PREFIX_FC, i) for i in range(8)}
_BULK_MEMORY = {prefixed(PREFIX_FC, i) for i in range(8, 15)}
_REFERENCE = {0xD0, 0xD1, 0xD2, 0x25, 0x26, 0x1C} | {prefixed(PREFIX_FC, i) for i in (15, 16, 17)}
_REFERENCE_TYPES = (ValType.FUNCREF, ValType.EXTERNREF)


def _function_type(t: FunctionType) -> str:
    return "(%s) -> (%s)" % (", ".join(str(p) for p in t.params),
                             ", ".join(str(r) for r in t.results))


def _limits(limits: Limits, unit: str) -> str:
    maximum = "unbounded" if limits.max is None else "%d" % limits.max
    return "min %d, max %s %s" % (limits.min, maximum, unit)


def _extern(module: ModuleSyntax, kind: ExternKind, desc: Any) -> str:
    if kind == ExternKind.FUNCTION:
        return "func %s" % _function_type(module.types[desc] if isinstance(desc, int) else desc)
    if kind == ExternKind.TABLE:
        return "table %s, %s" % (desc.element, _limits(desc.limits, "elements"))
    if kind == ExternKind.MEMORY:
        return "memory %s" % _limits(desc.limits, "pages of 64 KiB")
    return "global %s%s" % ("mut " if desc.mutable else "", desc.content)


def features_used(module: ModuleSyntax) -> List[str]:
    """Post-MVP features the module uses (names as in the proposals), sorted."""
    found: Set[str] = set()
    if any(len(t.results) > 1 for t in module.types):
        found.add("multi-value")
    for t in module.types:
        if ValType.V128 in t.params or ValType.V128 in t.results:
            found.add("simd")
        if any(v in _REFERENCE_TYPES for v in t.params + t.results):
            found.add("reference-types")
    for imp in module.imports:
        if imp.kind == ExternKind.GLOBAL and imp.desc.mutable:  # type: ignore[union-attr]
            found.add("mutable-globals")
    for export in module.exports:
        if export.kind == ExternKind.GLOBAL and module.globals[export.index].mutable:
            found.add("mutable-globals")
    if len(module.tables) > 1 or any(t.element == ValType.EXTERNREF for t in module.tables):
        found.add("reference-types")
    if module.data_count is not None or any(d.mode != "active" for d in module.datas):
        found.add("bulk-memory")
    if any(e.mode != "active" for e in module.elements):
        found.add("bulk-memory")
    if any(g.content == ValType.V128 for g in module.globals):
        found.add("simd")
    vector_instructions = 0
    for function in module.functions:
        if any(v == ValType.V128 for v in function.locals):
            found.add("simd")
        try:
            instructions, _ = decode_body(function.code, function.offset)
        except DecodeError:
            continue
        for instruction in instructions:
            op = instruction[0]
            if op >= 0xFD000:  # the 0xFD prefix: 128-bit SIMD
                vector_instructions += 1
            elif op in _SIGN_EXTENSION:
                found.add("sign-extension")
            elif op in _SATURATING:
                found.add("nontrapping-float-to-int")
            elif op in _BULK_MEMORY:
                found.add("bulk-memory")
            elif op in _REFERENCE:
                found.add("reference-types")
            elif op in (0x02, 0x03, 0x04) and instruction[1] >= 0:
                found.add("multi-value")
            elif op == 0x11 and instruction[2] != 0:
                found.add("reference-types")
    if vector_instructions:
        found.discard("simd")
        found.add("simd (%d vector instruction%s)" % (vector_instructions,
                                                      "" if vector_instructions == 1 else "s"))
    return sorted(found)


def describe_module(data: bytes, name: str = "module") -> str:
    """The text ``zerowasm inspect`` prints."""
    module = decode_module(data)
    lines = ["%s: %d bytes, %d types, %d functions (%d imported)" % (
        name, len(data), len(module.types), len(module.function_types),
        module.imported_function_count)]
    lines.append("imports (%d):" % len(module.imports))
    for imp in module.imports:
        lines.append("  %s.%s: %s" % (imp.module, imp.name, _extern(module, imp.kind, imp.desc)))
    lines.append("exports (%d):" % len(module.exports))
    for export in module.exports:
        if export.kind == ExternKind.FUNCTION:
            desc: Any = module.function_type(export.index)
        elif export.kind == ExternKind.TABLE:
            desc = module.tables[export.index]
        elif export.kind == ExternKind.MEMORY:
            desc = module.memories[export.index]
        else:
            desc = module.globals[export.index]
        lines.append("  %s: %s" % (export.name, _extern(module, export.kind, desc)))
    defined_memories = module.memories[module.imported_memory_count:]
    defined_tables = module.tables[module.imported_table_count:]
    lines.append("memories (%d defined):" % len(defined_memories))
    for i, memory in enumerate(defined_memories, module.imported_memory_count):
        lines.append("  memory %d: %s" % (i, _limits(memory.limits, "pages of 64 KiB")))
    lines.append("tables (%d defined):" % len(defined_tables))
    for i, table in enumerate(defined_tables, module.imported_table_count):
        lines.append("  table %d: %s, %s" % (i, table.element, _limits(table.limits, "elements")))
    lines.append("globals: %d defined, %d imported" % (
        len(module.global_inits), module.imported_global_count))
    lines.append("data segments: %d (%d bytes); element segments: %d" % (
        len(module.datas), sum(len(d.init) for d in module.datas), len(module.elements)))
    if module.start is not None:
        start_name = module.function_name(module.start)
        lines.append("start function: %d%s" % (module.start,
                                                " (%s)" % start_name if start_name else ""))
    lines.append("custom sections (%d):" % len(module.custom_sections))
    for section in module.custom_sections:
        lines.append("  %s: %d bytes" % (section.name, len(section.data)))
    features = features_used(module)
    lines.append("features beyond WebAssembly 1.0: %s" % (", ".join(features) or "none"))
    return "\n".join(lines) + "\n"


