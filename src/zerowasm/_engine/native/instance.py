"""An instance's native side: its context, trampolines, the dispatcher and the wrappers.

Theory of operation
-------------------
:class:`NativeInstance` is created the first time an instance of a module with native
code calls anything. It fills the context (:mod:`.layout`), maps one small trampoline
per native function (``mov r11, <context>; mov rax, <entry thunk>; jmp rax``) so that
Python calls a thunk with the Wasm arguments only (ctypes ``argtypes=None``: the
cheapest ctypes call), and rebinds ``f{i}`` in the namespace (and ``Function.call``) to
a generated wrapper in the internal value convention; exported functions also get a
public-convention wrapper (``Function._entry``).

Every call out of native code (imports, functions left to the Python tier, helpers
and the slow path of ``call_indirect``) goes through one ctypes callback, the
*dispatcher*, with a key: a function index, or a helper number (``1 << 24`` and up).
Arguments and results travel in the context's ``IO`` words. An exception raised
below the dispatcher is kept (per thread) and the native code unwinds; the entry
wrapper then re-raises it unchanged. A ``Trap`` raised by native code itself carries
the Wasm backtrace the trap stub recorded.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import re
import threading
import time
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from ..._errors import Frame, Trap, TrapKind
from ..._numeric import f32_from_bits, f32_to_bits, f64_to_bits
from ..._store.function import type_id
from ..._types import ValType
from ..._values import TO_INTERNAL
from . import codemem, traps
from . import layout as L
from .codemem import CodeMemory
from .control import HELPER_INDIRECT
from .layout import ContextLayout
from .memory import HELPER_DATA_DROP, HELPER_GROW, HELPER_MEMORY_INIT
from .module import HELPER_INTERRUPT, CompiledCode, direct_signature, is_direct
from .reference import (
    HELPER_GLOBAL_GET,
    HELPER_GLOBAL_SET,
    HELPER_TABLE_FILL,
    HELPER_TABLE_GET,
    HELPER_TABLE_GROW,
    HELPER_TABLE_SET,
)
from .tableops import HELPER_ELEM_DROP, HELPER_TABLE_COPY, HELPER_TABLE_INIT, HELPER_TABLE_SIZE
from .tables import NATIVE_KEY, SyncedElements, empty_table

__all__ = ["NativeInstance", "NativeUnavailable", "DEFAULT_STACK_BUDGET"]

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64
REFERENCES = (ValType.FUNCREF, ValType.EXTERNREF)
NUMERIC = (I32, I64, F32, F64)

#: native stack one outermost call may use (wasmtime's default is 512 KiB too)
DEFAULT_STACK_BUDGET = 512 * 1024
_THUNK_SIZE = 32
_ids = itertools.count(1)
_ids_lock = threading.Lock()
_get_ident = threading.get_ident


class NativeUnavailable(Exception):
    """This instance cannot use native code (it stays entirely in the Python tier)."""


def safe_stack_budget(requested: int) -> int:
    """The budget, lowered where threads get small stacks: an outermost call may use
    ``budget`` bytes below its entry, and the thread must still have room for the
    Python frames and host code above and below (192 KiB kept free). Threads created
    after ``threading.stack_size(n)`` have ``n`` bytes; the main thread ``ulimit -s``."""
    limits = []
    size = threading.stack_size()
    if size:
        limits.append(size)
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_STACK)[0]
        if soft != resource.RLIM_INFINITY and soft > 0:
            limits.append(soft)
    except (ImportError, ValueError, OSError):  # pragma: no cover
        pass
    budget = requested
    for limit in limits:
        budget = min(budget, limit - 192 * 1024)
    return max(budget, 32 * 1024)


def _new_id() -> int:
    with _ids_lock:
        value = next(_ids)
    return value if value < 1 << 24 else 0


def _global_bits(value_type: int, value: Any) -> int:
    if value_type == F32:
        return f32_to_bits(value)
    if value_type == F64:
        return f64_to_bits(value)
    return int(value) & 0xFFFFFFFFFFFFFFFF


class NativeInstance:
    """The native state of one instance (see the module docstring)."""

    def __init__(self, module: Any, instance: Any, compiled: CompiledCode, code: CodeMemory,
                 stack_budget: int = DEFAULT_STACK_BUDGET) -> None:
        syntax = module.syntax
        self.module = module
        self.instance = instance
        self.namespace = instance.namespace
        self.compiled = compiled
        self.code = code
        layout = ContextLayout(*compiled.layout)
        self.layout = layout
        self.words = (ctypes.c_uint64 * (layout.size // 8))()
        self.address = ctypes.addressof(self.words)
        raw = memoryview(self.words).cast("B")
        q = raw.cast("Q")
        self.q = q
        io = layout.io // 8
        self.io_q = q[io:io + layout.io_words]
        self.io_d = raw.cast("d")[io:io + layout.io_words]
        self.io_s = raw.cast("q")[io:io + layout.io_words]
        self.owner = q[0:1]
        self.pending: Dict[int, BaseException] = _Pending()
        self.handlers: Dict[int, Callable[[int], None]] = {}
        #: reference handles: ``refs[h]`` is the object of handle ``h`` (0: null)
        self.refs: List[Any] = [None]
        self._ref_ids: Dict[int, int] = {}
        self._callbacks: List[Any] = []
        self.id = 0
        # memory
        if syntax.memories:
            memory = instance.memories[0]
            if memory.base_address is None:
                raise NativeUnavailable("memory without a fixed-base reservation")
            q[L.MEM_BASE // 8] = memory.base_address
            q[L.MEM_SIZE // 8] = memory.data_size
            memory.observe(_size_updater(self))
        # globals
        base = layout.globals_offset // 8
        for i, global_ in enumerate(instance.globals):
            value_type = global_.type.content
            if value_type not in NUMERIC:
                continue
            if global_.type.mutable:
                address = global_.address
                if not address:
                    raise NativeUnavailable("global %d has no native cell" % i)
                q[base + i] = address
            else:
                q[base + i] = _global_bits(value_type, global_.cell[0])
        # everything below here cannot fail
        q[L.STACK_BUDGET // 8] = safe_stack_budget(stack_budget)
        self._dispatch_callback = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64,
                                                   ctypes.c_int64)(self._make_dispatcher())
        # (c_void_p.value is None only for NULL, which none of these is)
        q[L.DISPATCH // 8] = ctypes.cast(  # type: ignore[assignment]
            self._dispatch_callback, ctypes.c_void_p).value
        q[L.MEMMOVE // 8] = ctypes.cast(  # type: ignore[assignment]
            codemem.libc.memmove, ctypes.c_void_p).value
        q[L.MEMSET // 8] = ctypes.cast(  # type: ignore[assignment]
            codemem.libc.memset, ctypes.c_void_p).value
        funcs = layout.funcs // 8
        for i, offset in enumerate(compiled.function_offsets):
            q[funcs + i] = code.address + offset
        tables = layout.tables_offset // 8
        for i, table in enumerate(instance.tables):
            elements = table.elements
            q[tables + i] = elements.address if isinstance(elements, SyncedElements) \
                else empty_table().address
        self.id = _new_id()
        self.interrupt_requested = False
        _running_registry.add(self)
        _start_poller()
        keys = layout.keys // 8
        for k, function_type in enumerate(syntax.types):
            tid = type_id(function_type)
            q[keys + k] = (self.id << 16 | tid) if self.id and tid < 1 << 16 else 1 << 62
        self.type_ids = [type_id(t) for t in syntax.types]
        reffunc = layout.reffunc // 8
        for i, function in enumerate(instance.functions):
            q[reffunc + i] = self.handle_of(function)
        self._build_wrappers()

    # -- wrappers ----------------------------------------------------------------------------
    def _build_wrappers(self) -> None:
        compiled = self.compiled
        natives = sorted(compiled.entry_offsets)
        code = bytearray()
        for index in natives:
            entry = self.code.address + compiled.entry_offsets[index]
            code += b"\x49\xBB" + self.address.to_bytes(8, "little")     # mov r11, ctx
            code += b"\x48\xB8" + entry.to_bytes(8, "little")            # mov rax, entry
            code += b"\xFF\xE0"                                           # jmp rax
            code += b"\xCC" * (_THUNK_SIZE - 22)
        self.thunks = CodeMemory(bytes(code)) if code else None
        self.raw: Dict[int, Any] = {}
        self.wrappers: Dict[int, Callable[..., Any]] = {}
        self.public: Dict[int, Callable[..., Any]] = {}
        syntax = self.module.syntax
        for k, index in enumerate(natives):
            assert self.thunks is not None
            raw = ctypes.CFUNCTYPE(ctypes.c_int64)(self.thunks.address + _THUNK_SIZE * k)
            raw.argtypes = None  # type: ignore[assignment]  # (ctypes: no argument conversion)
            self.raw[index] = raw
            function_type = syntax.function_type(index)
            params = tuple(function_type.params)
            results = tuple(function_type.results)
            self.wrappers[index] = _wrapper(False, params, results)(
                raw, self.raise_trap, self.io_q, self.io_d, self.io_s, self.owner,
                ctypes.c_double, [TO_INTERNAL[t] for t in params], self.handle_of,
                self.refs.__getitem__)
            self.public[index] = _wrapper(True, params, results)(
                raw, self.raise_trap_public, self.io_q, self.io_d, self.io_s, self.owner,
                ctypes.c_double, [TO_INTERNAL[t] for t in params], self.handle_of,
                self.refs.__getitem__)

    def handle_of(self, value: Any) -> int:
        """The handle of a reference (the same object always gets the same handle)."""
        if value is None:
            return 0
        handle = self._ref_ids.get(id(value))
        if handle is None:
            handle = self._ref_ids[id(value)] = len(self.refs)
            self.refs.append(value)            # kept alive: its id stays unique
        return handle

    def bind_all(self) -> None:
        """Rebind every native function in the namespace and on its Function."""
        ns = self.namespace
        functions = self.instance.functions
        for index, wrapper in self.wrappers.items():
            ns["f%d" % index] = wrapper
            function = functions[index]
            function.call = wrapper
            function.use_entry(self.public[index])
        for table in self.instance.tables:
            elements = table.elements
            if isinstance(elements, SyncedElements):
                elements.refresh_instance(self.instance)

    # -- traps -------------------------------------------------------------------------------
    def raise_trap(self, result: int) -> None:
        code = -result
        if code == traps.BUSY:
            raise RuntimeError("zerowasm: this instance is already running in another thread "
                               "(an instance runs on one thread at a time)")
        if code == traps.HOST:
            error = self.pending.pop(_get_ident(), None)
            if error is None:
                raise Trap(TrapKind.INTERRUPTED, "a call out of native code failed")
            raise error
        kind = traps.KINDS.get(code)
        if kind is None:  # pragma: no cover - a code the thunk never returns
            raise RuntimeError("zerowasm: native code returned %d" % result)
        raise Trap(kind, frames=self.backtrace())

    def raise_trap_public(self, result: int) -> None:
        try:
            self.raise_trap(result)
        except RecursionError:
            raise Trap(TrapKind.CALL_STACK_EXHAUSTED) from None

    def backtrace(self) -> List[Frame]:
        q = self.q
        count = min(q[L.TRACE_COUNT // 8], L.TRACE_LEN)
        ranges = self.compiled.function_ranges
        starts = [r[0] for r in ranges]
        base = self.code.address
        names = self.module.syntax.names.functions
        module_name = getattr(self.instance.module, "name", None)
        frames = []
        for i in range(count):
            offset = q[L.TRACE // 8 + i] - base - (1 if i else 0)
            k = bisect.bisect_right(starts, offset) - 1
            if k >= 0 and ranges[k][0] <= offset < ranges[k][1]:
                index = ranges[k][2]
                frames.append(Frame(index, names.get(index), module_name))
        return frames

    # -- the dispatcher ----------------------------------------------------------------------
    def _make_dispatcher(self) -> Callable[[int, int], int]:
        handlers = self.handlers
        make = self._make_handler
        pending = self.pending
        status = self.q[L.CALL_STATUS // 8:L.CALL_STATUS // 8 + 1]
        get_ident = _get_ident

        def dispatch(key: int, extra: int) -> int:
            try:
                handler = handlers.get(key)
                if handler is None:
                    handler = make(key)
                handler(extra)
                status[0] = 0
                return 0
            except BaseException as error:  # never let an exception into native code
                pending[get_ident()] = error
                status[0] = 1
                return 1
        _remember_callback(dispatch, pending)
        return dispatch

    def _make_handler(self, key: int) -> Callable[[int], None]:
        if key < 1 << 24:
            function_type = self.module.syntax.function_type(key)
            handler = _call_handler(function_type.params, function_type.results)(
                self.namespace, "f%d" % key, self.io_q, self.io_d, self.handle_of,
                self.refs.__getitem__)
            if direct_signature(tuple(function_type.params), tuple(function_type.results)):
                self._install_callback(key, tuple(function_type.params),
                                       tuple(function_type.results))
        elif key == HELPER_INDIRECT:
            handler = self._indirect
        elif key == HELPER_INTERRUPT:
            handler = self._interrupted
        elif key == HELPER_GROW:
            handler = self._grow
        elif key == HELPER_MEMORY_INIT:
            handler = self._memory_init
        elif key == HELPER_DATA_DROP:
            handler = self._data_drop
        elif key in _REFERENCE_HELPERS:
            handler = getattr(self, _REFERENCE_HELPERS[key])
        elif key == HELPER_TABLE_SIZE:
            handler = self._table_size
        elif key == HELPER_TABLE_COPY:
            handler = self._table_copy
        elif key == HELPER_TABLE_INIT:
            handler = self._table_init
        elif key == HELPER_ELEM_DROP:
            handler = self._elem_drop
        else:  # pragma: no cover - the compiler emits only the keys above
            raise RuntimeError("unknown dispatcher key %d" % key)
        self.handlers[key] = handler
        return handler

    def _install_callback(self, index: int, params: Tuple[ValType, ...],
                          results: Tuple[ValType, ...]) -> None:
        """Give the call-out stub of function ``index`` a ctypes callback taking the
        arguments in registers (used from the second call on)."""
        syntax = self.module.syntax
        function = self.instance.functions[index]
        if index < syntax.imported_function_count and function.host is not None:
            kind, target = "host", function.host
            caller = self.instance if function.with_caller else None
            argtypes = [_SIGNED_C[t] for t in params]
        else:
            kind = "import" if index < syntax.imported_function_count else "defined"
            target = function if kind == "import" else self.namespace
            caller = None
            argtypes = [_UNSIGNED_C[t] for t in params]
        restype = _RESULT_C[results[0]] if results else None
        make = _callback_source(kind, params, results, caller is not None)
        function_object = make(target, "f%d" % index, caller,
                               self.q[L.CALL_STATUS // 8:L.CALL_STATUS // 8 + 1],
                               self.pending, _get_ident,
                               TO_INTERNAL[results[0]] if results else None)
        _remember_callback(function_object, self.pending)
        callback = ctypes.CFUNCTYPE(restype, *argtypes)(function_object)
        self._callbacks.append(callback)
        # (c_void_p.value is None only for NULL, which a callback never is)
        self.q[self.layout.callbacks // 8 + index] = ctypes.cast(  # type: ignore[assignment]
            callback, ctypes.c_void_p).value

    def interrupt(self) -> None:
        """Stop the call running in this instance (from any thread) with
        ``Trap(INTERRUPTED)`` at its next loop header or function entry; if nothing is
        running, the next call stops there."""
        self.interrupt_requested = True
        self.q[L.INTERRUPT // 8] = 1

    def _interrupted(self, extra: int) -> None:
        # Python code runs here, so pending signal handlers run too (Ctrl-C raises
        # KeyboardInterrupt right here, and it unwinds the native code like any exception)
        self.q[L.INTERRUPT // 8] = 0
        if self.interrupt_requested:
            self.interrupt_requested = False
            raise Trap(TrapKind.INTERRUPTED)

    def _grow(self, extra: int) -> None:
        io = self.io_q
        io[0] = self.instance.memories[0].grow(io[0]) & 0xFFFFFFFF

    def _memory_init(self, extra: int) -> None:
        from ..pycompile.support import memory_init
        io = self.io_q
        ns = self.namespace
        memory_init(ns["M0"], ns["D"][extra], io[0], io[1], io[2])

    def _data_drop(self, extra: int) -> None:
        self.namespace["D"][extra] = b""

    def _global_get(self, extra: int) -> None:
        self.io_q[0] = self.handle_of(self.instance.globals[extra].cell[0])

    def _global_set(self, extra: int) -> None:
        self.instance.globals[extra].cell[0] = self.refs[self.io_q[0]]

    def _table_get(self, extra: int) -> None:
        from ..pycompile.support import table_get
        io = self.io_q
        io[0] = self.handle_of(table_get(self.instance.tables[extra].elements, io[0]))

    def _table_set(self, extra: int) -> None:
        from ..pycompile.support import table_set
        io = self.io_q
        table_set(self.instance.tables[extra].elements, io[0], self.refs[io[1]])

    def _table_grow(self, extra: int) -> None:
        io = self.io_q
        io[0] = self.instance.tables[extra].grow(io[1], self.refs[io[0]]) & 0xFFFFFFFF

    def _table_fill(self, extra: int) -> None:
        from ..pycompile.support import table_fill
        io = self.io_q
        table_fill(self.instance.tables[extra].elements, io[0], self.refs[io[1]], io[2])

    def _table_size(self, extra: int) -> None:
        self.io_q[0] = len(self.instance.tables[extra].elements)

    def _table_copy(self, extra: int) -> None:
        from ..pycompile.support import table_copy
        tables = self.instance.tables
        io = self.io_q
        table_copy(tables[extra >> 32].elements, tables[extra & 0xFFFFFFFF].elements,
                   io[0], io[1], io[2])

    def _table_init(self, extra: int) -> None:
        from ..pycompile.support import table_init
        io = self.io_q
        table_init(self.instance.tables[extra >> 32].elements,
                   self.namespace["E"][extra & 0xFFFFFFFF], io[0], io[1], io[2])

    def _elem_drop(self, extra: int) -> None:
        self.namespace["E"][extra] = []

    def _indirect(self, extra: int) -> None:
        """Slow path of ``call_indirect``: the spec's checks, then the call.

        Spec: Core 2.0 §4.4.8 (call_indirect)."""
        table_index, type_index = extra >> 32, extra & 0xFFFFFFFF
        handler = self.handlers.get(-1 - type_index)
        if handler is None:
            function_type = self.module.syntax.types[type_index]
            handler = _indirect_handler(function_type.params, function_type.results)(
                self.io_q, self.io_d, self.handle_of, self.refs.__getitem__)
            self.handlers[-1 - type_index] = handler
        elements = self.instance.tables[table_index].elements
        index = self.io_q[len(self.module.syntax.types[type_index].params)]
        if index >= len(elements):
            raise Trap(TrapKind.UNDEFINED_ELEMENT)
        function = elements[index]
        if function is None:
            raise Trap(TrapKind.UNINITIALIZED_ELEMENT)
        if function.type_id != self.type_ids[type_index]:
            raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH)
        if isinstance(elements, SyncedElements):
            elements.refresh(index)
        handler(function.call)


_running_registry: weakref.WeakSet[NativeInstance] = weakref.WeakSet()
_poller: Optional[threading.Thread] = None
_poller_lock = threading.Lock()
#: how often running native code is made to call into Python, so that signal handlers
#: (Ctrl-C) run even while a guest loops without calling out
POLL_INTERVAL = 0.1


def _poll_forever() -> None:
    owner, interrupt = L.OWNER // 8, L.INTERRUPT // 8
    while True:
        time.sleep(POLL_INTERVAL)
        try:
            for native in list(_running_registry):
                q = native.q
                if q[owner] and not q[interrupt]:
                    q[interrupt] = 2
        except Exception:  # pragma: no cover - never let the poller die
            pass


def _start_poller() -> None:
    global _poller
    if _poller is not None:
        return
    with _poller_lock:
        if _poller is None:
            _poller = threading.Thread(target=_poll_forever, name="zerowasm-native-poller",
                                       daemon=True)
            _poller.start()


#: id of each live callback function -> its instance's pending-exception dict
_CALLBACK_PENDING: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_ADDRESS = re.compile(r"ctypes callback function <.* at 0x([0-9a-fA-F]+)>")


class _Pending(dict):
    """Exceptions kept for re-raising, by thread id (weak-referenceable)."""


def _remember_callback(function: Any, pending: Any) -> None:
    function.zerowasm_pending = pending
    _CALLBACK_PENDING[id(function)] = pending


def install_unraisable_hook() -> None:
    """Catch what ctypes cannot: an exception raised as one of our callbacks starts
    (a signal handler's ``KeyboardInterrupt`` runs before the callback's ``try``). ctypes
    reports it through ``sys.unraisablehook``; keep it for the native code to re-raise
    (its call-out status was never cleared) instead of printing it."""
    import sys
    previous = sys.unraisablehook
    if getattr(previous, "zerowasm_native", False):
        return

    def hook(unraisable: Any) -> None:
        pending = getattr(unraisable.object, "zerowasm_pending", None)
        if pending is None and unraisable.object is None and unraisable.err_msg:
            # CPython 3.13 names the callable only in the message ("... %R")
            found = _ADDRESS.search(unraisable.err_msg)
            if found is not None:
                pending = _CALLBACK_PENDING.get(int(found.group(1), 16))
        if pending is not None and unraisable.exc_value is not None:
            pending[_get_ident()] = unraisable.exc_value
            return
        previous(unraisable)
    hook.zerowasm_native = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


def _size_updater(native: NativeInstance) -> Callable[[memoryview], None]:
    ref = weakref.ref(native)
    index = L.MEM_SIZE // 8

    def update(view: memoryview) -> None:
        target = ref()
        if target is not None:
            target.q[index] = view.nbytes
    return update


# -- generated code ----------------------------------------------------------------------
_CACHE: Dict[Tuple[Any, ...], Callable[..., Any]] = {}


def _reader(value_type: int, i: int) -> str:
    if value_type in REFERENCES:
        return "O(Q[%d])" % i
    if value_type == F64:
        return "D[%d]" % i
    if value_type == F32:
        return "F32(Q[%d])" % i
    return "Q[%d]" % i


def _writer(value_type: int, i: int, expression: str) -> str:
    if value_type in REFERENCES:
        return "Q[%d] = H(%s)" % (i, expression)
    if value_type == F64:
        return "D[%d] = %s" % (i, expression)
    if value_type == F32:
        return "Q[%d] = T32(%s)" % (i, expression)
    return "Q[%d] = %s" % (i, expression)


def _compile(key: Tuple[Any, ...], source: str) -> Callable[..., Any]:
    namespace: Dict[str, Any] = {"F32": f32_from_bits, "T32": f32_to_bits}
    exec(compile(source, "<zerowasm native %s>" % key[0], "exec"), namespace)
    function = namespace["make"]
    _CACHE[key] = function
    return function


def _call_handler(params: Tuple[int, ...], results: Tuple[int, ...]) -> Callable[..., Any]:
    """``make(ns, name, Q, D)`` -> ``handler(extra)`` calling ``ns[name]`` with IO args."""
    key = ("call", tuple(params), tuple(results))
    if key in _CACHE:
        return _CACHE[key]
    args = ", ".join(_reader(t, i) for i, t in enumerate(params))
    lines = ["def make(ns, name, Q, D, H, O):", "    def handler(extra):",
             "        r = ns[name](%s)" % args]
    lines += _write_results(results, "        ")
    lines.append("    return handler")
    return _compile(key, "\n".join(lines))


def _indirect_handler(params: Tuple[int, ...], results: Tuple[int, ...]) -> Callable[..., Any]:
    """``make(Q, D)`` -> ``handler(callable)`` calling it with IO args."""
    key = ("indirect", tuple(params), tuple(results))
    if key in _CACHE:
        return _CACHE[key]
    args = ", ".join(_reader(t, i) for i, t in enumerate(params))
    lines = ["def make(Q, D, H, O):", "    def handler(function):",
             "        r = function(%s)" % args]
    lines += _write_results(results, "        ")
    lines.append("    return handler")
    return _compile(key, "\n".join(lines))


_REFERENCE_HELPERS = {
    HELPER_GLOBAL_GET: "_global_get", HELPER_GLOBAL_SET: "_global_set",
    HELPER_TABLE_GET: "_table_get", HELPER_TABLE_SET: "_table_set",
    HELPER_TABLE_GROW: "_table_grow", HELPER_TABLE_FILL: "_table_fill",
}

_CType = Type["ctypes._SimpleCData[Any]"]
_SIGNED_C: Dict[ValType, _CType] = {I32: ctypes.c_int32, I64: ctypes.c_int64, F64: ctypes.c_double}
_UNSIGNED_C: Dict[ValType, _CType] = {I32: ctypes.c_uint32, I64: ctypes.c_uint64,
                                      F64: ctypes.c_double}
_RESULT_C: Dict[ValType, _CType] = {I32: ctypes.c_uint64, I64: ctypes.c_uint64,
                                    F64: ctypes.c_double}


def _callback_source(kind: str, params: Tuple[int, ...], results: Tuple[int, ...],
                     with_caller: bool) -> Callable[..., Any]:
    """``make(target, name, caller, S, pending, get_ident, R)`` -> the Python side of a
    direct callback. ``kind``: "host" (a host callable: signed arguments, results
    checked as the Python tier's host adapter checks them), "import" (a Wasm function
    of another instance: ``target.call``) or "defined" (``target[name]``, the
    namespace: the function may be rebound)."""
    key = ("callback", kind, tuple(params), tuple(results), with_caller)
    if key in _CACHE:
        return _CACHE[key]
    names = ["a%d" % i for i in range(len(params))]
    call_args = ", ".join((["caller"] if with_caller else []) + names)
    callee = {"host": "target", "import": "target.call", "defined": "target[name]"}[kind]
    lines = ["def make(target, name, caller, S, pending, get_ident, R):",
             "    def callback(%s):" % ", ".join(names),
             "        try:",
             "            r = %s(%s)" % (callee, call_args)]
    if results:
        t = results[0]
        if kind == "host":
            if t == I32:
                lines += ["            if r.__class__ is not int "
                          "or not -2147483648 <= r <= 4294967295:",
                          "                r = R(r)",
                          "            r &= 0xFFFFFFFF"]
            elif t == I64:
                lines += ["            if r.__class__ is not int or not -9223372036854775808 <= r "
                          "<= 18446744073709551615:",
                          "                r = R(r)",
                          "            r &= 0xFFFFFFFFFFFFFFFF"]
            else:
                lines += ["            if r.__class__ is not float:",
                          "                r = R(r)"]
        lines += ["            S[0] = 0", "            return r"]
    else:
        lines += ["            S[0] = 0"]
    lines += ["        except BaseException as error:  # never into native code",
              "            pending[get_ident()] = error",
              "            S[0] = 1"]
    lines += ["            return 0" if results else "            return None"]
    lines += ["    return callback"]
    return _compile(key, "\n".join(lines))


def _write_results(results: Tuple[int, ...], indent: str) -> List[str]:
    if not results:
        return []
    if len(results) == 1:
        return [indent + _writer(results[0], 0, "r")]
    return [indent + _writer(t, i, "r[%d]" % i) for i, t in enumerate(results)]


def _wrapper(public: bool, params: Tuple[int, ...], results: Tuple[int, ...]) -> Callable[..., Any]:
    """``make(raw, trap, Q, D, S, OWN, c_double, IN)`` -> a Python callable of the
    function in the internal (or, with ``public``, the public) value convention."""
    key = ("public" if public else "internal", tuple(params), tuple(results))
    if key in _CACHE:
        return _CACHE[key]
    names = ["a%d" % i for i in range(len(params))]
    lines = ["def make(raw, trap, Q, D, S, OWN, c_double, IN, H, O):"]
    for i in range(len(params)):
        lines.append("    IN%d = IN[%d]" % (i, i))
    lines.append("    def call(%s):" % ", ".join(names))
    c_args = []
    for i, t in enumerate(params):
        a = names[i]
        if public:
            if t == I32:
                lines.append("        if %s.__class__ is not int "
                             "or not -2147483648 <= %s <= 4294967295:" % (a, a))
                lines.append("            %s = IN%d(%s)" % (a, i, a))
            elif t == I64:
                lines.append("        if %s.__class__ is not int or not -9223372036854775808 <= %s "
                             "<= 18446744073709551615:" % (a, a))
                lines.append("            %s = IN%d(%s)" % (a, i, a))
                lines.append("        %s &= 0xFFFFFFFFFFFFFFFF" % a)
            elif t == F64:
                lines.append("        if %s.__class__ is not float:" % a)
                lines.append("            %s = IN%d(%s)" % (a, i, a))
            else:
                lines.append("        %s = IN%d(%s)" % (a, i, a))
        if t in REFERENCES:
            lines.append("        %s = H(%s)" % (a, a))
        if t == I64 or t in REFERENCES:
            c_args += ["%s & 0xFFFFFFFF" % a, "%s >> 32" % a]
        elif t == F32 or t == F64:
            c_args.append("c_double(%s)" % a)
        else:
            c_args.append(a)
    lines.append("        r = raw(%s)" % ", ".join(c_args))
    if is_direct(results):
        lines.append("        if r >= 0:")
        if not results:
            lines.append("            return None")
        elif public:
            lines.append("            return (r ^ 0x80000000) - 0x80000000")
        else:
            lines.append("            return r")
    else:
        lines.append("        if r >= 0:")
        values = []
        for i, t in enumerate(results):
            if t == F32 or t == F64:
                values.append("D[%d]" % i)
            elif t in REFERENCES:
                values.append("O(Q[%d])" % i)
            elif public and t == I32:
                values.append("((Q[%d] ^ 0x80000000) - 0x80000000)" % i)
            elif public:
                values.append("S[%d]" % i)
            else:
                values.append("Q[%d]" % i)
        if len(results) == 1:
            lines.append("            v = %s" % values[0])
        else:
            lines.append("            v = (%s,)" % ", ".join(values))
        lines.append("            if r:")
        lines.append("                OWN[0] = 0")
        lines.append("            return v")
    lines.append("        trap(r)")
    lines.append("    return call")
    return _compile(key, "\n".join(lines))


_unused = (Optional, NATIVE_KEY)
