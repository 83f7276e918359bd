"""The counts the admin statistics show, across the domains' tables."""
from __future__ import annotations

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..accounts.tables import users
from ..forecast.tables import daily_forecasts
from ..vedic.tables import astro_predictions, astro_profiles, astro_snapshots


async def counts(session: AsyncSession) -> dict[str, int]:
    async def count(table: Table) -> int:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()

    return {"total_users": await count(users), "total_profiles": await count(astro_profiles),
            "total_calc_snapshots": await count(astro_snapshots), "total_predictions": await count(astro_predictions),
            "total_daily_forecasts": await count(daily_forecasts)}
