"""The resonance use-case on real Postgres, without HTTP: a mutual resonance makes one match and one
matching.match.created outbox row in the same transaction; anything else makes neither."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError
from services.matching.database import outbox
from services.matching.matches import service
from services.matching.matches.tables import matches, resonances
from services.matching.profiles.service import apply_profile_event

from .conftest import NO_CHART, add_users, deleted, new_user_id, resonate

KEY_LONGITUDES = {"sun": 10.0, "moon": 100.0, "mercury": 200.0, "venus": 250.0, "mars": 300.0}


async def scalar(sessions, query):
    async with sessions() as session:
        return (await session.execute(query)).scalar_one()


async def created_events(sessions, match_id: int) -> list[dict]:
    async with sessions() as session:
        return list((await session.execute(
            select(outbox.c.envelope).where(outbox.c.subject == "matching.match.created",
                                            outbox.c.envelope["data"]["match_id"].as_integer() == match_id)
        )).scalars())


async def pair_matches(sessions, a: int, b: int) -> int:
    low, high = sorted((a, b))
    return await scalar(sessions, select(func.count()).select_from(matches).where(
        matches.c.user1_id == low, matches.c.user2_id == high))


@pytest.mark.asyncio
async def test_one_sided_resonance_makes_no_match_and_no_event(sessions) -> None:
    a, b = await add_users(sessions, 2)
    assert await resonate(sessions, NO_CHART, a, b) is None
    assert await pair_matches(sessions, a, b) == 0
    assert await scalar(sessions, select(resonances.c.action).where(
        resonances.c.from_user_id == a, resonances.c.to_user_id == b)) == "resonate"


@pytest.mark.asyncio
async def test_mutual_resonance_makes_one_match_with_one_event(sessions) -> None:
    a, b = await add_users(sessions, 2)
    await resonate(sessions, NO_CHART, a, b)
    row = await resonate(sessions, NO_CHART, b, a)
    assert row is not None and row["other_id"] == a
    assert (row["user1_id"], row["user2_id"]) == tuple(sorted((a, b)))
    (event,) = await created_events(sessions, row["id"])
    assert event["producer"] == "matching"
    assert event["data"]["user_ids"] == sorted((a, b))
    # Again, from either side, and a decline: the same match, no second match or event.
    assert (await resonate(sessions, NO_CHART, a, b))["id"] == row["id"]
    assert (await resonate(sessions, NO_CHART, b, a, "decline"))["id"] == row["id"]
    assert await pair_matches(sessions, a, b) == 1
    assert len(await created_events(sessions, row["id"])) == 1


@pytest.mark.asyncio
async def test_a_decline_then_a_like_back_makes_no_match(sessions) -> None:
    a, b = await add_users(sessions, 2)
    assert await resonate(sessions, NO_CHART, a, b, "decline") is None
    assert await resonate(sessions, NO_CHART, b, a) is None
    assert await pair_matches(sessions, a, b) == 0


@pytest.mark.asyncio
async def test_without_the_chart_the_match_is_made_without_compatibility(sessions) -> None:
    a, b = await add_users(sessions, 2)
    await resonate(sessions, NO_CHART, a, b)
    row = await resonate(sessions, NO_CHART, b, a)
    assert row["compatibility_data"] is None


@pytest.mark.asyncio
async def test_with_the_chart_the_match_stores_both_perspectives(sessions, chart_server) -> None:
    chart = ChartClient(chart_server.addr)
    try:
        deps = service.Matchmaker(chart=chart, producer="matching")
        a, b = await add_users(sessions, 2, natal={"chart_level": 4, "key_longitudes": KEY_LONGITUDES})
        await resonate(sessions, deps, a, b)
        row = await resonate(sessions, deps, b, a)
    finally:
        await chart.close()
    data = row["compatibility_data"]
    assert set(data["perspectives"]) == {str(a), str(b)}
    # The same numbers and chart on both sides: every planet conjunct its twin, read either way.
    for document in data["perspectives"].values():
        assert {(x["planet1"], x["aspect"]) for x in document["astrology"]["aspects"]
                if x["planet1"] == x["planet2"]} == {(p, "conjunction") for p in KEY_LONGITUDES}


@pytest.mark.asyncio
async def test_who_cannot_resonate(sessions) -> None:
    (a,) = await add_users(sessions, 1)
    gone = (await add_users(sessions, 1))[0]
    async with sessions() as session, session.begin():
        await apply_profile_event(session, deleted(gone), "matching")
    cases = [(a, a, 409, "SELF_TARGET"), (a, new_user_id(), 404, "USER_NOT_FOUND"),
             (a, gone, 404, "USER_NOT_FOUND"), (new_user_id(), a, 409, "PROFILE_PENDING"),
             (gone, a, 404, "USER_NOT_FOUND")]
    for me, target, status, code in cases:
        with pytest.raises(AppError) as caught:
            await resonate(sessions, NO_CHART, me, target)
        assert (caught.value.status, caught.value.code) == (status, code), (me, target)
    assert await scalar(sessions, select(func.count()).select_from(resonances).where(
        resonances.c.from_user_id.in_([a, gone]))) == 0
