"""``CompiledPlugin`` and ``Plugin``: load a manifest, link, call exports the Extism way.

Theory of operation
-------------------
:class:`CompiledPlugin` does the work that does not depend on a particular instance:
it parses the manifest, compiles every module (decoded and validated once per process
and cached by content hash) and checks that every import can be satisfied -- so an
unknown import fails when the plugin is created, as with native Extism.

:class:`Plugin` owns one set of instances and the per-plugin state the ``extism:host/env``
functions use: the kernel memory, config, vars, HTTP state, the call guard that lets
other threads stop a call. Instances are created lazily, on the first call (as libextism
does, so a memory that does not fit ``memory.max_pages`` fails the call with "oom", not
the constructor), and again after a call to ``_start``, after a WASI exit and after an
interrupted call. Guest globals and Extism vars otherwise persist from call to call.

A call (:meth:`Plugin.call`):

1. find the export (``Function not found: name`` otherwise); it must take no parameters
   and return an i32 status or nothing;
2. once per instance, before the first call other than ``_start``/``_initialize``, run
   the guest's initialiser: ``_initialize`` then ``hs_init(0, 0)`` if ``hs_init`` is
   exported (GHC), else ``__wasm_call_ctors`` or else ``_initialize``;
3. reset the kernel, copy the input into a fresh block, run the export under the call
   guard (timeout, cancellation) and the fuel meter;
4. if the guest set an error (``error_set``) the call fails with that text, whatever
   its status; otherwise a non-zero status fails with ``Error code: N``; a trap, a
   timeout, running out of fuel or of memory fail with their own errors. The output is
   the block the guest named with ``output_set``.
"""

from __future__ import annotations

import collections
import hashlib
import os
import threading
import uuid
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from .._errors import (
    DecodeError,
    ExitError,
    InstantiationError,
    LinkError,
    Trap,
    TrapKind,
    ValidationError,
)
from .._numeric import f32_round
from .._runtime import Module, Runtime, RuntimeConfig
from .._store.function import Function as WasmFunction
from .._types import ExternKind, FunctionType
from .._types import ValType as WasmValType
from . import _log
from ._env import ENV_MODULE, ENV_SIGNATURES, env_functions
from ._errors import (
    Cancelled,
    Error,
    FuelExhausted,
    GuestError,
    HostCallError,
    HostFunctionError,
    LoadError,
    OutOfMemory,
    Timeout,
    TrapError,
)
from ._host_fn import HOST_FN_REGISTRY, CurrentPlugin, Function, Val, ValType
from ._http import HttpClient
from ._kernel import Kernel, KernelMemoryError
from ._limits import CallGuard, Interrupted
from ._manifest import Manifest, load_manifest

__all__ = ["CompiledPlugin", "Plugin", "CancelHandle", "compile_module"]

_WASI_MODULE = "wasi_snapshot_preview1"
_TRAP_RC = 134
_I32_SIGN = 0x80000000

# -- module cache ---------------------------------------------------------------------------
_CACHE_SIZE = 32
_cache: collections.OrderedDict[str, Module] = collections.OrderedDict()
_cache_lock = threading.Lock()
#: one compiling runtime per kind of code: (interruptible, fuel-metered)
_compilers: Dict[Tuple[bool, bool], Runtime] = {}


def _compiler(consume_fuel: bool) -> Runtime:
    """The runtime whose engine compiles plugin code: with interrupt checks always (so
    timeouts and cancel handles stop a guest at its next loop header or call), with
    fuel checks only for plugins given a fuel budget (they cost ~1.4x)."""
    key = (True, consume_fuel)
    runtime = _compilers.get(key)
    if runtime is None:
        runtime = _compilers[key] = Runtime(RuntimeConfig(
            tier="python" if consume_fuel else RuntimeConfig().tier,
            interruptible=True, consume_fuel=consume_fuel))
    return runtime


def compile_module(data: bytes) -> Module:
    """Decode and validate ``data`` once per process (cached by sha256)."""
    key = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        module = _cache.get(key)
        if module is not None:
            _cache.move_to_end(key)
            return module
        compiler = _compiler(False)
    module = compiler.compile(data)
    with _cache_lock:
        _cache[key] = module
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return module


def with_fuel(module: Module) -> Module:
    """``module`` (already validated) for the fuel-metering engine."""
    return Module(module.syntax, module.function_infos, _compiler(True).engine, module.name)


def _signed32(value: int) -> int:
    return (value ^ _I32_SIGN) - _I32_SIGN


# -- host functions -----------------------------------------------------------------------
_FROM_INTERNAL: Dict[int, Callable[[Any], Any]] = {
    0: lambda v: (v ^ 0x80000000) - 0x80000000,
    1: lambda v: (v ^ 0x8000000000000000) - 0x8000000000000000,
    2: lambda v: v,
    3: lambda v: v,
}
_TO_INTERNAL: Dict[int, Callable[[Any], Any]] = {
    0: lambda v: int(v) & 0xFFFFFFFF,
    1: lambda v: int(v) & 0xFFFFFFFFFFFFFFFF,
    2: lambda v: f32_round(float(v)),
    3: lambda v: float(v),
}


def _user_function(fn: Function, current: CurrentPlugin) -> WasmFunction:
    """A zerowasm Function (internal convention) that calls the Extism host function."""
    for t in list(fn.args) + list(fn.returns):
        if t not in _FROM_INTERNAL:
            raise LoadError("host function %s::%s: value type %s is not supported"
                            % (fn.module, fn.name, ValType(t).name))
    params = [(ValType(t), _FROM_INTERNAL[t]) for t in fn.args]
    results = [(ValType(t), _TO_INTERNAL[t]) for t in fn.returns]
    n_results = len(results)
    invoke = fn.invoke

    def call(*raw: Any) -> Any:
        inputs = [Val(t, convert(v)) for (t, convert), v in zip(params, raw)]
        outputs = [Val(t, 0) for t, _ in results]
        try:
            invoke(current, inputs, outputs)
        except (HostCallError, Trap, ExitError):
            raise
        except Exception as error:  # noqa: BLE001 - a host function failed: fail the call
            raise HostCallError("host function %s::%s failed: %s: %s"
                                % (fn.module, fn.name, type(error).__name__, error),
                                HostFunctionError) from error
        if n_results == 1:
            return results[0][1](outputs[0].value)
        if n_results == 0:
            return None
        return tuple(convert(out.value) for (_, convert), out in zip(results, outputs))

    wasm_fn = WasmFunction(fn.wasm_function_type(), _unused, name=fn.name)
    wasm_fn.call = call
    return wasm_fn


def _unused(*args: Any) -> Any:  # pragma: no cover - replaced by the internal callable
    raise RuntimeError("unreachable")


# -- compiled plugin ----------------------------------------------------------------------
class CompiledPlugin:
    """A manifest's modules, compiled and checked, ready to make :class:`Plugin` objects.

    ``CompiledPlugin(plugin, wasi=False, functions=HOST_FN_REGISTRY)`` as in the Extism
    SDK; zerowasm extensions: ``fuel`` (a per-call budget) and ``max_memory_pages`` (a
    hard cap on every memory's size), see docs/plugins.md.
    """

    def __init__(self, plugin: Union[str, bytes, dict, Manifest, os.PathLike[str]],
                 wasi: bool = False, functions: Optional[Sequence[Function]] = HOST_FN_REGISTRY,
                 *, fuel: Optional[int] = None, max_memory_pages: Optional[int] = None) -> None:
        self.manifest = load_manifest(plugin)
        self.wasi = bool(wasi)
        self.functions: List[Function] = list(functions or [])
        self.fuel = fuel
        modules: List[Tuple[str, Module]] = []
        for source in self.manifest.wasm:
            try:
                modules.append((source.name or "main", compile_module(source.data)))
            except (DecodeError, ValidationError) as error:
                raise LoadError("Unable to create Extism plugin: %s: %s"
                                % (source.origin, error)) from error
        main_index = self.manifest.main_index()
        self.main_name, self.main = modules[main_index]
        self.linked = [m for i, m in enumerate(modules) if i != main_index]
        # memory.max_pages is enforced per call by the plugin (see Plugin._limit_memory);
        # max_memory_pages is zerowasm's hard cap on every memory, at any time
        self.max_memory_pages = max_memory_pages
        self._fuel_modules: Optional[Tuple[Module, List[Tuple[str, Module]]]] = None
        self._function_exports: Dict[str, FunctionType] = {
            e.name: e.type for e in self.main.exports  # type: ignore[misc]
            if e.kind == ExternKind.FUNCTION}
        self._check_imports()
        self.pointer = 1  # the SDK's handle; -1 once freed

    def runtime_config(self, consume_fuel: bool) -> RuntimeConfig:
        """The configuration of the runtime each :class:`Plugin` gets for itself."""
        base = _compiler(consume_fuel).config
        return RuntimeConfig(max_memory_pages=self.max_memory_pages, tier=base.tier,
                             interruptible=True, consume_fuel=consume_fuel)

    def modules(self, consume_fuel: bool) -> Tuple[Module, List[Tuple[str, Module]]]:
        """The main module and the linked ones, compiled with fuel checks or without."""
        if not consume_fuel:
            return self.main, self.linked
        if self._fuel_modules is None:
            self._fuel_modules = (with_fuel(self.main),
                                  [(name, with_fuel(m)) for name, m in self.linked])
        return self._fuel_modules

    def _provided(self) -> Dict[str, Dict[str, Any]]:
        """What each import namespace offers: name -> FunctionType (or an extern kind)."""
        provided: Dict[str, Dict[str, Any]] = {ENV_MODULE: dict(ENV_SIGNATURES)}
        if self.wasi:
            from ..wasi._abi import SIGNATURES as WASI_SIGNATURES
            provided[_WASI_MODULE] = dict(WASI_SIGNATURES)
        for fn in self.functions:
            provided.setdefault(fn.module, {})[fn.name] = fn.wasm_function_type()
        return provided

    def _check_imports(self) -> None:
        provided = self._provided()
        for name, module in self.linked + [(self.main_name, self.main)]:
            self._check_module(name, module, provided)
            offered = provided.setdefault(name, {})
            for export in module.exports:
                offered[export.name] = (export.type if export.kind == ExternKind.FUNCTION
                                        else export.kind)

    @staticmethod
    def _check_module(name: str, module: Module, provided: Dict[str, Dict[str, Any]]) -> None:
        for imp in module.imports:
            where = "`%s::%s`" % (imp.module, imp.name)
            offered = provided.get(imp.module, {})
            if imp.name not in offered:
                hint = ""
                if imp.module == _WASI_MODULE:
                    hint = " (the module uses WASI: create the plugin with wasi=True)"
                raise LoadError("Unable to create Extism plugin: unknown import: %s has not "
                                "been defined%s" % (where, hint))
            value = offered[imp.name]
            if imp.kind == ExternKind.FUNCTION:
                if not isinstance(value, FunctionType) or value != imp.type:
                    raise LoadError("Unable to create Extism plugin: incompatible import type "
                                    "for %s: expected %s, got %s" % (where, imp.type, value))
            elif isinstance(value, FunctionType) or value != imp.kind:
                raise LoadError("Unable to create Extism plugin: incompatible import type for "
                                "%s: expected a %s" % (where, imp.kind.name.lower()))

    def function_exists(self, name: str) -> bool:
        return name in self._function_exports

    @property
    def exports(self) -> Dict[str, FunctionType]:
        """zerowasm extension: the main module's exported functions and their types."""
        return dict(self._function_exports)

    def __del__(self) -> None:
        self.pointer = -1


# -- plugin -----------------------------------------------------------------------------
class CancelHandle:
    """Stops the plugin's running call from any thread (``plugin.cancel_handle()``)."""

    def __init__(self, guard: CallGuard) -> None:
        self._guard = guard
        self.pointer = guard

    def cancel(self) -> bool:
        """Stop the call running now; its ``call`` raises :class:`Cancelled`.

        Returns True when a running call was stopped, False when none was running.
        """
        return self._guard.interrupt("cancel")


class Plugin:
    """A plugin instance: ``Plugin(manifest | wasm bytes | path | CompiledPlugin,
    wasi=False, config=None, functions=HOST_FN_REGISTRY)``, as in the Extism SDK.

    zerowasm extensions (keyword-only): ``fuel`` (per-call budget),
    ``http_response_headers`` (record response headers for the guest's
    ``http_headers``), ``wasi_config`` (a :class:`zerowasm.wasi.WasiConfig` to start from:
    args, env, stdio, extra preopens), ``timeout_ms`` (overrides the manifest's) and
    ``max_memory_pages`` (a hard cap on every memory, see :class:`CompiledPlugin`).

    ``memory.max_pages`` in the manifest means what it means to native Extism: no memory
    may *start* larger than that, and within one call the plugin's memories (the
    kernel's included) may grow by at most that many pages in total; a grow past the
    budget fails (``memory.grow`` returns -1, the kernel's ``alloc`` returns 0) and a
    call that then fails reports "oom".
    A plugin is not reentrant; calls from several threads are serialised.
    """

    def __init__(self, plugin: Union[str, bytes, dict, CompiledPlugin, os.PathLike[str]],
                 wasi: bool = False, config: Optional[Any] = None,
                 functions: Optional[Sequence[Function]] = HOST_FN_REGISTRY, *,
                 fuel: Optional[int] = None, http_response_headers: bool = False,
                 wasi_config: Any = None, timeout_ms: Optional[int] = None,
                 max_memory_pages: Optional[int] = None) -> None:
        if isinstance(plugin, CompiledPlugin):
            self._owns_compiled_plugin = False
            self.compiled_plugin: Optional[CompiledPlugin] = plugin
        else:
            self._owns_compiled_plugin = True
            self.compiled_plugin = CompiledPlugin(plugin, wasi, functions, fuel=fuel,
                                                  max_memory_pages=max_memory_pages)
        compiled = self.compiled_plugin
        manifest = compiled.manifest
        self.plugin: Any = 1  # the SDK's handle; -1 once freed
        self.id = uuid.uuid4()
        self._kernel = Kernel(manifest.max_pages)
        self._budget_pages = manifest.max_pages
        self._budget_left = 0
        self._oom = False
        self._limit_memory(self._kernel.memory)
        self._config: Dict[str, str] = dict(manifest.config)
        if config is not None:
            self._merge_config(config)
        self._vars: Dict[str, bytes] = {}
        self._max_var_bytes = manifest.max_var_bytes
        self._http = HttpClient(manifest.allowed_hosts, manifest.max_http_response_bytes,
                                http_response_headers)
        self._guard = CallGuard()
        self._cancellable = False
        if timeout_ms is None:
            timeout_ms = manifest.timeout_ms
        self._timeout = None if timeout_ms is None else timeout_ms / 1000.0
        self._fuel = fuel if fuel is not None else compiled.fuel
        self.fuel_consumed: Optional[int] = None
        # a runtime of its own: its interrupt and fuel cells serve this plugin only
        self._runtime = Runtime(compiled.runtime_config(self._fuel is not None))
        self._guard.attach(self._runtime)
        self._wasi_base = wasi_config
        self._current = CurrentPlugin(self)
        self._env = env_functions(self)
        self._user: Dict[str, Dict[str, WasmFunction]] = {}
        for fn in compiled.functions:
            self._user.setdefault(fn.module, {})[fn.name] = _user_function(fn, self._current)
        self._instance: Any = None
        self._linked_instances: List[Any] = []
        self._wasi: Any = None
        self._initialized = False
        self._exports: Dict[str, Tuple[Callable[..., Any], bool]] = {}
        self._oom = False
        self._lock = threading.Lock()
        self._busy: Optional[int] = None
        self._closed = False

    # -- configuration -------------------------------------------------------------------------
    def _merge_config(self, config: Any) -> None:
        if not hasattr(config, "items"):
            raise TypeError("config must be a mapping of strings")
        for key, value in config.items():
            if value is None:
                self._config.pop(str(key), None)
            else:
                self._config[str(key)] = value if isinstance(value, str) else _json_text(value)

    @property
    def config(self) -> Dict[str, str]:
        """zerowasm extension: the config the guest reads with ``config_get`` (mutable)."""
        return self._config

    @property
    def vars(self) -> Dict[str, bytes]:
        """zerowasm extension: the plugin's Extism vars (persist across calls; mutable)."""
        return self._vars

    def cancel_handle(self) -> CancelHandle:
        """A handle another thread can use to stop the running call."""
        self._cancellable = True
        return CancelHandle(self._guard)

    def function_exists(self, name: str) -> bool:
        """Whether the plugin exports a function ``name``."""
        compiled = self.compiled_plugin
        return compiled is not None and compiled.function_exists(name)

    # -- calling -------------------------------------------------------------------------------
    def call(self, function_name: str, data: Union[str, bytes, None] = b"",
             parse: Optional[Callable[[Any], Any]] = bytes, host_context: Any = None) -> Any:
        """Call export ``function_name`` with input ``data``; return ``parse(output)``.

        ``parse`` defaults to ``bytes``; ``parse=None`` returns a ``memoryview``.
        Raises :class:`Error` (or a subclass) when the call fails.
        """
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif data is None:
            data = b""
        elif not isinstance(data, bytes):
            data = bytes(data)
        me = threading.get_ident()
        if self._busy == me:
            raise Error("plugin %s is already running a call in this thread (a host "
                        "function may not call its own plugin)" % function_name)
        with self._lock:
            self._busy = me
            try:
                output = self._call(function_name, data, host_context)
            finally:
                self._busy = None
        if parse is None:
            return memoryview(output)
        return parse(output)

    def _call(self, name: str, data: bytes, host_context: Any) -> bytes:
        if self._closed:
            raise Error("the plugin has been freed")
        entry = self._exports.get(name)
        if entry is None:
            if self._instance is None:
                self._instantiate()
            entry = self._export(name)
        if not self._initialized and name != "_start" and name != "_initialize":
            self._initialize()
        kernel = self._kernel
        kernel.reset()
        self._reset_budget()
        try:
            kernel.set_input(data)
        except KernelMemoryError:
            raise OutOfMemory("failed to allocate extism memory for the input (%d bytes)"
                              % len(data), -1, name) from None
        current = self._current
        current._host_context = host_context
        try:
            result, failure = self._run(entry[0])
        finally:
            current._host_context = None
        if name == "_start":
            self._drop_instance()
        rc = 0
        if failure is not None:
            rc = self._failure(name, failure)
        elif entry[1]:
            rc = _signed32(result)
        message = kernel.error_message()
        if message is not None:
            raise GuestError(message, rc, name)
        if rc != 0:
            raise GuestError("Error code: %d" % rc, rc, name)
        return kernel.output()

    def _run(self, function: Callable[..., Any], *args: Any) -> Tuple[Any, Optional[BaseException]]:
        """Run ``function`` under the guard; return ``(result, exception or None)``.

        The nesting matters: an interruption delivered after the guest returned but
        before ``end()`` took effect is caught by the outer clause (see ``_limits``).
        """
        guard = self._guard
        fuel = self._fuel
        runtime = self._runtime
        outcome: Optional[Tuple[Any, Optional[BaseException]]] = None
        try:
            guard.begin(self._timeout, self._cancellable)
            try:
                if fuel is None:
                    outcome = (function(*args), None)
                else:
                    runtime.set_fuel(fuel)
                    try:
                        outcome = (function(*args), None)
                    finally:
                        self.fuel_consumed = fuel - runtime.get_fuel()
            except Interrupted as error:
                outcome = (None, error)
            except RecursionError:
                outcome = (None, Trap(TrapKind.CALL_STACK_EXHAUSTED))
            except Exception as error:  # noqa: BLE001 - classified by the caller
                outcome = (None, error)
            guard.end()
        except Interrupted as error:
            guard.end()
            if outcome is None:
                outcome = (None, error)
        return outcome

    def _failure(self, name: str, failure: BaseException) -> int:
        """Turn what stopped the guest into an exception, or an exit status."""
        if isinstance(failure, Interrupted):
            self._drop_instance()
            reason = self._guard.fired or (failure.args[0] if failure.args else "timeout")
            if reason == "cancel":
                raise Cancelled("timeout (cancelled)", _TRAP_RC, name) from None
            raise Timeout("timeout", _TRAP_RC, name) from None
        if isinstance(failure, ExitError):
            self._drop_instance()
            return _signed32(failure.code & 0xFFFFFFFF)
        if isinstance(failure, HostCallError):
            error = failure.kind(failure.message, -1, name)
            cause = failure.__cause__
            if failure.kind is Timeout:
                self._drop_instance()
            raise error from cause
        if isinstance(failure, Trap):
            if not failure.frames and failure.__traceback__ is not None:
                from .._backtrace import frames_of
                failure.frames = frames_of(failure.__traceback__)
            if failure.kind == TrapKind.FUEL_EXHAUSTED:
                raise FuelExhausted("plugin ran out of fuel", -1, name) from failure
            if failure.kind in (TrapKind.TIMEOUT, TrapKind.INTERRUPTED):
                # the runtime's interrupt cell was set by the watchdog or a cancel handle
                self._drop_instance()
                cancelled = (self._guard.fired == "cancel" if self._guard.fired
                             else failure.kind == TrapKind.INTERRUPTED)
                if cancelled:
                    raise Cancelled("timeout (cancelled)", _TRAP_RC, name) from failure
                raise Timeout("timeout", _TRAP_RC, name) from failure
            if self._oom:
                raise OutOfMemory("oom", -1, name) from failure
            message = self._kernel.error_message()
            raise TrapError(message if message is not None else "wasm trap: %s" % failure,
                            _TRAP_RC, name) from failure
        raise failure

    def _reset_budget(self) -> None:
        """A fresh ``memory.max_pages`` growth budget (each call, initialiser, start)."""
        self._oom = False
        if self._budget_pages is not None:
            self._budget_left = self._budget_pages

    def _note_kernel_oom(self) -> None:
        if self._budget_pages is not None or (
                self.compiled_plugin is not None and self.compiled_plugin.max_memory_pages):
            self._oom = True

    # -- instances -------------------------------------------------------------------------------
    def _export(self, name: str) -> Tuple[Callable[..., Any], bool]:
        function = self._instance.exports.get(name) if name in self._instance.exports else None
        if not isinstance(function, WasmFunction):
            raise Error("Function not found: %s" % name, -1, name)
        ftype = function.type
        if ftype.params:
            raise Error("expected %d arguments, got 0 (%s is not a plugin function: plugin "
                        "functions take no parameters)" % (len(ftype.params), name), -1, name)
        if len(ftype.results) > 1 or (ftype.results and ftype.results[0] not in
                                      (WasmValType.I32, WasmValType.I64)):
            raise Error("%s is not a plugin function: it must return one i32 or nothing"
                        % name, -1, name)
        entry = (function.call, bool(ftype.results))
        self._exports[name] = entry
        return entry

    def _wasi_config(self) -> Any:
        from ..wasi import INHERIT, Preopen, WasiConfig
        base = self._wasi_base
        output = INHERIT if os.environ.get("EXTISM_ENABLE_WASI_OUTPUT") else None
        if base is None:
            config = WasiConfig(stdout=output, stderr=output)
        else:
            config = WasiConfig(args=base.args, env=base.env, inherit_env=base.inherit_env,
                                preopens=list(base.preopens), stdin=base.stdin,
                                stdout=base.stdout, stderr=base.stderr,
                                realtime_clock=base.realtime_clock,
                                monotonic_clock=base.monotonic_clock,
                                random=base.random, sockets=base.sockets,
                                max_open_files=base.max_open_files)
        config.sleep = self._guard.sleep
        manifest = self.compiled_plugin.manifest  # type: ignore[union-attr]
        for host, guest, readonly in manifest.preopens():
            config.preopens.append(Preopen(host, guest, readonly))
        return config

    def _instantiate(self) -> None:
        compiled = self.compiled_plugin
        if compiled is None:
            raise Error("the plugin has been freed")
        self._drop_instance()
        self._check_initial_memories()
        runtime = self._runtime
        main, linked = compiled.modules(self._fuel is not None)
        imports: Dict[str, Any] = {ENV_MODULE: self._env}
        for namespace, functions in self._user.items():
            imports[namespace] = dict(functions)
        if compiled.wasi:
            from ..wasi import Wasi
            try:
                self._wasi = Wasi(self._wasi_config())
            except OSError as error:
                raise LoadError("Unable to create Extism plugin: WASI: %s" % error) from error
            imports[_WASI_MODULE] = self._wasi.functions()

        def build() -> Any:
            for name, module in linked:
                instance = runtime.instantiate(module, imports)
                self._linked_instances.append(instance)
                self._limit_memories(instance)
                merged = dict(imports.get(name, {}))
                merged.update(instance.exports)
                imports[name] = merged
            return runtime.instantiate(main, imports)

        self._reset_budget()
        instance, failure = self._run(build)
        if failure is not None:
            self._drop_instance()
            if isinstance(failure, InstantiationError):
                raise OutOfMemory("oom", -1) from failure
            if isinstance(failure, LinkError):
                raise LoadError("Unable to create Extism plugin: %s" % failure) from failure
            self._failure("(instantiation)", failure)
            raise Error("instantiation failed: %s" % failure) from failure
        self._instance = instance
        self._limit_memories(instance)
        self._initialized = False
        self._exports = {}

    def _initialize(self) -> None:
        """Run the guest's initialiser once per instance (see the module docstring)."""
        exports = self._instance.exports
        steps: List[Tuple[str, Tuple[int, ...]]] = []
        if "hs_init" in exports:
            if "_initialize" in exports:
                steps.append(("_initialize", ()))
            steps.append(("hs_init", (0, 0)))
        elif "__wasm_call_ctors" in exports:
            steps.append(("__wasm_call_ctors", ()))
        elif "_initialize" in exports:
            steps.append(("_initialize", ()))
        self._initialized = True
        for name, args in steps:
            function = exports[name]
            if not isinstance(function, WasmFunction) or len(function.type.params) != len(args):
                continue
            self._kernel.reset()
            self._reset_budget()
            _, failure = self._run(function.call, *args)
            if failure is not None:
                self._initialized = False
                rc = self._failure(name, failure)
                if rc != 0:
                    raise GuestError("Error code: %d (in %s)" % (rc, name), rc, name)
            if name == "hs_init":
                _log.emit(1, "initialized Haskell language runtime", str(self.id))

    def _check_initial_memories(self) -> None:
        """``memory.max_pages``: no defined memory may start larger ("oom")."""
        compiled = self.compiled_plugin
        limit = self._budget_pages
        if compiled is None or limit is None:
            return
        for module in [m for _, m in compiled.linked] + [compiled.main]:
            syntax = module.syntax
            for memory_type in syntax.memories[syntax.imported_memory_count:]:
                if memory_type.limits.min > limit:
                    raise OutOfMemory("oom", -1)

    def _limit_memories(self, instance: Any) -> None:
        for memory in instance.memories:
            self._limit_memory(memory)

    def _limit_memory(self, memory: Any) -> None:
        """Charge ``memory``'s growth to the call's page budget; note refusals ("oom").

        Compiled code grows memory through ``m{i}.grow``, so an instance attribute
        shadowing the method sees every ``memory.grow`` of the guest.
        """
        if "grow" in vars(memory):
            return
        hard_cap = self.compiled_plugin.max_memory_pages if self.compiled_plugin else None
        if self._budget_pages is None and hard_cap is None:
            return
        original = memory.grow

        def grow(delta: int, _original: Callable[[int], int] = original,
                 _memory: Any = memory) -> int:
            if self._budget_pages is not None and delta > self._budget_left:
                self._oom = True
                return -1
            result = _original(delta)
            if result < 0:
                if _memory.size + delta > _memory.maximum:
                    self._oom = True
            elif self._budget_pages is not None:
                self._budget_left -= delta
            return result
        memory.grow = grow

    def _guest_memory(self) -> Any:
        instance = self._instance
        if instance is None:
            return None
        memory = instance.exports.get("memory")
        return memory if memory is not None else instance.memory

    def _drop_instance(self) -> None:
        self._instance = None
        self._linked_instances = []
        self._exports = {}
        self._initialized = False
        wasi, self._wasi = self._wasi, None
        if wasi is not None:
            wasi.close()

    # -- lifetime ---------------------------------------------------------------------------------
    def reset(self) -> bool:
        """Forget the kernel's blocks (as ``extism_plugin_reset``)."""
        self._kernel.reset()
        return True

    def close(self) -> None:
        """Free the plugin's instances and host resources (idempotent)."""
        if getattr(self, "_closed", True) and getattr(self, "plugin", -1) == -1:
            return
        self._closed = True
        self._drop_instance()
        self.plugin = -1
        if getattr(self, "_owns_compiled_plugin", False) and self.compiled_plugin is not None:
            self.compiled_plugin.__del__()
            self.compiled_plugin = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def __enter__(self) -> Plugin:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        compiled = self.compiled_plugin
        origin = (compiled.manifest.wasm[compiled.manifest.main_index()].origin
                  if compiled else "freed")
        return "<zerowasm.plugin.Plugin %s (%s)>" % (self.id, origin)


def _json_text(value: Any) -> str:
    import json
    return json.dumps(value)
