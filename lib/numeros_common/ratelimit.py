"""Per-user (or per-IP when anonymous) fixed-window limits in Redis, with the standard headers on
every response and 429 + Retry-After past the limit."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        h = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
             "X-RateLimit-Reset": str(self.reset_seconds)}
        if not self.allowed:
            h["Retry-After"] = str(self.reset_seconds)
        return h


class RateLimiter:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.namespace = namespace

    async def hit(self, subject: str, limit: int, window_seconds: int = 60, now: float | None = None) -> RateDecision:
        now = time.time() if now is None else now
        window = int(now // window_seconds)
        reset = int((window + 1) * window_seconds - now) or 1
        key = f"rl:{self.namespace}:{subject}:{window_seconds}:{window}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window_seconds + 1)
                count, _ = await pipe.execute()
        except RedisError as exc:
            # The edge limiter still protects us; an outage of the limiter must not take the API down.
            log.warning("rate limiter unavailable; allowing", extra={"error": repr(exc)})
            return RateDecision(True, limit, limit, reset)
        return RateDecision(count <= limit, limit, max(0, limit - count), reset)
