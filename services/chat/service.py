"""Chat use cases shared by the REST routes and the WebSocket, so a message is stored, announced
(outbox event) and delivered live the same way whichever door it came in by."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import MessageCreatedV1
from numeros_common.runtime import Runtime

from .adapters import chat_repo
from .adapters.tables import outbox
from .api.schemas import MessageOut
from .domain.messages import other_participant, preview

log = logging.getLogger(__name__)
POLL_INTERVAL_SECONDS = 0.1


def live_channel(match_id: int) -> str:
    """Redis pub/sub channel every chat replica's sockets for this match listen on."""
    return f"chat:match:{match_id}"


def match_not_found() -> AppError:
    # The same answer for "no such match" and "not yours": never reveal that a match exists.
    return AppError(404, "MATCH_NOT_FOUND", "No such match.")


async def wait_for_match(sessions: async_sessionmaker[AsyncSession], match_id: int,
                         timeout: float) -> RowMapping | None:
    """The match row from chat's read model, polling up to ``timeout`` seconds if it is not there yet.

    Matches are created by the matching service; chat only learns of one when its consumer applies
    ``matching.match.created``, a few milliseconds later. The client opens the chat straight from the
    "It's a match!" screen and can get here first, so an unknown id is not a 404 until the event has
    had a fair chance to arrive. Known ids answer at once."""
    deadline = time.monotonic() + timeout
    while True:
        async with sessions() as session:
            row = await chat_repo.find_match(session, match_id)
        if row is not None or time.monotonic() >= deadline:
            return row
        await asyncio.sleep(min(POLL_INTERVAL_SECONDS, max(0.0, deadline - time.monotonic())))


def is_participant(match: RowMapping, user_id: int) -> bool:
    return user_id in (match["user1_id"], match["user2_id"])


async def participant_match(runtime: Runtime, match_id: int, user_id: int) -> RowMapping:
    """The match if ``user_id`` is in it; otherwise 404 MATCH_NOT_FOUND."""
    match = await wait_for_match(runtime.sessions, match_id, runtime.settings.match_wait_seconds)
    if match is None or not is_participant(match, user_id):
        raise match_not_found()
    return match


def message_out(row: RowMapping) -> MessageOut:
    return MessageOut(id=row["id"], match_id=row["match_id"], sender_id=row["sender_id"], content=row["content"],
                      created_at=row["created_at"], read_at=row["read_at"])


async def list_messages(runtime: Runtime, *, match_id: int, user_id: int, before: int | None,
                        limit: int) -> tuple[list[MessageOut], int | None]:
    await participant_match(runtime, match_id, user_id)
    async with runtime.sessions() as session:
        rows = await chat_repo.list_messages(session, match_id=match_id, before=before, limit=limit + 1)
    page = [message_out(r) for r in rows[:limit]]
    next_before = page[-1].id if len(rows) > limit else None
    return page, next_before


async def post_message(runtime: Runtime, *, match_id: int, sender_id: int, content: str) -> MessageOut:
    """Store a message (content already normalized) and announce it.

    The row and its chat.message.created outbox event commit in one transaction; the relay is then
    woken to publish the event now, and the message goes out live on the match's Redis channel."""
    await participant_match(runtime, match_id, sender_id)
    async with runtime.sessions() as session, session.begin():
        match = await chat_repo.find_match(session, match_id, lock=True)
        if match is None or not is_participant(match, sender_id):
            raise match_not_found()
        if match["removed_at"] is not None:
            raise AppError(409, "MATCH_REMOVED", "This match has ended; no more messages can be sent.")
        row = await chat_repo.insert_message(session, match_id=match_id, sender_id=sender_id, content=content)
        await add_event(session, outbox, runtime.settings.service_name, MessageCreatedV1(
            message_id=row["id"], match_id=match_id, sender_id=sender_id,
            recipient_id=other_participant(match["user1_id"], match["user2_id"], sender_id),
            preview=preview(content), created_at=row["created_at"]))
    if runtime.relay is not None:
        runtime.relay.wake()
    message = message_out(row)
    await publish_live(runtime, match_id, {"type": "message", "message": message.model_dump(mode="json")})
    return message


async def publish_live(runtime: Runtime, match_id: int, payload: dict[str, Any]) -> None:
    """Best effort: the message is already stored, so a Redis outage only delays it until the next fetch."""
    try:
        await runtime.redis.publish(live_channel(match_id), json.dumps(payload, ensure_ascii=False))
    except RedisError as exc:
        log.warning("live delivery failed", extra={"match_id": match_id, "error": repr(exc)})
