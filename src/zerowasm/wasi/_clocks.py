"""``clock_res_get`` and ``clock_time_get``.

Spec: WASI preview 1, ``clockid`` (realtime, monotonic, process and thread CPU time);
timestamps are u64 nanoseconds. Realtime and monotonic come from
``WasiConfig.realtime_clock``/``monotonic_clock`` (overridable); CPU times from
``time.process_time_ns``/``time.thread_time_ns``.
"""

from __future__ import annotations

import time
from typing import Callable, Dict

from ._abi import ClockId
from ._base import WasiBase
from ._errno import Errno, WasiError
from ._memory import U32_MASK, GuestMemory

__all__ = ["ClockCalls"]

_CLOCK_INFO_NAMES = {ClockId.REALTIME: "time", ClockId.MONOTONIC: "monotonic",
                     ClockId.PROCESS_CPUTIME_ID: "process_time",
                     ClockId.THREAD_CPUTIME_ID: "thread_time"}


def _resolution_ns(clock: ClockId) -> int:
    try:
        resolution = time.get_clock_info(_CLOCK_INFO_NAMES[clock]).resolution  # type: ignore[arg-type]
    except (ValueError, OSError):
        resolution = 1e-9
    return max(1, int(round(resolution * 1e9)))


class ClockCalls(WasiBase):
    def _clock(self, clock_id: int) -> Callable[[], int]:
        clocks: Dict[int, Callable[[], int]] = {
            ClockId.REALTIME: self.realtime_clock,
            ClockId.MONOTONIC: self.monotonic_clock,
            ClockId.PROCESS_CPUTIME_ID: time.process_time_ns,
            ClockId.THREAD_CPUTIME_ID: getattr(time, "thread_time_ns", time.process_time_ns),
        }
        try:
            return clocks[clock_id & U32_MASK]
        except KeyError:
            raise WasiError(Errno.EINVAL) from None

    def clock_res_get(self, memory: GuestMemory, clock_id: int, resolution_ptr: int) -> None:
        """Write the clock's resolution (u64 ns, never 0) at ``resolution_ptr``.

        EINVAL for an unknown clock id.
        """
        self._clock(clock_id)
        memory.write_u64(resolution_ptr, _resolution_ns(ClockId(clock_id & U32_MASK)))

    def clock_time_get(self, memory: GuestMemory, clock_id: int, precision: int,
                       time_ptr: int) -> None:
        """Write the clock's current value (u64 ns) at ``time_ptr``. ``precision`` is a
        hint and ignored. EINVAL for an unknown clock id."""
        memory.write_u64(time_ptr, self._clock(clock_id)())
