"""One whole stack for the whole contract package (a stack takes ~20 s to start), on the seeds' own rate
limits: any ``NUMEROS_*RATE*`` override in the caller's environment (``NUMEROS_RATE_LIMITS=off`` included) is
removed before the services start, so the limits the seeds promise are the ones checked (the gateway's own edge
limit, which no seed promises, is raised). Tests that exhaust a
limit do it as a fresh user from a loopback address of their own, so they never spend another test's budget."""
from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.conftest import running_stack

_ADDRESSES = (f"127.0.0.{n}" for n in itertools.count(10))


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    overrides: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("NUMEROS_") and "RATE" in name}
    # The gateway's edge limit (50 requests/s per IP) is ours, not a seed's: one test client's sequential
    # requests pass it now that a request takes under 20 ms, so it is raised here as in the golden record.
    overrides |= {"NUMEROS_EDGE_RATE_AVERAGE": "1000000", "NUMEROS_EDGE_RATE_BURST": "1000000"}
    with running_stack(overrides) as system:
        yield system


@pytest.fixture(scope="package")
def new_client(stack: Stack) -> Iterator[Callable[[], httpx.Client]]:
    """Clients on the gateway, each from its own loopback address: the gateway and the services see a
    different client IP per client, so per-IP limits (edge, anonymous, Human Design) are never shared."""
    made: list[httpx.Client] = []

    def make() -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=next(_ADDRESSES))
        client = httpx.Client(base_url=stack.gateway_url, timeout=30, transport=transport)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
