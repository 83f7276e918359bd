"""Chat on real Postgres, Redis and NATS: the app in-process with its real lifespan (consumers,
outbox relay), fed by real matching events published to JetStream."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from numeros_common.migrations import upgrade
from numeros_common.testing import app_client


MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture(scope="session")
def chat_env(service_env) -> dict[str, str]:
    env = service_env("chat")
    upgrade(MIGRATIONS, env["NUMEROS_DATABASE_URL"])
    return env


@pytest.fixture
def chat_environment(chat_env, monkeypatch) -> dict[str, str]:
    for key, value in chat_env.items():
        monkeypatch.setenv(key, value)
    return chat_env


@pytest.fixture
def make_chat_client(chat_environment):
    """An in-process chat app (real lifespan) behind an httpx client; ``client.app`` is the app."""
    from services.chat.app import create_app

    return lambda: app_client(create_app, "http://chat")


@pytest.fixture
async def client(make_chat_client) -> AsyncIterator[httpx.AsyncClient]:
    async with make_chat_client() as c:
        yield c
