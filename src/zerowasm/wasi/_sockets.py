"""``sock_accept``, ``sock_recv``, ``sock_send``, ``sock_shutdown``.

Spec: WASI preview 1. A guest cannot create sockets; it can only accept connections on
listening sockets the host pre-opened (``WasiConfig.sockets``, ``zerowasm run
--tcplisten``) and use the connections it accepted.
"""

from __future__ import annotations

import socket

from ._abi import FdFlags, RiFlags, Rights, SdFlags
from ._base import WasiBase
from ._descriptors import SocketDescriptor, recv_into, send_from
from ._errno import Errno, WasiError
from ._memory import U32_MASK, GuestMemory

__all__ = ["SockCalls"]


class SockCalls(WasiBase):
    def _socket(self, fd: int, rights: int) -> SocketDescriptor:
        descriptor = self._descriptor(fd)
        if not isinstance(descriptor, SocketDescriptor):
            raise WasiError(Errno.ENOTSOCK)
        descriptor.require(rights)
        return descriptor

    def sock_accept(self, memory: GuestMemory, fd: int, flags: int, ro_fd_ptr: int) -> None:
        """Accept a connection on listening socket ``fd``; write the new descriptor (u32)
        at ``ro_fd_ptr``. ``flags`` may hold ``fdflags.nonblock`` only (else EINVAL).
        EAGAIN if ``fd`` is non-blocking and nobody is waiting. Needs ``sock_accept``."""
        descriptor = self._socket(fd, Rights.SOCK_ACCEPT)
        flags &= 0xFFFF
        if flags & ~int(FdFlags.NONBLOCK):
            raise WasiError(Errno.EINVAL)
        memory.check(ro_fd_ptr, 4)
        connection, _address = descriptor.socket.accept()
        new_fd = self.fds.insert(SocketDescriptor(connection, flags))
        memory.write_u32(ro_fd_ptr, new_fd)

    def sock_recv(self, memory: GuestMemory, fd: int, ri_data: int, ri_data_len: int,
                  ri_flags: int, ro_datalen_ptr: int, ro_flags_ptr: int) -> None:
        """Receive into the ``iovec`` array at ``ri_data`` (``riflags``: recv_peek,
        recv_waitall); write the byte count (u32) at ``ro_datalen_ptr`` and ``roflags``
        (u16, always 0 for stream sockets) at ``ro_flags_ptr``. Needs ``fd_read``."""
        descriptor = self._socket(fd, Rights.FD_READ)
        ri_flags &= 0xFFFF
        if ri_flags & ~int(RiFlags.RECV_PEEK | RiFlags.RECV_WAITALL):
            raise WasiError(Errno.EINVAL)
        memory.check(ro_datalen_ptr, 4)
        memory.check(ro_flags_ptr, 2)
        buffers = memory.iovecs(ri_data, ri_data_len)
        host_flags = 0
        if ri_flags & RiFlags.RECV_PEEK:
            host_flags |= socket.MSG_PEEK
        if ri_flags & RiFlags.RECV_WAITALL:
            host_flags |= getattr(socket, "MSG_WAITALL", 0)
        received = recv_into(descriptor.socket, buffers, host_flags)
        memory.write_u32(ro_datalen_ptr, received)
        memory.write_u16(ro_flags_ptr, 0)

    def sock_send(self, memory: GuestMemory, fd: int, si_data: int, si_data_len: int,
                  si_flags: int, so_datalen_ptr: int) -> None:
        """Send the ``ciovec`` array at ``si_data``; write the count (u32) at
        ``so_datalen_ptr``. ``si_flags`` must be 0 (EINVAL). Needs ``fd_write``."""
        descriptor = self._socket(fd, Rights.FD_WRITE)
        if si_flags & 0xFFFF:
            raise WasiError(Errno.EINVAL)
        memory.check(so_datalen_ptr, 4)
        buffers = memory.iovecs(si_data, si_data_len)
        memory.write_u32(so_datalen_ptr, send_from(descriptor.socket, buffers))

    def sock_shutdown(self, memory: GuestMemory, fd: int, how: int) -> None:
        """Shut down receiving (``sdflags.rd``), sending (``wr``) or both. EINVAL for
        other values, ENOTSOCK for a descriptor that is not a socket. Needs
        ``sock_shutdown``."""
        descriptor = self._socket(fd, Rights.SOCK_SHUTDOWN)
        how &= U32_MASK
        modes = {int(SdFlags.RD): socket.SHUT_RD, int(SdFlags.WR): socket.SHUT_WR,
                 int(SdFlags.RD | SdFlags.WR): socket.SHUT_RDWR}
        if how not in modes:
            raise WasiError(Errno.EINVAL)
        descriptor.socket.shutdown(modes[how])
