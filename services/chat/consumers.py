"""Event handlers. Each runs inside the DurableConsumer's transaction, together with its inbox row,
so an event applies exactly once per consumer however often JetStream delivers it."""
from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.events.schemas import Envelope, MatchCreatedV1, MatchRemovedV1, MessageCreatedV1

from .adapters import chat_repo
from .domain import push

log = logging.getLogger("numeros.chat.push")

MATCHES_CONSUMER = "chat-matches"
MATCHES_SUBJECTS = [MatchCreatedV1.subject, MatchRemovedV1.subject]
PUSH_CONSUMER = "chat-push"
PUSH_SUBJECTS = [MatchCreatedV1.subject, MessageCreatedV1.subject]


async def apply_match_event(session: AsyncSession, envelope: Envelope) -> None:
    """Keep the matches read model in step with matching (the two subjects may arrive in any order)."""
    if envelope.subject == MatchCreatedV1.subject:
        created = MatchCreatedV1.model_validate(envelope.data)
        await chat_repo.upsert_match_created(session, match_id=created.match_id, user1_id=created.user_ids[0],
                                             user2_id=created.user_ids[1], created_at=created.created_at)
    elif envelope.subject == MatchRemovedV1.subject:
        removed = MatchRemovedV1.model_validate(envelope.data)
        await chat_repo.upsert_match_removed(session, match_id=removed.match_id, user1_id=removed.user_ids[0],
                                             user2_id=removed.user_ids[1], removed_at=envelope.occurred_at)


async def push_for_event(session: AsyncSession, envelope: Envelope) -> None:
    """Notify the people an event concerns: both users of a new match, the recipient of a message."""
    if envelope.subject == MatchCreatedV1.subject:
        notifications = push.for_match(MatchCreatedV1.model_validate(envelope.data).user_ids)
    elif envelope.subject == MessageCreatedV1.subject:
        message = MessageCreatedV1.model_validate(envelope.data)
        notifications = push.for_message(message.recipient_id, message.preview)
    else:
        return
    for note in notifications:
        if await chat_repo.record_push(session, event_id=envelope.id, user_id=note.user_id, kind=note.kind,
                                       title=note.title, body=note.body):
            log.info("push notification", extra={"user_id": note.user_id, "kind": note.kind, "title": note.title,
                                                  "event_id": str(envelope.id)})
