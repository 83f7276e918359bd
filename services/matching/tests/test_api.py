"""Scan, resonance and matches over HTTP, on real Postgres, Redis and NATS."""
from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from numeros_common.ids import MAX_ID
from numeros_common.testing import stream_events
from services.matching.database import outbox
from services.matching.discovery.rules import Position, age_on, encode_cursor, years_before
from services.matching.matches.tables import matches

from .conftest import Harness, born_aged, new_user_id


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "path"), [("POST", "/api/v1/scan"), ("POST", "/api/v1/scan/evaluate"),
                                              ("POST", "/api/v1/resonance"),
                                              ("GET", "/api/v1/matches"), ("GET", "/api/v1/matches/1")])
async def test_missing_token_is_401(harness: Harness, method: str, path: str) -> None:
    reply = await harness.client.request(method, path, json={})
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "UNAUTHENTICATED"
    reply = await harness.client.request(method, path, json={}, headers={"Authorization": "Bearer nonsense"})
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "INVALID_TOKEN"


@pytest.mark.asyncio
async def test_scan_shape_and_optional_body(harness: Harness) -> None:
    viewer = new_user_id()
    other = await harness.register(display_name="Ada", birth_date=born_aged(31), photos=["https://img.example/a.jpg"])
    for kwargs in ({"json": {}}, {}, {"json": {"filters": {}}}):
        reply = await harness.client.post("/api/v1/scan", headers=harness.auth(viewer), **kwargs)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert set(body) == {"profiles", "next_cursor", "ignored_filters", "compatibility_unavailable"}
        assert len(body["profiles"]) <= 10
        assert body["ignored_filters"] == []
        # The viewer's own profile never arrived: profiles come back, scores do not.
        assert body["compatibility_unavailable"] == "PROFILE_PENDING"
    found = [p for p in await harness.scan_all(viewer) if p["id"] == other]
    assert found == [{"id": other, "display_name": "Ada", "age": 31, "photos": ["https://img.example/a.jpg"],
                      "bio": "hi", "distance_km": None, "compatibility": None,
                      "numerology": {"life_path": 7, "soul_urge": 11, "expression": 3, "personality": 1},
                      "astrology": {"chart_level": 1, "sun_sign": None, "moon_sign": None, "rising_sign": None}}]
    # trailing slash, as the mobile client sends it
    reply = await harness.client.post("/api/v1/scan/", json={"limit": 1}, headers=harness.auth(viewer))
    assert reply.status_code == 200 and len(reply.json()["profiles"]) == 1


@pytest.mark.asyncio
async def test_scan_excludes_self_deleted_and_acted_on(harness: Harness) -> None:
    viewer, liked, passed, fresh, gone = await harness.register_many(5)
    assert (await harness.resonate(viewer, liked)).status_code == 200
    assert (await harness.resonate(viewer, passed, "decline")).status_code == 200
    await harness.publish(harness.deleted(gone))
    await harness.wait_profile(gone, lambda row: row["deleted_at"] is not None)
    ids = [p["id"] for p in await harness.scan_all(viewer)]
    assert fresh in ids
    assert viewer not in ids and liked not in ids and passed not in ids and gone not in ids
    # someone who acted on the viewer is still shown to the viewer
    assert viewer in [p["id"] for p in await harness.scan_all(liked)]


@pytest.mark.asyncio
async def test_scan_pages_cover_everyone_exactly_once(harness: Harness) -> None:
    viewer = new_user_id()
    mine = await harness.register_many(7)
    everyone = [p["id"] for p in await harness.scan_all(viewer, {"limit": 50})]
    pages: list[list[int]] = []
    body: dict = {"limit": 3}
    while True:
        reply = await harness.client.post("/api/v1/scan", json=body, headers=harness.auth(viewer))
        assert reply.status_code == 200
        page = reply.json()
        assert len(page["profiles"]) <= 3
        pages.append([p["id"] for p in page["profiles"]])
        if page["next_cursor"] is None:
            break
        body["cursor"] = page["next_cursor"]
    paged = [i for page in pages for i in page]
    assert len(paged) == len(set(paged))
    assert paged == everyone[:len(paged)] or set(everyone) <= set(paged)  # the same ranking, page by page
    assert set(mine) <= set(paged)
    assert set(everyone) <= set(paged)  # no one skipped (new users may have arrived meanwhile)
    assert all(len(page) == 3 for page in pages[:-1])


@pytest.mark.asyncio
async def test_scan_age_filters(harness: Harness) -> None:
    viewer = new_user_id()
    today = dt.datetime.now(dt.UTC).date()
    ages = {"twenty": born_aged(20), "thirty": born_aged(30), "forty": born_aged(40),
            "just_25": years_before(today, 25),  # 25th birthday today
            "turns_36_tomorrow": years_before(today + dt.timedelta(days=1), 36),  # 35 today
            "just_36": years_before(today, 36)}  # 36th birthday today
    ids = {name: await harness.register(birth_date=birth) for name, birth in ages.items()}
    shown = await harness.scan_all(viewer, {"filters": {"age_min": 25, "age_max": 35}})
    shown_ids = {p["id"] for p in shown}
    assert all(25 <= p["age"] <= 35 for p in shown)
    assert {ids["thirty"], ids["just_25"], ids["turns_36_tomorrow"]} <= shown_ids
    assert not {ids["twenty"], ids["forty"], ids["just_36"]} & shown_ids
    only_min = {p["id"] for p in await harness.scan_all(viewer, {"filters": {"age_min": 39}})}
    assert ids["forty"] in only_min and ids["thirty"] not in only_min
    only_max = {p["id"] for p in await harness.scan_all(viewer, {"filters": {"age_max": 21}})}
    assert ids["twenty"] in only_max and ids["thirty"] not in only_max
    by_id = {p["id"]: p for p in shown}
    assert by_id[ids["just_25"]]["age"] == age_on(ages["just_25"], today) == 25


@pytest.mark.asyncio
async def test_scan_with_an_empty_age_range_finds_nobody(harness: Harness) -> None:
    """age_max below age_min is a valid request (the schema allows it) that nobody matches."""
    await harness.register(birth_date=born_aged(30))
    reply = await harness.client.post("/api/v1/scan", json={"filters": {"age_min": 40, "age_max": 20}},
                                      headers=harness.auth(new_user_id()))
    assert reply.status_code == 200, reply.text
    assert reply.json()["profiles"] == [] and reply.json()["next_cursor"] is None


@pytest.mark.asyncio
async def test_scan_distance_without_the_viewers_location_is_echoed_as_ignored(harness: Harness) -> None:
    for viewer in (new_user_id(), await harness.register()):  # unknown viewer; known viewer without a location
        reply = await harness.client.post("/api/v1/scan", json={"filters": {"distance_km": 50}},
                                          headers=harness.auth(viewer))
        assert reply.status_code == 200
        assert reply.json()["ignored_filters"] == ["distance_km"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("body", "field"), [
    ({"cursor": "not-a-cursor!"}, "cursor"),
    ({"cursor": "YWJj"}, "cursor"),
    ({"cursor": encode_cursor(Position(5, 7)) + "=="}, "cursor"),
    ({"cursor": "ZQAAAAAAAAAB"}, "cursor"),  # score 101: neither a score nor the unranked mark
    ({"cursor": "AAAgAAAAAAAA"}, "cursor"),  # user id 2**53, past the largest id
    ({"cursor": 12}, "cursor"),
    ({"cursor": "012"}, "cursor"),
    ({"limit": 0}, "limit"),
    ({"limit": 51}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"filters": {"age_min": 17}}, "filters.age_min"),
    ({"filters": {"age_max": 121}}, "filters.age_max"),
    ({"filters": {"distance_km": 0}}, "filters.distance_km"),
    ({"filters": {"distance_km": -3}}, "filters.distance_km"),
    ({"filters": {"colour": "red"}}, "filters.colour"),
    ({"filters": "young"}, "filters"),
    ([1, 2], "body"),
])
async def test_scan_bad_input_is_422_naming_the_field(harness: Harness, body, field: str) -> None:
    reply = await harness.client.post("/api/v1/scan", json=body, headers=harness.auth(new_user_id()))
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in [f["field"] for f in error["fields"]]


@pytest.mark.asyncio
async def test_scan_malformed_json_is_400(harness: Harness) -> None:
    reply = await harness.client.post("/api/v1/scan", content=b"{nope", headers={
        **harness.auth(new_user_id()), "Content-Type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "MALFORMED_JSON"


@pytest.mark.asyncio
async def test_resonance_input_errors(harness: Harness) -> None:
    me = await harness.register()
    reply = await harness.resonate(me, me)
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "SELF_TARGET"
    assert reply.json()["error"]["fields"][0]["field"] == "target_user_id"
    reply = await harness.resonate(me, new_user_id())
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "USER_NOT_FOUND"
    assert reply.json()["error"]["fields"][0]["field"] == "target_user_id"
    other = await harness.register()
    for body, field in [({"target_user_id": other, "action": "superlike"}, "action"),
                        ({"target_user_id": other}, "action"),
                        ({"action": "resonate"}, "target_user_id"),
                        ({"target_user_id": 2**63, "action": "resonate"}, "target_user_id"),
                        ({"target_user_id": MAX_ID + 1, "action": "resonate"}, "target_user_id"),
                        ({"target_user_id": 0, "action": "resonate"}, "target_user_id"),
                        ({"target_user_id": "abc", "action": "resonate"}, "target_user_id")]:
        reply = await harness.client.post("/api/v1/resonance", json=body, headers=harness.auth(me))
        assert reply.status_code == 422, (body, reply.text)
        assert field in [f["field"] for f in reply.json()["error"]["fields"]]


@pytest.mark.asyncio
async def test_resonance_before_own_profile_arrives_is_409(harness: Harness) -> None:
    target = await harness.register()
    reply = await harness.resonate(new_user_id(), target)
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "PROFILE_PENDING"


@pytest.mark.asyncio
async def test_mutual_resonance_creates_one_match_and_one_event(harness: Harness) -> None:
    a = await harness.register(display_name="Alice", birth_date=born_aged(28),
                               photos=["https://img.example/al.jpg"])
    b = await harness.register(display_name="Bob", birth_date=born_aged(33), photos=[])
    first = await harness.resonate(a, b)
    assert first.status_code == 200
    assert first.json() == {"is_match": False, "match": None}
    second = await harness.resonate(b, a)
    assert second.status_code == 200
    body = second.json()
    assert body["is_match"] is True
    match = body["match"]
    assert match["user_ids"] == sorted([a, b])
    assert match["other_user"] == {"id": a, "display_name": "Alice", "photos": ["https://img.example/al.jpg"],
                                   "age": 28, "bio": "hi",
                                   "numerology": {"life_path": 7, "soul_urge": 11, "expression": 3, "personality": 1},
                                   "astrology": {"chart_level": 1, "sun_sign": None, "moon_sign": None,
                                                 "rising_sign": None}}
    assert dt.datetime.fromisoformat(match["created_at"])
    # Repeating either side reports the existing match and creates nothing new.
    again = await harness.resonate(a, b)
    assert again.json()["is_match"] is True and again.json()["match"]["id"] == match["id"]
    assert again.json()["match"]["other_user"]["display_name"] == "Bob"

    await harness.wait_for(lambda: _published(harness, match["id"]), "the outbox relay to publish the match")
    events = [e for e in await stream_events(harness.js, "matching.match.created")
              if e.data["user_ids"] == sorted([a, b])]  # all the stream holds: nothing is still to come
    assert len(events) == 1
    event = events[0]
    assert event.subject == "matching.match.created" and event.producer == "matching"
    assert event.data["match_id"] == match["id"]
    assert dt.datetime.fromisoformat(event.data["created_at"]) == dt.datetime.fromisoformat(match["created_at"])
    lo, hi = sorted([a, b])
    assert await harness.count(matches, matches.c.user1_id == lo, matches.c.user2_id == hi) == 1
    assert await harness.count(outbox, outbox.c.envelope["data"]["match_id"].as_integer() == match["id"]) == 1


async def _published(harness: Harness, match_id: int) -> bool:
    return await harness.count(outbox, outbox.c.envelope["data"]["match_id"].as_integer() == match_id,
                               outbox.c.published_at.is_not(None)) == 1


@pytest.mark.asyncio
async def test_decline_does_not_match(harness: Harness) -> None:
    a, b = await harness.register_many(2)
    assert (await harness.resonate(a, b)).json()["is_match"] is False
    reply = await harness.resonate(b, a, "decline")
    assert reply.status_code == 200 and reply.json() == {"is_match": False, "match": None}
    assert (await harness.client.get("/api/v1/matches", headers=harness.auth(a))).json() == {"matches": []}
    lo, hi = sorted([a, b])
    assert await harness.count(matches, matches.c.user1_id == lo, matches.c.user2_id == hi) == 0
    # A later action replaces the earlier one: b changes their mind.
    reply = await harness.resonate(b, a)
    assert reply.json()["is_match"] is True


@pytest.mark.asyncio
async def test_simultaneous_mutual_resonances_match_exactly_once(harness: Harness) -> None:
    pairs = [await harness.register_many(2) for _ in range(6)]
    replies = await asyncio.gather(*(harness.resonate(x, y) for a, b in pairs for x, y in ((a, b), (b, a))))
    assert all(r.status_code == 200 for r in replies)
    for i, (a, b) in enumerate(pairs):
        both = [replies[2 * i].json(), replies[2 * i + 1].json()]
        assert any(r["is_match"] for r in both)  # whoever came second sees the match
        ids = {r["match"]["id"] for r in both if r["match"]}
        assert len(ids) == 1
        lo, hi = sorted([a, b])
        assert await harness.count(matches, matches.c.user1_id == lo, matches.c.user2_id == hi) == 1
        assert await harness.count(outbox, outbox.c.envelope["data"]["match_id"].as_integer() == ids.pop()) == 1


@pytest.mark.asyncio
async def test_matches_list_and_detail(harness: Harness) -> None:
    me, first, second, stranger1, stranger2 = await harness.register_many(5)
    for other in (first, second):
        await harness.resonate(me, other)
        await harness.resonate(other, me)
    await harness.resonate(stranger1, stranger2)
    theirs = (await harness.resonate(stranger2, stranger1)).json()["match"]

    listed = (await harness.client.get("/api/v1/matches", headers=harness.auth(me))).json()["matches"]
    assert [m["other_user"]["id"] for m in listed] == [second, first]  # newest first
    assert all(set(m) == {"id", "user_ids", "other_user", "created_at", "compatibility_score", "last_message",
                          "unread_count", "last_activity_at"} for m in listed)
    assert all(m["last_message"] is None and m["unread_count"] == 0 for m in listed)
    assert theirs["id"] not in [m["id"] for m in listed]

    detail = await harness.client.get(f"/api/v1/matches/{listed[0]['id']}", headers=harness.auth(me))
    assert detail.status_code == 200
    body = detail.json()
    assert body["other_user"]["id"] == second
    assert body["messages_url"] == f"/api/v1/matches/{listed[0]['id']}/messages"
    # Filled when the match was made (tests/test_compatibility.py checks its content).
    assert body["compatibility_data"]["overall_score"] == body["compatibility_data"]["numerology"]["numerology_score"]
    also = await harness.client.get(f"/api/v1/matches/{listed[0]['id']}/", headers=harness.auth(second))
    assert also.status_code == 200 and also.json()["other_user"]["id"] == me

    # Someone else's match looks exactly like one that does not exist.
    for match_id in (theirs["id"], MAX_ID):
        reply = await harness.client.get(f"/api/v1/matches/{match_id}", headers=harness.auth(me))
        assert reply.status_code == 404
        assert reply.json()["error"]["code"] == "MATCH_NOT_FOUND"
    for bad in ("abc", "0", str(MAX_ID + 1), str(2**63), "-1", "1.5"):
        reply = await harness.client.get(f"/api/v1/matches/{bad}", headers=harness.auth(me))
        assert reply.status_code == 422, (bad, reply.text)
        assert reply.json()["error"]["fields"][0]["field"] == "match_id"


@pytest.mark.asyncio
async def test_openapi_documents_the_routes(harness: Harness) -> None:
    spec = (await harness.client.get("/openapi.json")).json()
    assert {"/api/v1/scan", "/api/v1/scan/evaluate", "/api/v1/resonance", "/api/v1/matches",
            "/api/v1/matches/{match_id}"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"compatibility", "astrology"} <= set(schemas["ScanProfile"]["properties"])
    assert set(schemas["ScanCompatibility"]["properties"]) >= {"overall_score", "numerology_score", "astrology_score",
                                                                "highlights"}
    assert set(schemas["CompatibilityResponse"]["properties"]) >= {"overall_score", "numerology", "astrology"}
    scan_doc = json.dumps(spec["paths"]["/api/v1/scan"])
    assert "distance_km" in scan_doc and "compatibility_unavailable" in scan_doc
    assert "not part of the profiles yet" not in scan_doc
    assert set(spec["paths"]["/api/v1/scan/evaluate"]["post"]["responses"]) >= {"200", "404", "409", "422", "503"}
