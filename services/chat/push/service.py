"""Push use-case: notify the people an event concerns. Runs inside the DurableConsumer's transaction,
together with its inbox row, so a redelivered event notifies nobody twice."""
from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.events.schemas import Envelope, MatchCreatedV1, MessageCreatedV1
from numeros_common.metrics import PUSH_FAILED, PUSH_SENT

from . import repository, rules

log = logging.getLogger("numeros.chat.push")


async def push_for_event(session: AsyncSession, envelope: Envelope) -> None:
    """Both users of a new match, the recipient of a message."""
    if envelope.subject == MatchCreatedV1.subject:
        notifications = rules.for_match(MatchCreatedV1.model_validate(envelope.data).user_ids)
    elif envelope.subject == MessageCreatedV1.subject:
        message = MessageCreatedV1.model_validate(envelope.data)
        notifications = rules.for_message(message.recipient_id, message.preview)
    else:
        return
    for note in notifications:
        try:
            recorded = await repository.record_push(session, event_id=envelope.id, user_id=note.user_id,
                                                    kind=note.kind, title=note.title, body=note.body)
        except Exception:
            PUSH_FAILED.labels(note.kind).inc()  # the consumer retries the event
            raise
        if recorded:
            PUSH_SENT.labels(note.kind).inc()
            log.info("push notification", extra={"user_id": note.user_id, "kind": note.kind, "title": note.title,
                                                  "event_id": str(envelope.id)})
