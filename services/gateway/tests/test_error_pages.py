"""Through the real Traefik: a service that is down, and a path no route serves, answer in the project's
JSON envelope with a code; a service's own error bodies (503, 404) pass through untouched."""
import http.server
import json
import threading
import urllib.error
import urllib.request

import pytest

from devstack.components import Traefik
from devstack.processes import free_port
from services.gateway.render import file_provider_config
from services.gateway.routes import EdgePolicy

OWN_503 = {"error": {"code": "CHART_UNAVAILABLE", "message": "chart is down", "request_id": "svc"}}
OWN_404 = {"error": {"code": "MATCH_NOT_FOUND", "message": "no such match", "request_id": "svc"}}


class _Matching(http.server.BaseHTTPRequestHandler):
    """A stand-in matching that answers with its own coded errors."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        status, body = (503, OWN_503) if self.path.startswith("/api/v1/scan") else (404, OWN_404)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None: ...


@pytest.fixture(scope="module")
def gateway(infra, tmp_path_factory, error_pages):
    matching = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Matching)
    threading.Thread(target=matching.serve_forever, daemon=True).start()
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens: identity and chat are down
    backends = {"identity": down, "chat": down, "matching": f"http://127.0.0.1:{matching.server_port}"}
    config = file_provider_config(backends | error_pages, [f"127.0.0.1:{infra.redis.port}"], EdgePolicy())
    traefik = Traefik(tmp_path_factory.mktemp("traefik-errors"), free_port(), free_port(), config).start()
    yield f"http://127.0.0.1:{traefik.port}"
    traefik.stop()
    matching.shutdown()


def call(url: str, method: str = "GET", headers: dict | None = None, data: bytes | None = None):
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/readyz", "/api/v1/matches/3/messages"])
def test_a_service_that_is_down_answers_a_coded_json_502(gateway, path):
    status, headers, body = call(gateway + path, "POST" if "login" in path else "GET",
                                 {"X-Request-ID": "down-1", "Content-Type": "application/json"},
                                 b'{"email": "a@b.c"}' if "login" in path else None)
    assert (status, headers["Content-Type"], headers["Retry-After"], headers["X-Request-Id"]) == (
        502, "application/json", "1", "down-1")
    assert json.loads(body) == {"error": {"code": "SERVICE_UNAVAILABLE", "request_id": "down-1",
                                          "message": "The service behind this path is not answering; "
                                                     "try again shortly."}}


def test_a_path_no_route_serves_is_a_coded_json_404_with_a_fresh_request_id(gateway):
    status, headers, body = call(gateway + "/api/v1/nothing-here", "POST", data=b"x" * 1000)
    document = json.loads(body)
    assert (status, document["error"]["code"], document["error"]["message"]) == (404, "NOT_FOUND", "No such path.")
    assert document["error"]["request_id"] == headers["X-Request-Id"]
    assert len(headers["X-Request-Id"]) == 32


def test_a_services_own_error_bodies_pass_through(gateway):
    assert call(gateway + "/api/v1/scan")[::2] == (503, json.dumps(OWN_503).encode())
    assert call(gateway + "/api/v1/matches/999")[::2] == (404, json.dumps(OWN_404).encode())
