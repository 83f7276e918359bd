"""Helpers for the services' tests (never imported by service code): an app behind an in-process
client, waiting on a condition, reading what a JetStream stream holds, checking that migrations
build the schema tables.py declares, and capturing the spans a test's requests produce."""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from nats.js import JetStreamContext
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from .events.schemas import Envelope
from .migrations import upgrade
from .tracing import configure_tracing, export_spans

T = TypeVar("T")
POLL_SECONDS = 0.05


async def eventually(probe: Callable[[], Awaitable[T]], *, timeout: float = 15.0, what: str = "condition") -> T:
    """``probe()``'s first truthy result, checked every POLL_SECONDS; AssertionError after ``timeout``.
    The one place tests wait for something another process (consumer, relay, replica) does."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)


@asynccontextmanager
async def app_client(create_app: Callable[[], FastAPI], base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A new app with its real lifespan (consumers, relay) behind an in-process httpx client;
    ``client.app`` is the app."""
    app = create_app()
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base_url) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def stream_events(js: JetStreamContext, subject: str, timeout: float = 10.0) -> list[Envelope]:
    """Every event the stream holds on ``subject`` now, oldest first (at least one must be there):
    read up to the last one, so nothing is left to "arrive later"."""
    sub = await js.subscribe(subject, ordered_consumer=True)
    try:
        events: list[Envelope] = []
        while True:
            msg = await sub.next_msg(timeout=timeout)
            events.append(Envelope.model_validate_json(msg.data))
            if msg.metadata.num_pending == 0:
                return events
    finally:
        await sub.unsubscribe()


# ---- migrations against the declared tables ----

def _dsn(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def fresh_database(server_url: str, prefix: str) -> str:
    """The URL of a new, empty database on the server of ``server_url``."""
    base = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(_dsn(base))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return base.set(database=name).render_as_string(hide_password=False)


def inspect_sync(database_url: str, reader: Callable[[Connection], T]) -> T:
    """``reader(connection)`` on a synchronous view of the database (SQLAlchemy inspection, Alembic)."""
    async def main() -> T:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(reader)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def schema_differences(database_url: str, metadata: MetaData) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match ``metadata`` ([] = none)."""
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"include_schemas": True, "compare_type": True,
                                                               "version_table_schema": metadata.schema})
        return list(compare_metadata(context, metadata))

    return inspect_sync(database_url, compare)


def columns(database_url: str, schema: str, table: str) -> set[str]:
    return inspect_sync(database_url, lambda c: {col["name"] for col in inspect(c).get_columns(table, schema=schema)})


def migrated_fresh_database(server_url: str, migrations_dir: Path, metadata: MetaData) -> str:
    """A new database migrated to head (twice: the second run must be a no-op); its URL."""
    url = fresh_database(server_url, f"{metadata.schema}_migrations")
    upgrade(migrations_dir, url)
    upgrade(migrations_dir, url)
    return url


_SPANS: InMemorySpanExporter | None = None


def captured_spans() -> InMemorySpanExporter:
    """The test process's span exporter: every span ended from now on, in memory (cleared by the caller).
    One per process, attached to the process's tracer provider the first time it is asked for."""
    global _SPANS
    if _SPANS is None:
        _SPANS = InMemorySpanExporter()
        export_spans(configure_tracing("tests"), SimpleSpanProcessor(_SPANS))
    return _SPANS
