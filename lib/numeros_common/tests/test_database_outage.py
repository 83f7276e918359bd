"""A database outage is a 503 with a code and Retry-After in each dialect (a client retries it), never a
500; an ordinary failing statement stays a 500."""
import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from numeros_common.db import make_engine, retry_on_disconnect
from numeros_common.families import ASTRO_MVP_VEDIC, JIOASTRO_NUMEROLOGY, family_router
from numeros_common.http import create_service_app
from numeros_common.ratelimit import RateLimiter
from numeros_common.testing import eventually

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


async def _backend_pid(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def test_a_pooled_connection_the_server_closed_is_replaced_at_checkout(infra):
    """No pre-ping round trip: the driver already knows the connection is closed, and the pool reconnects."""
    engine = make_engine(infra.database_url, pool_size=1, max_overflow=0)
    killer = make_engine(infra.database_url)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            driver = (await conn.get_raw_connection()).driver_connection
        async with killer.connect() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()

        async def noticed() -> bool:
            return driver.is_closed()

        await eventually(noticed, what="the driver seeing the server close the connection")
        assert await _backend_pid(engine) != pid
    finally:
        await engine.dispose()
        await killer.dispose()


async def test_work_whose_connection_is_lost_in_use_runs_once_more_on_a_fresh_one(infra):
    engine = make_engine(infra.database_url)
    attempts: list[int] = []

    async def work() -> int:
        async with engine.connect() as conn:
            attempts.append((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            if len(attempts) == 1:
                await conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
            return (await conn.execute(text("SELECT 42"))).scalar_one()

    try:
        assert await retry_on_disconnect(work) == 42
        assert len(attempts) == 2 and attempts[0] != attempts[1]
    finally:
        await engine.dispose()


async def test_a_failing_statement_is_not_retried(infra):
    engine = make_engine(infra.database_url)
    attempts = 0

    async def work() -> None:
        nonlocal attempts
        attempts += 1
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM no_such_table"))

    try:
        with pytest.raises(sa_exc.ProgrammingError):
            await retry_on_disconnect(work)
        assert attempts == 1
    finally:
        await engine.dispose()
