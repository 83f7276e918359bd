"""How a client channel reaches chart: its target and options, shared by ``chart_client`` and the
benchmarks (which run as scripts and cannot import the FastAPI side of the library)."""
from __future__ import annotations

import json
import socket

from numeros.chart.v1 import chart_pb2

# gRPC's default reconnect backoff (1 s, x1.6 up to 120 s) grows while chart is down, so the channel would
# try again only seconds after chart listens again; capped at 500 ms it is back within ~0.5 s of chart.
# grpc.min_reconnect_backoff_ms stays at its default: it is also each connection attempt's timeout, and a
# chart that is still starting its workers can take more than a second to answer a new connection.
RECONNECT_OPTIONS = (("grpc.initial_reconnect_backoff_ms", 100), ("grpc.max_reconnect_backoff_ms", 500))
# round_robin: one connection per address (chart worker or pod), each call to the next ready one. A call
# that fails UNAVAILABLE (its worker died mid-call, or was not reachable) is retried on another; chart's
# calls are pure calculations, so running one twice is harmless.
SERVICE_CONFIG = json.dumps({
    "loadBalancingConfig": [{"round_robin": {}}],
    "methodConfig": [{
        "name": [{"service": chart_pb2.DESCRIPTOR.services_by_name["ChartService"].full_name}],
        "retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.05s", "maxBackoff": "0.5s", "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"]},
    }],
})
CHANNEL_OPTIONS = (("grpc.enable_retries", 1), ("grpc.service_config", SERVICE_CONFIG),
                   ("grpc.lb_policy_name", "round_robin"), *RECONNECT_OPTIONS)
_SCHEMES = ("dns:", "ipv4:", "ipv6:", "unix:", "unix-abstract:")


def channel_target(address: str) -> str:
    """``address`` as a gRPC target. A comma-separated list of ``host:port`` (every chart worker's own
    port) becomes one ``ipv4:``/``ipv6:`` list target, which round_robin balances call by call; gRPC's
    list targets take IP literals, so host names are resolved here, once. Anything else (one address,
    ``dns:///chart:50051`` for every pod of a headless Service, an explicit scheme) is used as given."""
    if "," not in address or address.startswith(_SCHEMES):
        return address
    parts = []
    for part in address.split(","):
        host, _, port = part.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"chart address {part!r}: expected host:port")
        found = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)
        parts.append(({family: sockaddr[0] for family, *_, sockaddr in reversed(found)}, int(port)))
    # One family for the whole list (a list target has one scheme): IPv4 when every host has an address there.
    for family, scheme, form in ((socket.AF_INET, "ipv4", "{}:{}"), (socket.AF_INET6, "ipv6", "[{}]:{}")):
        if all(family in addresses for addresses, _ in parts):
            return f"{scheme}:" + ",".join(form.format(addresses[family], port) for addresses, port in parts)
    raise ValueError(f"chart address {address!r} mixes IPv4 and IPv6 hosts")
