"""Rate limits: a moving window per subject in Redis (the ``limits`` library; a fixed window lets twice
the limit through across a window edge), the standard headers on every response, 429 + Retry-After past
the limit. ``X-RateLimit-Reset`` is the epoch second at which the oldest request in the window expires,
i.e. when the next request is allowed again once the budget is spent."""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # epoch seconds
    retry_after: int  # seconds until a request is allowed again (only meaningful when refused)

    @property
    def reset_seconds(self) -> int:
        return self.retry_after

    def headers(self) -> dict[str, str]:
        h = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
             "X-RateLimit-Reset": str(self.reset_at)}
        if not self.allowed:
            h["Retry-After"] = str(self.retry_after)
        return h


def limit_item(limit: int | str | RateLimitItem, window_seconds: int = 60) -> RateLimitItem:
    """``"100/hour"`` (the ``limits`` notation, as the settings give it) or N per ``window_seconds``."""
    if isinstance(limit, RateLimitItem):
        return limit
    if isinstance(limit, str):
        return parse(limit)
    return RateLimitItemPerSecond(limit, window_seconds)


class RateLimiter:
    def __init__(self, redis_url: str, namespace: str, *, enabled: bool = True) -> None:
        self.enabled = enabled  # NUMEROS_RATE_LIMITS=off: every request allowed, nothing counted
        self.storage = RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix=f"rl:{namespace}",
                                    wrap_exceptions=True, socket_timeout=2, socket_connect_timeout=2)
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, subject: str, limit: int | str | RateLimitItem, window_seconds: int = 60) -> RateDecision:
        return await self._decide(subject, limit_item(limit, window_seconds), count=True)

    async def peek(self, subject: str, limit: int | str | RateLimitItem, window_seconds: int = 60) -> RateDecision:
        """The decision a hit would get, without counting one: for limits that count only failures (wrong
        passwords), asked before the attempt and hit after it fails."""
        return await self._decide(subject, limit_item(limit, window_seconds), count=False)

    async def clear(self, subject: str, limit: int | str | RateLimitItem, window_seconds: int = 60) -> None:
        if self.enabled:
            try:
                await self.strategy.clear(limit_item(limit, window_seconds), subject)
            except Exception as exc:  # noqa: BLE001 - as in _decide
                log.warning("rate limiter unavailable; not cleared", extra={"error": repr(exc)})

    async def _decide(self, subject: str, item: RateLimitItem, *, count: bool) -> RateDecision:
        now = time.time()
        if not self.enabled:
            return RateDecision(True, item.amount, item.amount, int(now) + item.get_expiry(), 0)
        try:
            allowed = await (self.strategy.hit if count else self.strategy.test)(item, subject)
            stats = await self.strategy.get_window_stats(item, subject)
        except Exception as exc:  # noqa: BLE001 - storage errors (wrapped) and connection failures alike
            # The edge limiter still protects us; an outage of the limiter must not take the API down.
            log.warning("rate limiter unavailable; allowing", extra={"error": repr(exc)})
            return RateDecision(True, item.amount, item.amount, int(now) + item.get_expiry(), 0)
        reset_at = max(stats.reset_time, now)
        return RateDecision(allowed, item.amount, max(0, stats.remaining), math.ceil(reset_at),
                            max(1, math.ceil(reset_at - now)))

    async def close(self) -> None:
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()


@dataclass(frozen=True)
class RatePolicy:
    """Which limit applies under one router. Values name settings (``limits`` notation, e.g. ``"100/hour"``)
    so every limit is set by the environment.

    The bucket is the router's family by default; ``per_endpoint`` gives each route (method + path template)
    its own; ``routes`` gives one method's paths under a prefix (``"POST /api/v1/astro/compute"``) their own
    bucket and limit. ``premium_setting`` applies to
    callers whose account tier is ``premium``; ``by_ip`` counts per client IP even with a token."""

    name: str
    setting: str
    premium_setting: str | None = None
    per_endpoint: bool = False
    by_ip: bool = False
    routes: dict[str, str] = field(default_factory=dict)  # "METHOD /path/prefix" -> setting
