"""The one "can we listen there?" check the HTTP services and chart's workers make before serving."""
from __future__ import annotations

import socket

import pytest

from numeros_common.listening import CannotListen, check_free, passive_address


def test_a_port_someone_listens_on_is_refused_by_name_and_a_free_one_is_not() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(CannotListen, match="^address already in use$"):
            check_free(passive_address("127.0.0.1", port))
    check_free(passive_address("127.0.0.1", port))  # released: free again (TIME_WAIT does not count)


def test_ipv6_hosts_bracketed_or_not_resolve_to_an_ipv6_address() -> None:
    for host in ("::1", "[::1]"):
        where = passive_address(host, 8080)
        assert (where.family, where.address[:2]) == (socket.AF_INET6, ("::1", 8080))


def test_a_host_that_does_not_resolve_says_why() -> None:
    with pytest.raises(socket.gaierror) as resolver:
        socket.getaddrinfo("no-such-host.invalid", 8080)
    with pytest.raises(CannotListen) as raised:
        passive_address("no-such-host.invalid", 8080)
    assert str(raised.value) == resolver.value.strerror  # e.g. "Name or service not known"
