"""Reads and writes of messages."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..matches.tables import matches
from .tables import messages

Cursor = int | dt.datetime


async def insert_message(session: AsyncSession, *, match_id: int, sender_id: int, content: str,
                         client_message_id: str | None) -> RowMapping | None:
    """The new row, or None when this sender already stored ``client_message_id`` here (a retry): one round
    trip either way, where a look-up first would cost a second one on every send."""
    # clock_timestamp(), not now(): the row lock was taken after the transaction began, and created_at
    # must rise with the id, which the seed's ?before=<timestamp> relies on.
    return (await session.execute(
        insert(messages).values(match_id=match_id, sender_id=sender_id, content=content,
                                client_message_id=client_message_id, created_at=func.clock_timestamp())
        .on_conflict_do_nothing(index_elements=[messages.c.match_id, messages.c.sender_id,
                                                messages.c.client_message_id])
        .returning(messages)
    )).mappings().first()


async def find_by_client_id(session: AsyncSession, *, match_id: int, sender_id: int,
                            client_message_id: str) -> RowMapping | None:
    return (await session.execute(select(messages).where(
        messages.c.match_id == match_id, messages.c.sender_id == sender_id,
        messages.c.client_message_id == client_message_id))).mappings().first()


async def previous_id(session: AsyncSession, match_id: int, message_id: int) -> int | None:
    return (await session.execute(select(func.max(messages.c.id)).where(
        messages.c.match_id == match_id, messages.c.id < message_id))).scalar()


def _after(cursor: Cursor):
    return messages.c.created_at > cursor if isinstance(cursor, dt.datetime) else messages.c.id > cursor


def _before(cursor: Cursor):
    return messages.c.created_at < cursor if isinstance(cursor, dt.datetime) else messages.c.id < cursor


async def list_messages(session: AsyncSession, *, match_id: int, before: Cursor | None, after: Cursor | None,
                        limit: int) -> list[RowMapping]:
    """Newest first, or oldest first when ``after`` is given (catching up); cursors are exclusive."""
    query = select(messages).where(messages.c.match_id == match_id)
    if before is not None:
        query = query.where(_before(before))
    if after is not None:
        query = query.where(_after(after))
    query = query.order_by(messages.c.id.asc() if after is not None else messages.c.id.desc()).limit(limit)
    return list((await session.execute(query)).mappings().all())


async def mark_read(session: AsyncSession, *, match_id: int, reader_id: int, up_to: int | None,
                    read_at: dt.datetime) -> list[int]:
    """Ids newly marked read: the other participant's unread messages up to ``up_to`` (all when None)."""
    stmt = update(messages).where(messages.c.match_id == match_id, messages.c.sender_id != reader_id,
                                  messages.c.read_at.is_(None))
    if up_to is not None:
        stmt = stmt.where(messages.c.id <= up_to)
    return list((await session.execute(stmt.values(read_at=read_at).returning(messages.c.id))).scalars())


async def unread_count(session: AsyncSession, *, match_id: int, user_id: int) -> int:
    return (await session.execute(select(func.count()).select_from(messages).where(
        messages.c.match_id == match_id, messages.c.sender_id != user_id, messages.c.read_at.is_(None)))).scalar_one()


async def unread_by_match(session: AsyncSession, user_id: int) -> list[RowMapping]:
    """Unread counts of every live conversation of ``user_id`` that has any."""
    query = (select(messages.c.match_id, func.count().label("unread_count"))
             .join(matches, matches.c.match_id == messages.c.match_id)
             .where(or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id), matches.c.removed_at.is_(None),
                    messages.c.sender_id != user_id, messages.c.read_at.is_(None))
             .group_by(messages.c.match_id).order_by(messages.c.match_id))
    return list((await session.execute(query)).mappings().all())


async def delete_sent_by(session: AsyncSession, user_id: int) -> int:
    return (await session.execute(delete(messages).where(messages.c.sender_id == user_id))).rowcount or 0
