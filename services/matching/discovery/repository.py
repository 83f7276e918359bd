"""The scan query: profiles of the read model the viewer has not acted on yet."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..matches.tables import resonances
from ..profiles.tables import profiles

# What scan shows of a user's chart and what compatibility scoring needs of it.
NATAL_COLUMNS = (profiles.c.chart_level, profiles.c.sun_sign, profiles.c.moon_sign, profiles.c.rising_sign,
                 profiles.c.key_longitudes)


async def scan_candidates(session: AsyncSession, *, viewer_id: int, after_id: int | None, limit: int,
                          born_on_or_before: dt.date | None, born_after: dt.date | None) -> list[RowMapping]:
    """Live profiles other than the viewer's that the viewer has not acted on, by user id."""
    acted = exists().where(resonances.c.from_user_id == viewer_id, resonances.c.to_user_id == profiles.c.user_id)
    stmt = (select(profiles.c.user_id, profiles.c.display_name, profiles.c.birth_date, profiles.c.photos,
                   profiles.c.numerology, *NATAL_COLUMNS)
            .where(profiles.c.user_id != viewer_id, profiles.c.deleted_at.is_(None),
                   profiles.c.display_name.is_not(None), ~acted)
            .order_by(profiles.c.user_id)
            .limit(limit))
    if after_id is not None:
        stmt = stmt.where(profiles.c.user_id > after_id)
    if born_on_or_before is not None:
        stmt = stmt.where(profiles.c.birth_date <= born_on_or_before)
    if born_after is not None:
        stmt = stmt.where(profiles.c.birth_date > born_after)
    return list((await session.execute(stmt)).mappings().all())
