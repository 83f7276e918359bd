"""FastAPI dependencies every service uses."""
from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from .runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with runtime_of(request).sessions() as session:
        yield session
