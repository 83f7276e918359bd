"""Message use-cases shared by the REST routes and the WebSocket, so a message is stored, announced
(outbox event) and delivered live the same way whichever door it came in by."""
from __future__ import annotations

import json
import logging
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.engine import RowMapping

from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import MessageCreatedV1
from numeros_common.runtime import Runtime

from ..database import outbox
from ..matches import repository as matches_repo
from ..matches.service import is_participant, match_not_found, participant_match
from . import repository
from .frames import message_frame
from .rules import other_participant, preview

log = logging.getLogger(__name__)


def live_channel(match_id: int) -> str:
    """Redis pub/sub channel every chat replica's sockets for this match listen on."""
    return f"chat:match:{match_id}"


async def open_conversation(runtime: Runtime, match_id: int, user_id: int) -> RowMapping:
    """The match of a conversation ``user_id`` takes part in (404 MATCH_NOT_FOUND otherwise)."""
    return await participant_match(runtime.sessions, match_id, user_id, runtime.settings.match_wait_seconds)


async def list_messages(runtime: Runtime, *, match_id: int, user_id: int, before: int | None,
                        limit: int) -> tuple[list[RowMapping], int | None]:
    """A page of the conversation, newest first, and the ``before`` of the next (older) page."""
    await open_conversation(runtime, match_id, user_id)
    async with runtime.sessions() as session:
        rows = await repository.list_messages(session, match_id=match_id, before=before, limit=limit + 1)
    page = rows[:limit]
    next_before = page[-1]["id"] if len(rows) > limit else None
    return page, next_before


async def post_message(runtime: Runtime, *, match_id: int, sender_id: int, content: str) -> RowMapping:
    """Store a message (content already normalized) and announce it.

    The row and its chat.message.created outbox event commit in one transaction; the relay is then
    woken to publish the event now, and the message goes out live on the match's Redis channel."""
    await open_conversation(runtime, match_id, sender_id)
    async with runtime.sessions() as session, session.begin():
        match = await matches_repo.find_match(session, match_id, lock=True)
        if match is None or not is_participant(match, sender_id):
            raise match_not_found()
        if match["removed_at"] is not None:
            raise AppError(409, "MATCH_REMOVED", "This match has ended; no more messages can be sent.")
        row = await repository.insert_message(session, match_id=match_id, sender_id=sender_id, content=content)
        await add_event(session, outbox, runtime.settings.service_name, MessageCreatedV1(
            message_id=row["id"], match_id=match_id, sender_id=sender_id,
            recipient_id=other_participant(match["user1_id"], match["user2_id"], sender_id),
            preview=preview(content), created_at=row["created_at"]))
    if runtime.relay is not None:
        runtime.relay.wake()
    await publish_live(runtime, match_id, message_frame(row))
    return row


async def publish_live(runtime: Runtime, match_id: int, payload: dict[str, Any]) -> None:
    """Best effort: the message is already stored, so a Redis outage only delays it until the next fetch."""
    try:
        await runtime.redis.publish(live_channel(match_id), json.dumps(payload, ensure_ascii=False))
    except RedisError as exc:
        log.warning("live delivery failed", extra={"match_id": match_id, "error": repr(exc)})
