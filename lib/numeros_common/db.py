"""Async SQLAlchemy engine and sessions; each service owns one Postgres schema."""
from __future__ import annotations

import importlib
from collections.abc import Iterable

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_base(schema: str) -> type[DeclarativeBase]:
    """A declarative base whose tables all live in the service's own schema."""

    class Base(DeclarativeBase):
        metadata = MetaData(schema=schema, naming_convention=NAMING_CONVENTION)

    return Base


def with_domain_tables(metadata: MetaData, package: str, domains: Iterable[str]) -> MetaData:
    """``metadata`` once every ``<package>.<domain>.tables`` module has declared its tables on it
    (migrations compare against the whole schema, whichever modules the caller imported)."""
    for domain in domains:
        importlib.import_module(f"{package}.{domain}.tables")
    return metadata


def make_engine(url: str, **kwargs) -> AsyncEngine:
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
