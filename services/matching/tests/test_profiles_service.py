"""The deletion cascade on real Postgres, without NATS: identity.user.deleted soft-deletes the
profile and ends each of the user's live matches with a matching.match.removed outbox row."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.matching.database import outbox
from services.matching.matches import service as matches_service
from services.matching.matches.tables import matches
from services.matching.profiles.rules import is_live
from services.matching.profiles.service import apply_profile_event
from services.matching.profiles.tables import profiles

from .conftest import NO_CHART, add_users, deleted, new_user_id, registered, resonate


async def apply(sessions, envelope) -> None:
    async with sessions() as session, session.begin():
        await apply_profile_event(session, envelope, "matching")


async def rows(sessions, query) -> list:
    async with sessions() as session:
        return list((await session.execute(query)).mappings().all())


async def removed_events(sessions, match_ids) -> list[dict]:
    return [r["envelope"] for r in await rows(sessions, select(outbox.c.envelope).where(
        outbox.c.subject == "matching.match.removed",
        outbox.c.envelope["data"]["match_id"].as_integer().in_(list(match_ids))))]


async def match_of(sessions, a: int, b: int) -> int:
    await resonate(sessions, NO_CHART, a, b)
    return (await resonate(sessions, NO_CHART, b, a))["id"]


@pytest.mark.asyncio
async def test_deletion_ends_every_live_match_with_one_event_each(sessions) -> None:
    leaving, x, y, bystander = await add_users(sessions, 4)
    ended = {await match_of(sessions, leaving, x), await match_of(sessions, y, leaving)}
    kept = await match_of(sessions, x, bystander)
    deletion = deleted(leaving)
    await apply(sessions, deletion)

    (profile,) = await rows(sessions, select(profiles).where(profiles.c.user_id == leaving))
    assert profile["deleted_at"] == deletion.occurred_at and not is_live(profile)
    states = {r["id"]: r["removed_at"] for r in await rows(sessions, select(matches).where(
        matches.c.id.in_([*ended, kept])))}
    assert {i for i, removed_at in states.items() if removed_at is not None} == ended
    events = await removed_events(sessions, [*ended, kept])
    assert sorted(e["data"]["match_id"] for e in events) == sorted(ended)
    assert all(e["data"]["reason"] == "user_deleted" and e["producer"] == "matching" for e in events)
    assert all(leaving in e["data"]["user_ids"] for e in events)

    # The same deletion again (a new event id): the first deletion time stays, nothing more is announced.
    await apply(sessions, deleted(leaving))
    (again,) = await rows(sessions, select(profiles).where(profiles.c.user_id == leaving))
    assert again["deleted_at"] == deletion.occurred_at
    assert len(await removed_events(sessions, ended)) == 2


@pytest.mark.asyncio
async def test_deletion_before_registration_leaves_a_tombstone_that_stays_deleted(sessions) -> None:
    user_id = new_user_id()
    deletion = deleted(user_id)
    await apply(sessions, deletion)
    (tombstone,) = await rows(sessions, select(profiles).where(profiles.c.user_id == user_id))
    assert tombstone["display_name"] is None and not is_live(tombstone)
    # The registration arrives late (it happened earlier), then an update from after the deletion.
    await apply(sessions, registered(user_id, occurred_at=deletion.occurred_at - dt.timedelta(seconds=5)))
    await apply(sessions, registered(user_id, update=True, occurred_at=deletion.occurred_at + dt.timedelta(seconds=5)))
    (row,) = await rows(sessions, select(profiles).where(profiles.c.user_id == user_id))
    assert row["deleted_at"] == deletion.occurred_at and not is_live(row)


@pytest.mark.asyncio
async def test_a_user_without_matches_is_deleted_without_events(sessions) -> None:
    (user_id,) = await add_users(sessions, 1)
    async with sessions() as session, session.begin():
        await matches_service.end_matches_of_deleted_user(session, user_id, "matching")
    assert await rows(sessions, select(outbox.c.id).where(
        outbox.c.subject == "matching.match.removed",
        outbox.c.envelope["data"]["user_ids"].contains([user_id]))) == []
