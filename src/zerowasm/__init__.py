"""zerowasm: a WebAssembly runtime written in pure Python.

The whole public API is listed here; everything else is private. See the README for a
tour and RATIONALE.md for the design decisions.

    import zerowasm
    rt = zerowasm.Runtime()
    module = rt.compile(wasm_bytes)
    inst = rt.instantiate(module, imports={"env": {"log": print}})
    inst.exports.fib(25)
"""

from ._errors import (
                      DecodeError,
                      ExitError,
                      Frame,
                      InstantiationError,
                      LinkError,
                      Trap,
                      TrapKind,
                      ValidationError,
                      WasmError,
)
from ._host import host_function
from ._instance import Exports, Instance
from ._runtime import ExportType, ImportType, Module, Runtime, RuntimeConfig
from ._store.function import Function
from ._store.globals import Global
from ._store.memory import Memory
from ._store.table import Table
from ._syntax import CustomSection
from ._types import (
                      EXTERNREF,
                      F32,
                      F64,
                      FUNCREF,
                      I32,
                      I64,
                      V128,
                      ExternKind,
                      FunctionType,
                      GlobalType,
                      Limits,
                      MemoryType,
                      TableType,
                      ValType,
)
from ._values import v128_from_lanes, v128_to_lanes

__version__ = "0.1.0"

__all__ = [
    "__version__",
    # runtime
    "Runtime", "RuntimeConfig", "Module", "Instance", "Exports", "ImportType", "ExportType",
    "CustomSection",
    # store objects
    "Function", "Memory", "Table", "Global", "host_function",
    # types
    "ValType", "I32", "I64", "F32", "F64", "V128", "FUNCREF", "EXTERNREF",
    "FunctionType", "Limits", "MemoryType", "TableType", "GlobalType", "ExternKind",
    # values
    "v128_to_lanes", "v128_from_lanes",
    # errors
    "WasmError", "DecodeError", "ValidationError", "LinkError", "InstantiationError",
    "Trap", "TrapKind", "Frame", "ExitError",
]
