"""zerowasm.plugin: an Extism-compatible plugin host in pure Python.

It offers the names and behaviour of the ``extism`` Python SDK, so an Extism host
program runs after changing its import line to ``import zerowasm.plugin as extism``::

    import zerowasm.plugin as extism

    manifest = {"wasm": [{"path": "count_vowels.wasm"}]}
    with extism.Plugin(manifest, wasi=True) as plugin:
        print(plugin.call("count_vowels", "hello world"))  # b'{"count":3,...}'

Plugins built with any Extism PDK (Rust, Go, C, Zig, JS, Haskell, ...) run unchanged:
the ``extism:host/env`` ABI (kernel memory, input/output, config, vars, HTTP, logging)
is implemented here, in Python. Beyond the SDK: limits that stop a runaway guest
(``timeout_ms``, cancel handles, ``fuel``, ``memory.max_pages``), error subclasses
that say why a call failed, and typed extension interfaces (:mod:`zerowasm.plugin`'s
:func:`load_interface`). See docs/plugins.md.
"""

from .. import __version__ as _zerowasm_version
from ._errors import (
    Cancelled,
    Error,
    FuelExhausted,
    GuestError,
    HostFunctionError,
    LoadError,
    ManifestError,
    OutOfMemory,
    Timeout,
    TrapError,
)
from ._host_fn import (
    HOST_FN_REGISTRY,
    Codec,
    CurrentPlugin,
    ExplicitFunction,
    Function,
    Json,
    Memory,
    Pickle,
    TypeInferredFunction,
    Val,
    ValType,
    host_fn,
)
from ._interface import (
    Extension,
    InterfaceError,
    decode_value,
    encode_value,
    export_name,
    interface_methods,
    load_interface,
    optional,
)
from ._log import CustomLogger, set_log_custom, set_log_file, set_log_python
from ._manifest import Manifest, load_manifest
from ._plugin import CancelHandle, CompiledPlugin, Plugin


def extism_version() -> str:
    """The version of the ABI implementation (zerowasm's version)."""
    return "zerowasm %s" % _zerowasm_version


__all__ = [
    # the extism SDK's names
    "Plugin", "CompiledPlugin", "Error", "CurrentPlugin", "set_log_file", "set_log_custom",
    "extism_version", "Memory", "host_fn", "Function", "ValType", "Val", "Codec", "Json",
    "Pickle", "CancelHandle", "CustomLogger", "ExplicitFunction", "TypeInferredFunction",
    "HOST_FN_REGISTRY",
    # zerowasm extensions
    "GuestError", "TrapError", "Timeout", "Cancelled", "FuelExhausted", "OutOfMemory",
    "HostFunctionError", "ManifestError", "LoadError", "Manifest", "load_manifest",
    "set_log_python",
    # typed extension interfaces
    "load_interface", "optional", "export_name", "InterfaceError", "Extension",
    "interface_methods", "encode_value", "decode_value",
]
