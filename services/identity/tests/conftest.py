import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from numeros_common.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture(scope="session")
def identity_env(service_env, chart_server) -> dict[str, str]:
    env = {**service_env("identity"), "NUMEROS_CHART_ADDR": chart_server.addr}
    upgrade(MIGRATIONS, env["NUMEROS_DATABASE_URL"])
    return env


@pytest.fixture
def make_identity_client(identity_env, monkeypatch) -> Callable[..., AsyncIterator[httpx.AsyncClient]]:
    """An in-process identity app (real lifespan, real Postgres/Redis/NATS/chart) behind an httpx client."""
    from contextlib import asynccontextmanager

    from services.identity.app import create_app

    @asynccontextmanager
    async def make(**overrides: str):
        for key, value in {**identity_env, **overrides}.items():
            monkeypatch.setenv(key, value)
        app = create_app()
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://identity") as client:
                client.app = app  # type: ignore[attr-defined]
                yield client

    return make


@pytest.fixture
async def client(make_identity_client) -> AsyncIterator[httpx.AsyncClient]:
    async with make_identity_client() as c:
        yield c


def new_user_id() -> int:
    return random.randint(10**9, 2 * 10**9)


@pytest.fixture
def alice(mint_token):
    return {"Authorization": f"Bearer {mint_token(new_user_id())}"}


@pytest.fixture
def bob(mint_token):
    return {"Authorization": f"Bearer {mint_token(new_user_id())}"}


@pytest.fixture
async def admin(identity_env, mint_token):
    """A token of an admin account that exists: the admin API checks the account, not only the claim."""
    from numeros_common.db import make_engine
    from services.identity.accounts.tables import users

    engine = make_engine(identity_env["NUMEROS_DATABASE_URL"])
    async with engine.begin() as conn:
        user_id = await conn.scalar(users.insert().values(
            email=f"admin-{new_user_id()}@example.com", password_hash="-", is_admin=True).returning(users.c.id))
    await engine.dispose()
    return {"Authorization": f"Bearer {mint_token(user_id, is_admin=True)}"}
