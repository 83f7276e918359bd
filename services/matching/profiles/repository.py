"""Reads and writes of the profiles read model."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import profiles


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


async def lock_profile(session: AsyncSession, user_id: int) -> RowMapping | None:
    """One profile, locked until the transaction ends (None if we never saw the user)."""
    return (await session.execute(
        select(profiles).where(profiles.c.user_id == user_id).with_for_update())).mappings().first()


async def get_profiles(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, RowMapping]:
    """The rows of these users (tombstones and deleted users included), without locking."""
    rows = (await session.execute(select(profiles).where(profiles.c.user_id.in_(list(user_ids))))).mappings().all()
    return {row["user_id"]: row for row in rows}


async def set_inactive(session: AsyncSession, user_id: int) -> None:
    await session.execute(update(profiles).where(profiles.c.user_id == user_id).values(active=False))
