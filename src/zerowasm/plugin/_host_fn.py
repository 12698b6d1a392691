"""Host functions the Extism way: ``@host_fn``, ``Function``, ``Val``, ``ValType``,
``CurrentPlugin`` and the ``Json``/``Pickle``/``Codec`` type markers.

Names and behaviour follow the ``extism`` Python SDK (1.1), so host code written for it
runs unchanged:

* ``@host_fn()`` with type hints: ``str``/``bytes``/``Annotated[T, Json]``/
  ``Annotated[T, Pickle]``/``Annotated[T, Codec(f)]`` parameters are i64 handles whose
  block is decoded; ``int`` is an i64 taken as is, ``float`` an f64, ``bool`` an i32. A
  first parameter annotated ``CurrentPlugin`` receives the plugin. Results: ``str``,
  ``bytes``, Json, Pickle, Codec are written to a new block whose handle is returned;
  ``int`` (like the SDK) returns the handle of a block holding the 8 little-endian
  bytes, ``bool`` the handle of 4 bytes in an i32; ``float`` returns the f64 value
  itself (the SDK fails on a float result); a ``Tuple[...]`` returns several values.
  Extra ``*user_data`` values given to ``host_fn(user_data=...)`` follow the parameters.
* ``@host_fn(signature=([ValType.I64], [ValType.I64]))``: the function receives
  ``(current_plugin, params: List[Val], results: List[Val], *user_data)`` and sets
  ``results[i].value``.
* Every decorated function is added to ``HOST_FN_REGISTRY``, which is what
  ``Plugin(..., functions=...)`` uses by default. The namespace defaults to
  ``extism:host/user``.

A host function that raises fails the current call with an :class:`Error` carrying the
exception's text (``__cause__`` is the exception).
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import pickle
import typing
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from .._types import ValType as WasmValType
from ._errors import Error

__all__ = ["ValType", "Val", "Memory", "Function", "ExplicitFunction", "TypeInferredFunction",
           "host_fn", "Json", "Pickle", "Codec", "CurrentPlugin", "HOST_FN_REGISTRY",
           "DEFAULT_NAMESPACE", "wasm_type"]

DEFAULT_NAMESPACE = "extism:host/user"
HOST_FN_REGISTRY: List[Any] = []


class Json:
    """Type marker: ``Annotated[dict, Json]`` parameters/results are JSON text in a block."""


class Pickle:
    """Type marker: ``Annotated[T, Pickle]`` parameters/results are pickled bytes in a block."""


class Codec:
    """Type marker: ``Annotated[T, Codec(f)]`` converts a block's bytes with ``f`` (in) or
    a result to bytes with ``f`` (out)."""

    def __init__(self, codec: Callable[[Any], Any]) -> None:
        self.codec = codec


class ValType(enum.Enum):
    """Extism's value types (``PTR`` is an alias of ``I64``: handles are i64)."""

    I32 = 0
    PTR = 1
    I64 = 1
    F32 = 2
    F64 = 3
    V128 = 4
    FUNC_REF = 5
    EXTERN_REF = 6


_TO_WASM = {0: WasmValType.I32, 1: WasmValType.I64, 2: WasmValType.F32, 3: WasmValType.F64,
            4: WasmValType.V128, 5: WasmValType.FUNCREF, 6: WasmValType.EXTERNREF}


def wasm_type(t: Any) -> WasmValType:
    """An Extism :class:`ValType`, its int value, or a :class:`zerowasm.ValType` ->
    the zerowasm value type."""
    if isinstance(t, WasmValType):
        return t
    if isinstance(t, ValType):
        return _TO_WASM[t.value]
    return _TO_WASM[int(t)]


class Val:
    """A low-level value: ``t`` (a :class:`ValType`) and ``value``."""

    __slots__ = ("t", "value")

    def __init__(self, t: ValType, v: Any) -> None:
        self.t = t
        self.value = v

    def __repr__(self) -> str:
        return "Val(%s, %s)" % (self.t, self.value)

    def _assign(self, v: Any) -> None:
        self.value = v


class Memory:
    """A block of kernel memory: ``offset`` (the handle) and ``length``."""

    __slots__ = ("offset", "length")

    def __init__(self, offs: int, length: int) -> None:
        self.offset = offs
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return "Memory(offset=%d, length=%d)" % (self.offset, self.length)


class CurrentPlugin:
    """What a host function sees of the plugin that called it: the kernel memory
    (``alloc``, ``free``, ``memory``, the ``input_*``/``return_*`` helpers) and the
    ``host_context`` given to :meth:`Plugin.call`.

    zerowasm extensions: ``plugin`` (the :class:`Plugin`), ``guest_memory`` (the guest's
    own linear memory, a :class:`zerowasm.Memory`), ``config``, ``vars`` and
    :meth:`log`.
    """

    def __init__(self, plugin: Any) -> None:
        self.plugin = plugin
        self._kernel = plugin._kernel
        self._host_context: Any = None

    # -- the SDK's API ---------------------------------------------------------------------
    def memory(self, mem: Memory) -> memoryview:
        """A writable view of the block ``mem`` in kernel memory."""
        kernel = self._kernel
        end = mem.offset + mem.length
        if mem.offset < 0 or end > kernel.size:
            raise Error("memory block %d..%d is outside the kernel memory" % (mem.offset, end))
        return kernel.view[mem.offset:end]

    def host_context(self) -> Any:
        """The ``host_context`` passed to the current :meth:`Plugin.call`."""
        return self._host_context

    def alloc(self, size: int) -> Memory:
        """Allocate a block of ``size`` bytes (raises :class:`Error` when memory is full)."""
        if size < 0:
            raise ValueError("size must be non-negative")
        offset = self._kernel.alloc(size)
        if offset == 0 and size:
            self.plugin._note_kernel_oom()
            raise Error("failed to allocate extism memory (%d bytes)" % size)
        return Memory(offset, size)

    def free(self, mem: Memory) -> None:
        """Free the block ``mem``."""
        self._kernel.free(mem.offset)

    def memory_at_offset(self, offs: Union[int, Val]) -> Memory:
        """The block that starts at handle ``offs`` (length 0 if there is none)."""
        value = offs.value if isinstance(offs, Val) else offs
        offset = int(value) & 0xFFFFFFFFFFFFFFFF
        return Memory(offset, self._kernel.length(offset))

    def return_bytes(self, output: Val, b: bytes) -> None:
        """Put ``b`` in a new block and set ``output.value`` to its handle."""
        output.value = self._kernel_block(b)

    def return_string(self, output: Val, s: str) -> None:
        """Put ``s`` (UTF-8) in a new block and set ``output.value`` to its handle."""
        output.value = self._kernel_block(s.encode("utf-8"))

    def input_buffer(self, input: Val) -> memoryview:  # noqa: A002 - the SDK's name
        """A view of the block whose handle is in ``input``."""
        return self.memory(self.memory_at_offset(input))

    def input_bytes(self, input: Val) -> bytes:  # noqa: A002
        """The bytes of the block whose handle is in ``input``."""
        offset = input.value if isinstance(input, Val) else input
        return self._kernel.block_bytes(int(offset) & 0xFFFFFFFFFFFFFFFF)

    def input_string(self, input: Val) -> str:  # noqa: A002
        """The block whose handle is in ``input``, decoded as UTF-8."""
        return self.input_bytes(input).decode("utf-8")

    # -- zerowasm extensions -----------------------------------------------------------------
    @property
    def guest_memory(self) -> Any:
        """The calling guest's own linear memory (``memory`` export or memory 0)."""
        return self.plugin._guest_memory()

    @property
    def config(self) -> Dict[str, str]:
        return self.plugin._config

    @property
    def vars(self) -> Dict[str, bytes]:
        return self.plugin._vars

    def log(self, level: str, message: str) -> None:
        """Log ``message`` as if the guest had (``level``: trace/debug/info/warn/error)."""
        from ._log import LEVELS, emit
        emit(LEVELS[level], message, str(self.plugin.id))

    def _kernel_block(self, data: bytes) -> int:
        if not data:
            return 0
        offset = self._kernel.alloc(len(data))
        if offset == 0:
            self.plugin._note_kernel_oom()
            raise Error("failed to allocate extism memory (%d bytes)" % len(data))
        self._kernel.view[offset:offset + len(data)] = data
        return offset


class Function:
    """A host function: ``Function(namespace, name, args, returns, f, *user_data)``.

    ``f(current_plugin, params: List[Val], results: List[Val], *user_data)`` reads the
    parameters and sets each ``results[i].value``. ``namespace`` None means
    ``extism:host/user``.
    """

    def __init__(self, namespace: Optional[str], name: str, args: Sequence[Any],
                 returns: Sequence[Any], f: Callable[..., Any], *user_data: Any) -> None:
        self.namespace = namespace
        self.name = name
        self.args = [a.value if isinstance(a, ValType) else a for a in args]
        self.returns = [r.value if isinstance(r, ValType) else r for r in returns]
        self.user_data = tuple(user_data)
        self.f = f

    @property
    def module(self) -> str:
        """The import module name the guest uses."""
        return self.namespace if self.namespace is not None else DEFAULT_NAMESPACE

    @property
    def param_types(self) -> Tuple[ValType, ...]:
        return tuple(ValType(a) for a in self.args)

    @property
    def result_types(self) -> Tuple[ValType, ...]:
        return tuple(ValType(r) for r in self.returns)

    def wasm_function_type(self) -> Any:
        from .._types import FunctionType
        return FunctionType(tuple(wasm_type(a) for a in self.args),
                            tuple(wasm_type(r) for r in self.returns))

    def invoke(self, current: CurrentPlugin, params: List[Val], results: List[Val]) -> None:
        """Call the function the way the plugin does."""
        self.f(current, params, results, *self.user_data)

    def __repr__(self) -> str:
        return "<host function %s::%s>" % (self.module, self.name)


class ExplicitFunction(Function):
    """A host function with an explicit signature (``host_fn(signature=...)``)."""

    def __init__(self, namespace: Optional[str], name: str, args: Sequence[Any],
                 returns: Sequence[Any], func: Callable[..., Any],
                 user_data: Sequence[Any]) -> None:
        self.func = func
        super().__init__(namespace, name, args, returns, func, *user_data)
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)


_Extract = Callable[[CurrentPlugin, Val], Any]
_Emplace = Callable[[CurrentPlugin, Val, Any], None]


def _annotated_marker(hint: Any) -> Any:
    for item in getattr(hint, "__metadata__", ()):
        if item is Json or item is Pickle or isinstance(item, Codec):
            return item
    return None


def _map_arg(arg_name: str, hint: Any) -> Tuple[ValType, _Extract]:
    if hint is str:
        return ValType.I64, lambda plugin, slot: plugin.input_string(slot)
    if hint is bytes:
        return ValType.I64, lambda plugin, slot: plugin.input_bytes(slot)
    if hint is bool:
        return ValType.I32, lambda _, slot: slot.value
    if hint is int:
        return ValType.I64, lambda _, slot: slot.value
    if hint is float:
        return ValType.F64, lambda _, slot: slot.value
    marker = _annotated_marker(hint)
    if marker is Json:
        return ValType.I64, lambda plugin, slot: json.loads(plugin.input_string(slot))
    if marker is Pickle:
        return ValType.I64, lambda plugin, slot: pickle.loads(plugin.input_bytes(slot))  # noqa: S301
    if isinstance(marker, Codec):
        codec = marker.codec
        return ValType.I64, lambda plugin, slot: codec(plugin.input_bytes(slot))
    raise TypeError("Could not infer input type for argument %s (%r): use str, bytes, int, "
                    "float, bool or Annotated[..., Json/Pickle/Codec]" % (arg_name, hint))


def _map_ret(hint: Any) -> List[Tuple[ValType, _Emplace]]:
    if hint is str:
        return [(ValType.I64, lambda plugin, slot, value: plugin.return_string(slot, value))]
    if hint is bytes:
        return [(ValType.I64, lambda plugin, slot, value: plugin.return_bytes(slot, value))]
    if hint is bool:
        return [(ValType.I32, lambda plugin, slot, value: plugin.return_bytes(
            slot, int(value).to_bytes(4, "little")))]
    if hint is int:
        return [(ValType.I64, lambda plugin, slot, value: plugin.return_bytes(
            slot, (value & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")))]
    if hint is float:
        return [(ValType.F64, lambda plugin, slot, value: setattr(slot, "value", float(value)))]
    if typing.get_origin(hint) is tuple:
        return [item for arg in typing.get_args(hint) for item in _map_ret(arg)]
    marker = _annotated_marker(hint)
    if marker is Json:
        return [(ValType.I64, lambda plugin, slot, value: plugin.return_string(
            slot, json.dumps(value)))]
    if marker is Pickle:
        return [(ValType.I64, lambda plugin, slot, value: plugin.return_bytes(
            slot, pickle.dumps(value)))]
    if isinstance(marker, Codec):
        codec = marker.codec
        return [(ValType.I64, lambda plugin, slot, value: plugin.return_bytes(
            slot, codec(value)))]
    raise TypeError("Could not infer return type %r: use str, bytes, int, float, bool, "
                    "a Tuple of those or Annotated[..., Json/Pickle/Codec]" % (hint,))


class TypeInferredFunction(ExplicitFunction):
    """A host function whose signature comes from its type hints."""

    def __init__(self, namespace: Optional[str], name: str, func: Callable[..., Any],
                 user_data: Sequence[Any]) -> None:
        hints = typing.get_type_hints(func, include_extras=True)
        if not hints:
            raise TypeError("Host function must include Python type annotations or "
                            "explicitly list arguments.")
        variadic = {p.name for p in inspect.signature(func).parameters.values()
                    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        arg_names = [arg for arg in hints if arg != "return" and arg not in variadic]
        returns_hint = hints.pop("return", None)
        uses_current_plugin = bool(arg_names) and hints.get(arg_names[0]) is CurrentPlugin
        if uses_current_plugin:
            arg_names = arg_names[1:]
        args = [_map_arg(arg, hints[arg]) for arg in arg_names]
        returns = [] if returns_hint is None or returns_hint is type(None) \
            else _map_ret(returns_hint)
        extracts = [extract for _, extract in args]
        emplaces = [emplace for _, emplace in returns]
        several = len(returns) > 1

        def inner_func(plugin: CurrentPlugin, inputs: List[Val], outputs: List[Val],
                       *extra: Any) -> None:
            call_args: List[Any] = [plugin] if uses_current_plugin else []
            call_args.extend(extract(plugin, slot) for extract, slot in zip(extracts, inputs))
            call_args.extend(extra)
            result = func(*call_args)
            if several:
                for emplace, slot, value in zip(emplaces, outputs, result):
                    emplace(plugin, slot, value)
            elif emplaces:
                emplaces[0](plugin, outputs[0], result)

        self.wrapped = func
        super().__init__(namespace, name, [t for t, _ in args], [t for t, _ in returns],
                         inner_func, user_data)


def host_fn(name: Optional[str] = None, namespace: Optional[str] = None,
            signature: Optional[Tuple[List[ValType], List[ValType]]] = None,
            user_data: Optional[Union[bytes, List[Any]]] = None
            ) -> Callable[[Callable[..., Any]], Function]:
    """Decorator: make a host function and add it to ``HOST_FN_REGISTRY``.

    ``name`` defaults to the function's name, ``namespace`` to ``extism:host/user``;
    ``signature=(params, results)`` (lists of :class:`ValType`) makes a low-level
    function; ``user_data`` (bytes or a list) is passed after the parameters.
    """
    if user_data is None:
        extra: List[Any] = []
    elif isinstance(user_data, (bytes, bytearray)):
        extra = [bytes(user_data)]
    else:
        extra = list(user_data)

    def outer(func: Callable[..., Any]) -> Function:
        function_name = name or func.__name__
        fn: Function
        if signature is None:
            fn = TypeInferredFunction(namespace, function_name, func, extra)
        else:
            fn = ExplicitFunction(namespace, function_name, signature[0], signature[1],
                                  func, extra)
        HOST_FN_REGISTRY.append(fn)
        return fn
    return outer
