"""The ``zerowasm run`` and ``zerowasm inspect`` commands.

``zerowasm run [--dir HOST_DIR[::GUEST_DIR]]... [--env NAME[=VALUE]]... [--env-inherit]
[--invoke FUNC] MODULE.wasm [ARGS...]`` runs a WASI command (flags as in ``wasmtime run``);
``zerowasm inspect MODULE.wasm`` describes a module. :func:`add_run_command` and
:func:`add_inspect_command` register them on the ``zerowasm`` parser;
:func:`run_module` is what ``run`` does, callable in-process (the WASI test-suite runner
uses it).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import Any, Dict, List, Optional, Sequence, TextIO

from .._errors import DecodeError, ExitError, LinkError, Trap, ValidationError, WasmError
from ._config import INHERIT, WasiConfig
from ._wasi import Wasi

__all__ = ["add_run_command", "add_inspect_command", "run_module", "parse_dir", "TRAP_EXIT_STATUS"]

#: Exit status of ``zerowasm run`` when the guest traps (as wasmtime: 128 + SIGABRT).
TRAP_EXIT_STATUS = 134
#: Exit status when the module cannot be loaded or linked.
LOAD_ERROR_EXIT_STATUS = 1


def parse_dir(spec: str) -> Sequence[str]:
    """``HOST[::GUEST]`` -> ``(host, guest)``; the guest path defaults to the host path."""
    host, sep, guest = spec.partition("::")
    if not host:
        raise argparse.ArgumentTypeError("--dir needs a host directory: %r" % spec)
    return (host, guest if sep and guest else host)


def _parse_env(spec: str) -> Sequence[str]:
    name, sep, value = spec.partition("=")
    if not name:
        raise argparse.ArgumentTypeError("--env needs NAME=VALUE: %r" % spec)
    if not sep:
        if name not in os.environ:
            raise argparse.ArgumentTypeError("--env %s: not set in the host environment" % name)
        value = os.environ[name]
    return (name, value)


def _parse_listen(spec: str) -> Sequence[Any]:
    host, sep, port = spec.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("--tcplisten needs HOST:PORT: %r" % spec)
    return (host.strip("[]") or "127.0.0.1", int(port))


def add_run_command(subparsers: Any) -> None:
    """Register ``zerowasm run`` on an ``argparse`` subparsers object."""
    parser = subparsers.add_parser(
        "run", help="run a WebAssembly module (WASI command)",
        description="Run a WASI command module. The guest sees only the directories given "
                    "with --dir and the variables given with --env; its argv[0] is the module "
                    "path. The exit status is the guest's exit code (134 if it traps).")
    parser.add_argument("--dir", dest="dirs", action="append", default=[], type=parse_dir,
                        metavar="HOST_DIR[::GUEST_DIR]",
                        help="preopen a host directory, read-write (repeatable)")
    parser.add_argument("--dir-ro", "--ro-dir", dest="ro_dirs", action="append", default=[],
                        type=parse_dir, metavar="HOST_DIR[::GUEST_DIR]",
                        help="preopen a host directory read-only: every write fails with EROFS")
    parser.add_argument("--env", dest="env", action="append", default=[], type=_parse_env,
                        metavar="NAME[=VALUE]",
                        help="set a guest environment variable (NAME alone copies the "
                             "host's value; repeatable)")
    parser.add_argument("--env-inherit", action="store_true",
                        help="give the guest the host's whole environment")
    parser.add_argument("--tcplisten", dest="listen", action="append", default=[],
                        type=_parse_listen, metavar="HOST:PORT",
                        help="open a listening TCP socket the guest can sock_accept on")
    parser.add_argument("--invoke", metavar="FUNC",
                        help="call this export instead of _start; ARGS become its arguments "
                             "and its results are printed")
    parser.add_argument("module", metavar="MODULE.wasm", help="the module to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="arguments for the guest")
    parser.set_defaults(handler=_run_handler)


def add_inspect_command(subparsers: Any) -> None:
    """Register ``zerowasm inspect`` on an ``argparse`` subparsers object."""
    parser = subparsers.add_parser(
        "inspect", help="describe a module: imports, exports, memories, tables, features",
        description="Print a module's imports and exports with their types, memory and "
                    "table limits, custom sections and the WebAssembly features it uses.")
    parser.add_argument("module", metavar="MODULE.wasm")
    parser.set_defaults(handler=_inspect_handler)


def _run_handler(args: argparse.Namespace) -> int:
    preopens = [(h, g, False) for h, g in args.dirs] + [(h, g, True) for h, g in args.ro_dirs]
    sockets = []
    try:
        for host, port in args.listen:
            sock = socket.create_server((host, port))
            sockets.append(sock)
    except OSError as error:
        print("error: --tcplisten: %s" % error, file=sys.stderr)
        return LOAD_ERROR_EXIT_STATUS
    try:
        return run_module(args.module, args.args, preopens=preopens, env=dict(args.env),
                          inherit_env=args.env_inherit, invoke=args.invoke, sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()


def run_module(path: str, args: Sequence[str] = (), *, preopens: Sequence[Sequence[Any]] = (),
               env: Optional[Dict[str, str]] = None, inherit_env: bool = False,
               invoke: Optional[str] = None, stdin: Any = INHERIT, stdout: Any = INHERIT,
               stderr: Any = INHERIT, sockets: Sequence[socket.socket] = (),
               messages: Optional[TextIO] = None, runtime: Any = None) -> int:
    """Load, link and run the WASI module at ``path``; return the exit status.

    ``preopens``: ``(host, guest, readonly)`` triples. ``messages`` receives zerowasm's
    own error messages (default ``sys.stderr``); ``stdin``/``stdout``/``stderr`` are the
    guest's (see :class:`WasiConfig`).
    """
    import zerowasm

    out = messages if messages is not None else sys.stderr
    config = WasiConfig(args=[path, *args], env=env or {}, inherit_env=inherit_env,
                        stdin=stdin, stdout=stdout, stderr=stderr, sockets=sockets)
    for host, guest, readonly in preopens:
        config.preopen(host, guest, readonly=readonly)
    try:
        if runtime is None:
            runtime = zerowasm.Runtime()
        module = runtime.load(path)
    except OSError as error:
        print("error: cannot read %s: %s" % (path, error.strerror or error), file=out)
        return LOAD_ERROR_EXIT_STATUS
    except (DecodeError, ValidationError) as error:
        print("error: %s is not a valid module: %s" % (path, error), file=out)
        return LOAD_ERROR_EXIT_STATUS
    try:
        wasi = Wasi(config)
    except OSError as error:
        print("error: %s" % error, file=out)
        return LOAD_ERROR_EXIT_STATUS
    with wasi:
        try:
            instance = runtime.instantiate(module, wasi.imports())
            if invoke is None:
                return wasi.run(instance)
            return _invoke(instance, invoke, list(args), out)
        except ExitError as exit_:
            return exit_.code
        except Trap as trap:
            _flush_stdio()
            print("error: wasm trap: %s" % trap, file=out)
            return TRAP_EXIT_STATUS
        except LinkError as error:
            print("error: cannot link %s: %s" % (path, error), file=out)
            return LOAD_ERROR_EXIT_STATUS
        except WasmError as error:
            print("error: %s" % error, file=out)
            return LOAD_ERROR_EXIT_STATUS
        except RecursionError:
            print("error: wasm trap: call stack exhausted", file=out)
            return TRAP_EXIT_STATUS


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _invoke(instance: Any, name: str, args: List[str], out: TextIO) -> int:
    from .._types import ValType

    initialize = instance.exports.get("_initialize") if "_initialize" in instance.exports else None
    if initialize is not None and name != "_initialize":
        initialize()
    try:
        function = instance.exports[name]
    except KeyError:
        print("error: the module exports no function %r" % name, file=out)
        return LOAD_ERROR_EXIT_STATUS
    params = getattr(function, "type", None)
    if params is None:
        print("error: export %r is not a function" % name, file=out)
        return LOAD_ERROR_EXIT_STATUS
    types = function.type.params
    if len(args) != len(types):
        print("error: %s takes %d arguments, %d given" % (name, len(types), len(args)), file=out)
        return LOAD_ERROR_EXIT_STATUS
    values: List[Any] = []
    for text, value_type in zip(args, types):
        try:
            if value_type in (ValType.I32, ValType.I64):
                values.append(int(text, 0))
            elif value_type in (ValType.F32, ValType.F64):
                values.append(float(text))
            else:
                raise ValueError("cannot pass a %s from the command line" % value_type)
        except ValueError as error:
            print("error: argument %r: %s" % (text, error), file=out)
            return LOAD_ERROR_EXIT_STATUS
    result = function(*values)
    results = result if isinstance(result, tuple) else (() if result is None else (result,))
    for value in results:
        print(value)
    return 0


def _inspect_handler(args: argparse.Namespace) -> int:
    from ._inspect import describe_module

    try:
        with open(args.module, "rb") as f:
            data = f.read()
    except OSError as error:
        print("error: cannot read %s: %s" % (args.module, error.strerror or error), file=sys.stderr)
        return LOAD_ERROR_EXIT_STATUS
    try:
        text = describe_module(data, args.module)
    except DecodeError as error:
        print("error: %s is not a valid module: %s" % (args.module, error), file=sys.stderr)
        return LOAD_ERROR_EXIT_STATUS
    sys.stdout.write(text)
    return 0
