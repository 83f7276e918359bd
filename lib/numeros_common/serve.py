"""Process entry points shared by the HTTP services: ``serve`` (default) and ``migrate``."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import uvicorn

from .logging import configure_logging
from .migrations import upgrade
from .settings import ServiceSettings


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def main(settings: ServiceSettings, app_factory: str, migrations_dir: Path, argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "serve"
    configure_logging(settings.service_name, settings.log_level)
    if command == "migrate":
        upgrade(migrations_dir, settings.database_url)
        return
    if command != "serve":
        sys.exit(f"usage: python -m services.{settings.service_name} [serve|migrate]")
    if not port_is_free(settings.http_host, settings.http_port):
        sys.stderr.write(f"{settings.service_name}: port {settings.http_port} on {settings.http_host} is already "
                         f"in use; stop whatever holds it or set NUMEROS_HTTP_PORT.\n")
        sys.exit(2)
    uvicorn.run(app_factory, factory=True, host=settings.http_host, port=settings.http_port, log_config=None,
                proxy_headers=False, ws_ping_interval=20, ws_ping_timeout=20, timeout_graceful_shutdown=10)
