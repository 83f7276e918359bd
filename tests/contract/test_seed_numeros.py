"""Contract of the numeros-backend-rebuild seed as its React Native ``ApiClient`` uses it, through the gateway
under ``/api/v1`` (the client's ``API_BASE``), with the client's trailing slashes and its
``Authorization: Token <token>`` header (Bearer works as well, DESIGN.md §3).

The client parses every answer as JSON (``response.json()``), logout included. Only the flows that exist
today are replayed: register, login, logout, profile/me, profile/calculate, scan, resonance, matches,
messages and the daily forecast. Errors speak the project envelope ``{"error": {code, message, request_id,
fields}}`` (DESIGN.md §3). Values checked are worked out by hand in the comments.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from devstack.processes import poll

from .helpers import check_common_headers, check_envelope_error, is_recent, jwt_claims, parse_time, unique_email

pytestmark = pytest.mark.e2e

API = "/api/v1"

# PHASE 3 › Authentication › POST /api/auth/register, the request as written (an email of this run stands in
# for user@example.com, which the astro-mvp contract registers in the same stack).
SEED_REGISTER = {"email": "user@example.com", "password": "securepassword", "display_name": "Sarah",
                 "birth_date": "1990-05-15", "birth_time": "14:30", "birth_place": "New York, USA"}
# PHASE 3 › Profile › POST /api/profile/calculate, the request as written.
SEED_CALCULATE = {"name": "Sarah", "birth_date": "1990-05-15", "birth_time": "14:30", "birth_place": "New York, USA"}
# PHASE 3 › Scanning & Matching › POST /api/scan, the request as written.
SEED_SCAN = {"limit": 10, "filters": {"age_min": 25, "age_max": 35, "distance_km": 50}}
# PHASE 3 › Messaging › POST /api/matches/{match_id}/messages (the seed's file shows the emoji as the mojibake
# "ðŸ’«", the UTF-8 bytes of U+1F4AB read as Windows-1252; the client sends the emoji itself).
SEED_MESSAGE = {"content": "Hey! Our numbers align perfectly \U0001F4AB"}

# "Sarah", 1990-05-15 (Pythagorean A1 ... I9, J1 ... R9, S1 ... Z8):
# life path 15 + 5 + 1990 = 2010 -> 3 (or month 5 + day 6 + year 1: 12 -> 3);
# expression S1 A1 R9 A1 H8 = 20 -> 2; soul urge A1 A1 = 2; personality S1 R9 H8 = 18 -> 9.
SARAH_NUMBERS = {"life_path": 3, "expression": 2, "soul_urge": 2, "personality": 9}
# "Tom", 1995-03-10: life path 10 + 3 + 1995 = 2008 -> 10 -> 1; expression T2 O6 M4 = 12 -> 3; soul urge O6 = 6;
# personality T2 M4 = 6.
TOM_NUMBERS = {"life_path": 1, "expression": 3, "soul_urge": 6, "personality": 6}
PLANETS = ("sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn")
SIGNS = ("Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo", "Libra", "Scorpio", "Sagittarius", "Capricorn",
         "Aquarius", "Pisces")


@dataclass
class Member:
    id: int
    email: str
    token: str
    reply: dict

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}  # as the ApiClient sends it


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def sign_up(client: httpx.Client, **changes: str) -> Member:
    """``api.register(data)``: the seed's body, to ``/auth/register/`` with its trailing slash."""
    body = {**SEED_REGISTER, "email": unique_email("numeros"), **changes}
    reply = client.post(f"{API}/auth/register/", json=body)
    assert reply.status_code == 201, reply.text
    data = reply.json()
    return Member(data["user"]["id"], body["email"], data["token"], data)


@pytest.fixture(scope="module")
def client(new_client: Callable[[], httpx.Client]) -> httpx.Client:
    return new_client()


@pytest.fixture(scope="module")
def sarah(client) -> Member:
    return sign_up(client)


@pytest.fixture(scope="module")
def tom(client) -> Member:
    return sign_up(client, display_name="Tom", birth_date="1995-03-10", birth_time="09:15", birth_place="Chicago")


def check_astrology(astrology: dict, level: int) -> None:
    """AstrologyData and PlanetPosition as SYNC WITH NATIVE APP types them."""
    assert astrology["chart_level"] == level
    for name in PLANETS:
        planet = astrology["planets"][name]
        assert {"sign", "degree", "minute", "longitude", "house", "is_retrograde"} <= set(planet), planet
        assert planet["sign"] == SIGNS[int(planet["longitude"] // 30)]
        assert planet["degree"] == int(planet["longitude"] % 30) and 0 <= planet["minute"] < 60
        assert isinstance(planet["is_retrograde"], bool)
        assert planet["house"] is None if level < 4 else 1 <= planet["house"] <= 12
    assert astrology["planets"]["sun"]["is_retrograde"] is False  # the Sun never is
    if level == 4:
        for angle in ("ascendant", "midheaven"):
            point = astrology["angles"][angle]
            assert {"sign", "degree", "minute", "longitude"} <= set(point)
            assert point["sign"] == SIGNS[int(point["longitude"] // 30)]
        assert len(astrology["houses"]) == 12 and all(isinstance(h, (int, float)) for h in astrology["houses"])


def check_sarah_sun(astrology: dict) -> None:
    # 14:30 in New York (EDT) is 18:30 UT; the Sun entered Gemini (60 deg) on 1990-05-21 near 07:40 UT, 5.55 days
    # later at ~0.964 deg a day: ~54.65 deg, 24 deg 39' Taurus.
    sun = astrology["planets"]["sun"]
    assert (sun["sign"], sun["degree"]) == ("Taurus", 24)
    assert abs(sun["longitude"] - 54.65) < 0.3


# --- Auth -----------------------------------------------------------------------------------------


def test_register_with_the_mobile_clients_body(client):
    member = sign_up(client)
    body = member.reply
    assert isinstance(body["token"], str) and body["token"]
    claims = jwt_claims(body["token"])
    assert claims["exp"] - claims["iat"] == 1800  # 30-minute access tokens, as astro-mvp and Loopin set them
    user = body["user"]
    assert isinstance(user["id"], int) and (user["email"], user["display_name"]) == (member.email, "Sarah")
    assert {k: body["numerology"][k] for k in SARAH_NUMBERS} == SARAH_NUMBERS
    # Date, time and a place the gazetteer finds: a full chart (level 4: angles and houses).
    check_astrology(body["astrology"], 4)
    check_sarah_sun(body["astrology"])


def test_login_with_the_trailing_slash(client, sarah):
    reply = client.post(f"{API}/auth/login/", json={"email": sarah.email, "password": SEED_REGISTER["password"]})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert isinstance(body["token"], str) and body["token"]
    assert (body["user"]["id"], body["user"]["email"], body["user"]["display_name"]) == (sarah.id, sarah.email,
                                                                                         "Sarah")


def test_wrong_password_is_401_in_the_envelope(client, sarah):
    check_envelope_error(client.post(f"{API}/auth/login/", json={"email": sarah.email, "password": "not-the-one"}),
                         401)


@pytest.mark.parametrize(("change", "field"), [({"email": "sarah-at-example.com"}, "email"),
                                               ({"birth_date": "1990-13-01"}, "birth_date"),
                                               ({"birth_time": "25:61"}, "birth_time")])
def test_register_errors_name_the_field(client, change, field):
    body = {**SEED_REGISTER, "email": unique_email("bad"), **change}
    check_envelope_error(client.post(f"{API}/auth/register/", json=body), 422, field)


def test_profile_me_with_token_and_bearer_schemes(client, sarah):
    for scheme in ("Token", "Bearer"):
        reply = client.get(f"{API}/profile/me/", headers={"Authorization": f"{scheme} {sarah.token}"})
        assert reply.status_code == 200, (scheme, reply.text)
        body = reply.json()
        # getProfile() is typed UserProfile (id, email, display_name); the Python section adds "with numerology +
        # astrology". The user's fields are read at the top level or under "user", whichever the body has.
        user = body.get("user", body)
        assert (user["id"], user["email"], user["display_name"]) == (sarah.id, sarah.email, "Sarah")
        assert {k: body["numerology"][k] for k in SARAH_NUMBERS} == SARAH_NUMBERS
        check_astrology(body["astrology"], 4)


def test_profile_me_without_a_token_is_401(client):
    check_envelope_error(client.get(f"{API}/profile/me/"), 401)
    check_envelope_error(client.get(f"{API}/profile/me/", headers={"Authorization": "Token not.a.jwt"}), 401)


def test_logout_answers_json_and_ends_the_session(client):
    member = sign_up(client)
    reply = client.post(f"{API}/auth/logout/", headers=member.auth)
    # The ApiClient runs response.json() on every answer: an empty 204 throws in the app.
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"message": "Logged out successfully"}
    check_envelope_error(client.get(f"{API}/profile/me/", headers=member.auth), 401)


# --- Profile --------------------------------------------------------------------------------------


def test_calculate_anonymously(client):
    reply = client.post(f"{API}/profile/calculate/", json=SEED_CALCULATE)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert {k: body["numerology"][k] for k in SARAH_NUMBERS} == SARAH_NUMBERS
    # The seed's example answers chart_level 3: its engine only counts latitude/longitude as a location. DESIGN.md
    # §3 places a birth_place with the offline gazetteer, so date + time + a found place is a full chart, level 4.
    assert body["chart_level"] == 4
    check_astrology(body["astrology"], 4)
    check_sarah_sun(body["astrology"])


@pytest.mark.parametrize(("body", "level"), [({"name": "Sarah", "birth_date": "1990-05-15"}, 1),
                                             ({"name": "Sarah", "birth_date": "1990-05-15", "birth_time": "14:30",
                                               "latitude": 40.7128, "longitude": -74.006}, 4)])
def test_calculate_chart_levels(client, body, level):
    # Level 1: date only; level 4: date + time + location (the seed's calculate_full_chart).
    reply = client.post(f"{API}/profile/calculate/", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["chart_level"] == level
    check_astrology(reply.json()["astrology"], level)


def test_calculate_errors_name_the_field(client):
    check_envelope_error(client.post(f"{API}/profile/calculate/", json={"birth_date": "1990-05-15"}), 422, "name")
    check_envelope_error(client.post(f"{API}/profile/calculate/", json={"name": "Sarah", "birth_date": "May 15"}),
                         422, "birth_date")


# --- Scanning & Matching --------------------------------------------------------------------------


def scan_all(client: httpx.Client, member: Member, body: dict) -> list[dict]:
    """Every page of a scan (the client follows next_cursor)."""
    seen, cursor = [], None
    while True:
        reply = client.post(f"{API}/scan/", json={**body, "cursor": cursor} if cursor else body, headers=member.auth)
        assert reply.status_code == 200, reply.text
        page = reply.json()
        assert set(page) >= {"profiles"} and len(page["profiles"]) <= body.get("limit", 50)
        seen += page["profiles"]
        cursor = page.get("next_cursor")
        if not cursor:
            return seen


def test_scan_with_the_seeds_filters(client, sarah, tom):
    older = sign_up(client, display_name="Olga", birth_date="1980-01-01")
    younger = sign_up(client, display_name="Yuri", birth_date="2005-01-01")
    profiles = poll(lambda: scan_all(client, sarah, SEED_SCAN), lambda found: tom.id in [p["id"] for p in found],
                    15, "Tom in Sarah's scan", interval=0.2)
    ids = [p["id"] for p in profiles]
    assert sarah.id not in ids and older.id not in ids and younger.id not in ids
    today = dt.datetime.now(dt.UTC).date()
    assert all(25 <= p["age"] <= 35 for p in profiles), [p["age"] for p in profiles]
    found = next(p for p in profiles if p["id"] == tom.id)
    assert (found["display_name"], found["age"]) == ("Tom", age_on(dt.date(1995, 3, 10), today))
    assert isinstance(found["photos"], list)
    compatibility = found["compatibility"]
    for score in ("overall_score", "numerology_score", "astrology_score"):
        assert isinstance(compatibility[score], (int, float)) and 0 <= compatibility[score] <= 100
    assert all(isinstance(text, str) for text in compatibility["highlights"])
    assert {k: found["numerology"][k] for k in TOM_NUMBERS} == TOM_NUMBERS
    assert isinstance(found["astrology"], dict)


def test_scan_as_the_client_sends_it_without_filters(client, sarah):
    reply = client.post(f"{API}/scan/", json={}, headers=sarah.auth)  # scan() sends `filters || {}`
    assert reply.status_code == 200, reply.text
    assert isinstance(reply.json()["profiles"], list)


@dataclass
class Matched:
    first: dict
    second: dict
    match_id: int


@pytest.fixture(scope="module")
def matched(client, sarah, tom) -> Matched:
    """Sarah resonates with Tom, then Tom with Sarah: a match (once Tom's side knows Sarah)."""
    first = poll(lambda: client.post(f"{API}/resonance/", json={"target_user_id": tom.id, "action": "resonate"},
                                     headers=sarah.auth), lambda r: r.status_code == 200, 15, "Sarah's resonance",
                 interval=0.2)
    second = poll(lambda: client.post(f"{API}/resonance/", json={"target_user_id": sarah.id, "action": "resonate"},
                                      headers=tom.auth), lambda r: r.status_code == 200, 15, "Tom's resonance",
                  interval=0.2)
    return Matched(first.json(), second.json(), second.json()["match"]["id"])


def test_resonance_then_a_match(matched, sarah, tom):
    assert matched.first["is_match"] is False
    assert matched.second["is_match"] is True
    assert isinstance(matched.match_id, int)


def test_decline(client, sarah):
    other = sign_up(client, display_name="Dana", birth_date="1993-07-07")
    reply = poll(lambda: client.post(f"{API}/resonance/", json={"target_user_id": other.id, "action": "decline"},
                                     headers=sarah.auth), lambda r: r.status_code == 200, 15, "a decline",
                 interval=0.2)
    assert reply.json()["is_match"] is False


def test_resonance_errors(client, sarah):
    check_envelope_error(client.post(f"{API}/resonance/", json={"target_user_id": sarah.id, "action": "maybe"},
                                     headers=sarah.auth), 422, "action")
    check_envelope_error(client.post(f"{API}/resonance/", json={"target_user_id": 1, "action": "resonate"}), 401)


def test_matches_lists_the_match_for_both(client, matched, sarah, tom):
    for member in (sarah, tom):
        reply = client.get(f"{API}/matches/", headers=member.auth)
        assert reply.status_code == 200, reply.text
        assert [m["id"] for m in reply.json()["matches"]] == [matched.match_id]


def test_match_detail_with_messages(client, matched, sarah):
    # GET /api/matches/{match_id}: "Get specific match with messages". Matching learns of a message from
    # chat's event, so the detail shows it moments after it is sent.
    posted = client.post(f"{API}/matches/{matched.match_id}/messages/", json={"content": "Detail check"},
                         headers=sarah.auth)
    assert posted.status_code == 201, posted.text

    def listed(reply) -> list[int]:
        messages = reply.json().get("messages", []) if reply.status_code == 200 else []
        return [m["id"] for m in (messages["messages"] if isinstance(messages, dict) else messages)]

    reply = poll(lambda: client.get(f"{API}/matches/{matched.match_id}/", headers=sarah.auth),
                 lambda r: posted.json()["id"] in listed(r), 15, "the message in the match detail", interval=0.2)
    assert reply.json()["id"] == matched.match_id


def test_send_and_read_messages(client, matched, sarah, tom):
    sent = client.post(f"{API}/matches/{matched.match_id}/messages/", json=SEED_MESSAGE, headers=sarah.auth)
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["content"] == SEED_MESSAGE["content"] and is_recent(message["created_at"])
    reply = client.get(f"{API}/matches/{matched.match_id}/messages", params={"limit": 50}, headers=tom.auth)
    assert reply.status_code == 200, reply.text
    listed = reply.json()["messages"]
    assert len(listed) <= 50
    assert [m["content"] for m in listed if m["id"] == message["id"]] == [SEED_MESSAGE["content"]]


def test_messages_before_a_timestamp(client, matched, sarah, tom):
    # Messaging › GET /api/matches/{match_id}/messages, "Query params: ?before=timestamp&limit=50".
    ids = []
    for text in ("one", "two", "three"):
        sent = client.post(f"{API}/matches/{matched.match_id}/messages/", json={"content": text}, headers=tom.auth)
        assert sent.status_code == 201, sent.text
        ids.append(sent.json())
    newest = ids[-1]
    reply = client.get(f"{API}/matches/{matched.match_id}/messages",
                       params={"before": newest["created_at"], "limit": 50}, headers=sarah.auth)
    assert reply.status_code == 200, reply.text
    listed = reply.json()["messages"]
    assert newest["id"] not in [m["id"] for m in listed]
    assert {ids[0]["id"], ids[1]["id"]} <= {m["id"] for m in listed}
    assert all(parse_time(m["created_at"]) < parse_time(newest["created_at"]) for m in listed)


def test_someone_elses_match_is_not_found(client, matched):
    """Not a participant: the same 404 as for a match that does not exist."""
    stranger = sign_up(client, display_name="Stan", birth_date="1991-01-01")
    for path in ("/matches/{}/", "/matches/{}/messages/"):
        theirs = client.get(API + path.format(matched.match_id), headers=stranger.auth)
        missing = client.get(API + path.format(987654321), headers=stranger.auth)
        assert check_envelope_error(theirs, 404)["code"] == check_envelope_error(missing, 404)["code"]
    posted = client.post(f"{API}/matches/{matched.match_id}/messages/", json=SEED_MESSAGE, headers=stranger.auth)
    check_envelope_error(posted, 404)


# --- Daily forecast -------------------------------------------------------------------------------


def test_todays_forecast(client, sarah):
    before = dt.datetime.now(dt.UTC).date()
    for headers in ({}, sarah.auth):
        reply = client.get(f"{API}/forecast/today/", headers=headers)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert dt.date.fromisoformat(body["date"]) in (before, dt.datetime.now(dt.UTC).date())
        assert isinstance(body["universal_day_number"], int)


def test_forecast_for_a_date(client):
    reply = client.get(f"{API}/forecast/2024-06-01/")
    assert reply.status_code == 200, reply.text
    # 2+0+2+4+0+6+0+1 = 15 -> 6.
    assert (reply.json()["date"], reply.json()["universal_day_number"]) == ("2024-06-01", 6)


# --- Headers --------------------------------------------------------------------------------------


def test_every_answer_has_request_id_and_process_time(client, sarah):
    for reply in (client.get(f"{API}/profile/me/", headers=sarah.auth), client.get(f"{API}/profile/me/"),
                  client.post(f"{API}/profile/calculate/", json=SEED_CALCULATE),
                  client.post(f"{API}/scan/", json={}, headers=sarah.auth),
                  client.get(f"{API}/matches/", headers=sarah.auth)):
        check_common_headers(reply)
