"""chat.message.* into each match's activity (last message, unread counts). Runs inside the shared
DurableConsumer: the writes commit with the inbox row, so each event applies exactly once; the writes
themselves are idempotent and order-free (insert-if-absent, read marks only move forward)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.events.schemas import Envelope, MessageCreatedV1, MessageReadV1

from . import service

ACTIVITY_CONSUMER = "matching-chat-activity"
ACTIVITY_SUBJECTS = [MessageCreatedV1.subject, MessageReadV1.subject]


async def handle_activity(session: AsyncSession, envelope: Envelope) -> None:
    if envelope.subject == MessageCreatedV1.subject:
        await service.record_message(session, envelope.parse(MessageCreatedV1))
    elif envelope.subject == MessageReadV1.subject:
        await service.record_read(session, envelope.parse(MessageReadV1))
