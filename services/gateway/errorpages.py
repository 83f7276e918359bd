"""The gateway's own error bodies, in the project's envelope: what Traefik answers when a service is not
there (502 connection refused or reset, 504 timed out: its ``errors`` middleware fetches ``/errors/{status}``
here) and for a path no route serves (404, the lowest-priority catch-all route).

A separate, tiny process, standard library only (it starts in a few tens of milliseconds and shares no
failure with the services it stands in for; compose and Kubernetes run this one file on the official Python
image): Traefik serves no bodies of its own, and a service cannot
serve the error page for its own absence. It runs beside Traefik everywhere: supervised by devstack, a
container in docker compose, a sidecar in the gateway's Kubernetes pod."""
from __future__ import annotations

import json
import os
import re
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES = {
    404: ("NOT_FOUND", "No such path."),
    502: ("SERVICE_UNAVAILABLE", "The service behind this path is not answering; try again shortly."),
    503: ("SERVICE_UNAVAILABLE", "The service behind this path is not answering; try again shortly."),
    504: ("GATEWAY_TIMEOUT", "The service behind this path did not answer in time; try again shortly."),
}
RETRY_AFTER_SECONDS = 1  # the services restart within seconds (docs/reliability.md)
_ERROR_PATH = re.compile(r"^/errors/(\d{3})$")


def request_id(incoming: str | None) -> str:
    """The client's X-Request-ID when it is one the services would keep too, else a fresh one."""
    value = (incoming or "")[:64]
    return value if value and value.replace("-", "").isalnum() else uuid.uuid4().hex


def page(path: str, incoming_request_id: str | None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for ``/errors/<status>``; anything else is the 404 page."""
    match = _ERROR_PATH.match(path.split("?", 1)[0])
    status = int(match.group(1)) if match and int(match.group(1)) in PAGES else 404
    code, message = PAGES[status]
    rid = request_id(incoming_request_id)
    headers = {"Content-Type": "application/json", "X-Request-ID": rid, "Cache-Control": "no-store"}
    if status >= 500:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    body = json.dumps({"error": {"code": code, "message": message, "request_id": rid}}).encode()
    return status, headers, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive with Traefik
    server_version = "numeros-errorpages"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)  # a request body sent to an unknown path: drain it, keep the connection
        status, headers, body = page(self.path, self.headers.get("X-Request-ID"))
        if self.headers.get("Transfer-Encoding"):  # a chunked body we do not read: end the connection after
            headers["Connection"] = "close"
            self.close_connection = True
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Quiet: Traefik's access log already has every request."""


def serve() -> None:
    host = os.environ.get("NUMEROS_HTTP_HOST", "127.0.0.1")
    port = int(os.environ.get("NUMEROS_HTTP_PORT", "8088"))
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    serve()
