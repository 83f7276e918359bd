"""Migrations against the tables a service declares, on a database of their own (not a test: a helper any
service's migration test can use; matching's test_migrations.py does the same inline)."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine


def fresh_database(database_url: str, prefix: str) -> str:
    """The URL of a new, empty database on the server of ``database_url``."""
    base = make_url(database_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(base.set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return base.set(database=name).render_as_string(hide_password=False)


def inspect_database(url: str, reader: Callable[[Connection], Any]) -> Any:
    """``reader`` run on a synchronous connection to ``url``."""

    async def main() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(reader)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def differences(url: str, metadata: MetaData, schema: str) -> list:
    """What alembic's autogenerate would change to make the database match ``metadata`` ([] when it does)."""

    def compare(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"include_schemas": True, "compare_type": True,
                                                               "version_table_schema": schema})
        return list(compare_metadata(context, metadata))

    return inspect_database(url, compare)


def table_names(url: str, schema: str) -> set[str]:
    return inspect_database(url, lambda connection: set(inspect(connection).get_table_names(schema=schema)))


def downgrade(migrations: Path, url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, revision)
