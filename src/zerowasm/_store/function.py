"""Function instances: Wasm functions and host functions, and the host boundary.

Spec: Core 2.0 §4.2.6 (exec/runtime.html#function-instances) and §4.5.5 (invocation).

A :class:`Function` has an internal-convention callable ``call`` (what compiled code and
tables call; see :mod:`zerowasm._engine.protocol`) and a public ``__call__`` that
converts arguments and results (signed ints, floats, references) and turns Python's
``RecursionError`` into ``Trap(CALL_STACK_EXHAUSTED)``. Host functions are wrapped the
other way round: their adapter takes internal values and calls the Python callable with
public ones. Both adapters are generated per signature, so the common all-numeric case
costs one extra Python call.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Callable, Dict, Optional, Tuple

from .._errors import Trap, TrapKind
from .._types import FunctionType, ValType
from .._values import FROM_INTERNAL, TO_INTERNAL

__all__ = ["Function", "type_id", "make_host_adapter"]

_type_ids: Dict[FunctionType, int] = {}
_type_lock = threading.Lock()
_counter = itertools.count(1)


def type_id(function_type: FunctionType) -> int:
    """A process-wide small int identifying a function type structurally.

    ``call_indirect`` compares these instead of comparing types (Spec: Core 2.0 §4.4.8).
    """
    try:
        return _type_ids[function_type]
    except KeyError:
        with _type_lock:
            return _type_ids.setdefault(function_type, next(_counter))


def _converter_names(types: Tuple[ValType, ...], table: Dict[ValType, Callable[[Any], Any]],
                     prefix: str, namespace: Dict[str, Any]) -> list:
    names = []
    for i, value_type in enumerate(types):
        name = "%s%d" % (prefix, i)
        namespace[name] = table[value_type]
        names.append(name)
    return names


_I32_TO_SIGNED = "((%s ^ 0x80000000) - 0x80000000)"
_I64_TO_SIGNED = "((%s ^ 0x8000000000000000) - 0x8000000000000000)"


def _make_entry(function: Function) -> Callable[..., Any]:
    """Build the public-convention caller of ``function`` (generated per signature)."""
    call_class = _call_class(function.type)
    return call_class.__call__.__get__(function)


#: FunctionType -> the Function subclass whose ``__call__`` converts for that signature
_CALL_CLASSES: Dict[FunctionType, type] = {}
_CALL_CLASSES_LOCK = threading.Lock()

#: inline argument conversions: a fast test for the common case (already internal: a
#: non-negative int in range, a float), else the full converter (negative ints, errors)
_FAST_IN = {
    ValType.I32: ("if %(a)s.__class__ is not int or not 0 <= %(a)s <= 0xFFFFFFFF: "
                  "%(a)s = %(c)s(%(a)s)"),
    ValType.I64: ("if %(a)s.__class__ is not int or not 0 <= %(a)s <= 0xFFFFFFFFFFFFFFFF: "
                  "%(a)s = %(c)s(%(a)s)"),
    ValType.F64: "if %(a)s.__class__ is not float: %(a)s = %(c)s(%(a)s)",
}


def _call_class(function_type: FunctionType) -> type:
    """The subclass of :class:`Function` for ``function_type``: its ``__call__`` is
    generated for the signature (argument checks and conversions inline, no ``*args``),
    so a call from Python costs one Python frame around the compiled function."""
    cls = _CALL_CLASSES.get(function_type)
    if cls is not None:
        return cls
    params = ["a%d" % i for i in range(len(function_type.params))]
    namespace: Dict[str, Any] = {"RecursionError": RecursionError, "Trap": Trap,
                                 "exhausted": _exhausted, "trapped": _trapped}
    lines = ["def __call__(self%s):" % "".join(", " + p for p in params)]
    for i, (name, value_type) in enumerate(zip(params, function_type.params)):
        converter = "IN%d" % i
        namespace[converter] = TO_INTERNAL[value_type]
        fast = _FAST_IN.get(value_type)
        if fast is not None:
            lines.append("    " + fast % {"a": name, "c": converter})
        else:
            lines.append("    %s = %s(%s)" % (name, converter, name))
    results = function_type.results
    lines += ["    try:",
              "        try:",
              "            r = self.call(%s)" % ", ".join(params),
              "        except RecursionError:",
              "            raise exhausted() from None",
              "    except Trap as trap:",
              "        trapped(self, trap)",
              "        raise"]
    if not results:
        lines.append("    return None")
    elif len(results) == 1:
        if results[0] == ValType.I32:
            lines.append("    return " + _I32_TO_SIGNED % "r")
        elif results[0] == ValType.I64:
            lines.append("    return " + _I64_TO_SIGNED % "r")
        else:
            lines.append("    return r")
    else:
        convert_out = _converter_names(results, FROM_INTERNAL, "OUT", namespace)
        lines.append("    return (%s,)" % ", ".join("%s(r[%d])" % (c, i)
                                                   for i, c in enumerate(convert_out)))
    exec(compile("\n".join(lines), "<zerowasm entry>", "exec"), namespace)
    with _CALL_CLASSES_LOCK:
        cls = _CALL_CLASSES.get(function_type)
        if cls is None:
            cls = type("Function", (Function,), {"__slots__": (),
                                                 "__call__": namespace["__call__"],
                                                 "__module__": Function.__module__,
                                                 "__qualname__": "Function"})
            _CALL_CLASSES[function_type] = cls
    return cls


#: number of parameters -> the Function subclass that calls ``self._entry`` directly
_ENTRY_CLASSES: Dict[int, type] = {}


def _entry_class(arity: int) -> type:
    """The subclass of :class:`Function` whose ``__call__`` takes exactly ``arity``
    arguments and passes them to ``self._entry`` (an engine's own caller)."""
    cls = _ENTRY_CLASSES.get(arity)
    if cls is not None:
        return cls
    params = "".join(", a%d" % i for i in range(arity))
    source = "\n".join([
        "def __call__(self%s):" % params,
        "    try:",
        "        return self._entry(%s)" % params[2:],
        "    except Trap as trap:",
        "        trapped(self, trap)",
        "        raise"])
    namespace: Dict[str, Any] = {"Trap": Trap, "trapped": _trapped}
    exec(compile(source, "<zerowasm entry>", "exec"), namespace)
    with _CALL_CLASSES_LOCK:
        cls = _ENTRY_CLASSES.setdefault(arity, type(
            "Function", (Function,), {"__slots__": (), "__call__": namespace["__call__"],
                                      "__module__": Function.__module__,
                                      "__qualname__": "Function"}))
    return cls


def _trapped(function: Function, trap: Trap) -> None:
    """A trap leaves the guest through ``function``: give it its Wasm backtrace, and use
    up the interrupt request that caused it (:meth:`zerowasm.Runtime.interrupt`)."""
    if not trap.frames:
        from .._backtrace import frames_of
        trap.frames = frames_of(trap.__traceback__)
    if trap.kind is TrapKind.INTERRUPTED:
        runtime = getattr(function.instance, "runtime", None)
        if runtime is not None:
            runtime._interrupt_delivered()


def _exhausted() -> Trap:
    return Trap(TrapKind.CALL_STACK_EXHAUSTED)


def make_host_adapter(function_type: FunctionType, host: Callable[..., Any],
                      caller: Any = None, with_caller: bool = False) -> Callable[..., Any]:
    """Wrap a Python callable so compiled code can call it with internal values.

    i32/i64 arguments reach the callable signed; results are checked and converted
    back (a wrong result type raises ``TypeError``, which reaches the export's caller).
    """
    params = ["a%d" % i for i in range(len(function_type.params))]
    namespace: Dict[str, Any] = {"host": host, "caller": caller}
    args = []
    for p, value_type in zip(params, function_type.params):
        if value_type == ValType.I32:
            args.append(_I32_TO_SIGNED % p)
        elif value_type == ValType.I64:
            args.append(_I64_TO_SIGNED % p)
        else:
            args.append(p)
    if with_caller:
        args.insert(0, "caller")
    results = function_type.results
    body = ["def host_call(%s):" % ", ".join(params),
            "    r = host(%s)" % ", ".join(args)]
    if not results:
        body.append("    return None")
    elif len(results) == 1:
        namespace["R0"] = TO_INTERNAL[results[0]]
        body.append("    return R0(r)")
    else:
        _converter_names(results, TO_INTERNAL, "R", namespace)
        namespace["TypeError"] = TypeError
        namespace["n"] = len(results)
        body += ["    if not isinstance(r, (tuple, list)) or len(r) != n:",
                 "        raise TypeError('host function must return %d values' % n)",
                 "    return (%s,)" % ", ".join("R%d(r[%d])" % (i, i) for i in range(len(results)))]
    exec(compile("\n".join(body), "<zerowasm host adapter>", "exec"), namespace)
    return namespace["host_call"]


class Function:
    """A function: call it with Python values, import it, store it in a table.

    ``Function(FunctionType([I32], [I32]), lambda x: x + 1)`` makes a host function;
    with ``with_caller=True`` the callable receives the calling
    :class:`~zerowasm.Instance` first (for its memory), like wazero's ``api.Module``.
    Functions exported by an instance are ``Function`` objects too.
    """

    __slots__ = ("type", "type_id", "call", "instance", "index", "host", "with_caller",
                 "name", "_entry", "__weakref__")

    def __init__(self, type: FunctionType, host: Optional[Callable[..., Any]] = None, *,  # noqa: A002
                 with_caller: bool = False, name: Optional[str] = None) -> None:
        if not isinstance(type, FunctionType):
            raise TypeError("Function needs a FunctionType, got %s" % (type.__class__.__name__,))
        self.type = type
        self.type_id = type_id(type)
        self.host = host
        self.with_caller = with_caller
        self.instance: Any = None
        self.index: Optional[int] = None
        self.name = name or (getattr(host, "__name__", None) if host is not None else None)
        self._entry: Optional[Callable[..., Any]] = None
        if host is not None:
            if not callable(host):
                raise TypeError("host function must be callable")
            self.call: Callable[..., Any] = make_host_adapter(type, host, None, with_caller)
        else:
            self.call = _not_bound
        self.__class__ = _call_class(type)

    @property
    def python_name(self) -> str:
        name = self.name or "function"
        return "".join(c if c.isalnum() else "_" for c in name)[:60] or "function"

    def bind_caller(self, caller: Any) -> Callable[..., Any]:
        """The internal callable to use when ``caller`` imports this function."""
        if self.host is None:
            return self.call
        if self.with_caller:
            adapter = make_host_adapter(self.type, self.host, caller, True)
            if self.instance is None:
                # tables and re-exports call it with the first instance that imported it
                self.call = adapter
                self.instance = caller
            return adapter
        return self.call

    def __call__(self, *args: Any) -> Any:
        """Call with Python values (the generic path: an engine installed ``_entry``)."""
        entry = self._entry
        if entry is None:
            entry = self._entry = _make_entry(self)
        try:
            return entry(*args)
        except Trap as trap:
            _trapped(self, trap)
            raise

    def use_entry(self, entry: Optional[Callable[..., Any]]) -> None:
        """Calls from Python go through ``entry`` (an engine's own public-convention
        caller, e.g. the native tier's), or the generated per-signature one (None)."""
        self._entry = entry
        if entry is None:
            self.__class__ = _call_class(self.type)
        else:
            self.__class__ = _entry_class(len(self.type.params))

    def __repr__(self) -> str:
        kind = "host" if self.host is not None else "wasm"
        return "<Function %s %s %s>" % (kind, self.name or self.index, self.type)


def _not_bound(*args: Any) -> Any:
    raise RuntimeError("function is not bound to an instance")
