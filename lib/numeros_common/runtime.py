"""Everything a service holds open while it runs (pools, connections, background loops), started
and stopped in one place by the app's lifespan."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import Table, text

from .auth import TokenVerifier
from .chart_client import ChartClient
from .db import make_engine, make_session_factory
from .events.cleanup import EventCleanup
from .events.consumer import DurableConsumer
from .events.outbox import OutboxRelay
from .health import Check
from .nats_link import NatsLink
from .ratelimit import RateLimiter
from .settings import ServiceSettings

log = logging.getLogger(__name__)


def redis_client(url: str) -> Redis:
    """A pooled connection that a restarted Redis closed fails its next command: retry such failures on a
    fresh connection, a few times within half a second (redis-py's default waits up to ~4 s), so a request
    meets a short Redis restart as a short delay and one that outlasts it gets its 503 quickly."""
    return Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=10,
                          retry=Retry(ExponentialBackoff(cap=0.25, base=0.05), retries=3),
                          retry_on_error=[RedisConnectionError, RedisTimeoutError])


class Runtime:
    def __init__(self, settings: ServiceSettings, *, outbox: Table | None = None, inbox: Table | None = None,
                 uses_chart: bool = False, chart_required: bool = True) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.sessions = make_session_factory(self.engine)
        self.redis = redis_client(settings.redis_url)
        self.nats = NatsLink(settings.nats_url, settings.service_name)
        self.verifier = TokenVerifier(settings.jwt_public_key_pem, settings.jwt_issuer, settings.jwt_audience,
                                      self.redis)
        self.limiter = RateLimiter(settings.redis_url, settings.service_name, enabled=settings.rate_limits)
        self.outbox = outbox
        self.inbox = inbox
        self.relay = (OutboxRelay(self.sessions, outbox, self.nats, settings.outbox_poll_seconds)
                      if outbox is not None else None)
        self.cleanup = EventCleanup(sessions=self.sessions, outbox=outbox, inbox=inbox,
                                    outbox_retention=dt.timedelta(seconds=settings.outbox_retention_seconds),
                                    inbox_retention=dt.timedelta(seconds=settings.inbox_retention_seconds),
                                    interval_seconds=settings.events_cleanup_interval_seconds)
        self.chart = ChartClient(settings.chart_addr, settings.chart_deadline_seconds) if uses_chart else None
        # A service that degrades without chart (matching's scan) stays ready when chart is down.
        self.optional_checks: frozenset[str] = frozenset() if chart_required else frozenset({"chart"})
        self.consumers: list[DurableConsumer] = []
        self.extra_checks: dict[str, Check] = {}
        self.state: dict[str, Any] = {}  # service-specific long-lived objects
        self._tasks: list[asyncio.Task[Any]] = []

    def consume(self, name: str, subjects: list[str], handler, *, max_deliver: int = 50, batched: bool = False) -> None:
        assert self.inbox is not None, "a consuming service needs an inbox table"
        self.consumers.append(DurableConsumer(name=name, subjects=subjects, handler=handler, nats=self.nats,
                                              sessions=self.sessions, inbox=self.inbox, max_deliver=max_deliver,
                                              batched=batched))

    def background(self, factory: Callable[[], Any], name: str) -> None:
        self._tasks.append(asyncio.create_task(factory(), name=name))

    async def start(self) -> None:
        self.nats.start()
        if self.relay is not None:
            self.background(self.relay.run, "outbox-relay")
        if self.outbox is not None or self.inbox is not None:
            self.background(self.cleanup.run, "event-cleanup")
        for consumer in self.consumers:
            self.background(consumer.run, f"consumer-{consumer.name}")

    async def stop(self) -> None:
        # Libraries that use asyncio.wait_for (nats-py) can swallow one cancel: keep cancelling.
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=1.0)
        await self.nats.close()
        if self.chart is not None:
            await self.chart.close()
        await self.limiter.close()
        await self.redis.aclose()
        await self.engine.dispose()

    def readiness_checks(self) -> dict[str, Check]:
        async def postgres() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        async def redis() -> None:
            await self.redis.ping()

        async def nats() -> dict[str, Any]:
            return {"ok": self.nats.connected}

        checks: dict[str, Check] = {"postgres": postgres, "redis": redis, "nats": nats}
        if self.chart is not None:
            checks["chart"] = self.chart.check_health
        checks.update(self.extra_checks)
        return checks
