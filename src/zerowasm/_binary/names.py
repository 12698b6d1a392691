"""The ``name`` custom section: module, function and local names.

Spec: Core 2.0 §7.4.1 (appendix/custom.html#name-section). The section is optional and
not validated: a malformed name section is ignored (what was read before the problem
is kept), as the spec recommends.
"""

from __future__ import annotations

from typing import Dict

from .._errors import DecodeError
from .._syntax import NameSection
from .reader import Reader

__all__ = ["decode_name_section"]


def _name_map(r: Reader) -> Dict[int, str]:
    names: Dict[int, str] = {}
    for _ in range(r.u32()):
        index = r.u32()
        names[index] = r.name()
    return names


def decode_name_section(data: bytes, names: NameSection) -> None:
    """Fill ``names`` from the content of a ``name`` custom section."""
    r = Reader(data, 0, len(data), "custom")
    try:
        while not r.at_end():
            sub_id = r.byte()
            size = r.length()
            sub = Reader(data, r.pos, r.pos + size, "custom")
            if sub_id == 0:
                names.module = sub.name()
            elif sub_id == 1:
                names.functions.update(_name_map(sub))
            elif sub_id == 2:
                for _ in range(sub.u32()):
                    function_index = sub.u32()
                    names.locals[function_index] = _name_map(sub)
            r.pos += size
    except DecodeError:
        pass
