"""One decoder per section of the binary format.

Spec: Core 2.0 §5.5 (binary/modules.html). Each ``decode_*_section`` reads the section's
content from a :class:`Reader` limited to the section and fills a :class:`ModuleSyntax`.
"""

from __future__ import annotations

from typing import Callable, Dict, List

from .._opcodes import Op
from .._syntax import (
    DataSegment,
    ElementMode,
    ElementSegment,
    Export,
    Function,
    Global,
    Import,
    ModuleSyntax,
)
from .._types import ExternKind, FunctionType, GlobalType, MemoryType, TableType, ValType
from .code import decode_expression
from .reader import Reader

__all__ = ["SECTION_DECODERS", "SECTION_NAMES", "SECTION_ORDER"]

SECTION_NAMES = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
                 6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
                 12: "data count"}
#: position of each non-custom section in the required order (data count sits before code)
SECTION_ORDER = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 12: 10, 10: 11, 11: 12}

#: Locals per function. The spec allows up to 2**32 - 1; like wasmtime we refuse more
#: than 50,000 (an implementation limit) rather than allocate billions of them.
MAX_LOCALS = 50000


def _vector_count(r: Reader) -> int:
    return r.u32()


def decode_type_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.4 (binary/modules.html#type-section)."""
    for _ in range(_vector_count(r)):
        start = r.pos
        if r.signed(7) != -0x20:                  # 0x60 as a 7-bit signed LEB128 integer
            raise r.error("malformed function type", start)
        params = tuple(r.value_type() for _ in range(_counted(r)))
        results = tuple(r.value_type() for _ in range(_counted(r)))
        module.types.append(FunctionType(params, results))


def _counted(r: Reader) -> int:
    count = r.u32()
    if count > r.limit - r.pos:
        raise r.error("length out of bounds")
    return count


def _table_type(r: Reader) -> TableType:
    element = r.reference_type()
    return TableType(element, r.limits())


def _global_type(r: Reader) -> GlobalType:
    content = r.value_type()
    start = r.pos
    mutability = r.byte()
    if mutability not in (0, 1):
        raise r.error("malformed mutability", start)
    return GlobalType(content, bool(mutability))


def decode_import_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.5 (binary/modules.html#import-section)."""
    for _ in range(_vector_count(r)):
        module_name = r.name()
        name = r.name()
        start = r.pos
        kind = r.byte()
        if kind == 0:
            type_index = r.u32()
            module.function_types.append(type_index)
            module.imported_function_count += 1
            module.imports.append(Import(module_name, name, ExternKind.FUNCTION, type_index))
        elif kind == 1:
            table = _table_type(r)
            module.tables.append(table)
            module.imported_table_count += 1
            module.imports.append(Import(module_name, name, ExternKind.TABLE, table))
        elif kind == 2:
            memory = MemoryType(r.limits())
            module.memories.append(memory)
            module.imported_memory_count += 1
            module.imports.append(Import(module_name, name, ExternKind.MEMORY, memory))
        elif kind == 3:
            global_type = _global_type(r)
            module.globals.append(global_type)
            module.imported_global_count += 1
            module.imports.append(Import(module_name, name, ExternKind.GLOBAL, global_type))
        else:
            raise r.error("malformed import kind", start)


def decode_function_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.6 (binary/modules.html#function-section)."""
    for _ in range(_vector_count(r)):
        type_index = r.u32()
        module.function_types.append(type_index)
        module.functions.append(Function(type_index))


def decode_table_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.7 (binary/modules.html#table-section)."""
    for _ in range(_vector_count(r)):
        module.tables.append(_table_type(r))


def decode_memory_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.8 (binary/modules.html#memory-section)."""
    for _ in range(_vector_count(r)):
        module.memories.append(MemoryType(r.limits()))


def decode_global_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.9 (binary/modules.html#global-section)."""
    for _ in range(_vector_count(r)):
        global_type = _global_type(r)
        module.globals.append(global_type)
        module.global_inits.append(Global(global_type, decode_expression(r)))


def decode_export_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.10 (binary/modules.html#export-section)."""
    for _ in range(_vector_count(r)):
        name = r.name()
        start = r.pos
        kind = r.byte()
        if kind > 3:
            raise r.error("malformed export kind", start)
        module.exports.append(Export(name, ExternKind(kind), r.u32()))


def decode_start_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.11 (binary/modules.html#start-section)."""
    module.start = r.u32()


def _element_kind(r: Reader) -> ValType:
    start = r.pos
    if r.byte() != 0x00:
        raise r.error("malformed element kind", start)
    return ValType.FUNCREF


def _function_indices(r: Reader) -> List[List[tuple]]:
    return [[(int(Op.REF_FUNC), r.u32())] for _ in range(_vector_count(r))]


def _expressions(r: Reader) -> List[List[tuple]]:
    return [decode_expression(r) for _ in range(_vector_count(r))]


def decode_element_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.12 (binary/modules.html#element-section): flags 0-7."""
    for _ in range(_vector_count(r)):
        start = r.pos
        flags = r.u32()
        if flags > 7:
            raise r.error("malformed elements segment kind", start)
        uses_expressions = flags & 4
        if flags & 1 == 0:                       # active
            table = r.u32() if flags & 2 else 0
            offset = decode_expression(r)
            if flags & 2:
                element_type = r.reference_type() if uses_expressions else _element_kind(r)
            else:
                element_type = ValType.FUNCREF
            init = _expressions(r) if uses_expressions else _function_indices(r)
            module.elements.append(ElementSegment(element_type, init, ElementMode.ACTIVE, table,
                                                  offset))
        else:                                    # passive (1, 5) or declarative (3, 7)
            element_type = r.reference_type() if uses_expressions else _element_kind(r)
            init = _expressions(r) if uses_expressions else _function_indices(r)
            mode = ElementMode.DECLARATIVE if flags & 2 else ElementMode.PASSIVE
            module.elements.append(ElementSegment(element_type, init, mode))


def decode_code_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.13 (binary/modules.html#code-section).

    Only the locals are decoded here; the body bytes are kept for the validator."""
    count = _vector_count(r)
    if count != len(module.functions):
        raise r.error("function and code section have inconsistent lengths")
    for function in module.functions:
        size = r.length()
        end = r.pos + size
        body = Reader(r.data, r.pos, end, "code")
        local_types: List[ValType] = []
        total = 0
        for _ in range(body.u32()):
            n = body.u32()
            total += n
            if total > MAX_LOCALS:
                raise body.error("too many locals")
            local_types.extend([body.value_type()] * n)
        function.locals = tuple(local_types)
        function.code = bytes(r.data[body.pos:end])
        function.offset = body.pos
        r.pos = end


def decode_data_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.14 (binary/modules.html#data-section): flags 0-2."""
    count = _vector_count(r)
    if module.data_count is not None and count != module.data_count:
        raise r.error("data count and data section have inconsistent lengths")
    for _ in range(count):
        start = r.pos
        flags = r.u32()
        if flags == 0:
            offset = decode_expression(r)
            module.datas.append(DataSegment(r.byte_vector(), "active", 0, offset))
        elif flags == 1:
            module.datas.append(DataSegment(r.byte_vector(), "passive"))
        elif flags == 2:
            memory = r.u32()
            offset = decode_expression(r)
            module.datas.append(DataSegment(r.byte_vector(), "active", memory, offset))
        else:
            raise r.error("malformed data segment kind", start)


def decode_data_count_section(r: Reader, module: ModuleSyntax) -> None:
    """Spec: Core 2.0 §5.5.15 (binary/modules.html#data-count-section)."""
    module.data_count = r.u32()


SECTION_DECODERS: Dict[int, Callable[[Reader, ModuleSyntax], None]] = {
    1: decode_type_section,
    2: decode_import_section,
    3: decode_function_section,
    4: decode_table_section,
    5: decode_memory_section,
    6: decode_global_section,
    7: decode_export_section,
    8: decode_start_section,
    9: decode_element_section,
    10: decode_code_section,
    11: decode_data_section,
    12: decode_data_count_section,
}
