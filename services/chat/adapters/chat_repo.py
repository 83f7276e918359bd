"""Reads and writes of chat's own tables."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import matches, messages, push_notifications


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


async def insert_message(session: AsyncSession, *, match_id: int, sender_id: int, content: str) -> RowMapping:
    return (await session.execute(
        messages.insert().values(match_id=match_id, sender_id=sender_id, content=content).returning(messages)
    )).mappings().one()


async def list_messages(session: AsyncSession, *, match_id: int, before: int | None, limit: int) -> list[RowMapping]:
    """Newest first; ``before`` is an exclusive message-id cursor."""
    query = select(messages).where(messages.c.match_id == match_id)
    if before is not None:
        query = query.where(messages.c.id < before)
    query = query.order_by(messages.c.id.desc()).limit(limit)
    return list((await session.execute(query)).mappings().all())


async def record_push(session: AsyncSession, *, event_id: uuid.UUID, user_id: int, kind: str, title: str,
                      body: str) -> bool:
    """True if this (event, user) notification is new; a redelivered event records nothing twice."""
    inserted = (await session.execute(
        insert(push_notifications).values(event_id=event_id, user_id=user_id, kind=kind, title=title, body=body)
        .on_conflict_do_nothing(index_elements=[push_notifications.c.event_id, push_notifications.c.user_id])
        .returning(push_notifications.c.id)
    )).first()
    return inserted is not None
