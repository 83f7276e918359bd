"""Reads and writes of the profiles read model."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import profiles, resonances

# What scan shows of a user's chart and what compatibility scoring needs of it.
NATAL_COLUMNS = (profiles.c.chart_level, profiles.c.sun_sign, profiles.c.moon_sign, profiles.c.rising_sign,
                 profiles.c.key_longitudes)


async def upsert_profile(session: AsyncSession, *, user_id: int, values: dict[str, Any], as_of: dt.datetime) -> bool:
    """Insert or update a profile unless what we hold is newer than ``as_of``; True if applied.
    ``deleted_at`` is never touched here, so a late update cannot bring a deleted user back."""
    stmt = insert(profiles).values(user_id=user_id, updated_at=as_of, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[profiles.c.user_id],
        set_={**{k: stmt.excluded[k] for k in values}, "updated_at": stmt.excluded.updated_at},
        where=profiles.c.updated_at < stmt.excluded.updated_at,
    ).returning(profiles.c.user_id)
    return (await session.execute(stmt)).first() is not None


async def mark_deleted(session: AsyncSession, *, user_id: int, at: dt.datetime) -> None:
    """Soft-delete; a tombstone row if we never saw the user, so a late registration stays deleted.
    COALESCE keeps the first deletion time."""
    stmt = insert(profiles).values(user_id=user_id, updated_at=at, deleted_at=at)
    first_deletion = func.coalesce(profiles.c.deleted_at, stmt.excluded.deleted_at)
    stmt = stmt.on_conflict_do_update(index_elements=[profiles.c.user_id], set_={"deleted_at": first_deletion})
    await session.execute(stmt)


async def lock_pair_profiles(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, RowMapping]:
    """The profiles of these users, share-locked until the transaction ends, so a deletion cannot
    slip in between our checks and our writes (it waits for us, then removes what we created)."""
    rows = (await session.execute(
        select(profiles).where(profiles.c.user_id.in_(list(user_ids)))
        .order_by(profiles.c.user_id).with_for_update(read=True)
    )).mappings().all()
    return {row["user_id"]: row for row in rows}


async def get_profiles(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, RowMapping]:
    """The rows of these users (tombstones and deleted users included), without locking."""
    rows = (await session.execute(select(profiles).where(profiles.c.user_id.in_(list(user_ids))))).mappings().all()
    return {row["user_id"]: row for row in rows}


def is_live(row: RowMapping | None) -> bool:
    return row is not None and row["deleted_at"] is None and row["display_name"] is not None


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
