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


def _make_entry(function: "Function") -> Callable[..., Any]:
    """Build the public-convention caller of ``function`` (generated per signature)."""
    function_type = function.type
    params = ["a%d" % i for i in range(len(function_type.params))]
    namespace: Dict[str, Any] = {"fn": function, "RecursionError": RecursionError,
                                 "exhausted": _exhausted}
    convert_in = _converter_names(function_type.params, TO_INTERNAL, "IN", namespace)
    args = ", ".join("%s(%s)" % (c, p) for c, p in zip(convert_in, params))
    results = function_type.results
    if not results:
        tail = "    return None"
    elif len(results) == 1:
        if results[0] == ValType.I32:
            tail = "    return " + _I32_TO_SIGNED % "r"
        elif results[0] == ValType.I64:
            tail = "    return " + _I64_TO_SIGNED % "r"
        else:
            tail = "    return r"
    else:
        convert_out = _converter_names(results, FROM_INTERNAL, "OUT", namespace)
        tail = "    return (%s,)" % ", ".join("%s(r[%d])" % (c, i) for i, c in enumerate(convert_out))
    source = "\n".join([
        "def call_%s(%s):" % (function.python_name, ", ".join(params)),
        "    try:",
        "        r = fn.call(%s)" % args,
        "    except RecursionError:",
        "        raise exhausted() from None",
        tail,
    ])
    exec(compile(source, "<zerowasm entry>", "exec"), namespace)
    return namespace["call_" + function.python_name]  # type: ignore[no-any-return]


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
    return namespace["host_call"]  # type: ignore[no-any-return]


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
        entry = self._entry
        if entry is None:
            entry = self._entry = _make_entry(self)
        try:
            return entry(*args)
        except Trap as trap:
            if not trap.frames:
                from .._backtrace import frames_of
                trap.frames = frames_of(trap.__traceback__)
            if trap.kind is TrapKind.INTERRUPTED:
                runtime = getattr(self.instance, "runtime", None)
                if runtime is not None:
                    runtime._interrupt_delivered()
            raise

    def __repr__(self) -> str:
        kind = "host" if self.host is not None else "wasm"
        return "<Function %s %s %s>" % (kind, self.name or self.index, self.type)


def _not_bound(*args: Any) -> Any:
    raise RuntimeError("function is not bound to an instance")
