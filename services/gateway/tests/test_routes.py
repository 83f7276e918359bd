"""The route table: generated files are current, and Traefik routes every public path to its owner."""
import asyncio
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from websockets.asyncio.server import serve

from devstack.components import Traefik
from devstack.processes import free_port
from services.gateway.render import (COMPOSE_FILE, K8S_ERROR_PAGES_FILE, K8S_FILE, compose_text, file_provider_config,
                                     k8s_error_pages_text, k8s_text)
from services.gateway.routes import ERROR_PAGES, ROUTES, SERVICES, EdgePolicy

BACKENDS = (*SERVICES, ERROR_PAGES)


def test_generated_gateway_files_match_the_route_table():
    assert COMPOSE_FILE.read_text() == compose_text(), "run `make render` and commit the result"
    assert K8S_FILE.read_text() == k8s_text(), "run `make render` and commit the result"
    assert K8S_ERROR_PAGES_FILE.read_text() == k8s_error_pages_text(), "run `make render` and commit the result"


def test_overlapping_rules_have_explicit_priorities():
    by_name = {r.name: r for r in ROUTES}
    assert by_name["chat-messages"].priority > by_name["matching-matches"].priority


class EchoBackends:
    """Three stand-in upstreams (named like the services) that answer with what they received."""

    def __init__(self) -> None:
        self.ports = {name: free_port() for name in ("identity", "matching", "chat")}
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = self.loop.create_future()
        servers = []
        for name, port in self.ports.items():
            servers.append(await serve(self._ws_handler(name), "127.0.0.1", port,
                                       process_request=self._http_handler(name)))
        self._ready.set()
        await self._stop
        for server in servers:
            server.close()

    def _http_handler(self, name):
        def handle(connection, request):
            if request.headers.get("Upgrade", "").lower() == "websocket":
                return None
            body = json.dumps({"service": name, "path": request.path,
                               "headers": {k.lower(): v for k, v in request.headers.raw_items()}})
            response = connection.respond(200, body)
            response.headers["Content-Type"] = "application/json"
            return response
        return handle

    def _ws_handler(self, name):
        async def handle(ws):
            async for message in ws:
                await ws.send(f"{name}:{ws.request.path}:{message}")
        return handle

    def start(self) -> "EchoBackends":
        self.thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set_result, None)
        self.thread.join(5)


@pytest.fixture(scope="module")
def gateway(infra, tmp_path_factory, error_pages):
    backends = EchoBackends().start()
    policy = EdgePolicy(rate_average=5, rate_burst=20)
    config = file_provider_config({n: f"http://127.0.0.1:{p}" for n, p in backends.ports.items()} | error_pages,
                                  [f"127.0.0.1:{infra.redis.port}"], policy)
    traefik = Traefik(tmp_path_factory.mktemp("traefik"), free_port(), free_port(), config).start()
    yield f"http://127.0.0.1:{traefik.port}", traefik
    traefik.stop()
    backends.stop()


def get(url: str, headers: dict | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, json.load(reply), dict(reply.headers)
    except urllib.error.HTTPError as err:
        body = err.read()
        return err.code, json.loads(body) if body.startswith(b"{") else {}, dict(err.headers)


@pytest.mark.parametrize(("path", "service", "upstream_path"), [
    ("/api/v1/matches/17/messages", "chat", "/api/v1/matches/17/messages"),
    ("/api/v1/matches/17/messages/", "chat", "/api/v1/matches/17/messages/"),
    ("/api/v1/matches/17", "matching", "/api/v1/matches/17"),
    ("/api/v1/matches", "matching", "/api/v1/matches"),
    ("/api/v1/scan/", "matching", "/api/v1/scan/"),
    ("/api/v1/resonance", "matching", "/api/v1/resonance"),
    ("/api/v1/auth/register/", "identity", "/api/v1/auth/register/"),
    ("/api/v1/numerology/calculate", "identity", "/api/v1/numerology/calculate"),
    ("/readyz", "identity", "/system/public-readyz"),
    ("/healthz", "identity", "/healthz"),
])
def test_paths_reach_their_owning_service(gateway, path, service, upstream_path):
    status, body, _ = get(gateway[0] + path, {"X-Forwarded-For": "10.9.9.9"})
    assert status == 200
    assert (body["service"], body["path"]) == (service, upstream_path)


def test_api_documentation_reaches_identity(gateway):
    """Swagger UI's page, its assets and the merged OpenAPI document are all identity's."""
    for path in ("/api/docs", "/api/docs/assets/swagger-ui.css", "/api/v1/openapi.json"):
        status, body, _ = get(gateway[0] + path)
        assert (status, body["service"], body["path"]) == (200, "identity", path)
    assert get(gateway[0] + "/api/docsx")[0] == 404


def test_unknown_paths_and_lookalike_prefixes_are_404(gateway):
    for path in ("/api/v1/scanner", "/internal/anything"):
        status, body, headers = get(gateway[0] + path, {"X-Request-ID": "lookalike-1"})
        assert (status, body) == (404, {"error": {"code": "NOT_FOUND", "message": "No such path.",
                                                  "request_id": "lookalike-1"}})


def test_client_sent_identity_headers_are_stripped(gateway):
    _, body, _ = get(gateway[0] + "/api/v1/auth/me", {"X-User-Id": "1", "X-Numeros-Admin": "true"})
    assert "x-user-id" not in body["headers"]
    assert "x-numeros-admin" not in body["headers"]
    _, aliased, _ = get(gateway[0] + "/api/v1/auth/me", {"X_User_Id": "1"})
    assert not any(k.replace("_", "-") == "x-user-id" for k in aliased["headers"])
    assert body["headers"]["x-real-ip"] == "127.0.0.1"


async def test_websocket_upgrades_route_to_chat(gateway):
    ws_url = gateway[0].replace("http://", "ws://") + "/ws/chat/5/"
    async with websockets.connect(ws_url) as ws:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 5) == "chat:/ws/chat/5/:hello"


def test_edge_rate_limit_answers_429_past_the_burst(gateway):
    statuses = [get(gateway[0] + "/api/v1/matches")[0] for _ in range(60)]
    assert 429 in statuses
    assert statuses[0] == 200


def test_rate_limit_state_lives_in_redis(gateway, infra):
    import redis

    store = redis.Redis.from_url(infra.redis_url)
    for key in store.scan_iter("rate:*"):
        store.delete(key)  # a fresh bucket for this client
    get(gateway[0] + "/api/v1/matches")
    # Traefik's Redis limiter keys a token bucket by middleware and client IP; this one
    # request took one token from the fixture's burst of 20.
    assert store.keys("rate:*") == [b"rate:edge-ratelimit@file:127.0.0.1"]
    assert store.hget("rate:edge-ratelimit@file:127.0.0.1", "tokens") == b"19"


def test_access_log_is_json(gateway):
    get(gateway[0] + "/api/v1/matches")
    traefik = gateway[1]
    lines = (Path(traefik.data_dir) / "traefik.log").read_text().splitlines()
    access = [json.loads(line) for line in lines if '"RequestPath"' in line]
    assert any(entry["RequestPath"] == "/api/v1/matches" for entry in access)


def test_edge_limit_is_set_by_the_environment_and_switched_off_with_every_other_limit():
    tuned = EdgePolicy.from_env({"NUMEROS_EDGE_RATE_AVERAGE": "7", "NUMEROS_EDGE_RATE_BURST": "9"})
    config = file_provider_config(dict.fromkeys(BACKENDS, "http://127.0.0.1:1"), ["r:1"], tuned)
    assert config["http"]["middlewares"]["edge-ratelimit"]["rateLimit"]["average"] == 7
    assert config["http"]["middlewares"]["edge-ratelimit"]["rateLimit"]["burst"] == 9
    off = EdgePolicy.from_env({"NUMEROS_RATE_LIMITS": "off"})
    config = file_provider_config(dict.fromkeys(BACKENDS, "http://127.0.0.1:1"), ["r:1"], off)
    assert "edge-ratelimit" not in config["http"]["middlewares"]
    assert not [r for r in config["http"]["routers"].values() if "edge-ratelimit" in r["middlewares"]]
    assert "edge-ratelimit" in file_provider_config(dict.fromkeys(BACKENDS, "x"), ["r:1"],
                                                    EdgePolicy.from_env({}))["http"]["middlewares"]


def test_metrics_are_not_public_but_traefik_exports_its_own_internally(gateway, infra):
    """The route table names public prefixes only: a service's /metrics (and its detailed /system/readyz) answer
    on the service's port but are 404 through the gateway. Traefik's metrics are on its internal entrypoint."""
    from prometheus_client.parser import text_string_to_metric_families

    url, traefik = gateway
    for path in ("/metrics", "/system/readyz", "/system/public-readyz"):
        assert get(url + path)[0] == 404, path
    identity_servers = traefik.dynamic_config["http"]["services"]["identity"]["loadBalancer"]["servers"]
    backend = f"http://127.0.0.1:{identity_servers[0]['url'].rsplit(':', 1)[1]}"
    assert get(backend + "/metrics")[0] == 200  # the upstream would have answered: the gateway did not route it
    get(url + "/api/v1/matches")
    with urllib.request.urlopen(f"http://127.0.0.1:{traefik.ping_port}/metrics", timeout=5) as reply:
        families = {f.name for f in text_string_to_metric_families(reply.read().decode())}
    assert {"traefik_entrypoint_requests", "traefik_router_requests", "traefik_service_requests"} <= families
