"""Reads and writes of chat's matches read model."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BindParameter, Select, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import matches


def conversation_query(match_id: int | BindParameter[int], user_id: int | BindParameter[int]) -> Select:
    """The one query behind every "may this user talk here?": a match that is unknown, someone else's or
    removed is the same empty result reached the same way, so neither the answer nor its timing tells
    them apart."""
    return select(matches).where(matches.c.match_id == match_id,
                                 or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id),
                                 matches.c.removed_at.is_(None))


async def find_conversation(session: AsyncSession, match_id: int, user_id: int) -> RowMapping | None:
    return (await session.execute(conversation_query(match_id, user_id))).mappings().first()


async def find_match(session: AsyncSession, match_id: int) -> RowMapping | None:
    return (await session.execute(select(matches).where(matches.c.match_id == match_id))).mappings().first()


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


async def remove_matches_between(session: AsyncSession, user_a: int, user_b: int, removed_at: dt.datetime) -> None:
    await session.execute(update(matches).where(
        or_(and_(matches.c.user1_id == user_a, matches.c.user2_id == user_b),
            and_(matches.c.user1_id == user_b, matches.c.user2_id == user_a)),
        matches.c.removed_at.is_(None)).values(removed_at=removed_at))


async def remove_matches_of(session: AsyncSession, user_id: int, removed_at: dt.datetime) -> None:
    await session.execute(update(matches).where(
        or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id),
        matches.c.removed_at.is_(None)).values(removed_at=removed_at))
