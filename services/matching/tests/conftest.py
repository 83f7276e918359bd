"""Matching on real Postgres, Redis and NATS (the session fixtures come from devstack.pytest_plugin):
the app runs its real lifespan (outbox relay, durable consumer) and profiles arrive as real
identity.user.* events published to JetStream."""
from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from devstack.processes import free_port
from numeros_common.db import make_engine, make_session_factory
from numeros_common.events.schemas import Envelope, NumerologyCore, UserDeletedV1, UserRegisteredV1, UserUpdatedV1
from numeros_common.migrations import upgrade
from numeros_common.testing import app_client, eventually
from services.matching.discovery.rules import years_before
from services.matching.matches.service import Matchmaker
from services.matching.matches.service import resonate as resonate_use_case
from services.matching.profiles.service import apply_profile_event
from services.matching.profiles.tables import profiles

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def new_user_id() -> int:
    """Unique across tests and runs sharing the database."""
    return random.randint(10**12, 2**53)


def born_aged(age: int, days_after_birthday: int = 100) -> dt.date:
    """A birth date for someone ``age`` years old today (UTC), well away from their birthday."""
    return years_before(dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days_after_birthday), age)


def registered(user_id: int, *, display_name: str = "Test User", birth_date: dt.date | None = None,
               photos: list[str] | None = None, occurred_at: dt.datetime | None = None,
               update: bool = False, numerology: NumerologyCore | None = None,
               natal: dict[str, Any] | None = None, **discovery: Any) -> Envelope:
    """identity.user.registered (or .updated) as identity publishes it. ``natal``: chart_level,
    sun_sign, moon_sign, rising_sign, key_longitudes (the event's defaults when omitted: level 1, no chart).
    ``discovery``: gender, interested_in, location ({latitude, longitude}), active, last_active_at."""
    model = UserUpdatedV1 if update else UserRegisteredV1
    data = model(user_id=user_id, display_name=display_name, birth_date=birth_date or born_aged(30),
                 photos=photos if photos is not None else [f"https://img.example/{user_id}.jpg"], bio="hi",
                 numerology=numerology or NumerologyCore(life_path=7, expression=3, soul_urge=11, personality=1),
                 **(natal or {}), **discovery)
    envelope = Envelope.wrap("identity", data)
    if occurred_at is not None:
        envelope.occurred_at = occurred_at
    return envelope


def deleted(user_id: int) -> Envelope:
    return Envelope.wrap("identity", UserDeletedV1(user_id=user_id))


@pytest.fixture(scope="session")
def matching_migrated(infra) -> str:
    upgrade(MIGRATIONS, infra.database_url)
    upgrade(MIGRATIONS, infra.database_url)  # a second run is a no-op
    return infra.database_url


@dataclass
class Harness:
    app: Any
    client: httpx.AsyncClient
    js: JetStreamContext
    nc: Any
    mint_token: Callable[..., str]

    @property
    def runtime(self):
        return self.app.state.runtime

    def auth(self, user_id: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.mint_token(user_id)}"}

    async def publish(self, envelope: Envelope, msg_id: str | None = None) -> None:
        await self.js.publish(envelope.subject, envelope.model_dump_json().encode(),
                              headers={"Nats-Msg-Id": msg_id or str(envelope.id)})

    registered = staticmethod(registered)
    deleted = staticmethod(deleted)

    async def profile(self, user_id: int):
        async with self.runtime.sessions() as session:
            return (await session.execute(select(profiles).where(profiles.c.user_id == user_id))).mappings().first()

    async def wait_for(self, check: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
        return await eventually(check, timeout=timeout, what=what)

    async def wait_profile(self, user_id: int, predicate: Callable[[Any], bool] = lambda row: True):
        async def check():
            row = await self.profile(user_id)
            return row if row is not None and predicate(row) else None

        return await self.wait_for(check, f"profile {user_id}")

    async def register(self, user_id: int | None = None, **kwargs) -> int:
        user_id = user_id or new_user_id()
        await self.publish(self.registered(user_id, **kwargs))
        await self.wait_profile(user_id)
        return user_id

    async def register_many(self, count: int, **kwargs) -> list[int]:
        ids = [new_user_id() for _ in range(count)]
        for user_id in ids:
            await self.publish(self.registered(user_id, **kwargs))
        for user_id in ids:
            await self.wait_profile(user_id)
        return ids

    async def count(self, table, *where) -> int:
        async with self.runtime.sessions() as session:
            return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()

    async def resonate(self, from_id: int, to_id: int, action: str = "resonate") -> httpx.Response:
        return await self.client.post("/api/v1/resonance", json={"target_user_id": to_id, "action": action},
                                      headers=self.auth(from_id))

    async def scan_all(self, viewer: int, body: dict | None = None) -> list[dict]:
        """Every page of a scan, in order."""
        seen: list[dict] = []
        body = dict(body or {}, limit=(body or {}).get("limit", 50))
        for _ in range(1000):
            reply = await self.client.post("/api/v1/scan", json=body, headers=self.auth(viewer))
            assert reply.status_code == 200, reply.text
            page = reply.json()
            seen.extend(page["profiles"])
            if page["next_cursor"] is None:
                return seen
            body["cursor"] = page["next_cursor"]
        raise AssertionError("scan never ended")


@pytest_asyncio.fixture
async def harness(matching_migrated, service_env, mint_token, chart_server, monkeypatch) -> AsyncIterator[Harness]:
    """Matching with the real chart gRPC server."""
    async for running in _harness({**service_env("matching"), "NUMEROS_CHART_ADDR": chart_server.addr},
                                  mint_token, monkeypatch):
        yield running


@pytest_asyncio.fixture
async def harness_without_chart(matching_migrated, service_env, mint_token, monkeypatch) -> AsyncIterator[Harness]:
    """Matching whose chart address is a closed port: the chart service is down."""
    env = {**service_env("matching"), "NUMEROS_CHART_ADDR": f"127.0.0.1:{free_port()}",
           "NUMEROS_CHART_DEADLINE_SECONDS": "2"}
    async for running in _harness(env, mint_token, monkeypatch):
        yield running


async def _harness(env: dict[str, str], mint_token, monkeypatch) -> AsyncIterator[Harness]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from services.matching.app import create_app

    async with app_client(create_app, "http://matching") as client:
        runtime = client.app.state.runtime
        await asyncio.wait_for(runtime.nats.wait_ready(), 15)  # streams exist from here on
        nc = await nats.connect(runtime.settings.nats_url, name=f"matching-test-{uuid.uuid4().hex[:6]}")
        try:
            yield Harness(client.app, client, nc.jetstream(), nc, mint_token)
        finally:
            await nc.close()


@pytest_asyncio.fixture
async def sessions(matching_migrated) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on matching's schema, for use-cases tested without HTTP or NATS."""
    engine = make_engine(matching_migrated)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


NO_CHART = Matchmaker(chart=None, producer="matching")


async def add_users(sessions, count: int, **kwargs) -> list[int]:
    ids = [new_user_id() for _ in range(count)]
    async with sessions() as session, session.begin():
        for user_id in ids:
            await apply_profile_event(session, registered(user_id, **kwargs), "matching")
    return ids


async def resonate(sessions, deps, me: int, target: int, action: str = "resonate"):
    async with sessions() as session:
        return await resonate_use_case(session, deps, me, target, action)
