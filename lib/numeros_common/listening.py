"""Whether a process can listen where it is told to, asked before it starts serving: one clear line for the
operator instead of a server library's own bind error (gRPC core logs several lines, or with SO_REUSEPORT
silently shares the port with another server; uvicorn ends in a traceback)."""
from __future__ import annotations

import errno
import socket
from typing import Any, NamedTuple


class CannotListen(Exception):
    """``host:port`` cannot be listened on; the message is the reason ("address already in use", …)."""


class PassiveAddress(NamedTuple):
    family: int
    kind: int
    protocol: int
    address: Any  # (host, port) for IPv4, (host, port, flow info, scope id) for IPv6


def passive_address(host: str, port: int) -> PassiveAddress:
    """The address a listening socket for ``host`` (a name, IPv4 or IPv6, bracketed or not) binds to."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise CannotListen(error.strerror) from None
    return PassiveAddress(family, kind, protocol, address)


def check_free(where: PassiveAddress) -> None:
    """CannotListen when something already holds ``where`` (a socket closing in TIME_WAIT does not count)."""
    with socket.socket(where.family, where.kind, where.protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where.address)
        except OSError as error:
            raise CannotListen("address already in use" if error.errno == errno.EADDRINUSE
                               else error.strerror) from None
