"""WASI configuration: what a guest may see and use.

Nothing is granted by default: no arguments but the program name you give, no
environment variables (unless ``inherit_env=True``), no files (only the directories you
preopen), stdin at end of file, stdout and stderr discarded, no sockets.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

__all__ = ["WasiConfig", "Preopen", "INHERIT"]

#: Pass as ``stdin``/``stdout``/``stderr`` to use the host process's own stream.
INHERIT = "inherit"

StrOrBytes = Union[str, bytes]


class Preopen:
    """A host directory the guest sees under ``guest_path`` (read-write unless ``readonly``)."""

    __slots__ = ("host_path", "guest_path", "readonly")

    def __init__(self, host_path: Union[str, os.PathLike[str]], guest_path: Optional[str] = None,
                 readonly: bool = False) -> None:
        self.host_path = os.fspath(host_path)
        self.guest_path = guest_path if guest_path is not None else self.host_path
        self.readonly = readonly

    def __repr__(self) -> str:
        return "Preopen(%r, %r%s)" % (self.host_path, self.guest_path,
                                      ", readonly=True" if self.readonly else "")


def _to_bytes(value: StrOrBytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")


class WasiConfig:
    """Everything a WASI guest is given. Build one, then ``Wasi(config)``.

    ``args``: the guest's ``argv`` including ``argv[0]`` (str or bytes).
    ``env``: environment variables (the guest sees exactly these, plus the host's own
    when ``inherit_env=True``; ``env`` wins on a clash).
    ``preopens``: :class:`Preopen` objects, or ``(host_path, guest_path)`` pairs, or use
    :meth:`preopen`.
    ``stdin``: ``None`` (end of file), ``bytes``, a binary file object, a host file
    descriptor ``int``, or :data:`INHERIT`. ``stdout``/``stderr``: ``None`` (discard), a
    file object with ``write`` (binary or text), an ``int``, or :data:`INHERIT`.
    ``realtime_clock``/``monotonic_clock``: callables returning nanoseconds;
    ``sleep``: a callable taking nanoseconds (used by ``poll_oneoff`` when it only waits
    on clocks); ``random``: a callable ``n -> n bytes``. Override them for deterministic
    tests.
    ``sockets``: listening sockets (``socket.socket``) the guest may ``sock_accept`` on;
    they get descriptors after the preopens.
    ``max_open_files``: the most descriptors the guest may hold at once.
    """

    def __init__(self, *, args: Sequence[StrOrBytes] = (), env: Optional[Mapping[str, str]] = None,
                 inherit_env: bool = False, preopens: Iterable[Any] = (),
                 stdin: Any = None, stdout: Any = None, stderr: Any = None,
                 realtime_clock: Optional[Callable[[], int]] = None,
                 monotonic_clock: Optional[Callable[[], int]] = None,
                 sleep: Optional[Callable[[int], None]] = None,
                 random: Optional[Callable[[int], bytes]] = None,
                 sockets: Iterable[socket.socket] = (),
                 max_open_files: int = 256) -> None:
        self.args: List[bytes] = [_to_bytes(a) for a in args]
        self.env: Dict[str, str] = dict(env or {})
        self.inherit_env = inherit_env
        self.preopens: List[Preopen] = []
        for item in preopens:
            if isinstance(item, Preopen):
                self.preopens.append(item)
            else:
                self.preopen(*item)
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.realtime_clock = realtime_clock or time.time_ns
        self.monotonic_clock = monotonic_clock or time.monotonic_ns
        self.sleep = sleep or (lambda ns: time.sleep(ns / 1e9))
        self.random = random or os.urandom
        self.sockets: List[socket.socket] = list(sockets)
        if max_open_files < 3:
            raise ValueError("max_open_files must be at least 3 (stdin, stdout, stderr)")
        self.max_open_files = max_open_files

    def preopen(self, host_path: Union[str, os.PathLike[str]], guest_path: Optional[str] = None,
                readonly: bool = False) -> WasiConfig:
        """Let the guest see host directory ``host_path`` as ``guest_path``. Chainable."""
        self.preopens.append(Preopen(host_path, guest_path, readonly))
        return self

    def inherit_stdio(self) -> WasiConfig:
        """Use the host process's stdin, stdout and stderr. Chainable."""
        self.stdin = self.stdout = self.stderr = INHERIT
        return self

    def environment(self) -> List[bytes]:
        """The guest's environment as ``NAME=value`` byte strings."""
        merged: Dict[str, str] = {}
        if self.inherit_env:
            merged.update(os.environ)
        merged.update(self.env)
        return [_to_bytes("%s=%s" % item) for item in merged.items()]

    def __repr__(self) -> str:
        return "WasiConfig(args=%r, env=%d names, preopens=%r)" % (
            self.args, len(self.env), self.preopens)
