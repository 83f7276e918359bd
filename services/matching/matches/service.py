"""Use-cases of resonances and matches. A mutual resonance makes a match exactly once, and the
match and its matching.match.created event commit in one transaction (outbox)."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError
from numeros_common.events.outbox import OutboxRelay, add_event
from numeros_common.events.schemas import MatchCreatedV1, MatchRemovedV1, MessageCreatedV1, MessageReadV1

from .. import compatibility
from ..database import outbox
from ..discovery import ranking
from ..profiles import repository as profiles_repo
from ..profiles.rules import is_live, require_live_pair, self_target
from . import repository
from .rules import ordered_pair, pair_lock_key

log = logging.getLogger(__name__)
USER_DELETED_REASON = "user_deleted"
UNMATCHED_REASON = "unmatched"
RECENT_MESSAGES = 20  # the latest messages a match's detail carries (all of them are at messages_url)


@dataclass(frozen=True)
class Matchmaker:
    """What the resonance use-case needs of the running service."""

    chart: ChartClient | None
    producer: str  # the service name events are signed with
    relay: OutboxRelay | None = None  # woken to publish a new match's event at once


async def resonate(session: AsyncSession, deps: Matchmaker, me: int, target: int, action: str) -> RowMapping | None:
    """Record ``me``'s action on ``target``; the pair's live match afterwards (as ``me`` sees it), or None.

    A later action replaces an earlier one; declining does not undo an existing match. When both
    have resonated, the match is created once, with the pair's compatibility when the chart answers
    (never waited for: without it the match is made with none)."""
    if target == me:
        raise self_target("You cannot resonate with yourself.")
    user1, user2 = ordered_pair(me, target)
    # The chart calls happen before the pair lock and transaction, so no transaction waits on them.
    score = await _score_now(session, deps.chart, me, target)
    tried, record = await _compatibility_if_matching(session, deps.chart, me, target, user1, user2, action)
    created = None
    async with session.begin():
        # One decision per pair at a time: two simultaneous mutual likes cannot miss each other.
        await repository.lock_pair(session, pair_lock_key(user1, user2))
        found = await profiles_repo.lock_pair_profiles(session, (user1, user2))
        require_live_pair(found, me, target, blocked=await repository.blocked_between(session, me, target))
        await repository.upsert_resonance(session, from_user_id=me, to_user_id=target, action=action, score=score)
        existing = await repository.find_pair_match(session, user1, user2)
        if existing is None and action == "resonate":
            if await repository.resonance_action(session, from_user_id=target, to_user_id=me) == "resonate":
                created = await repository.insert_match(session, user1, user2, record, score=score)
                if created is not None:
                    await add_event(session, outbox, deps.producer, MatchCreatedV1(
                        match_id=created["id"], user_ids=(user1, user2), created_at=created["created_at"]))
        match_id = created["id"] if created is not None else existing["id"] if existing is not None else None
        row = await repository.get_for_participant(session, match_id, me) if match_id is not None else None
    if created is not None:
        if deps.relay is not None:
            deps.relay.wake()
        if created["compatibility_data"] is None and not tried:
            # The other side's resonance landed after our look-ahead (simultaneous likes): fill it in now.
            record = await _best_effort_record(deps.chart, found[me], found[target])
            if record is not None:
                async with session.begin():
                    await repository.fill_compatibility_data(session, created["id"], record)
                log.info("compatibility filled after the match", extra={"match_id": created["id"]})
    return row


async def _score_now(session: AsyncSession, chart: ChartClient | None, me: int, target: int) -> int | None:
    """The pair's overall score as the action is taken: the one scan ranked with when ``me`` has a
    ranking, else asked of the chart; None when neither can tell (never waited for)."""
    async with session.begin():
        stored = await ranking.stored_score(session, me, target)
        found = await profiles_repo.get_profiles(session, (me, target)) if stored is None else {}
    if stored is not None or not (is_live(found.get(me)) and is_live(found.get(target))):
        return stored
    try:
        scores = await compatibility.score_candidates(compatibility.require_chart(chart), found[me], [found[target]])
    except AppError as exc:
        log.warning("resonance without a compatibility score", extra={"reason": exc.code})
        return None
    return scores[target].overall_score


async def _compatibility_if_matching(session: AsyncSession, chart: ChartClient | None, me: int, target: int,
                                     user1: int, user2: int, action: str) -> tuple[bool, dict[str, Any] | None]:
    """Look ahead, without locks: if this resonance is about to make a match, the pair's
    compatibility_data (None if the chart cannot answer). Returns (whether the chart was asked, data)."""
    if action != "resonate":
        return False, None
    async with session.begin():
        found = await profiles_repo.get_profiles(session, (me, target))
        if not (is_live(found.get(me)) and is_live(found.get(target))):
            return False, None
        if await repository.find_pair_match(session, user1, user2) is not None:
            return False, None
        if await repository.resonance_action(session, from_user_id=target, to_user_id=me) != "resonate":
            return False, None
    return True, await _best_effort_record(chart, found[me], found[target])


async def _best_effort_record(chart: ChartClient | None, a_row: Mapping[str, Any],
                              b_row: Mapping[str, Any]) -> dict[str, Any] | None:
    """A match's compatibility_data, or None when the chart cannot answer: matching never waits for it."""
    try:
        return await compatibility.match_record(compatibility.require_chart(chart), a_row, b_row)
    except AppError as exc:
        log.warning("match without compatibility data", extra={"reason": exc.code})
        return None


async def _announce_removed(session: AsyncSession, producer: str, rows: list[RowMapping], reason: str) -> None:
    """matching.match.removed for each match just ended (outbox: chat closes the conversation)."""
    for row in rows:
        await add_event(session, outbox, producer, MatchRemovedV1(
            match_id=row["id"], user_ids=(row["user1_id"], row["user2_id"]), reason=reason))


async def end_matches_of_deleted_user(session: AsyncSession, user_id: int, producer: str) -> None:
    """Mark every live match of the user removed, each with its matching.match.removed event (outbox;
    the relay publishes them on its next poll)."""
    await _announce_removed(session, producer, await repository.remove_for_user(session, user_id),
                            USER_DELETED_REASON)


async def end_pair_match(session: AsyncSession, a: int, b: int, reason: str, producer: str) -> int | None:
    """End the pair's live match, if any, with its event; its id (None when there was none)."""
    removed = await repository.remove_pair(session, *ordered_pair(a, b), reason=reason)
    await _announce_removed(session, producer, removed, reason)
    return removed[0]["id"] if removed else None


async def unmatch(session: AsyncSession, deps: Matchmaker, match_id: int, user_id: int) -> None:
    """A participant ends the match for both; the same 404 as for a match that is not theirs."""
    async with session.begin():
        removed = await repository.remove_match(session, match_id, user_id, reason=UNMATCHED_REASON)
        if not removed:
            raise match_not_found()
        await _announce_removed(session, deps.producer, removed, UNMATCHED_REASON)
    if deps.relay is not None:
        deps.relay.wake()


async def lock_pair(session: AsyncSession, a: int, b: int) -> None:
    """The pair's lock (until the transaction ends): the one resonance decisions take."""
    await repository.lock_pair(session, pair_lock_key(a, b))


async def blocked_between(session: AsyncSession, a: int, b: int) -> bool:
    """Whether either has blocked the other."""
    return await repository.blocked_between(session, a, b)


def match_not_found() -> AppError:
    return AppError(404, "MATCH_NOT_FOUND", "No such match.", field="match_id")


async def list_matches(session: AsyncSession, user_id: int) -> list[RowMapping]:
    """The user's live matches with discoverable people, newest activity (message or match) first."""
    async with session.begin():
        return await repository.list_for_user(session, user_id)


async def get_match(session: AsyncSession, match_id: int, user_id: int) -> tuple[RowMapping, list[RowMapping]]:
    """One of the user's live matches and its latest messages; the same 404 whether it does not exist
    or is someone else's."""
    async with session.begin():
        row = await repository.get_for_participant(session, match_id, user_id)
        if row is None:
            raise match_not_found()
        return row, await repository.latest_messages(session, match_id, RECENT_MESSAGES)


async def record_message(session: AsyncSession, message: MessageCreatedV1) -> None:
    """chat.message.created: the match's activity (last message, unread count)."""
    await repository.add_message(session, message)


async def record_read(session: AsyncSession, read: MessageReadV1) -> None:
    """chat.message.read: how far the reader has read (never backwards)."""
    await repository.mark_read(session, read.match_id, read.reader_id, read.up_to_message_id)
