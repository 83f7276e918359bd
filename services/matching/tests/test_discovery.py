"""Ranked discovery on the real stack (Postgres, NATS, chart): ranking over everyone, preferences both
ways, distance, deactivation, and freshness when someone joins.

Each test puts its people around a random spot of its own and scans with a distance filter, so the
people of other tests sharing the database never enter its results. Expected scores are the hand-worked
values of test_compatibility.py's docstring (viewer A with chart P against each person), not values
computed by the code under test; distances come from an independent formula written here."""
from __future__ import annotations

import math
import random

import pytest

from .conftest import Harness, new_user_id
from .test_compatibility import A, B, C, D, E, KEYS, P, Q, R, S

EARTH_KM = 6371.0088


def natal(chart) -> dict | None:
    if chart is None:
        return None
    longitudes, level, (sun, moon, rising) = chart
    return {"chart_level": level, "sun_sign": sun, "moon_sign": moon, "rising_sign": rising,
            "key_longitudes": dict(zip(KEYS, longitudes, strict=True))}


def somewhere() -> tuple[float, float]:
    """A spot of this test's own (latitudes away from the poles)."""
    return random.uniform(-60, 60), random.uniform(-179.9, 179.9)


def destination(latitude: float, longitude: float, km: float, bearing: float) -> tuple[float, float]:
    """The point ``km`` from the start along ``bearing`` (degrees) on the sphere."""
    angular, theta, p1 = km / EARTH_KM, math.radians(bearing), math.radians(latitude)
    p2 = math.asin(math.sin(p1) * math.cos(angular) + math.cos(p1) * math.sin(angular) * math.cos(theta))
    l2 = math.radians(longitude) + math.atan2(math.sin(theta) * math.sin(angular) * math.cos(p1),
                                              math.cos(angular) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Vincenty's formula on the sphere (atan2 form), not the haversine the service uses."""
    p1, p2, dl = math.radians(a[0]), math.radians(b[0]), math.radians(b[1] - a[1])
    y = math.hypot(math.cos(p2) * math.sin(dl),
                   math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    return EARTH_KM * math.atan2(y, math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))


async def person(harness: Harness, where: tuple[float, float], *, numerology=A, chart=None, gender=None,
                 interested_in=(), **extra) -> int:
    user_id = new_user_id()
    await harness.publish(harness.registered(
        user_id, numerology=numerology, natal=natal(chart), gender=gender, interested_in=list(interested_in),
        location={"latitude": where[0], "longitude": where[1]}, **extra))
    await harness.wait_profile(user_id)
    return user_id


async def scan_near(harness: Harness, viewer: int, km: float = 30, limit: int = 50) -> list[dict]:
    return await harness.scan_all(viewer, {"filters": {"distance_km": km}, "limit": limit})


@pytest.mark.asyncio
async def test_scan_ranks_everyone_by_compatibility_best_first(harness: Harness) -> None:
    here = somewhere()
    near = lambda i: destination(*here, 1 + i, 45 * i)  # noqa: E731 - a few km apart
    viewer = await person(harness, here, numerology=A, chart=P)
    expected = {}  # user id -> overall score from the hand-worked table
    for i, (numbers, chart, score) in enumerate([(D, S, 59), (B, None, 81), (C, R, 58), (E, Q, 63),
                                                  (C, None, 75), (B, None, 81)]):
        expected[await person(harness, near(i), numerology=numbers, chart=chart)] = score
    best_first = sorted(expected, key=lambda user_id: (expected[user_id], user_id), reverse=True)

    # Two per page: the order holds across pages (the ranking is over everyone, not within a page).
    shown = await scan_near(harness, viewer, limit=2)
    assert [p["id"] for p in shown] == best_first, ([(p["id"], p["compatibility"]) for p in shown], expected)
    assert [p["compatibility"]["overall_score"] for p in shown] == [81, 81, 75, 63, 59, 58]
    assert all(p["compatibility"]["overall_score"] == expected[p["id"]] for p in shown)


@pytest.mark.asyncio
async def test_a_newcomer_enters_an_existing_ranking_in_place(harness: Harness) -> None:
    here = somewhere()
    viewer = await person(harness, here, numerology=A, chart=P)
    first = await person(harness, destination(*here, 2, 90), numerology=B)  # 81
    last = await person(harness, destination(*here, 3, 180), numerology=D, chart=S)  # 59
    assert [p["id"] for p in await scan_near(harness, viewer)] == [first, last]  # the ranking now exists

    newcomer = await person(harness, destination(*here, 4, 270), numerology=C)  # 75: between the two

    async def ranked_in_place():
        return [p["id"] for p in await scan_near(harness, viewer)] == [first, newcomer, last]

    await harness.wait_for(ranked_in_place, "the newcomer in the viewer's ranking")
    # And the newcomer's own first scan ranks the others from their side (symmetric scores).
    theirs = {p["id"]: p["compatibility"]["overall_score"] for p in await scan_near(harness, newcomer)}
    assert theirs[viewer] == 75


@pytest.mark.asyncio
async def test_preferences_apply_both_ways(harness: Harness) -> None:
    here = somewhere()
    spot = lambda i: destination(*here, 1 + i, 30 * i)  # noqa: E731
    viewer = await person(harness, here, gender="female", interested_in=["male"])
    wants_her = await person(harness, spot(1), gender="male", interested_in=["female"])
    open_man = await person(harness, spot(2), gender="male")  # interested in everyone
    wants_men = await person(harness, spot(3), gender="male", interested_in=["male"])  # not in her
    woman = await person(harness, spot(4), gender="female", interested_in=["male", "female"])  # she wants men
    unstated = await person(harness, spot(5))  # no gender: only for people open to everyone
    assert {p["id"] for p in await scan_near(harness, viewer)} == {wants_her, open_man}
    # From the other side: each sees her only if both want it.
    assert viewer in {p["id"] for p in await scan_near(harness, wants_her)}
    assert viewer in {p["id"] for p in await scan_near(harness, open_man)}
    assert viewer not in {p["id"] for p in await scan_near(harness, wants_men)}
    assert viewer not in {p["id"] for p in await scan_near(harness, woman)}
    # Without a gender: seen only by people open to everyone (open_man), and they want everyone themselves.
    assert {p["id"] for p in await scan_near(harness, unstated)} == {open_man}
    assert unstated in {p["id"] for p in await scan_near(harness, open_man)}


@pytest.mark.asyncio
async def test_distance_is_the_great_circle_distance(harness: Harness) -> None:
    # Next to the antimeridian, so the circle spans both signs of longitude.
    here = (random.uniform(-50, 50), 179.95)
    viewer = await person(harness, here)
    inside = {await person(harness, destination(*here, km, bearing)): (km, bearing)
              for km, bearing in ((0.5, 10), (12.3, 95), (49.6, 270), (49.9, 80))}
    outside = [await person(harness, destination(*here, km, bearing)) for km, bearing in ((50.3, 80), (50.4, 200))]
    shown = {p["id"]: p for p in await scan_near(harness, viewer, km=50)}
    assert set(shown) == set(inside)
    for user_id, (km, bearing) in inside.items():
        where = destination(*here, km, bearing)
        assert great_circle_km(here, where) == pytest.approx(km, abs=1e-6)  # the test's own two formulas agree
        assert shown[user_id]["distance_km"] == round(great_circle_km(here, where), 1)
    wider = {p["id"]: p["distance_km"] for p in await scan_near(harness, viewer, km=51)}
    assert set(outside) <= set(wider) and wider[outside[0]] == 50.3


@pytest.mark.asyncio
async def test_deactivated_and_deleted_people_disappear(harness: Harness) -> None:
    here = somewhere()
    viewer = await person(harness, here)
    stays, leaves, deleted = [await person(harness, destination(*here, 1 + i, 60 * i)) for i in range(3)]
    assert {p["id"] for p in await scan_near(harness, viewer)} == {stays, leaves, deleted}
    await harness.publish(harness.registered(leaves, update=True, active=False,
                                             location={"latitude": here[0], "longitude": here[1]}))
    await harness.publish(harness.deleted(deleted))
    await harness.wait_profile(leaves, lambda row: row["active"] is False)
    await harness.wait_profile(deleted, lambda row: row["deleted_at"] is not None)
    assert {p["id"] for p in await scan_near(harness, viewer)} == {stays}
    reply = await harness.resonate(viewer, leaves)
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "USER_NOT_FOUND"
    # The deactivated person's own scan says why it has no scores.
    reply = await harness.client.post("/api/v1/scan", json={}, headers=harness.auth(leaves))
    assert reply.json()["compatibility_unavailable"] == "PROFILE_INACTIVE"


@pytest.mark.asyncio
async def test_resonance_stores_the_score_at_the_time_of_action(harness: Harness) -> None:
    from services.matching.matches.tables import matches, resonances

    here = somewhere()
    viewer = await person(harness, here, numerology=A, chart=P)
    ranked = await person(harness, destination(*here, 1, 0), numerology=B)  # 81, from the viewer's ranking
    await scan_near(harness, viewer)
    unranked = await person(harness, destination(*here, 2, 0), numerology=E, chart=Q)  # 63, asked of the chart
    assert (await harness.resonate(viewer, ranked)).status_code == 200
    assert (await harness.resonate(unranked, viewer)).status_code == 200
    match = (await harness.resonate(viewer, unranked)).json()["match"]
    async with harness.runtime.sessions() as session:
        stored = dict((await session.execute(
            resonances.select().with_only_columns(resonances.c.to_user_id, resonances.c.compatibility_score)
            .where(resonances.c.from_user_id.in_([viewer, unranked])))).all())
        match_score = (await session.execute(
            matches.select().with_only_columns(matches.c.compatibility_score).where(matches.c.id == match["id"])
        )).scalar_one()
    assert stored == {ranked: 81, unranked: 63, viewer: 63}
    assert match_score == 63 and match["compatibility_score"] == 63


@pytest.mark.asyncio
async def test_a_viewer_without_a_profile_gets_user_id_order_unscored(harness: Harness) -> None:
    """A viewer whose profile has not arrived gets user-id order, unscored, and no preferences applied."""
    pages = await harness.scan_all(new_user_id(), {"limit": 50})
    ids = [p["id"] for p in pages]
    assert ids == sorted(ids) and all(p["compatibility"] is None for p in pages)
