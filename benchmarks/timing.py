"""Measuring: medians of repeated runs, with warm-up and time limits.

Two shapes of measurement:

- :func:`per_call` for operations of nanoseconds to microseconds: a ``timeit`` loop
  whose statement calls the runtime's API directly (names bound as locals), calibrated
  so that one repetition lasts ``target`` seconds; the result is the median over the
  repetitions of (repetition time / loop count). It includes the ``for`` loop itself,
  which :func:`empty_loop` measures for reference.
- :func:`per_op` for operations of milliseconds and more: each repetition times one
  call of ``op`` with ``time.perf_counter``; ``prepare`` (untimed) runs before each.

Both run warm-up repetitions first (which matters on PyPy, whose JIT compiles hot
loops, and for runtimes that compile a function on its first calls), and both stop
early once a time budget is spent (at least one timed repetition always runs).
A slow operation can be cut off with :func:`time_limit` (SIGALRM, Unix main thread).
"""

from __future__ import annotations

import contextlib
import gc
import signal
import statistics
import threading
import time
import timeit
from typing import Any, Callable, Dict, Iterator, List, Optional

__all__ = ["Measurement", "per_call", "per_op", "empty_loop", "time_limit", "TimeLimit",
           "Settings"]


class TimeLimit(Exception):
    """An operation ran past its time limit."""


class Settings:
    """How hard to measure: the full run, or ``--quick``."""

    def __init__(self, quick: bool = False) -> None:
        self.quick = quick
        #: seconds one per_call repetition should last
        self.call_target = 0.02 if quick else 0.1
        #: per_call repetitions (after one warm-up repetition)
        self.call_repeat = 3 if quick else 7
        #: per_op repetitions and the time budget of one case on one runtime
        self.op_repeat = 2 if quick else 7
        self.op_budget = 3.0 if quick else 12.0
        #: the limit of one slow operation (a pywasm render, ...)
        self.op_limit = 60.0 if quick else 120.0


class Measurement:
    """The repetitions of one case on one runtime: seconds per operation."""

    def __init__(self, samples: List[float], loops: int = 1, warmup: int = 0) -> None:
        self.samples = samples
        self.loops = loops
        self.warmup = warmup

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    def to_json(self) -> Dict[str, Any]:
        return {"median": self.median, "min": self.minimum, "reps": len(self.samples),
                "loops": self.loops, "samples": self.samples}


@contextlib.contextmanager
def time_limit(seconds: Optional[float]) -> Iterator[None]:
    """Raise :class:`TimeLimit` in the block after ``seconds`` (no-op where SIGALRM or
    the main thread is unavailable, or when ``seconds`` is None)."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeLimit("did not finish within %.0f s" % seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def per_call(stmt: str, setup: str, namespace: Dict[str, Any], settings: Settings,
             budget: Optional[float] = None) -> Measurement:
    """Median seconds per execution of ``stmt`` (see the module docstring)."""
    timer = timeit.Timer(stmt, setup, globals=namespace)
    target = settings.call_target
    number = 1
    while True:  # calibrate (also warms up)
        elapsed = timer.timeit(number)
        if elapsed >= target * 0.2 or number >= 1 << 26:
            break
        number *= 10 if elapsed < target * 0.02 else 2
    number = max(1, int(number * target / max(elapsed, 1e-9)))
    timer.timeit(number)  # warm-up repetition
    budget = budget if budget is not None else max(settings.call_repeat * target * 3, 2.0)
    samples: List[float] = []
    start = time.perf_counter()
    for _ in range(settings.call_repeat):
        samples.append(timer.timeit(number) / number)
        if time.perf_counter() - start > budget:
            break
    return Measurement(samples, loops=number, warmup=1)


def per_op(op: Callable[[Any], Any], settings: Settings, *,
           prepare: Optional[Callable[[], Any]] = None, warmup: int = 1,
           repeat: Optional[int] = None, budget: Optional[float] = None,
           limit: Optional[float] = None, collect: bool = True) -> Measurement:
    """Time ``op(prepare())`` (``op(None)`` without ``prepare``) ``repeat`` times.

    ``warmup`` untimed runs come first. Stops once ``budget`` seconds are spent (after at
    least one timed run). Each run (warm-up included) is cut off after ``limit`` seconds
    with :class:`TimeLimit`. With ``collect`` the garbage collector runs before each
    repetition, outside the timing.
    """
    repeat = settings.op_repeat if repeat is None else repeat
    budget = settings.op_budget if budget is None else budget
    limit = settings.op_limit if limit is None else limit
    start = time.perf_counter()
    for _ in range(warmup):
        arg = prepare() if prepare is not None else None
        with time_limit(limit):
            op(arg)
    samples: List[float] = []
    for _ in range(repeat):
        arg = prepare() if prepare is not None else None
        if collect:
            gc.collect()
        with time_limit(limit):
            t0 = time.perf_counter()
            op(arg)
            samples.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return Measurement(samples, loops=1, warmup=warmup)


def empty_loop(settings: Settings) -> float:
    """Seconds per iteration of an empty timeit loop (included in every per_call)."""
    return per_call("pass", "", {}, settings).median
