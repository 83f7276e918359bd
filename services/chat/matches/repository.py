"""Reads and writes of chat's matches read model."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import matches


async def find_match(session: AsyncSession, match_id: int, *, lock: bool = False) -> RowMapping | None:
    query = select(matches).where(matches.c.match_id == match_id)
    if lock:
        query = query.with_for_update(read=True)  # a concurrent removal waits for this message to commit
    return (await session.execute(query)).mappings().first()


async def upsert_match_created(session: AsyncSession, *, match_id: int, user1_id: int, user2_id: int,
                               created_at: dt.datetime) -> None:
    """Commutes with ``upsert_match_removed``: the two subjects are consumed independently."""
    stmt = insert(matches).values(match_id=match_id, user1_id=user1_id, user2_id=user2_id, created_at=created_at)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[matches.c.match_id],
        set_={"user1_id": stmt.excluded.user1_id, "user2_id": stmt.excluded.user2_id,
              "created_at": stmt.excluded.created_at}))


async def upsert_match_removed(session: AsyncSession, *, match_id: int, user1_id: int, user2_id: int,
                               removed_at: dt.datetime) -> None:
    stmt = insert(matches).values(match_id=match_id, user1_id=user1_id, user2_id=user2_id,
                                  created_at=removed_at, removed_at=removed_at)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[matches.c.match_id],
        set_={"removed_at": stmt.excluded.removed_at},
        where=matches.c.removed_at.is_(None)))
