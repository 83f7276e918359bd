"""Migrations on a database of their own: they build exactly the schema tables.py declares, and
0002 (the natal summary) downgrades and upgrades again cleanly."""
from __future__ import annotations

import asyncio
import uuid

import asyncpg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from numeros_common.migrations import upgrade
from services.matching.database import full_metadata

from .conftest import MIGRATIONS

NATAL = {"chart_level", "sun_sign", "moon_sign", "rising_sign", "key_longitudes"}


def _dsn(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(coroutine_factory, url):
    async def main():
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(coroutine_factory)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _columns(connection) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("profiles", schema="matching")}


def _differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"include_schemas": True, "compare_type": True,
                                                           "version_table_schema": "matching"})
    return list(compare_metadata(context, full_metadata()))


def test_migrations_build_the_declared_schema_and_0002_round_trips(infra) -> None:
    base = make_url(infra.database_url)
    name = f"matching_migrations_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(_dsn(base))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    url = base.set(database=name)
    upgrade(MIGRATIONS, url.render_as_string(hide_password=False))
    assert NATAL <= _run(_columns, url)
    assert _run(_differences, url) == []

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False))
    command.downgrade(config, "0001")
    assert not NATAL & _run(_columns, url)
    missing = {d[3].name for d in _run(_differences, url) if d[0] == "add_column"}
    assert missing == NATAL  # the comparison above does see a drift
    upgrade(MIGRATIONS, url.render_as_string(hide_password=False))
    assert NATAL <= _run(_columns, url)
