"""The exception hierarchy: every error zerowasm raises on purpose.

``WasmError`` is the root; a host catches it to handle any Wasm-level failure.
Messages start with the spec test suite's text ("unexpected end", "type mismatch",
"integer divide by zero", ...) so that scripts and users can match on them, then say
where the problem is.
"""

from __future__ import annotations

import enum
from typing import List, Optional, Sequence

__all__ = [
    "WasmError",
    "DecodeError",
    "ValidationError",
    "LinkError",
    "InstantiationError",
    "Trap",
    "TrapKind",
    "ExitError",
    "Frame",
]


class WasmError(Exception):
    """Base class of every error zerowasm raises for a Wasm-level reason."""


class DecodeError(WasmError):
    """The bytes are not a well-formed module (spec: *malformed*).

    Spec: Core 2.0 §5 (binary/index.html). ``message`` is the spec suite's text,
    ``offset`` the byte offset where decoding failed and ``section`` the section id
    being decoded (or None for the preamble).
    """

    def __init__(self, message: str, offset: Optional[int] = None,
                 section: Optional[str] = None) -> None:
        self.message = message
        self.offset = offset
        self.section = section
        where = []
        if section is not None:
            where.append("section %s" % section)
        if offset is not None:
            where.append("at offset 0x%x" % offset)
        super().__init__(message + (" (%s)" % ", ".join(where) if where else ""))


class ValidationError(WasmError):
    """The module is well-formed but not valid (spec: *invalid*).

    Spec: Core 2.0 §3 (valid/index.html). ``message`` is the spec suite's text;
    ``function`` the function index (and ``function_name`` from the name section if
    known) and ``offset`` the instruction's byte offset, when the error is in code.
    """

    def __init__(self, message: str, *, function: Optional[int] = None,
                 function_name: Optional[str] = None, offset: Optional[int] = None,
                 where: Optional[str] = None) -> None:
        self.message = message
        self.function = function
        self.function_name = function_name
        self.offset = offset
        parts = []
        if where:
            parts.append(where)
        if function is not None:
            parts.append("function %d%s"
                         % (function, " (%s)" % function_name if function_name else ""))
        if offset is not None:
            parts.append("at offset 0x%x" % offset)
        super().__init__(message + (" (%s)" % ", ".join(parts) if parts else ""))


class LinkError(WasmError):
    """An import could not be resolved or has the wrong type (spec: *unlinkable*).

    Spec: Core 2.0 §4.5.4 (exec/modules.html#instantiation), step 3-4.
    """


class InstantiationError(WasmError):
    """Instantiation failed after linking (a trap in a segment or start function)."""


class TrapKind(enum.Enum):
    """Why execution trapped. The value is the spec suite's message."""

    UNREACHABLE = "unreachable"
    INTEGER_DIVIDE_BY_ZERO = "integer divide by zero"
    INTEGER_OVERFLOW = "integer overflow"
    INVALID_CONVERSION_TO_INTEGER = "invalid conversion to integer"
    OUT_OF_BOUNDS_MEMORY_ACCESS = "out of bounds memory access"
    OUT_OF_BOUNDS_TABLE_ACCESS = "out of bounds table access"
    UNDEFINED_ELEMENT = "undefined element"
    UNINITIALIZED_ELEMENT = "uninitialized element"
    INDIRECT_CALL_TYPE_MISMATCH = "indirect call type mismatch"
    CALL_STACK_EXHAUSTED = "call stack exhausted"
    NULL_REFERENCE = "null reference"
    FUEL_EXHAUSTED = "all fuel consumed"
    INTERRUPTED = "interrupted"
    TIMEOUT = "timeout"


class Frame:
    """One entry of a Wasm backtrace: a function index and its name if known."""

    __slots__ = ("function_index", "function_name", "module_name")

    def __init__(self, function_index: int, function_name: Optional[str] = None,
                 module_name: Optional[str] = None) -> None:
        self.function_index = function_index
        self.function_name = function_name
        self.module_name = module_name

    def __repr__(self) -> str:
        return "Frame(%d, %r)" % (self.function_index, self.function_name)

    def __str__(self) -> str:
        name = self.function_name or "<wasm function %d>" % self.function_index
        if self.module_name:
            name = "%s!%s" % (self.module_name, name)
        return name


class Trap(WasmError):
    """Execution trapped. ``kind`` is a :class:`TrapKind`; ``frames`` the Wasm backtrace.

    Spec: Core 2.0 §4.4 (exec/instructions.html); a trap aborts the current
    invocation and leaves the store as it is.
    """

    def __init__(self, kind: TrapKind, detail: Optional[str] = None,
                 frames: Optional[Sequence[Frame]] = None) -> None:
        self.kind = kind
        self.detail = detail
        self.frames: List[Frame] = list(frames or ())
        super().__init__(kind.value)

    @property
    def message(self) -> str:
        return self.kind.value

    def __str__(self) -> str:
        text = self.kind.value
        if self.detail:
            text += ": " + self.detail
        if self.frames:
            text += "\nwasm backtrace:\n" + "\n".join(
                "  %d: %s" % (i, frame) for i, frame in enumerate(self.frames))
        return text


class ExitError(WasmError):
    """The guest asked to exit (WASI ``proc_exit``); ``code`` is its exit status."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__("exit status %d" % code)
