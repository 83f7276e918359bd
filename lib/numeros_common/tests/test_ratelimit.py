"""The moving-window limiter on the real Redis, on a controlled clock."""
import types
import uuid

import pytest

from numeros_common import ratelimit
from numeros_common.ratelimit import RateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    import limits.aio.storage.redis.redispy as redispy

    clock = Clock(1_000_000_000.0)
    fake = types.SimpleNamespace(time=clock.time)
    monkeypatch.setattr(redispy, "time", fake)
    monkeypatch.setattr(ratelimit, "time", fake)
    return clock


@pytest.fixture
async def limiter(infra):
    limiter = RateLimiter(infra.redis_url, f"test-{uuid.uuid4().hex}")
    yield limiter
    await limiter.close()


async def test_a_burst_at_a_window_edge_does_not_let_twice_the_limit_through(limiter, clock):
    clock.now = 1_000_000_019.9  # 0.1 s before a fixed 60-second window would end (1e9 + 20 = 60 * 16666667)
    assert (1_000_000_020 % 60) == 0
    before = [(await limiter.hit("u", 5)).allowed for _ in range(5)]
    clock.now = 1_000_000_020.1  # a fixed window would have started counting again here
    after = [(await limiter.hit("u", 5)).allowed for _ in range(5)]
    assert before == [True] * 5 and after == [False] * 5
    clock.now = 1_000_000_079.95  # the first five are 60 s old: room again
    assert (await limiter.hit("u", 5)).allowed


async def test_reset_is_the_epoch_second_the_oldest_request_leaves_the_window(limiter, clock):
    clock.now = 1_000_000_000.25
    first = await limiter.hit("u", 2)
    clock.now = 1_000_000_010.5
    second = await limiter.hit("u", 2)
    refused = await limiter.hit("u", 2)
    assert (first.remaining, first.reset_at) == (1, 1_000_000_061)  # ceil(1e9 + 0.25 + 60)
    assert (second.remaining, second.reset_at) == (0, 1_000_000_061)
    assert (refused.allowed, refused.retry_after) == (False, 50)  # ceil(60.25 - 10.5)
    assert refused.headers()["X-RateLimit-Reset"] == "1000000061" and refused.headers()["Retry-After"] == "50"


async def test_limits_in_the_settings_notation(limiter, clock):
    decisions = [await limiter.hit("u", "3/hour") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 3600 and decisions[0].limit == 3


async def test_off_switch_allows_everything(infra):
    limiter = RateLimiter(infra.redis_url, f"test-{uuid.uuid4().hex}", enabled=False)
    assert all([(await limiter.hit("u", 1)).allowed for _ in range(10)])
    await limiter.close()


def test_settings_switch_and_notation(monkeypatch):
    from pydantic import ValidationError

    from numeros_common.settings import ServiceSettings

    monkeypatch.setenv("NUMEROS_RATE_LIMITS", "off")
    monkeypatch.setenv("NUMEROS_RATE_LIMIT_ASTRO", "7/hour")
    settings = ServiceSettings()
    assert (settings.rate_limits, settings.rate_limit_astro) == (False, "7/hour")
    monkeypatch.setenv("NUMEROS_RATE_LIMIT_ASTRO", "seven an hour")
    with pytest.raises(ValidationError, match="rate_limit_astro"):
        ServiceSettings()
