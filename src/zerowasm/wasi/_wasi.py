"""The :class:`Wasi` object: one guest's WASI state and its import functions.

Spec: WASI preview 1, module ``wasi_snapshot_preview1`` (all 46 functions).

Usage::

    wasi = Wasi(WasiConfig(args=["prog", "x"], stdout=INHERIT).preopen("data", "/data"))
    instance = runtime.instantiate(module, wasi.imports())
    exit_code = wasi.run(instance)

Each import is a :class:`zerowasm.Function` with ``with_caller=True``: it finds the
caller's memory (export ``memory``, else memory 0), wraps it in a bounds-checked
:class:`GuestMemory`, calls the method of the same name, and returns the errno:
``WasiError`` gives its errno, a host ``OSError`` its WASI equivalent, and
``ValueError``/``OverflowError`` from the host layer EINVAL. Any other exception is a
bug and propagates to the embedder (it is not turned into a guest-visible error).
"""

from __future__ import annotations

import io
import os
import socket
import stat as stat_module
import weakref
from typing import Any, Callable, Dict, Mapping, Optional

from .._errors import ExitError, LinkError
from .._store.function import Function
from .._store.memory import Memory
from ._abi import DIRECTORY_INHERITING, DIRECTORY_RIGHTS, MODULE_NAME, SIGNATURES, FdFlags
from ._args_env import ArgsEnvCalls
from ._clocks import ClockCalls
from ._config import INHERIT, WasiConfig
from ._descriptors import DirectoryDescriptor, FdTable, Mount, SocketDescriptor, StreamDescriptor
from ._errno import Errno, WasiError, errno_from_oserror
from ._fd_calls import FdCalls
from ._memory import GuestMemory
from ._path_calls import PathCalls
from ._poll import PollCalls
from ._proc import ProcCalls
from ._sandbox import supported as sandbox_supported
from ._sockets import SockCalls

__all__ = ["Wasi", "FUNCTION_NAMES"]

#: The 46 functions of ``wasi_snapshot_preview1``, in the order of the witx file.
FUNCTION_NAMES = tuple(SIGNATURES)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def _stdio(value: Any, output: bool, host_fd: int) -> StreamDescriptor:
    if isinstance(value, str):
        if value != INHERIT:
            raise ValueError("a stdio stream is None, %r, bytes (stdin), an int file "
                             "descriptor or a file object, not %r" % (INHERIT, value))
        return StreamDescriptor(host_fd, output)
    if value is None or isinstance(value, int):
        return StreamDescriptor(value, output)
    if isinstance(value, (bytes, bytearray, memoryview)):
        if output:
            raise ValueError("stdout/stderr cannot be bytes; pass io.BytesIO() to capture")
        return StreamDescriptor(io.BytesIO(bytes(value)), False)
    if output and not hasattr(value, "write"):
        raise TypeError("stdout/stderr needs an object with write(), got %r" % (value,))
    if not output and not (hasattr(value, "readinto") or hasattr(value, "read")):
        raise TypeError("stdin needs an object with read() or readinto(), got %r" % (value,))
    return StreamDescriptor(value, output)


def _guest_memory(caller: Any) -> GuestMemory:
    memory = None
    if caller is not None:
        exports = caller.exports
        memory = exports.get("memory") if "memory" in exports else None
        if not isinstance(memory, Memory):
            memory = caller.memory
    return GuestMemory(memory.view if memory is not None else None)


class Wasi(ArgsEnvCalls, ClockCalls, FdCalls, PathCalls, PollCalls, ProcCalls, SockCalls):
    """A guest's WASI world, built from a :class:`WasiConfig`.

    Holds host resources (preopened directories, files the guest opens): call
    :meth:`close` when done, or use it as a context manager.
    """

    def __init__(self, config: Optional[WasiConfig] = None) -> None:
        config = config if config is not None else WasiConfig()
        self.config = config
        self.args = list(config.args)
        self.environ = config.environment()
        self.realtime_clock = config.realtime_clock
        self.monotonic_clock = config.monotonic_clock
        self.fds = FdTable(config.max_open_files)
        self._finalizer = weakref.finalize(self, self.fds.close_all)
        self.mounts = []
        try:
            self.fds.set(0, _stdio(config.stdin, False, 0))
            self.fds.set(1, _stdio(config.stdout, True, 1))
            self.fds.set(2, _stdio(config.stderr, True, 2))
            if config.preopens and not sandbox_supported():
                raise OSError("preopened directories need openat()-style calls "
                              "(os.supports_dir_fd), which this platform lacks")
            for preopen in config.preopens:
                self._add_preopen(preopen.host_path, preopen.guest_path, preopen.readonly)
            for sock in config.sockets:
                self._add_socket(sock)
        except BaseException:
            self.fds.close_all()
            raise

    def _add_preopen(self, host_path: str, guest_path: str, readonly: bool) -> int:
        fd = os.open(host_path, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
        try:
            st = os.fstat(fd)
            if not stat_module.S_ISDIR(st.st_mode):
                raise NotADirectoryError("preopen %r is not a directory" % host_path)
        except BaseException:
            os.close(fd)
            raise
        mount = Mount(host_path, guest_path, readonly)
        mount.root_id = (st.st_dev, st.st_ino)
        self.mounts.append(mount)
        name = guest_path.encode("utf-8", "surrogateescape")
        return self.fds.insert(DirectoryDescriptor(fd, DIRECTORY_RIGHTS, DIRECTORY_INHERITING,
                                                   mount, 0, preopen_name=name))

    def _add_socket(self, sock: socket.socket) -> int:
        flags = 0 if sock.getblocking() else int(FdFlags.NONBLOCK)
        # the guest owns a duplicate, so closing it leaves the host's socket open
        return self.fds.insert(SocketDescriptor(sock.dup(), flags))

    # -- imports --------------------------------------------------------------------------
    def _bind(self, name: str) -> Function:
        method: Callable[..., Any] = getattr(self, name)
        einval = int(Errno.EINVAL)

        def call(caller: Any, *args: int) -> int:
            memory = _guest_memory(caller)
            try:
                method(memory, *args)
            except WasiError as error:
                return int(error.errno)
            except OSError as error:
                return int(errno_from_oserror(error))
            except (ValueError, OverflowError):
                return einval
            return 0

        call.__name__ = call.__qualname__ = name
        return Function(SIGNATURES[name], call, with_caller=True, name=name)

    def functions(self) -> Dict[str, Function]:
        """The 46 import functions by name."""
        return {name: self._bind(name) for name in FUNCTION_NAMES}

    def imports(self, extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """An ``imports`` mapping for ``Runtime.instantiate``: ``wasi_snapshot_preview1``
        plus the modules in ``extra``."""
        imports: Dict[str, Any] = dict(extra or {})
        imports[MODULE_NAME] = self.functions()
        return imports

    # -- running ----------------------------------------------------------------------------
    def run(self, instance: Any, entry: str = "_start") -> int:
        """Call a command module's ``entry`` (``_start``); return its exit code.

        0 when ``entry`` returns, the ``proc_exit`` code when the guest exits. A trap
        propagates as :class:`zerowasm.Trap`.
        """
        try:
            function = instance.exports[entry]
        except KeyError:
            raise LinkError("the module exports no function %r (is it a WASI command?)"
                            % entry) from None
        try:
            function()
        except ExitError as exit_:
            return exit_.code
        return 0

    def close(self) -> None:
        """Close every host resource the guest holds (files, directories, sockets)."""
        self.fds.close_all()

    def __enter__(self) -> Wasi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<Wasi %d descriptors, %d mounts>" % (len(self.fds), len(self.mounts))
