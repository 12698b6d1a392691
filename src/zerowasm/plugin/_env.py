"""The ``extism:host/env`` import module: kernel functions and runtime functions.

Every function here is a :class:`zerowasm.Function` whose internal-convention callable
(see :mod:`zerowasm._engine.protocol`: unsigned ints in, unsigned ints out) is a bound
method of the plugin's :class:`~zerowasm.plugin._kernel.Kernel` or a closure over the
plugin, so a guest's ``load_u8`` costs one Python call, with no argument conversion.

Signatures (handles and lengths are i64, bytes and status codes i32)::

    alloc(i64) -> i64            free(i64)                  length(i64) -> i64
    length_unsafe(i64) -> i64    load_u8(i64) -> i32        load_u64(i64) -> i64
    store_u8(i64, i32)           store_u64(i64, i64)        input_length() -> i64
    input_offset() -> i64        input_load_u8(i64) -> i32  input_load_u64(i64) -> i64
    input_set(i64, i64)          output_set(i64, i64)       output_length() -> i64
    output_offset() -> i64       error_set(i64)             error_get() -> i64
    reset()                      memory_bytes() -> i64
    config_get(i64) -> i64       var_get(i64) -> i64        var_set(i64, i64)
    http_request(i64, i64) -> i64    http_status_code() -> i32   http_headers() -> i64
    log_trace/log_debug/log_info/log_warn/log_error(i64)         get_log_level() -> i32

Runtime functions fail the call by raising :class:`HostCallError` (the message becomes
the :class:`Error`'s), as native Extism's do: an invalid handle, "Vars are disabled by
this host", "Variable store is full", "HTTP request to <url> is not allowed".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Dict

from .._store.function import Function
from .._types import FunctionType, ValType
from . import _log
from ._errors import HostCallError, OutOfMemory
from ._kernel import KernelMemoryError

if TYPE_CHECKING:
    from ._plugin import Plugin

__all__ = ["ENV_MODULE", "ENV_SIGNATURES", "env_functions", "DEFAULT_MAX_VAR_BYTES"]

ENV_MODULE = "extism:host/env"
DEFAULT_MAX_VAR_BYTES = 1024 * 1024
# what native Extism counts per var beside its bytes (a String and a Vec header)
_VAR_OVERHEAD = 48

I32, I64 = ValType.I32, ValType.I64


def _sig(params: tuple, results: tuple) -> FunctionType:
    return FunctionType(params, results)


ENV_SIGNATURES: Dict[str, FunctionType] = {
    "alloc": _sig((I64,), (I64,)),
    "free": _sig((I64,), ()),
    "length": _sig((I64,), (I64,)),
    "length_unsafe": _sig((I64,), (I64,)),
    "load_u8": _sig((I64,), (I32,)),
    "load_u64": _sig((I64,), (I64,)),
    "store_u8": _sig((I64, I32), ()),
    "store_u64": _sig((I64, I64), ()),
    "input_length": _sig((), (I64,)),
    "input_offset": _sig((), (I64,)),
    "input_load_u8": _sig((I64,), (I32,)),
    "input_load_u64": _sig((I64,), (I64,)),
    "input_set": _sig((I64, I64), ()),
    "output_set": _sig((I64, I64), ()),
    "output_length": _sig((), (I64,)),
    "output_offset": _sig((), (I64,)),
    "error_set": _sig((I64,), ()),
    "error_get": _sig((), (I64,)),
    "reset": _sig((), ()),
    "memory_bytes": _sig((), (I64,)),
    "config_get": _sig((I64,), (I64,)),
    "var_get": _sig((I64,), (I64,)),
    "var_set": _sig((I64, I64), ()),
    "http_request": _sig((I64, I64), (I64,)),
    "http_status_code": _sig((), (I32,)),
    "http_headers": _sig((), (I64,)),
    "log_trace": _sig((I64,), ()),
    "log_debug": _sig((I64,), ()),
    "log_info": _sig((I64,), ()),
    "log_warn": _sig((I64,), ()),
    "log_error": _sig((I64,), ()),
    "get_log_level": _sig((), (I32,)),
}


def _wrap(name: str, call: Callable[..., Any]) -> Function:
    function = Function(ENV_SIGNATURES[name], _unbound, name=name)
    function.call = call  # internal convention: no conversion layer
    return function


def _unbound(*args: Any) -> Any:  # pragma: no cover - replaced by the internal callable
    raise RuntimeError("unreachable")


def env_functions(plugin: Plugin) -> Dict[str, Function]:
    """The ``extism:host/env`` functions of ``plugin`` (one dict per plugin)."""
    kernel = plugin._kernel

    def block(offset: int, what: str) -> bytes:
        n = kernel.length(offset)
        if n == 0 and offset != 0:
            raise HostCallError("invalid handle offset for %s: %d" % (what, offset))
        return bytes(kernel.view[offset:offset + n]) if n else b""

    def new_block(data: bytes) -> int:
        try:
            return kernel.new_block(data)
        except KernelMemoryError as error:
            plugin._note_kernel_oom()
            raise HostCallError("oom: %s" % error, OutOfMemory) from None

    def alloc(n: int) -> int:
        offset = kernel.alloc(n)
        if offset == 0 and n:
            plugin._note_kernel_oom()
        return offset

    def reset() -> None:
        kernel.reset()

    def config_get(key: int) -> int:
        name = block(key, "config key").decode("utf-8", "replace")
        value = plugin._config.get(name)
        if value is None:
            return 0
        return new_block(value.encode("utf-8"))

    def var_get(key: int) -> int:
        name = block(key, "var key").decode("utf-8", "replace")
        value = plugin._vars.get(name)
        if value is None:
            return 0
        return new_block(value)

    def var_set(key: int, value: int) -> None:
        limit = plugin._max_var_bytes
        if limit == 0:
            raise HostCallError("Vars are disabled by this host")
        name = block(key, "var key").decode("utf-8", "replace")
        variables = plugin._vars
        if value == 0:
            variables.pop(name, None)
            return
        data = block(value, "var value")
        size = _VAR_OVERHEAD + len(name.encode("utf-8")) + len(data)
        for k, v in variables.items():
            if k != name:
                size += _VAR_OVERHEAD + len(k.encode("utf-8")) + len(v)
        if size > (DEFAULT_MAX_VAR_BYTES if limit is None else limit):
            raise HostCallError("Variable store is full")
        variables[name] = data

    def http_request(request: int, body: int) -> int:
        spec = block(request, "http request")
        data = block(body, "http request body") if body else None
        response = plugin._http.request(spec, data, plugin._guard.remaining())
        return new_block(response) if response else 0

    def http_status_code() -> int:
        return plugin._http.status & 0xFFFFFFFF

    def http_headers() -> int:
        headers = plugin._http.headers
        if headers is None:
            return 0
        return new_block(json.dumps(headers, separators=(",", ":")).encode("utf-8"))

    def make_log(level: int) -> Callable[[int], None]:
        def log(offset: int) -> None:
            if level < _log.log_level():
                return
            text = block(offset, "log message").decode("utf-8", "replace")
            _log.emit(level, text, str(plugin.id))
        return log

    def get_log_level() -> int:
        return _log.log_level()

    calls: Dict[str, Callable[..., Any]] = {
        "alloc": alloc,
        "free": kernel.free,
        "length": kernel.length,
        "length_unsafe": kernel.length,
        "load_u8": kernel.load_u8,
        "load_u64": kernel.load_u64,
        "store_u8": kernel.store_u8,
        "store_u64": kernel.store_u64,
        "input_length": kernel.input_length_fn,
        "input_offset": kernel.input_offset_fn,
        "input_load_u8": kernel.input_load_u8,
        "input_load_u64": kernel.input_load_u64,
        "input_set": kernel.input_set,
        "output_set": kernel.output_set,
        "output_length": kernel.output_length_fn,
        "output_offset": kernel.output_offset_fn,
        "error_set": kernel.error_set,
        "error_get": kernel.error_get,
        "reset": reset,
        "memory_bytes": kernel.memory_bytes,
        "config_get": config_get,
        "var_get": var_get,
        "var_set": var_set,
        "http_request": http_request,
        "http_status_code": http_status_code,
        "http_headers": http_headers,
        "log_trace": make_log(0),
        "log_debug": make_log(1),
        "log_info": make_log(2),
        "log_warn": make_log(3),
        "log_error": make_log(4),
        "get_log_level": get_log_level,
    }
    return {name: _wrap(name, call) for name, call in calls.items()}
