"""The binary decoder: bytes -> :class:`zerowasm._syntax.ModuleSyntax`.

Spec: Core 2.0 §5 (binary/index.html). Decoding only parses; malformed input raises
:class:`zerowasm.DecodeError` with the spec suite's message, the byte offset and the
section. Function bodies are split off but decoded later (``code.decode_body``).
"""

from __future__ import annotations

from .._errors import DecodeError
from .._syntax import CustomSection, ModuleSyntax
from .code import decode_body, decode_expression, decode_instruction
from .names import decode_name_section
from .reader import Reader
from .sections import SECTION_DECODERS, SECTION_NAMES, SECTION_ORDER

__all__ = ["decode_module", "decode_body", "decode_expression", "decode_instruction", "Reader"]

MAGIC = b"\x00asm"
VERSION = b"\x01\x00\x00\x00"


def decode_module(data: bytes) -> ModuleSyntax:
    """Decode a whole module. Spec: Core 2.0 §5.5.16 (binary/modules.html#binary-module)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("a module is bytes, not %s" % type(data).__name__)
    data = bytes(data)
    r = Reader(data)
    if len(data) < 4:
        raise DecodeError("unexpected end", len(data))
    if data[:4] != MAGIC:
        raise DecodeError("magic header not detected", 0)
    if len(data) < 8:
        raise DecodeError("unexpected end", len(data))
    if data[4:8] != VERSION:
        raise DecodeError("unknown binary version", 4)
    r.pos = 8
    module = ModuleSyntax()
    try:
        _decode_sections(r, data, module)
    except DecodeError:
        # The reference interpreter decodes function bodies as it reads the code section,
        # so a malformed body is reported before anything that follows it.
        for function in module.functions:
            if function.code:
                decode_body(function.code, function.offset)
        raise
    return module


def _decode_sections(r: Reader, data: bytes, module: ModuleSyntax) -> None:
    last_order = 0
    last_id = 0
    code_section_seen = False
    while not r.at_end():
        section_start = r.pos
        section_id = r.byte()
        if section_id not in SECTION_NAMES:
            raise DecodeError("malformed section id", section_start)
        section_name = SECTION_NAMES[section_id]
        r.section = section_name
        size = r.length()
        r.section = None
        if section_id == 0:
            content = Reader(data, r.pos, r.pos + size, section_name)
            name = content.name()
            payload = bytes(data[content.pos:content.limit])
            module.custom_sections.append(CustomSection(name, payload, last_id))
            if name == "name":
                decode_name_section(payload, module.names)
        else:
            order = SECTION_ORDER[section_id]
            if order <= last_order:
                raise DecodeError("unexpected content after last section", section_start,
                                  section_name)
            last_order = order
            last_id = section_id
            if section_id == 10:
                code_section_seen = True
            # Like the reference interpreter, a section's content is read up to the end
            # of the data, then its declared size is checked.
            content = Reader(data, r.pos, len(data), section_name)
            SECTION_DECODERS[section_id](content, module)
            if content.pos != r.pos + size:
                raise DecodeError("section size mismatch", content.pos, section_name)
        r.pos += size
    if module.functions and not code_section_seen:
        raise DecodeError("function and code section have inconsistent lengths", len(data))
    if module.data_count is not None and module.data_count != len(module.datas):
        raise DecodeError("data count and data section have inconsistent lengths", len(data))
