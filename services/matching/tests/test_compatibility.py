"""Compatibility in scan, scan/evaluate and new matches, on the real chart gRPC server.

Expected scores are worked by hand from the published rules (chart's ``numerology/compatibility.py``
table and weights, and the synastry rules in ``synastry.py``'s docstring), not computed by chart code.

Numerology: score = (40·life path + 25·soul urge + 20·expression + 15·personality + 50) // 100 of the
pair harmonies (root-number table; +5 per master number in the pair, at most 100):

    viewer A (7, 11, 3, 1) = (life path, soul urge, expression, personality)
    with B (5, 22, 9, 4):  75, 100 (roots 2-4: 90, +5+5), 90, 50 -> (3000+2500+1800+750+50)//100 = 81
    with C (1, 2, 6, 8):   70, 85 (roots 2-2: 80, +5), 85, 55   -> (2800+2125+1700+825+50)//100  = 75
    with D (33, 6, 4, 9):  45 (roots 6-7: 40, +5), 95 (2-6: 90, +5), 45, 65 -> (1800+2375+900+975+50)//100 = 61
    with E (2, 7, 8, 3):   60, 65 (roots 2-7: 60, +5), 55, 85   -> (2400+1625+1100+1275+50)//100 = 64

Synastry: the viewer's chart P has its five planets within 48° (Sun 0, Moon 350, Mercury 340, Venus
325, Mars 312); each other chart puts one planet on an exact aspect to one of P's and parks the rest
at 32°/33°, where they aspect none of P's planets (separations 32-53° and 67-81° fall between the orbs).
With H and T the weighted harmony and tension, astrology = rint(50 + 50·tanh((H - 0.8·T)/4)):

    Q: Sun 120, trine P's Sun; weight 1·1 -> H = 1:         astrology 62 (62.25), harmony 22 (22.12)
    R: Mars 145, opposite P's Venus; 0.9·0.8·1.5 pair bonus × 0.8 opposition -> T = 0.864:
                                                            astrology 41 (41.45), tension 19 (19.43)
    S: Moon 350 on P's Moon (Moon-Moon ×1.15), S untimed (level 2, Moon ×0.5) -> H = 0.575:
                                                            astrology 57 (57.14)

Overall = rint(0.5·numerology + 0.5·astrology), or 0.6 / 0.4 when either chart is untimed (level 1-2).
Without both charts: numerology only, ``astrology_score`` 0, ``overall_score`` = ``numerology_score``,
no highlight, ``basis: "numerology"``.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from numeros_common.events.schemas import NumerologyCore
from services.matching.matches.tables import matches

from .conftest import Harness, new_user_id

KEYS = ("sun", "moon", "mercury", "venus", "mars")


def numbers(life_path: int, soul_urge: int, expression: int, personality: int) -> NumerologyCore:
    return NumerologyCore(life_path=life_path, soul_urge=soul_urge, expression=expression, personality=personality)


A, B, C, D, E = (numbers(7, 11, 3, 1), numbers(5, 22, 9, 4), numbers(1, 2, 6, 8), numbers(33, 6, 4, 9),
                 numbers(2, 7, 8, 3))
P = ((0.0, 350.0, 340.0, 325.0, 312.0), 4, ("Aries", "Pisces", "Leo"))
Q = ((120.0, 32.0, 32.0, 33.0, 33.0), 4, ("Leo", "Taurus", "Virgo"))
R = ((32.0, 32.0, 33.0, 33.0, 145.0), 3, ("Taurus", "Taurus", None))
S = ((32.0, 350.0, 32.0, 33.0, 33.0), 2, ("Taurus", "Pisces", None))


@dataclass
class Person:
    user_id: int
    numerology: NumerologyCore
    chart: tuple | None  # (longitudes, level, signs)

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


async def people(harness: Harness, *specs: tuple[NumerologyCore, tuple | None]) -> list[Person]:
    """Registered users, one per (numerology, chart or None)."""
    made = [Person(new_user_id(), numerology, chart) for numerology, chart in specs]
    for person in made:
        await harness.publish(harness.registered(person.user_id, numerology=person.numerology, natal=person.natal()))
    for person in made:
        await harness.wait_profile(person.user_id)
    return made


def numerology_only(score: int) -> dict:
    return {"overall_score": score, "numerology_score": score, "astrology_score": 0, "highlights": [],
            "basis": "numerology"}


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
    viewer, *others = await people(harness, (A, P), (E, Q), (B, None), (C, R), (C, None), (D, S))
    found, reasons = await scanned(harness, viewer, others)
    assert set(reasons) == {None}
    assert set(found) == {p.user_id for p in others}
    for other in others:
        assert found[other.user_id]["astrology"] == other.astrology()
        assert found[other.user_id]["numerology"] == other.numerology.model_dump()
    q, plain_b, r, plain_c, s = (found[p.user_id]["compatibility"] for p in others)
    assert q == {"overall_score": 63, "numerology_score": 64, "astrology_score": 62,
                 "highlights": ["Your Suns are in harmony"], "basis": "numerology+astrology"}
    # Tension only: the one highlight is the strongest tense aspect.
    assert r == {"overall_score": 58, "numerology_score": 75, "astrology_score": 41,
                 "highlights": ["Your Venus and their Mars pull in opposite directions"],
                 "basis": "numerology+astrology"}
    # S has no birth time: 0.6·61 + 0.4·57 = 59.4.
    assert s == {"overall_score": 59, "numerology_score": 61, "astrology_score": 57,
                 "highlights": ["Your Moons are aligned"], "basis": "numerology+astrology"}
    assert plain_b == numerology_only(81)
    assert plain_c == numerology_only(75)


@pytest.mark.asyncio
async def test_caller_without_a_chart_gets_numerology_only(harness: Harness) -> None:
    viewer, *others = await people(harness, (A, None), (E, Q), (B, None), (C, R))
    found, reasons = await scanned(harness, viewer, others)
    assert set(reasons) == {None}
    for other, numerology in zip(others, (64, 81, 75), strict=True):
        assert found[other.user_id]["compatibility"] == numerology_only(numerology)
        assert found[other.user_id]["astrology"] == other.astrology()


@pytest.mark.asyncio
async def test_scan_before_the_callers_profile_arrives(harness: Harness) -> None:
    (other,) = await people(harness, (E, Q))
    stranger = Person(new_user_id(), A, None)  # has a token, no profile here yet
    found, reasons = await scanned(harness, stranger, [other])
    assert set(reasons) == {"PROFILE_PENDING"}
    assert found[other.user_id]["compatibility"] is None
    assert found[other.user_id]["astrology"] == other.astrology()
    # Once it arrives, the same scan is scored.
    await harness.publish(harness.registered(stranger.user_id, numerology=stranger.numerology))
    await harness.wait_profile(stranger.user_id)
    found, reasons = await scanned(harness, stranger, [other])
    assert set(reasons) == {None}
    assert found[other.user_id]["compatibility"] == numerology_only(64)


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
    me, charted, plain = await people(harness, (A, P), (E, Q), (B, None))
    reply = await evaluate(harness, me.user_id, charted.user_id)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == EVALUATE_KEYS
    assert set(body["numerology"]) == NUMEROLOGY_KEYS
    assert set(body["astrology"]) == ASTROLOGY_KEYS
    numerology = body["numerology"]
    assert (numerology["life_path_harmony"], numerology["soul_connection"], numerology["expression_sync"],
            numerology["personality_match"], numerology["numerology_score"]) == (60, 65, 55, 85, 64)
    # At least 75 is a strength, at most 50 a challenge: personalities (85) only.
    assert [line.split(":")[0] for line in numerology["strengths"]] == ["Personalities 1 and 3"]
    assert numerology["challenges"] == []
    astrology = body["astrology"]
    assert astrology["aspects"] == [{"planet1": "sun", "planet2": "sun", "aspect": "trine", "orb": 0.0}]
    assert (astrology["astrology_score"], astrology["harmony_score"], astrology["tension_score"]) == (62, 22, 0)
    assert astrology["highlights"] == ["Your Suns are in harmony"] and astrology["challenges"] == []
    assert body["overall_score"] == 63
    assert body["highlights"] == ["Your Suns are in harmony"]
    assert body["basis"] == "numerology+astrology"
    # The scan's numbers for the same pair agree with the detail view.
    found, _ = await scanned(harness, me, [charted])
    scan = found[charted.user_id]["compatibility"]
    assert (scan["overall_score"], scan["numerology_score"], scan["astrology_score"]) == (63, 64, 62)

    # Without the target's chart: numerology only, astrology null.
    reply = await evaluate(harness, me.user_id, plain.user_id)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == EVALUATE_KEYS
    assert body["astrology"] is None and body["highlights"] == [] and body["basis"] == "numerology"
    assert body["overall_score"] == body["numerology"]["numerology_score"] == 81
    assert (body["numerology"]["life_path_harmony"], body["numerology"]["soul_connection"],
            body["numerology"]["expression_sync"], body["numerology"]["personality_match"]) == (75, 100, 90, 50)
    # trailing slash, as the mobile client sends paths
    reply = await harness.client.post("/api/v1/scan/evaluate/", json={"target_user_id": plain.user_id},
                                      headers=harness.auth(me.user_id))
    assert reply.status_code == 200


@pytest.mark.asyncio
async def test_evaluate_errors(harness: Harness) -> None:
    me, gone = await people(harness, (A, P), (E, Q))
    reply = await evaluate(harness, me.user_id, me.user_id)
    assert reply.status_code == 409 and reply.json()["error"]["code"] == "SELF_TARGET"
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
    a, b = await people(harness, (A, P), (E, Q))
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
    pairs = [await people(harness, (A, P), (B, None)) for _ in range(4)]
    replies = await asyncio.gather(*(harness.resonate(x.user_id, y.user_id)
                                     for a, b in pairs for x, y in ((a, b), (b, a))))
    assert all(r.status_code == 200 for r in replies)
    for a, b in pairs:
        lo, hi = sorted([a.user_id, b.user_id])
        async with harness.runtime.sessions() as session:
            data = (await session.execute(matches.select().where(matches.c.user1_id == lo, matches.c.user2_id == hi))
                    ).mappings().one()["compatibility_data"]
        assert data is not None
        assert {doc["numerology"]["numerology_score"] for doc in data["perspectives"].values()} == {81}


@pytest.mark.asyncio
async def test_chart_down(harness_without_chart: Harness) -> None:
    harness = harness_without_chart
    viewer, charted, plain = await people(harness, (A, P), (E, Q), (B, None))
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
    viewer, other = await people(harness, (A, P), (E, Q))
    await harness.publish(harness.deleted(viewer.user_id))
    await harness.wait_profile(viewer.user_id, lambda row: row["deleted_at"] is not None)
    found, reasons = await scanned(harness, viewer, [other])
    assert set(reasons) == {"PROFILE_DELETED"}
    assert found[other.user_id]["compatibility"] is None
