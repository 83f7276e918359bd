"""A service's activity per day and its waiting dead letters, for the admin console: each service answers
for its own tables and consumers, so the console never reads another service's schema. Served at
``/system/activity`` on the service's own port (the gateway does not route it), admins only."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import Column, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .auth import require_admin
from .deps import db_session, runtime_of
from .errors import AppError
from .events.deadletter import count_by_consumer

BROKER_WAIT_SECONDS = 2.0  # a service just started connects within this


async def per_day(session: AsyncSession, created_at: Column, days: int, today: dt.date) -> list[dict[str, Any]]:
    """Rows created on each of the last ``days`` UTC days, oldest first, zero-filled."""
    first = today - dt.timedelta(days=days - 1)
    day = func.date(func.timezone("UTC", created_at))
    start = dt.datetime.combine(first, dt.time(), dt.UTC)
    rows = (await session.execute(select(day, func.count()).where(created_at >= start).group_by(day))).all()
    counted = {row[0]: row[1] for row in rows}
    return [{"date": (first + dt.timedelta(days=n)).isoformat(), "count": counted.get(first + dt.timedelta(days=n), 0)}
            for n in range(days)]


def activity_router(what: str, created_at: Column) -> APIRouter:
    """``GET /system/activity``: ``{what}_per_day`` over the last ``days``, the total, and dead letters per
    consumer of this service."""
    router = APIRouter(tags=["admin"])

    @router.get("/system/activity", include_in_schema=False, dependencies=[Depends(require_admin)])
    async def activity(request: Request, days: int = Query(7, ge=1, le=90),
                       session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
        runtime = runtime_of(request)
        try:
            js = runtime.nats.js or await asyncio.wait_for(runtime.nats.wait_ready(), BROKER_WAIT_SECONDS)
        except TimeoutError:
            raise AppError(503, "NATS_UNAVAILABLE", "The event broker is not reachable.") from None
        total = (await session.execute(select(func.count()).select_from(created_at.table))).scalar_one()
        return {"service": runtime.settings.service_name,
                f"{what}_per_day": await per_day(session, created_at, days, dt.datetime.now(dt.UTC).date()),
                f"{what}_total": total,
                "dead_letters": await count_by_consumer(js, [c.name for c in runtime.consumers])}

    return router
