"""Async SQLAlchemy engine and sessions; each service owns one Postgres schema."""
from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import MetaData, Table, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

log = logging.getLogger(__name__)
T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@dataclass(frozen=True)
class ServiceSchema:
    """A service's own Postgres schema: the metadata its domains declare their tables on (each in
    ``<package>.<domain>.tables``), and the outbox and inbox every service has."""

    metadata: MetaData
    outbox: Table
    inbox: Table
    package: str
    domains: tuple[str, ...]

    def full_metadata(self) -> MetaData:
        """The metadata with every domain's tables on it, whichever modules the caller imported
        (what migrations build and are compared with)."""
        for domain in self.domains:
            importlib.import_module(f"{self.package}.{domain}.tables")
        return self.metadata


def service_schema(schema: str, package: str, domains: Iterable[str]) -> ServiceSchema:
    from .events.outbox import inbox_table, outbox_table  # events build on db, not the other way round

    metadata = MetaData(schema=schema, naming_convention=NAMING_CONVENTION)
    return ServiceSchema(metadata, outbox_table(metadata), inbox_table(metadata), package, tuple(domains))


def make_engine(url: str, **kwargs) -> AsyncEngine:
    """No pool pre-ping: outside a transaction it costs three round trips (BEGIN, a ping, ROLLBACK) on every
    checkout. A connection the server closed while it sat in the pool (a Postgres restart,
    pg_terminate_backend) is already known to the driver as closed, and is swapped for a fresh one at
    checkout without a round trip; a connection lost while in use fails that use, as it did with pre-ping
    (``retry_on_disconnect`` repeats work that is safe to repeat)."""
    engine = create_async_engine(url, **{"pool_size": 10, "max_overflow": 10, **kwargs})
    event.listen(engine.sync_engine, "checkout", _discard_closed)
    return engine


def _discard_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")  # the pool reconnects and retries


async def retry_on_disconnect(work: Callable[[], Awaitable[T]]) -> T:
    """``work()`` (which checks out its own connection), once more if its connection was lost while in use:
    the pool has dropped that connection, so the second attempt runs on a fresh one. Only for work that is
    safe to repeat even if the first attempt committed before the connection went (e.g. an insert keyed by
    a client-chosen id)."""
    try:
        return await work()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.info("database connection lost; retrying once", extra={"error": repr(exc.orig)})
    return await work()


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
