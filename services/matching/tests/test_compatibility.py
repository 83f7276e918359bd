"""Compatibility in scan, scan/evaluate and new matches, on the real chart gRPC server.

Expected numerology scores come from ``services.chart.domain.numerology.numerology_score`` (the
scalar pair formula, not the vectorised batch path ScoreCandidates runs); expected astrology from the
chart's single-pair synastry (``synastry.synastry``), not its batch scorer.

What ScoreCandidates answers when a chart is missing (the caller's or the candidate's): numerology
only, i.e. ``astrology_score`` 0, ``overall_score`` = ``numerology_score`` and no highlight; scan
says so with ``basis: "numerology"``.
"""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

import pytest

from numeros_common.events.schemas import NumerologyCore
from services.chart.domain.numerology import numerology_score
from services.chart.domain.synastry import SynastryPerson, combined_score, synastry
from services.matching.matches.tables import matches

from .conftest import Harness, new_user_id

KEYS = ("sun", "moon", "mercury", "venus", "mars")
NUMBERS = [NumerologyCore(life_path=lp, expression=ex, soul_urge=su, personality=pe)
           for lp, ex, su, pe in [(7, 3, 11, 1), (5, 9, 22, 4), (1, 6, 2, 8), (33, 4, 6, 9), (2, 8, 7, 3),
                                  (11, 1, 5, 6), (9, 22, 3, 2), (4, 7, 1, 5)]]
CHARTS = [  # key longitudes (sun, moon, mercury, venus, mars), chart level, signs
    ((56.2, 221.75, 40.5, 20.0, 300.125), 4, ("Taurus", "Scorpio", "Leo")),
    ((176.0, 101.5, 160.25, 200.0, 60.0), 3, ("Virgo", "Cancer", None)),
    ((296.3, 341.0, 280.0, 316.5, 236.0), 1, ("Capricorn", "Pisces", None)),
    ((116.0, 341.5, 130.0, 80.0, 10.0), 2, ("Cancer", "Pisces", None)),
]


@dataclass
class Person:
    user_id: int
    numerology: NumerologyCore
    chart: tuple | None  # (longitudes, level, signs)

    @property
    def level(self) -> int:
        return self.chart[1] if self.chart else 1

    def natal(self) -> dict | None:
        if self.chart is None:
            return None
        longitudes, level, (sun, moon, rising) = self.chart
        return {"chart_level": level, "sun_sign": sun, "moon_sign": moon, "rising_sign": rising,
                "key_longitudes": dict(zip(KEYS, longitudes, strict=True))}

    def astrology(self) -> dict:
        if self.chart is None:
            return {"chart_level": 1, "sun_sign": None, "moon_sign": None, "rising_sign": None}
        natal = self.natal()
        return {k: natal[k] for k in ("chart_level", "sun_sign", "moon_sign", "rising_sign")}


_variety = itertools.count()


async def people(harness: Harness, *charted: bool) -> list[Person]:
    """Registered users (one per flag: with or without a chart), with varied numerology."""
    made = []
    for has_chart in charted:
        n = next(_variety)
        made.append(Person(new_user_id(), NUMBERS[n % len(NUMBERS)], CHARTS[n % len(CHARTS)] if has_chart else None))
    for person in made:
        await harness.publish(harness.registered(person.user_id, numerology=person.numerology, natal=person.natal()))
    for person in made:
        await harness.wait_profile(person.user_id)
    return made


def expected_numerology(a: Person, b: Person) -> int:
    return numerology_score(a.numerology, b.numerology)


def expected_synastry(a: Person, b: Person):
    return synastry(SynastryPerson(a.chart[0], a.level), SynastryPerson(b.chart[0], b.level))


async def scanned(harness: Harness, viewer: Person, others: list[Person]) -> tuple[dict[int, dict], list[dict]]:
    """The viewer's scan, every page (limit 7, so pages mix charted and uncharted people)."""
    wanted = {p.user_id for p in others}
    found: dict[int, dict] = {}
    reasons = []
    body: dict = {"limit": 7}
    while True:
        reply = await harness.client.post("/api/v1/scan", json=body, headers=harness.auth(viewer.user_id))
        assert reply.status_code == 200, reply.text
        page = reply.json()
        reasons.append(page["compatibility_unavailable"])
        found.update({p["id"]: p for p in page["profiles"] if p["id"] in wanted})
        if page["next_cursor"] is None:
            return found, reasons
        body["cursor"] = page["next_cursor"]


@pytest.mark.asyncio
async def test_scan_scores_every_profile_against_the_caller(harness: Harness) -> None:
    viewer, *others = await people(harness, True, True, False, True, False, True)
    found, reasons = await scanned(harness, viewer, others)
    assert set(reasons) == {None}
    assert set(found) == {p.user_id for p in others}
    for other in others:
        profile = found[other.user_id]
        assert profile["astrology"] == other.astrology()
        assert profile["numerology"] == other.numerology.model_dump()
        compatibility = profile["compatibility"]
        assert set(compatibility) == {"overall_score", "numerology_score", "astrology_score", "highlights", "basis"}
        assert compatibility["numerology_score"] == expected_numerology(viewer, other)
        if other.chart is None:  # numerology only
            assert compatibility == {"overall_score": compatibility["numerology_score"],
                                     "numerology_score": compatibility["numerology_score"], "astrology_score": 0,
                                     "highlights": [], "basis": "numerology"}
        else:
            pair = expected_synastry(viewer, other)
            assert compatibility["basis"] == "numerology+astrology"
            assert compatibility["astrology_score"] == pair.astrology_score
            assert compatibility["overall_score"] == combined_score(
                compatibility["numerology_score"], pair.astrology_score, min(viewer.level, other.level))
            assert len(compatibility["highlights"]) <= 1
            if pair.highlights:  # the batch's one highlight is the pair's strongest harmonious aspect
                assert compatibility["highlights"] == [pair.highlights[0]]
    assert any(found[p.user_id]["compatibility"]["highlights"] for p in others if p.chart)


@pytest.mark.asyncio
async def test_caller_without_a_chart_gets_numerology_only(harness: Harness) -> None:
    viewer, *others = await people(harness, False, True, False, True)
    found, reasons = await scanned(harness, viewer, others)
    assert set(reasons) == {None}
    for other in others:
        compatibility = found[other.user_id]["compatibility"]
        numerology = expected_numerology(viewer, other)
        assert compatibility == {"overall_score": numerology, "numerology_score": numerology, "astrology_score": 0,
                                 "highlights": [], "basis": "numerology"}
        assert found[other.user_id]["astrology"] == other.astrology()


@pytest.mark.asyncio
async def test_scan_before_the_callers_profile_arrives(harness: Harness) -> None:
    (other,) = await people(harness, True)
    stranger = Person(new_user_id(), NUMBERS[0], None)  # has a token, no profile here yet
    found, reasons = await scanned(harness, stranger, [other])
    assert set(reasons) == {"PROFILE_PENDING"}
    assert found[other.user_id]["compatibility"] is None
    assert found[other.user_id]["astrology"] == other.astrology()
    # Once it arrives, the same scan is scored.
    await harness.publish(harness.registered(stranger.user_id, numerology=stranger.numerology))
    await harness.wait_profile(stranger.user_id)
    found, reasons = await scanned(harness, stranger, [other])
    assert set(reasons) == {None}
    assert found[other.user_id]["compatibility"]["numerology_score"] == expected_numerology(stranger, other)


EVALUATE_KEYS = {"overall_score", "numerology", "astrology", "highlights", "basis"}
NUMEROLOGY_KEYS = {"life_path_harmony", "soul_connection", "expression_sync", "personality_match", "challenges",
                   "strengths", "numerology_score"}
ASTROLOGY_KEYS = {"aspects", "harmony_score", "tension_score", "interpretation", "astrology_score", "highlights",
                  "challenges"}


async def evaluate(harness: Harness, caller: int, target: int):
    return await harness.client.post("/api/v1/scan/evaluate", json={"target_user_id": target},
                                     headers=harness.auth(caller))


@pytest.mark.asyncio
async def test_evaluate_returns_the_seeds_compatibility_response(harness: Harness) -> None:
    me, charted, plain = await people(harness, True, True, False)
    reply = await evaluate(harness, me.user_id, charted.user_id)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == EVALUATE_KEYS
    assert set(body["numerology"]) == NUMEROLOGY_KEYS
    assert set(body["astrology"]) == ASTROLOGY_KEYS
    assert body["numerology"]["numerology_score"] == expected_numerology(me, charted)
    pair = expected_synastry(me, charted)
    assert body["astrology"]["astrology_score"] == pair.astrology_score
    assert body["astrology"]["harmony_score"] == pair.harmony_score
    assert body["astrology"]["tension_score"] == pair.tension_score
    assert [(a["planet1"], a["planet2"], a["aspect"]) for a in body["astrology"]["aspects"]] == [
        (a.planet1, a.planet2, a.aspect) for a in pair.aspects]
    assert all(set(a) == {"planet1", "planet2", "aspect", "orb"} for a in body["astrology"]["aspects"])
    assert body["overall_score"] == combined_score(expected_numerology(me, charted), pair.astrology_score,
                                                   min(me.level, charted.level))
    assert body["highlights"] == list(pair.highlights)
    assert body["basis"] == "numerology+astrology"
    # The scan's numbers for the same pair agree with the detail view.
    found, _ = await scanned(harness, me, [charted])
    scan = found[charted.user_id]["compatibility"]
    assert (scan["overall_score"], scan["numerology_score"], scan["astrology_score"]) == (
        body["overall_score"], body["numerology"]["numerology_score"], body["astrology"]["astrology_score"])

    # Without the target's chart: numerology only, astrology null.
    reply = await evaluate(harness, me.user_id, plain.user_id)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == EVALUATE_KEYS
    assert body["astrology"] is None and body["highlights"] == [] and body["basis"] == "numerology"
    assert body["overall_score"] == body["numerology"]["numerology_score"] == expected_numerology(me, plain)
    # trailing slash, as the mobile client sends paths
    reply = await harness.client.post("/api/v1/scan/evaluate/", json={"target_user_id": plain.user_id},
                                      headers=harness.auth(me.user_id))
    assert reply.status_code == 200


@pytest.mark.asyncio
async def test_evaluate_errors(harness: Harness) -> None:
    me, gone = await people(harness, True, True)
    reply = await evaluate(harness, me.user_id, me.user_id)
    assert reply.status_code == 422
    assert reply.json()["error"]["fields"][0]["field"] == "target_user_id"
    reply = await evaluate(harness, me.user_id, new_user_id())
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "USER_NOT_FOUND"
    assert reply.json()["error"]["fields"][0]["field"] == "target_user_id"
    await harness.publish(harness.deleted(gone.user_id))
    await harness.wait_profile(gone.user_id, lambda row: row["deleted_at"] is not None)
    assert (await evaluate(harness, me.user_id, gone.user_id)).status_code == 404
    reply = await evaluate(harness, new_user_id(), me.user_id)  # the caller's profile has not arrived
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "PROFILE_PENDING" and reply.headers["Retry-After"] == "1"
    for body, field in [({}, "target_user_id"), ({"target_user_id": 0}, "target_user_id"),
                        ({"target_user_id": "x"}, "target_user_id"), ({"target_user_id": 2**63}, "target_user_id"),
                        ({"target_user_id": 5, "extra": 1}, "extra")]:
        reply = await harness.client.post("/api/v1/scan/evaluate", json=body, headers=harness.auth(me.user_id))
        assert reply.status_code == 422, (body, reply.text)
        assert field in [f["field"] for f in reply.json()["error"]["fields"]]


@pytest.mark.asyncio
async def test_new_match_stores_the_pairs_compatibility_from_both_sides(harness: Harness) -> None:
    a, b = await people(harness, True, True)
    assert (await harness.resonate(a.user_id, b.user_id)).json()["is_match"] is False
    match = (await harness.resonate(b.user_id, a.user_id)).json()["match"]
    async with harness.runtime.sessions() as session:
        stored = (await session.execute(matches.select().where(matches.c.id == match["id"]))).mappings().one()
    data = stored["compatibility_data"]
    assert set(data) == {"ruleset_version", "perspectives"} and data["ruleset_version"]
    assert set(data["perspectives"]) == {str(a.user_id), str(b.user_id)}
    for viewer, other in ((a, b), (b, a)):
        detail = (await harness.client.get(f"/api/v1/matches/{match['id']}", headers=harness.auth(viewer.user_id)))
        assert detail.status_code == 200
        # The same document scan/evaluate gives this viewer: highlights read "Your ... their ...".
        assert detail.json()["compatibility_data"] == (await evaluate(harness, viewer.user_id, other.user_id)).json()
    forwards = data["perspectives"][str(a.user_id)]["astrology"]["aspects"]
    backwards = data["perspectives"][str(b.user_id)]["astrology"]["aspects"]
    assert sorted((x["planet1"], x["planet2"], x["aspect"]) for x in forwards) == sorted(
        (x["planet2"], x["planet1"], x["aspect"]) for x in backwards)


@pytest.mark.asyncio
async def test_simultaneous_likes_still_store_compatibility(harness: Harness) -> None:
    pairs = [await people(harness, True, False) for _ in range(4)]
    replies = await asyncio.gather(*(harness.resonate(x.user_id, y.user_id)
                                     for a, b in pairs for x, y in ((a, b), (b, a))))
    assert all(r.status_code == 200 for r in replies)
    for a, b in pairs:
        lo, hi = sorted([a.user_id, b.user_id])
        async with harness.runtime.sessions() as session:
            data = (await session.execute(matches.select().where(matches.c.user1_id == lo, matches.c.user2_id == hi))
                    ).mappings().one()["compatibility_data"]
        assert data is not None
        assert {doc["numerology"]["numerology_score"] for doc in data["perspectives"].values()} == {
            expected_numerology(a, b)}


@pytest.mark.asyncio
async def test_chart_down(harness_without_chart: Harness) -> None:
    harness = harness_without_chart
    viewer, charted, plain = await people(harness, True, True, False)
    found, reasons = await scanned(harness, viewer, [charted, plain])
    assert set(reasons) == {"CHART_UNAVAILABLE"}
    assert set(found) == {charted.user_id, plain.user_id}  # the scan itself still works
    for other in (charted, plain):
        assert found[other.user_id]["compatibility"] is None
        assert found[other.user_id]["astrology"] == other.astrology()

    reply = await evaluate(harness, viewer.user_id, charted.user_id)
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "CHART_UNAVAILABLE"

    # Matching does not wait for the chart: the match is made, without compatibility data.
    await harness.resonate(viewer.user_id, charted.user_id)
    reply = await harness.resonate(charted.user_id, viewer.user_id)
    assert reply.status_code == 200 and reply.json()["is_match"] is True
    detail = await harness.client.get(f"/api/v1/matches/{reply.json()['match']['id']}",
                                      headers=harness.auth(viewer.user_id))
    assert detail.status_code == 200 and detail.json()["compatibility_data"] is None
    assert await harness.count(matches, matches.c.id == reply.json()["match"]["id"],
                               matches.c.compatibility_data.is_(None)) == 1  # SQL NULL, not JSON null

    # Matching still serves (scan degrades), so chart being down is reported but does not fail readiness.
    ready = await harness.client.get("/readyz")
    chart = ready.json()["checks"]["chart"]
    assert ready.status_code == 200 and chart["ok"] is False and chart["critical"] is False


@pytest.mark.asyncio
async def test_scan_by_a_deleted_account_is_unscored(harness: Harness) -> None:
    viewer, other = await people(harness, True, True)
    await harness.publish(harness.deleted(viewer.user_id))
    await harness.wait_profile(viewer.user_id, lambda row: row["deleted_at"] is not None)
    found, reasons = await scanned(harness, viewer, [other])
    assert set(reasons) == {"PROFILE_DELETED"}
    assert found[other.user_id]["compatibility"] is None
