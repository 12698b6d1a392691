"""Stopping a running guest: wall-clock timeouts, cancellation from another thread, fuel.

Theory of operation
-------------------
Every :class:`~zerowasm.plugin.Plugin` has a runtime of its own created with
``RuntimeConfig(interruptible=True)``: the compiled guest tests the runtime's interrupt
cell at every function entry and loop header, and :meth:`zerowasm.Runtime.interrupt`
(callable from any thread) sets it, so the guest traps with ``Trap(INTERRUPTED)`` at
its next check point -- within microseconds, on every Python implementation, and
always at a point where the guest's state is consistent. A plugin with a fuel budget
gets ``consume_fuel=True`` too: each function entry and loop iteration is charged
with the number of instructions it may run, ``Trap(FUEL_EXHAUSTED)`` when none is left.
(The checks cost ~1.0-1.15x for interrupts, ~1.4x for fuel: see RATIONALE.md.)

A :class:`CallGuard` is one plugin's call as other threads see it. The calling thread
brackets the guest with :meth:`CallGuard.begin` / :meth:`CallGuard.end`; the watchdog
(on a deadline) or a cancel handle calls :meth:`CallGuard.interrupt`, which records the
reason ("timeout" or "cancel") and interrupts the runtime -- only while that very call
is running (a lock and a call serial close the races), and :meth:`CallGuard.end`
withdraws a request that arrived after the guest's last check point.

Host code is not interrupted: a host function runs to completion and the guest stops at
its next check point after it returns. The plugin's own blocking points (WASI
``poll_oneoff`` sleeps, HTTP requests) wait with the remaining time as their timeout and
wake up early on cancellation (:meth:`CallGuard.sleep`, :meth:`CallGuard.check`, which
raise :class:`Interrupted`).

Timeouts are scheduled on one daemon thread per process (a heap of deadlines): a call
with ``timeout_ms`` costs a heap push and no thread start.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Any, List, Optional, Tuple

__all__ = ["Interrupted", "CallGuard", "WATCHDOG"]


class Interrupted(BaseException):
    """Raised by the plugin's blocking host code when its call was stopped.

    Derives from ``BaseException`` so that a host function's ``except Exception`` does
    not swallow it."""


class CallGuard:
    """One plugin's running call, as other threads see it (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = False
        self.fired: Optional[str] = None
        self.deadline: Optional[float] = None
        self.serial = 0
        self.wake = threading.Event()
        self._runtime: Any = None

    def attach(self, runtime: Any) -> None:
        """The (interruptible) runtime whose guests this guard stops."""
        self._runtime = runtime

    # -- the calling thread ------------------------------------------------------------------
    def begin(self, timeout: Optional[float], cancellable: bool = True) -> None:
        """Mark a call as running in this thread; ``timeout`` in seconds or None."""
        with self._lock:
            self.fired = None
            self.serial += 1
            if self.wake.is_set():
                self.wake.clear()
            self.deadline = None if timeout is None else time.monotonic() + timeout
            self.running = True
        if timeout is not None:
            WATCHDOG.schedule(self.deadline, self, self.serial)  # type: ignore[arg-type]

    def end(self) -> None:
        """Mark the call as finished (idempotent; safe to call from an except clause)."""
        with self._lock:
            was_fired = self.running and self.fired is not None
            self.running = False
            if was_fired and self._runtime is not None:
                # a request that reached no check point must not stop the next call
                self._runtime._interrupt_delivered()

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
            if self._runtime is not None:
                self._runtime.interrupt()
        return True


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
