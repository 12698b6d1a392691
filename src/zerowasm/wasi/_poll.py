"""``poll_oneoff``: wait for clocks and descriptors.

Spec: WASI preview 1, ``poll_oneoff``, ``subscription``, ``event``. Waiting is real
waiting: ``poll`` (``select`` where it is missing) on the host descriptors that can
block (pipes, terminals, sockets) with the nearest clock deadline as timeout, or
``WasiConfig.sleep`` when only clocks are involved. Regular files, directories and
in-memory streams are always ready, as POSIX ``poll`` reports them.
"""

from __future__ import annotations

import select
from typing import Dict, List, Optional, Tuple

from ._abi import (
    EVENT,
    SUBSCRIPTION,
    SUBSCRIPTION_CLOCK,
    SUBSCRIPTION_FD,
    SUBSCRIPTION_SIZE,
    ClockId,
    EventType,
    Rights,
    SubclockFlags,
)
from ._base import WasiBase
from ._errno import Errno, WasiError
from ._memory import U32_MASK, GuestMemory

__all__ = ["PollCalls"]

_HANGUP = 1  # eventrwflags.fd_readwrite_hangup

Event = Tuple[int, int, int, int, int]  # userdata, error, type, nbytes, flags


class PollCalls(WasiBase):
    def poll_oneoff(self, memory: GuestMemory, in_ptr: int, out_ptr: int, nsubscriptions: int,
                    nevents_ptr: int) -> None:
        """Wait until at least one subscription fires; write one ``event`` per fired
        subscription at ``out_ptr`` and their count (u32) at ``nevents_ptr``.

        Layouts (Spec: preview 1 ``subscription``, 48 bytes; ``event``, 32 bytes)::

            subscription ┌──────────────┬────────┬───────┬───────────────────────────────┐
                         │ userdata u64 │ tag u8 │ pad 7 │ union (32 bytes)              │
                         └──────────────┴────────┴───────┴───────────────────────────────┘
                          @0             @8               @16
              clock:   id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40
              fd_read / fd_write: file_descriptor u32 @16

            event        ┌──────────────┬───────────┬─────────┬───────┬─────────────┬───────────┐
                         │ userdata u64 │ error u16 │ type u8 │ pad 5 │ nbytes u64  │ flags u16 │
                         └──────────────┴───────────┴─────────┴───────┴─────────────┴───────────┘
                          @0             @8          @10                @16           @24

        EINVAL when ``nsubscriptions`` is 0. A subscription on a bad descriptor or clock
        fires at once with the error in its event.
        """
        count = nsubscriptions & U32_MASK
        if count == 0:
            raise WasiError(Errno.EINVAL)
        memory.check(in_ptr, count * SUBSCRIPTION_SIZE)
        memory.check(out_ptr, count * EVENT.size)
        memory.check(nevents_ptr, 4)
        now = self.monotonic_clock()
        immediate: List[Event] = []
        clocks: List[Tuple[int, int]] = []  # (deadline in monotonic ns, userdata)
        readers: Dict[int, List[int]] = {}
        writers: Dict[int, List[int]] = {}
        base = in_ptr & U32_MASK
        for i in range(count):
            address = base + i * SUBSCRIPTION_SIZE
            userdata, tag = memory.unpack(SUBSCRIPTION, address)
            if tag == EventType.CLOCK:
                clock_id, timeout, _precision, flags = memory.unpack(SUBSCRIPTION_CLOCK,
                                                                     address + 16)
                deadline = self._deadline(clock_id, timeout, flags, now)
                if deadline is None:
                    immediate.append((userdata, Errno.EINVAL, EventType.CLOCK, 0, 0))
                else:
                    clocks.append((deadline, userdata))
            elif tag in (EventType.FD_READ, EventType.FD_WRITE):
                (fd,) = memory.unpack(SUBSCRIPTION_FD, address + 16)
                event = self._poll_descriptor(fd, tag, userdata, readers, writers)
                if event is not None:
                    immediate.append(event)
            else:
                immediate.append((userdata, Errno.EINVAL, tag & 0xFF, 0, 0))
        events = immediate
        if not events:
            events = self._wait(clocks, readers, writers)
        elif clocks:
            now = self.monotonic_clock()
            events += [(u, 0, EventType.CLOCK, 0, 0) for d, u in clocks if d <= now]
        out = out_ptr & U32_MASK
        for i, event in enumerate(events):
            memory.pack(EVENT, out + i * EVENT.size, *event)
        memory.write_u32(nevents_ptr, len(events))

    def _deadline(self, clock_id: int, timeout: int, flags: int, now: int) -> Optional[int]:
        if clock_id not in (ClockId.REALTIME, ClockId.MONOTONIC, ClockId.PROCESS_CPUTIME_ID,
                            ClockId.THREAD_CPUTIME_ID):
            return None
        if not flags & SubclockFlags.SUBSCRIPTION_CLOCK_ABSTIME:
            return now + timeout
        if clock_id == ClockId.MONOTONIC:
            return timeout
        if clock_id == ClockId.REALTIME:
            return now + (timeout - self.realtime_clock())
        return now  # CPU-time deadlines: treated as already reached

    def _poll_descriptor(self, fd: int, tag: int, userdata: int, readers: Dict[int, List[int]],
                         writers: Dict[int, List[int]]) -> Optional[Event]:
        try:
            descriptor = self.fds.get(fd)
        except WasiError as error:
            return (userdata, error.errno, tag, 0, 0)
        needed = Rights.FD_READ if tag == EventType.FD_READ else Rights.FD_WRITE
        if descriptor.rights_base & needed != needed:
            return (userdata, Errno.ENOTCAPABLE, tag, 0, 0)
        if tag == EventType.FD_READ:
            available = descriptor.readable_bytes()
            if available is not None:
                return (userdata, 0, tag, available, 0)
        elif descriptor.host_fd is None or descriptor.readable_bytes() is not None:
            return (userdata, 0, tag, 0, 0)
        host_fd = descriptor.host_fd
        if host_fd is None:
            return (userdata, 0, tag, 0, 0)
        (readers if tag == EventType.FD_READ else writers).setdefault(host_fd, []).append(userdata)
        return None

    def _wait(self, clocks: List[Tuple[int, int]], readers: Dict[int, List[int]],
              writers: Dict[int, List[int]]) -> List[Event]:
        if not (readers or writers):
            # only clocks: one sleep until the nearest deadline (the configured sleep is
            # trusted to have waited, even if the configured clock did not move)
            earliest = min(d for d, _ in clocks)
            now = self.monotonic_clock()
            if earliest > now:
                self.config.sleep(earliest - now)
                now = max(self.monotonic_clock(), earliest)
            return [(u, 0, EventType.CLOCK, 0, 0) for d, u in clocks if d <= now]
        while True:
            now = self.monotonic_clock()
            fired: List[Event] = [(u, 0, EventType.CLOCK, 0, 0) for d, u in clocks if d <= now]
            timeout_ns = 0 if fired else (min(d for d, _ in clocks) - now if clocks else None)
            try:
                ready_r, ready_w = _wait_host(list(readers), list(writers), timeout_ns)
            except InterruptedError:
                continue
            events: List[Event] = list(fired)
            for host_fd in ready_r:
                events += [(u, 0, EventType.FD_READ, 1, 0) for u in readers[host_fd]]
            for host_fd in ready_w:
                events += [(u, 0, EventType.FD_WRITE, 0, 0) for u in writers[host_fd]]
            if events:
                return events
            if clocks:
                # the wait timed out: the nearest deadline has passed
                now = max(self.monotonic_clock(), min(d for d, _ in clocks))
                return [(u, 0, EventType.CLOCK, 0, 0) for d, u in clocks if d <= now]


def _wait_host(readers: List[int], writers: List[int],
               timeout_ns: Optional[int]) -> Tuple[List[int], List[int]]:
    """Wait until host descriptors are ready (``poll`` where available: no FD_SETSIZE
    limit; else ``select``). A descriptor the host cannot wait on counts as ready."""
    if hasattr(select, "poll"):
        poller = select.poll()
        for fd in set(readers) | set(writers):
            poller.register(fd, (select.POLLIN if fd in readers else 0)
                            | (select.POLLOUT if fd in writers else 0))
        timeout_ms = None if timeout_ns is None else max(0, -(-timeout_ns // 1_000_000))
        ready = poller.poll(timeout_ms)
        done = select.POLLERR | select.POLLHUP | select.POLLNVAL
        ready_r = [fd for fd, ev in ready if fd in readers and ev & (select.POLLIN | done)]
        ready_w = [fd for fd, ev in ready if fd in writers and ev & (select.POLLOUT | done)]
        return ready_r, ready_w
    timeout = None if timeout_ns is None else max(0.0, timeout_ns / 1e9)
    try:
        ready_r, ready_w, _ = select.select(readers, writers, [], timeout)
    except (OSError, ValueError):
        return readers, writers
    return list(ready_r), list(ready_w)
