"""Reads and writes of messages."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import messages


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
