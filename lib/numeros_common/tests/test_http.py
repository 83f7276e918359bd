"""The shared app shell: error envelope, trailing slashes, request ids, rate limit headers."""
import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field
from redis.asyncio import Redis

from numeros_common.http import create_service_app
from numeros_common.ratelimit import RateLimiter


class Body(BaseModel):
    birth_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


router = APIRouter()


@router.post("/api/v1/things")
async def make_thing(body: Body) -> dict:
    return {"ok": body.birth_date}


@router.get("/api/v1/boom")
async def boom() -> dict:
    raise RuntimeError("unexpected")


class FakeRuntime:
    """Only what the shell needs; the limiter is real and talks to the real Redis."""

    def __init__(self, redis_url: str, limit: int) -> None:
        self.redis = Redis.from_url(redis_url)
        self.limiter = RateLimiter(self.redis, f"test-{id(self)}")
        self.settings = type("S", (), {"rate_limit_per_minute": limit})()
        self.verifier = None
        self.optional_checks = frozenset()

    async def start(self): ...

    async def stop(self):
        await self.redis.aclose()

    def readiness_checks(self):
        async def redis():
            await self.redis.ping()
        return {"redis": redis}


@pytest.fixture
async def client(infra):
    app = create_service_app(lambda: FakeRuntime(infra.redis_url, limit=5), title="test", description="",
                             routers=[router])
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app, raise_app_exceptions=False),
                                     base_url="http://t") as c:
            yield c


async def test_validation_error_names_the_field_and_carries_the_request_id(client):
    reply = await client.post("/api/v1/things/", json={"birth_date": "15/05/1990"}, headers={"X-Request-ID": "abc123"})
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["fields"][0]["field"] == "birth_date"
    assert error["request_id"] == "abc123" == reply.headers["x-request-id"]


async def test_unexpected_errors_are_enveloped_500s(client):
    reply = await client.get("/api/v1/boom")
    assert reply.status_code == 500
    assert reply.json()["error"]["code"] == "INTERNAL_ERROR"


async def test_rate_limit_headers_then_429_with_retry_after(client):
    statuses = []
    for _ in range(7):
        reply = await client.post("/api/v1/things", json={"birth_date": "1990-05-15"}, headers={"X-Real-Ip": "203.0.113.9"})
        statuses.append(reply.status_code)
        assert reply.headers["x-ratelimit-limit"] == "5"
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    assert int(reply.headers["retry-after"]) >= 1
    assert reply.json()["error"]["code"] == "RATE_LIMITED"
    other = await client.post("/api/v1/things", json={"birth_date": "1990-05-15"}, headers={"X-Real-Ip": "203.0.113.10"})
    assert other.status_code == 200  # limits are per client


async def test_readyz_reports_each_dependency(client):
    reply = await client.get("/readyz")
    assert reply.status_code == 200
    assert reply.json()["checks"]["redis"]["ok"] is True
