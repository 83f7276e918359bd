"""A database outage is a 503 with a code and Retry-After in each dialect (a client retries it), never a
500; an ordinary failing statement stays a 500."""
import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from numeros_common.db import make_engine
from numeros_common.families import ASTRO_MVP_VEDIC, JIOASTRO_NUMEROLOGY, family_router
from numeros_common.http import create_service_app
from numeros_common.ratelimit import RateLimiter

from .test_http import traceparent

REFUSED_URL = "postgresql+asyncpg://numeros:numeros@127.0.0.1:1/numeros"  # nothing listens on port 1


async def _execute(database_url: str, *statements: str, **params: object) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement), params)
    finally:
        await engine.dispose()


def _routes(router: APIRouter, database_url: str) -> APIRouter:
    @router.get("/refused")
    async def refused() -> dict:
        await _execute(REFUSED_URL, "SELECT 1")
        return {}

    @router.get("/terminated")
    async def terminated() -> dict:
        """The server ends the session mid-use, as a Postgres restart does."""
        await _execute(database_url, "SELECT pg_terminate_backend(pg_backend_pid())", "SELECT 1")
        return {}

    @router.get("/starting-up")
    async def starting_up() -> dict:
        """What SQLAlchemy raises when a connect meets a Postgres that is still replaying its WAL."""
        try:
            raise asyncpg.CannotConnectNowError("the database system is starting up")
        except asyncpg.CannotConnectNowError as exc:
            raise sa_exc.DBAPIError("connect", None, exc) from exc

    @router.get("/bad-statement")
    async def bad_statement() -> dict:
        await _execute(database_url, "SELECT * FROM no_such_table")
        return {}

    @router.get("/bad-argument")
    async def bad_argument() -> dict:
        """asyncpg refuses the value itself (its DataError is also an InterfaceError): not an outage."""
        await _execute(database_url, "SELECT CAST(:v AS bigint)", v=2**63)
        return {}

    return router


class Runtime:
    def __init__(self, redis_url: str) -> None:
        self.limiter = RateLimiter(redis_url, "test-db-outage", enabled=False)
        self.optional_checks = frozenset()

    async def start(self): ...

    async def stop(self):
        await self.limiter.close()


@pytest.fixture
async def client(infra):
    routers = [_routes(APIRouter(prefix="/api/v1/dating"), infra.database_url),
               _routes(family_router("/api/v1/numerology", JIOASTRO_NUMEROLOGY), infra.database_url),
               _routes(family_router("/api/v1/astro", ASTRO_MVP_VEDIC), infra.database_url)]
    app = create_service_app(lambda: Runtime(infra.redis_url), title="test", description="", routers=routers)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app, raise_app_exceptions=False),
                                     base_url="http://t") as c:
            yield c


@pytest.mark.parametrize("failure", ["refused", "terminated", "starting-up"])
async def test_a_database_outage_is_a_503_with_a_code_and_retry_after_in_each_dialect(client, failure):
    dating = await client.get(f"/api/v1/dating/{failure}", headers=traceparent("d" * 32))
    assert (dating.status_code, dating.headers["retry-after"]) == (503, "1")
    assert dating.json() == {"error": {"code": "DATABASE_UNAVAILABLE", "request_id": "d" * 32,
                                       "message": "The database is unavailable; try again shortly."}}
    astro = await client.get(f"/api/v1/astro/{failure}", headers=traceparent("e" * 32))
    assert (astro.status_code, astro.headers["retry-after"]) == (503, "1")
    assert astro.json() == {"error": "INTERNAL_SERVER_ERROR", "details": "DATABASE_UNAVAILABLE", "request_id": "e" * 32,
                            "message": "The database is unavailable; try again shortly."}
    numerology = await client.get(f"/api/v1/numerology/{failure}")
    assert (numerology.status_code, numerology.json()) == (
        503, {"detail": "The database is unavailable; try again shortly."})


@pytest.mark.parametrize("failure", ["bad-statement", "bad-argument"])
async def test_a_failing_statement_is_still_a_500(client, failure):
    reply = await client.get(f"/api/v1/dating/{failure}")
    assert (reply.status_code, reply.json()["error"]["code"]) == (500, "INTERNAL_ERROR")
