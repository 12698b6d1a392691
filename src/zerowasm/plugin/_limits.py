"""Stopping a running guest: wall-clock timeouts, cancellation from another thread, fuel.

Theory of operation
-------------------
A plugin call runs Wasm compiled to Python in the caller's thread. To stop it from
outside, something must interrupt that thread between two Python bytecodes. Until the
engine checks an interrupt flag itself (at loop headers and function entries -- see
"Engine hook" below), this module uses what the interpreter offers:

* **CPython**: ``PyThreadState_SetAsyncExc`` (through ``ctypes.pythonapi``) schedules an
  exception in the calling thread; the interpreter raises it at its next "eval breaker"
  check, which happens on every backward jump and every function call -- so a guest
  stuck in ``(loop (br 0))`` (a Python ``while True: continue``) is stopped within a
  few microseconds of the deadline. A thread blocked inside a C call (a long
  ``time.sleep``, a socket read) sees it only when the call returns; the plugin's own
  blocking points (WASI ``poll_oneoff`` sleeps, HTTP requests) therefore wait with the
  remaining time as their timeout and wake up early on cancellation.
* **PyPy** (no ``ctypes.pythonapi``): a trace function (``sys.settrace``) is installed
  in the calling thread for calls that have a deadline or whose plugin handed out a
  cancel handle; it checks the flag on every traced line. It works everywhere, but
  tracing makes such calls several times slower.

The exception, :class:`Interrupted`, derives from ``BaseException`` so that a host
function's ``except Exception`` does not swallow it. It can land anywhere in the
guest's Python frames, including in the middle of a host function, so the plugin drops
the instance after an interrupted call and instantiates afresh on the next one.

Races are closed with one lock per guard: the watchdog (or a canceller) delivers only
while the call is marked running, and the call, when it ends, marks itself not running
and lets a delivered-but-not-yet-raised exception be raised and caught there (see
:func:`_drain_async_exc`), so nothing ever escapes past :meth:`CallGuard.end`.

Timeouts are scheduled on one daemon thread per process (a heap of deadlines): a call
with ``timeout_ms`` costs a heap push and no thread start.

Fuel (a deterministic budget) without engine support is counted with the same trace
mechanism: one unit per traced line of compiled guest code, in the calling thread only.
Deterministic for a given zerowasm version and module; not a Wasm instruction count.

Engine hook
-----------
What the plugin layer needs from the engine to make these exact and free when unused
(see the report in docs/plugins.md): a per-store *interrupt cell* checked at every loop
header and function entry, raising ``Trap(TrapKind.TIMEOUT)`` / ``Trap(INTERRUPTED)``,
settable from any thread; and a *fuel counter* decremented per basic block by its static
instruction count, raising ``Trap(TrapKind.FUEL_EXHAUSTED)``. :func:`engine_hooks`
detects them; when present they replace the fallbacks here.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import sys
import threading
import time
from typing import Any, Callable, List, Optional, Tuple

from .._errors import Trap, TrapKind

__all__ = ["Interrupted", "CallGuard", "FuelMeter", "async_exceptions_supported",
           "WATCHDOG", "engine_hooks"]

_GUEST_FILENAME_PREFIX = "<wasm:"


class Interrupted(BaseException):
    """Raised asynchronously in a thread running a guest whose call was stopped."""


def _set_async_exc() -> Optional[Callable[[int, Any], int]]:
    api = getattr(ctypes, "pythonapi", None)
    if api is None or sys.implementation.name != "cpython":
        return None
    try:
        function = api.PyThreadState_SetAsyncExc
    except AttributeError:  # pragma: no cover
        return None
    function.argtypes = [ctypes.c_ulong, ctypes.py_object]
    function.restype = ctypes.c_int
    return function


_SET_ASYNC_EXC = _set_async_exc()


def async_exceptions_supported() -> bool:
    """Whether a running call can be interrupted without tracing (CPython)."""
    return _SET_ASYNC_EXC is not None


def engine_hooks(runtime: Any) -> Tuple[bool, bool]:
    """Whether the engine offers (an interrupt cell, a fuel counter).

    None of the engines has them yet; see the module docstring for what is needed.
    """
    return (False, False)


def _drain_async_exc() -> None:
    """Let an interruption that was scheduled but not yet raised be raised, and catch it.

    ``PyThreadState_SetAsyncExc(tid, NULL)`` would cancel it, but on CPython 3.11 that
    leaves the interpreter's "pending async exception" signal set for good (only raising
    the exception clears it), which slows every thread and, with a trace function
    installed, hangs the interpreter. A few backward jumps are enough for the
    interpreter to raise a pending exception.
    """
    try:
        for _ in range(64):
            pass
    except Interrupted:
        pass


class CallGuard:
    """One plugin's running call, as other threads see it.

    The calling thread brackets the guest with :meth:`begin` / :meth:`end`; any thread
    may call :meth:`interrupt` (the watchdog does on a deadline, a cancel handle on
    demand). ``fired`` is the reason ("timeout" or "cancel") once interrupted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.thread_id = 0
        self.running = False
        self.fired: Optional[str] = None
        self.deadline: Optional[float] = None
        self.serial = 0
        self.traced = False   # use the trace fallback for interruption (PyPy)
        self.wake = threading.Event()
        self._previous_trace: Any = None
        self._tracing = False

    # -- the calling thread ------------------------------------------------------------------
    def begin(self, timeout: Optional[float], cancellable: bool) -> None:
        """Mark a call as running in this thread; ``timeout`` in seconds or None."""
        self.thread_id = threading.get_ident()
        self.fired = None
        self.serial += 1
        if self.wake.is_set():
            self.wake.clear()
        if timeout is not None:
            self.deadline = time.monotonic() + timeout
        else:
            self.deadline = None
        if _SET_ASYNC_EXC is None and (timeout is not None or cancellable):
            self._start_tracing()
        self.running = True
        if timeout is not None:
            WATCHDOG.schedule(self.deadline, self, self.serial)  # type: ignore[arg-type]

    def end(self) -> None:
        """Mark the call as finished (idempotent; safe to call from an except clause)."""
        with self._lock:
            was_fired = self.running and self.fired is not None
            self.running = False
        if was_fired and _SET_ASYNC_EXC is not None:
            _drain_async_exc()
        if self._tracing:
            self._stop_tracing()

    def remaining(self) -> Optional[float]:
        """Seconds left before the deadline (None without one; never negative)."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    def check(self) -> None:
        """Raise :class:`Interrupted` if the call was stopped (for blocking host code)."""
        if self.fired is not None:
            raise Interrupted(self.fired)

    def sleep(self, nanoseconds: int) -> None:
        """Sleep (for WASI ``poll_oneoff``), waking up early when the call is stopped."""
        seconds = nanoseconds / 1e9
        if self.deadline is not None:
            seconds = min(seconds, max(0.0, self.deadline - time.monotonic()) + 0.001)
        self.wake.wait(seconds)
        self.check()

    # -- any thread ------------------------------------------------------------------------
    def interrupt(self, reason: str, serial: Optional[int] = None) -> bool:
        """Stop the running call (if any, and if it is call ``serial`` when given)."""
        with self._lock:
            if not self.running or self.fired is not None:
                return False
            if serial is not None and serial != self.serial:
                return False
            self.fired = reason
            self.wake.set()
            if _SET_ASYNC_EXC is not None:
                _SET_ASYNC_EXC(self.thread_id, Interrupted)
        return True

    # -- trace fallback (PyPy) ---------------------------------------------------------------
    def _start_tracing(self) -> None:
        guard = self

        def local(frame: Any, event: str, arg: Any) -> Any:
            if guard.fired is not None:
                raise Interrupted(guard.fired)
            return local

        def global_(frame: Any, event: str, arg: Any) -> Any:
            if guard.fired is not None:
                raise Interrupted(guard.fired)
            if frame.f_code.co_filename.startswith(_GUEST_FILENAME_PREFIX):
                return local
            return None

        self._previous_trace = sys.gettrace()
        self._tracing = True
        sys.settrace(global_)

    def _stop_tracing(self) -> None:
        self._tracing = False
        sys.settrace(self._previous_trace)
        self._previous_trace = None


class FuelMeter:
    """A fuel budget counted by tracing compiled guest code (no engine support yet).

    One unit is one traced line of the Python the guest was compiled to (roughly one
    Wasm instruction or a few). Running out raises ``Trap(FUEL_EXHAUSTED)`` inside the
    guest. ``remaining`` is what is left after a call.
    """

    def __init__(self, fuel: int, guard: Optional[CallGuard] = None) -> None:
        self.remaining = fuel
        self._guard = guard
        self._previous: Any = None

    def __enter__(self) -> FuelMeter:
        meter = self
        guard = self._guard

        def local(frame: Any, event: str, arg: Any) -> Any:
            if guard is not None and guard.fired is not None:
                raise Interrupted(guard.fired)
            if event == "line":
                meter.remaining -= 1
                if meter.remaining < 0:
                    meter.remaining = 0
                    raise Trap(TrapKind.FUEL_EXHAUSTED)
            return local

        def global_(frame: Any, event: str, arg: Any) -> Any:
            code = frame.f_code
            # a guest function's frame (not the module-level code run when it is bound)
            if code.co_filename.startswith(_GUEST_FILENAME_PREFIX) and code.co_name != "<module>":
                meter.remaining -= 1  # the call itself
                if meter.remaining < 0:
                    meter.remaining = 0
                    raise Trap(TrapKind.FUEL_EXHAUSTED)
                return local
            return None

        if self.remaining <= 0:
            raise Trap(TrapKind.FUEL_EXHAUSTED)
        self._previous = sys.gettrace()
        sys.settrace(global_)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.settrace(self._previous)
        self._previous = None


class _Watchdog:
    """One daemon thread that interrupts calls whose deadline has passed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: List[Tuple[float, int, CallGuard, int]] = []
        self._counter = itertools.count()
        self._thread: Optional[threading.Thread] = None

    def schedule(self, deadline: float, guard: CallGuard, serial: int) -> None:
        with self._condition:
            entry = (deadline, next(self._counter), guard, serial)
            heapq.heappush(self._heap, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="zerowasm-watchdog",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0] is entry:
                self._condition.notify()

    def _run(self) -> None:
        heap = self._heap
        while True:
            with self._condition:
                while True:
                    if not heap:
                        self._condition.wait()
                        continue
                    wait = heap[0][0] - time.monotonic()
                    if wait > 0:
                        self._condition.wait(wait)
                        continue
                    _, _, guard, serial = heapq.heappop(heap)
                    break
            guard.interrupt("timeout", serial)


WATCHDOG = _Watchdog()
