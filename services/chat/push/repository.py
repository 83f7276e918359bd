"""The log of push notifications sent."""
from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import push_notifications


async def record_push(session: AsyncSession, *, event_id: uuid.UUID, user_id: int, kind: str, title: str,
                      body: str) -> bool:
    """True if this (event, user) notification is new; a redelivered event records nothing twice."""
    inserted = (await session.execute(
        insert(push_notifications).values(event_id=event_id, user_id=user_id, kind=kind, title=title, body=body)
        .on_conflict_do_nothing(index_elements=[push_notifications.c.event_id, push_notifications.c.user_id])
        .returning(push_notifications.c.id)
    )).first()
    return inserted is not None
