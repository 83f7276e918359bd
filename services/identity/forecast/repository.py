"""Reads and writes of the stored universal forecasts (one row per date)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import daily_forecasts


async def stored_forecast(session: AsyncSession, day: dt.date) -> RowMapping | None:
    return (await session.execute(select(daily_forecasts).where(daily_forecasts.c.date == day))).mappings().first()


async def store_forecast(session: AsyncSession, day: dt.date, number: int, data: dict[str, Any]) -> None:
    await session.execute(insert(daily_forecasts).values(date=day, universal_day_number=number, forecast_data=data)
                          .on_conflict_do_nothing(index_elements=["date"]))
