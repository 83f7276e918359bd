"""Alembic, the same way for every service: each service keeps its own versions folder and its own
version table inside its own schema; an advisory lock lets replicas start side by side."""
from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from .events.outbox import inbox_table, outbox_table


def _config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(_config(migrations_dir, database_url), revision)


def downgrade(migrations_dir: Path, database_url: str, revision: str) -> None:
    command.downgrade(_config(migrations_dir, database_url), revision)


def run_env(target_metadata: MetaData, schema: str) -> None:
    """Body of every service's ``migrations/env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    lock_id = zlib.crc32(f"numeros-migrate-{schema}".encode())

    def do_run(connection: Connection) -> None:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, version_table_schema=schema,
                          include_schemas=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
        connection.commit()

    async def main() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(main())


def create_event_tables(op, metadata: MetaData) -> None:
    """Create the outbox and inbox tables a migration needs, from their single definition."""
    bind = op.get_bind()
    for table in (_bound(outbox_table, metadata), _bound(inbox_table, metadata)):
        table.create(bind)


def _bound(factory, metadata: MetaData) -> Table:
    scratch = MetaData(schema=metadata.schema)
    return factory(scratch)
