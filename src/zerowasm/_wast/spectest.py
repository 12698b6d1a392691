"""The ``spectest`` host module that the spec test scripts import from.

Its contents are fixed by the spec interpreter (``interpreter/host/spectest.ml``): print
functions of several signatures (here they print nothing), four immutable globals holding
666 / 666.6, a funcref table of 10..20 elements and a memory of 1..2 pages.
"""

from __future__ import annotations

import struct
from typing import Any, Dict

__all__ = ["make_spectest_module", "SPECTEST_F32_BITS", "SPECTEST_F32"]

#: 666.6 rounded to single precision: its bit pattern, and the float the API takes for it.
SPECTEST_F32_BITS = struct.unpack("<I", struct.pack("<f", 666.6))[0]
SPECTEST_F32 = struct.unpack("<f", struct.pack("<I", SPECTEST_F32_BITS))[0]


def _ignore(*_args: Any) -> None:
    """The print functions: the runner keeps the test output quiet."""
    return None


def make_spectest_module(zw: Any = None) -> Dict[str, Any]:
    """A fresh ``spectest`` import namespace (name -> extern), one per script run.

    ``zw`` is the module providing the public API (default :mod:`zerowasm`).
    """
    if zw is None:
        import zerowasm as zw

    def function(*params: Any) -> Any:
        return zw.Function(zw.FunctionType(params, ()), _ignore)

    def constant(valtype: Any, value: Any) -> Any:
        return zw.Global(zw.GlobalType(valtype, mutable=False), value)

    return {
        "print": function(),
        "print_i32": function(zw.I32),
        "print_i64": function(zw.I64),
        "print_f32": function(zw.F32),
        "print_f64": function(zw.F64),
        "print_i32_f32": function(zw.I32, zw.F32),
        "print_f64_f64": function(zw.F64, zw.F64),
        "global_i32": constant(zw.I32, 666),
        "global_i64": constant(zw.I64, 666),
        "global_f32": constant(zw.F32, SPECTEST_F32),
        "global_f64": constant(zw.F64, 666.6),
        "table": zw.Table(zw.TableType(zw.FUNCREF, zw.Limits(10, 20))),
        "memory": zw.Memory(zw.MemoryType(zw.Limits(1, 2))),
    }
