"""Use-cases of the matches read model: follow matching's events, and find a conversation's match
for one of its participants."""
from __future__ import annotations

import asyncio
import time

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from numeros_common.errors import AppError
from numeros_common.events.schemas import Envelope, MatchCreatedV1, MatchRemovedV1

from . import repository

POLL_INTERVAL_SECONDS = 0.1


async def apply_match_event(session: AsyncSession, envelope: Envelope) -> None:
    """Keep the matches read model in step with matching (the two subjects may arrive in any order)."""
    if envelope.subject == MatchCreatedV1.subject:
        created = MatchCreatedV1.model_validate(envelope.data)
        await repository.upsert_match_created(session, match_id=created.match_id, user1_id=created.user_ids[0],
                                              user2_id=created.user_ids[1], created_at=created.created_at)
    elif envelope.subject == MatchRemovedV1.subject:
        removed = MatchRemovedV1.model_validate(envelope.data)
        await repository.upsert_match_removed(session, match_id=removed.match_id, user1_id=removed.user_ids[0],
                                              user2_id=removed.user_ids[1], removed_at=envelope.occurred_at)


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
            row = await repository.find_match(session, match_id)
        if row is not None or time.monotonic() >= deadline:
            return row
        await asyncio.sleep(min(POLL_INTERVAL_SECONDS, max(0.0, deadline - time.monotonic())))


def is_participant(match: RowMapping, user_id: int) -> bool:
    return user_id in (match["user1_id"], match["user2_id"])


async def participant_match(sessions: async_sessionmaker[AsyncSession], match_id: int, user_id: int,
                            wait_seconds: float) -> RowMapping:
    """The match if ``user_id`` is in it; otherwise 404 MATCH_NOT_FOUND."""
    match = await wait_for_match(sessions, match_id, wait_seconds)
    if match is None or not is_participant(match, user_id):
        raise match_not_found()
    return match
