"""Errors of the plugin layer.

:class:`Error` is what the Extism Python SDK raises for every failure (``extism.Error``);
the subclasses let a host tell the reasons apart without parsing messages. ``str(error)``
is the message native Extism reports where there is one ("timeout", "oom", "plugin ran
out of fuel", "Function not found: f", "Error code: 1", or the guest's own text).
"""

from __future__ import annotations

from typing import Optional

from .._errors import WasmError

__all__ = ["Error", "GuestError", "TrapError", "Timeout", "Cancelled", "FuelExhausted",
           "OutOfMemory", "HostFunctionError", "ManifestError", "LoadError", "HostCallError"]


class Error(WasmError):
    """A plugin could not be created or a call failed.

    ``message``: the text (the guest's ``error_set`` text when it set one);
    ``rc``: the call's return code where there is one (the export's i32 result, the
    WASI exit status, or 134 for a trap, timeout or cancellation, as native Extism
    reports them); ``function``: the export that was called.
    """

    def __init__(self, message: str, rc: Optional[int] = None,
                 function: Optional[str] = None) -> None:
        self.message = message
        self.rc = rc
        self.function = function
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class ManifestError(Error):
    """The manifest (or the wasm it names) is malformed, missing or fails its hash."""


class LoadError(Error):
    """A module could not be compiled or linked ("Unable to create Extism plugin: ...")."""


class GuestError(Error):
    """The guest reported failure: it set an error (``error_set``), returned a non-zero
    code, or exited with a non-zero WASI status."""


class TrapError(Error):
    """The guest trapped (``unreachable``, out-of-bounds access, stack exhaustion, ...).
    ``__cause__`` is the :class:`zerowasm.Trap`."""


class OutOfMemory(Error):
    """A memory (the guest's or the kernel's) hit ``memory.max_pages`` ("oom")."""


class Timeout(Error):
    """The call ran past ``timeout_ms`` and was stopped ("timeout")."""


class Cancelled(Timeout):
    """The call was stopped by :meth:`CancelHandle.cancel` (native Extism reports a
    cancel as a timeout; this subclass of :class:`Timeout` tells them apart)."""


class FuelExhausted(Error):
    """The call used up its fuel budget ("plugin ran out of fuel")."""


class HostFunctionError(Error):
    """A host function raised; ``__cause__`` is the original exception."""


class HostCallError(Exception):
    """Raised inside a host function of the ``extism:host/env`` namespace to fail the
    current call with ``message`` (e.g. "HTTP request to ... is not allowed")."""

    def __init__(self, message: str, kind: type = Error) -> None:
        self.message = message
        self.kind = kind
        super().__init__(message)
