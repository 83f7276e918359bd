"""Process entry points shared by the HTTP services: ``serve`` (default), ``migrate`` and
``replay-dead-letters [--consumer NAME] [--limit N]`` (an operator's command, see events/deadletter.py)."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import nats
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .events.deadletter import replay_dead_letters
from .events.streams import ensure_streams
from .listening import CannotListen, check_free, passive_address
from .logging import configure_logging, logging_config
from .migrations import upgrade
from .settings import ServiceSettings


async def replay(settings: ServiceSettings, argv: list[str]) -> int:
    """Republish this service's dead letters (its consumers are named ``<service>-...``), or one consumer's."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{settings.service_name} replay-dead-letters")
    parser.add_argument("--consumer", help="only this consumer's dead letters (default: every consumer of "
                                           f"{settings.service_name})")
    parser.add_argument("--limit", type=int, help="at most this many (oldest first)")
    args = parser.parse_args(argv)
    own = f"{settings.service_name}-"
    async def quiet(exc: Exception) -> None:
        """The failure is reported once, below, not logged on every attempt."""

    try:
        nc = await nats.connect(settings.nats_url, name=f"{settings.service_name}-replay", connect_timeout=5,
                                allow_reconnect=False, max_reconnect_attempts=1, reconnect_time_wait=0.5,
                                error_cb=quiet)
    except Exception as exc:  # noqa: BLE001 - an operator's command: one clear line, not a traceback
        raise SystemExit(f"cannot reach NATS at {settings.nats_url}: {exc!r}") from exc
    try:
        js = nc.jetstream(timeout=5)
        await ensure_streams(js)
        return await replay_dead_letters(
            js, limit=args.limit,
            select=(lambda name: name == args.consumer) if args.consumer else (lambda name: name.startswith(own)))
    finally:
        await nc.close()


def main(settings: ServiceSettings, app_factory: str, migrations_dir: Path, argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "serve"
    configure_logging(settings.service_name, settings.log_level)
    if command == "migrate":
        upgrade(migrations_dir, settings.database_url)
        return
    if command == "replay-dead-letters":
        replayed = asyncio.run(replay(settings, argv[1:]))
        print(f"replayed {replayed} dead letter(s)")
        return
    if command != "serve":
        sys.exit(f"usage: python -m services.{settings.service_name} [serve|migrate|replay-dead-letters]")
    try:
        check_free(passive_address(settings.http_host, settings.http_port))
    except CannotListen as error:
        sys.stderr.write(f"{settings.service_name}: cannot listen on port {settings.http_port} on "
                         f"{settings.http_host}: {error}; stop whatever holds it or set NUMEROS_HTTP_PORT.\n")
        sys.exit(2)
    workers = http_workers(settings)
    # One process: logging is configured above. Several: each worker starts fresh and applies this itself.
    log_config = logging_config(settings.service_name, settings.log_level) if workers > 1 else None
    uvicorn.run(app_factory, factory=True, host=settings.http_host, port=settings.http_port, log_config=log_config,
                proxy_headers=False, ws_ping_interval=settings.ws_ping_interval_seconds,
                ws_ping_timeout=settings.ws_ping_timeout_seconds, timeout_graceful_shutdown=10,
                **UVICORN_SPEED, workers=workers)


class _HeadersWithBody:
    """A response's transport that holds its status line and headers until the first body write and sends
    both in one ``write`` (uvicorn writes them separately: two syscalls, two TCP segments the gateway reads).

    Only a response with a ``content-length`` is held (its body follows at once); a chunked (streamed) one
    and interim ``1xx`` answers go out as written. ``close`` sends what is held first."""

    __slots__ = ("_transport", "_held")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + data)
        elif data[:10] != b"HTTP/1.1 1" and data[:5] == b"HTTP/" and b"\r\ncontent-length:" in data:
            self._held = bytes(data)
        else:
            self._transport.write(data)

    def close(self) -> None:
        if self._held is not None:
            self._transport.write(self._held)
            self._held = None
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class OneWriteHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, each response written in one piece (see ``_HeadersWithBody``). A HEAD
    answer has no body write to carry its headers, so it is written as uvicorn does."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope and self.scope.get("method") != "HEAD" \
                and cycle.transport is self.transport:
            cycle.transport = _HeadersWithBody(self.transport)


# uvloop and httptools (C event loop and HTTP parser) rather than uvicorn's "auto", so a missing wheel fails
# at start instead of silently serving at half the speed; our own request log replaces the access log.
UVICORN_SPEED = {"loop": "uvloop", "http": f"{__name__}:{OneWriteHttpProtocol.__name__}", "access_log": False}


def http_workers(settings: ServiceSettings) -> int:
    """NUMEROS_HTTP_WORKERS, 0 meaning one per core this process may run on."""
    return settings.http_workers or len(os.sched_getaffinity(0))
