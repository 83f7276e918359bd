"""Async SQLAlchemy engine and sessions; each service owns one Postgres schema."""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

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
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
