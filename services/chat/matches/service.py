"""Use-cases of the matches read model: follow matching's events, and find a conversation for one of
its participants."""
from __future__ import annotations

import asyncio
import time

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from numeros_common.errors import AppError
from numeros_common.events.schemas import BlockCreatedV1, Envelope, MatchCreatedV1, MatchRemovedV1

from . import repository

POLL_INTERVAL_SECONDS = 0.1


async def apply_match_event(session: AsyncSession, envelope: Envelope) -> None:
    """Keep the read model in step with matching (the subjects may arrive in any order). A block ends the
    conversation between the two people at once, whether or not matching also sends the removal."""
    if envelope.subject == MatchCreatedV1.subject:
        created = MatchCreatedV1.model_validate(envelope.data)
        await repository.upsert_match_created(session, match_id=created.match_id, user1_id=created.user_ids[0],
                                              user2_id=created.user_ids[1], created_at=created.created_at)
    elif envelope.subject == MatchRemovedV1.subject:
        removed = MatchRemovedV1.model_validate(envelope.data)
        await repository.upsert_match_removed(session, match_id=removed.match_id, user1_id=removed.user_ids[0],
                                              user2_id=removed.user_ids[1], removed_at=envelope.occurred_at)
    elif envelope.subject == BlockCreatedV1.subject:
        block = BlockCreatedV1.model_validate(envelope.data)
        if block.match_id is not None:
            await repository.upsert_match_removed(session, match_id=block.match_id, user1_id=block.blocker_id,
                                                  user2_id=block.blocked_id, removed_at=envelope.occurred_at)
        await repository.remove_matches_between(session, block.blocker_id, block.blocked_id, envelope.occurred_at)


def match_not_found() -> AppError:
    # The same answer for "no such match", "not yours" and "removed": never reveal that a match exists.
    return AppError(404, "MATCH_NOT_FOUND", "No such match.")


async def wait_for_conversation(sessions: async_sessionmaker[AsyncSession], match_id: int, user_id: int,
                                timeout: float) -> RowMapping | None:
    """The match if ``user_id`` may talk in it, polling up to ``timeout`` seconds if not (yet).

    Chat learns of a match from ``matching.match.created`` a few milliseconds after it is made, and the
    client opens the chat straight from the "It's a match!" screen, so it may get here first. Every
    refusal (unknown, someone else's, removed) waits the same way on the same query: the response time
    says nothing about which it was."""
    deadline = time.monotonic() + timeout
    while True:
        async with sessions() as session:
            row = await repository.find_conversation(session, match_id, user_id)
        if row is not None or time.monotonic() >= deadline:
            return row
        await asyncio.sleep(min(POLL_INTERVAL_SECONDS, max(0.0, deadline - time.monotonic())))


async def participant_match(sessions: async_sessionmaker[AsyncSession], match_id: int, user_id: int,
                            wait_seconds: float) -> RowMapping:
    """The match if ``user_id`` may talk in it; otherwise 404 MATCH_NOT_FOUND."""
    match = await wait_for_conversation(sessions, match_id, user_id, wait_seconds)
    if match is None:
        raise match_not_found()
    return match
