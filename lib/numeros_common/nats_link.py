"""A NATS connection that never blocks service start-up: it connects (and reconnects) in the
background, so writes keep succeeding while NATS is down and the outbox catches up later."""
from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext

from .events.streams import ensure_streams

log = logging.getLogger(__name__)


def cancel_requested() -> bool:
    """True once this task was asked to stop, even if a library (nats-py's wait_for) swallowed the
    CancelledError and turned it into another error: retry loops must then stop, not retry."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class NatsLink:
    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.closing = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect_forever(), name=f"nats-connect-{self.name}")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                nc = await nats.connect(
                    self.url, name=self.name, connect_timeout=2, allow_reconnect=True,
                    max_reconnect_attempts=-1, reconnect_time_wait=0.5, drain_timeout=2,
                    error_cb=self._on_error, disconnected_cb=self._on_disconnect,
                    reconnected_cb=self._on_reconnect,
                )
                js = nc.jetstream(timeout=5)
                await ensure_streams(js)
                self._nc, self._js = nc, js
                self._ready.set()
                log.info("connected to NATS", extra={"url": self.url})
                return
            except Exception as exc:  # noqa: BLE001 - keep trying whatever the failure
                log.warning("NATS not reachable yet", extra={"url": self.url, "error": repr(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _on_error(self, exc: Exception) -> None:
        log.debug("NATS client error", extra={"error": repr(exc)})

    async def _on_disconnect(self) -> None:
        log.warning("NATS disconnected")

    async def _on_reconnect(self) -> None:
        log.info("NATS reconnected")

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    @property
    def js(self) -> JetStreamContext | None:
        return self._js if self.connected else None

    async def wait_ready(self) -> JetStreamContext:
        await self._ready.wait()
        assert self._js is not None
        return self._js

    async def close(self) -> None:
        self.closing = True
        if self._task is not None:
            self._task.cancel()
        if self._nc is not None and not self._nc.is_closed:
            try:
                await self._nc.drain()
            except Exception:  # noqa: BLE001 - closing anyway
                await self._nc.close()
