"""Contract of the human-design-chart-api seed: ``POST /api/calculate-chart`` as
``POST /api/v1/human-design/calculate-chart`` through the gateway, with its three curl examples, its validation
rules (years 1 to 3000), its error body ``{"detail": {code, message, message_de, field, retry_after}}`` and the
60 requests a minute per IP it recommends.

The seed's sample response is illustrative and inconsistent: its Sun at 54.123 deg is given gate 41 line 3, but
54 deg lies in gate 23 (gate 41 starts at 302 deg); its design Sun at 280.456 deg (gate "12", really gate 38)
is not 88 deg before 54.123 deg. So gates and lines are checked against the wheel below, the design Sun
against the 88 deg rule, and the Julian days against the birth instant.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx
import pytest

from .helpers import check_common_headers, check_rate_headers, is_recent, parse_time, retry_after

pytestmark = pytest.mark.e2e

URL = "/api/v1/human-design/calculate-chart"

# Examples › Example 1: Basic Request; Example 2: With Name; Example 3: Different Timezones (Tokyo).
SEED_EXAMPLE_1 = {"birth_datetime": "1990-05-15T14:30:00", "birth_timezone": "Europe/Berlin",
                  "birth_latitude": 52.5200, "birth_longitude": 13.4050}
SEED_EXAMPLE_2 = {"birth_datetime": "1985-03-21T08:00:00", "birth_timezone": "America/New_York",
                  "birth_latitude": 40.7128, "birth_longitude": -74.0060, "name": "Jane Smith"}
SEED_EXAMPLE_3 = {"birth_datetime": "2000-01-01T00:00:00", "birth_timezone": "Asia/Tokyo",
                  "birth_latitude": 35.6762, "birth_longitude": 139.6503}
# Error Responses › 400 Bad Request - Invalid Input, as written.
SEED_INVALID_TIMEZONE = {"detail": {
    "code": "INVALID_TIMEZONE",
    "message": "Timezone 'America/Invalid' is not a valid IANA timezone identifier",
    "message_de": "Zeitzone 'America/Invalid' ist kein gültiger IANA-Zeitzonenbezeichner",
    "field": "birth_timezone",
    "retry_after": None,
}}

BODIES = ["Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto",
          "North Node", "South Node", "Chiron"]
# The Rave wheel: 64 gates of 5.625 deg each, gate 41 starting at 302 deg (2 deg Aquarius), then in this order.
WHEEL = [41, 19, 13, 49, 30, 55, 37, 63, 22, 36, 25, 17, 21, 51, 42, 3, 27, 24, 2, 23, 8, 20, 16, 35, 45, 12, 15, 52,
         39, 53, 62, 56, 31, 33, 7, 4, 29, 59, 40, 64, 47, 6, 46, 18, 48, 57, 32, 50, 28, 44, 1, 43, 14, 34, 9, 5, 26,
         11, 10, 58, 38, 54, 61, 60]
ACTIVATION_FIELDS = {"body", "ecliptic_longitude", "gate", "line", "gate_line", "calculation_timestamp", "julian_day",
                     "source"}
ERROR_FIELDS = {"code", "message", "message_de", "field", "retry_after"}


def gate_and_line(longitude: float) -> tuple[int, int]:
    position = (longitude - 302.0) % 360.0 / 5.625
    index = int(position)
    return WHEEL[index], int((position - index) * 6) + 1


def julian_day(moment: dt.datetime) -> float:
    """Julian Day (UT) of an aware datetime: JD 2440587.5 is 1970-01-01T00:00Z."""
    return 2440587.5 + moment.timestamp() / 86400


@pytest.fixture(scope="module")
def client(new_client: Callable[[], httpx.Client]) -> httpx.Client:
    return new_client()


def chart(client: httpx.Client, body: dict) -> dict:
    reply = client.post(URL, json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def check_chart(body: dict, request: dict, bodies: list[str] = BODIES) -> dict[str, dict]:
    """Response Fields, every one of them; returns the personality activations by body."""
    assert {"name", "personality_activations", "design_activations", "design_datetime", "calculation_source",
            "calculated_at"} <= set(body)
    assert body["name"] == request.get("name")
    assert body["calculation_source"] == "SwissEphemeris"
    assert is_recent(body["calculated_at"])
    birth = dt.datetime.fromisoformat(request["birth_datetime"]).replace(tzinfo=ZoneInfo(request["birth_timezone"]))
    design_moment = parse_time(body["design_datetime"])
    assert design_moment < birth
    for key, moment in (("personality_activations", birth), ("design_activations", design_moment)):
        activations = body[key]
        assert [a["body"] for a in activations] == bodies, key
        for activation in activations:
            assert ACTIVATION_FIELDS <= set(activation), activation
            longitude = activation["ecliptic_longitude"]
            assert isinstance(longitude, float) and 0 <= longitude < 360
            assert (activation["gate"], activation["line"]) == gate_and_line(longitude), activation
            assert activation["gate_line"] == f"{activation['gate']}.{activation['line']}"
            assert activation["source"] == "SwissEphemeris"
            assert is_recent(activation["calculation_timestamp"])
            assert abs(activation["julian_day"] - julian_day(moment)) < 1e-5, (key, activation["julian_day"])
        by_body = {a["body"]: a["ecliptic_longitude"] for a in activations}
        # The South Node is by definition opposite the North Node.
        assert abs((by_body["South Node"] - by_body["North Node"]) % 360 - 180) < 1e-3
    personality = {a["body"]: a for a in body["personality_activations"]}
    design_sun = body["design_activations"][0]["ecliptic_longitude"]
    # The design moment is when the Sun stood 88 deg before its birth position (precision 0.01 deg).
    assert abs((personality["Sun"]["ecliptic_longitude"] - design_sun) % 360 - 88) < 0.01
    # ~88 days before birth, as the seed says: the Sun moves 0.95-1.02 deg a day.
    assert dt.timedelta(days=85) < birth - design_moment < dt.timedelta(days=93)
    return personality


def check_error(reply: httpx.Response, status: int, code: str | None, field: str | None) -> dict:
    """The seed's Error Response Schema; the request id rides in X-Request-ID."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) <= {"detail", "request_id"}, body
    detail = body["detail"]
    assert set(detail) == ERROR_FIELDS, detail
    if code is not None:
        assert detail["code"] == code, detail
    assert isinstance(detail["code"], str) and detail["code"]
    assert isinstance(detail["message"], str) and detail["message"]
    assert isinstance(detail["message_de"], str) and detail["message_de"] and detail["message_de"] != detail["message"]
    assert detail["field"] == field, detail
    assert reply.headers.get("X-Request-ID")
    return detail


# --- Examples ---------------------------------------------------------------------------------------


def test_example_1_basic_request(client):
    body = chart(client, SEED_EXAMPLE_1)
    personality = check_chart(body, SEED_EXAMPLE_1)
    assert body["name"] is None
    # The Sun entered Gemini (60 deg) on 1990-05-21 near 07:40 UT; 14:30 in Berlin (CEST) is 12:30 UT on the
    # 15th, 5.8 days earlier at ~0.964 deg a day: ~54.4 deg.
    assert abs(personality["Sun"]["ecliptic_longitude"] - 54.4) < 0.3
    # Its Julian Day: 1990-05-15 0h UT is JD 2448026.5, plus 12.5 hours.
    assert abs(personality["Sun"]["julian_day"] - (2448026.5 + 12.5 / 24)) < 1e-6


def test_example_2_with_name(client):
    body = chart(client, SEED_EXAMPLE_2)
    personality = check_chart(body, SEED_EXAMPLE_2)
    assert body["name"] == "Jane Smith"
    # The March equinox of 1985 fell on the 20th at 16:14 UT; 08:00 EST on the 21st is 13:00 UT, 20.8 hours
    # later at ~0.996 deg a day: the Sun at ~0.86 deg, in gate 25 (358.25-3.875 deg), line 3 (0.125-1.06 deg).
    assert abs(personality["Sun"]["ecliptic_longitude"] - 0.86) < 0.1
    assert personality["Sun"]["gate_line"] == "25.3"


def test_example_3_different_timezones(client):
    body = chart(client, SEED_EXAMPLE_3)
    personality = check_chart(body, SEED_EXAMPLE_3)
    # Midnight in Tokyo (UTC+9) is 15:00 UT on 31 December 1999: JD 2451543.5 + 15/24.
    assert abs(personality["Sun"]["julian_day"] - (2451543.5 + 15 / 24)) < 1e-6


@pytest.mark.parametrize("birth_datetime", ["0001-06-01T12:00:00", "3000-06-01T12:00:00"], ids=["year 1", "year 3000"])
def test_years_1_to_3000_are_accepted(client, birth_datetime):
    # Validation Rules: birth_datetime must be between year 1 and 3000. Swiss Ephemeris defines Chiron only
    # from 675 AD (its orbit is chaotic before), so a year-1 chart has the other twelve bodies and says why.
    request = {**SEED_EXAMPLE_1, "birth_datetime": birth_datetime}
    body = chart(client, request)
    before_chiron = birth_datetime.startswith("0001")
    check_chart(body, request, [b for b in BODIES if b != "Chiron"] if before_chiron else BODIES)
    assert any("chiron" in note.lower() for note in body.get("notes", [])) == before_chiron, body.get("notes")


def test_no_authentication_needed_and_headers(client):
    reply = client.post(URL, json=SEED_EXAMPLE_1)
    assert reply.status_code == 200, reply.text
    check_common_headers(reply)
    check_common_headers(client.post(URL, json={**SEED_EXAMPLE_1, "birth_latitude": 91}))


# --- Error Responses --------------------------------------------------------------------------------


def test_the_seeds_invalid_timezone_example(client):
    reply = client.post(URL, json={**SEED_EXAMPLE_1, "birth_timezone": "America/Invalid"})
    check_error(reply, 400, "INVALID_TIMEZONE", "birth_timezone")
    assert reply.json()["detail"] == SEED_INVALID_TIMEZONE["detail"]


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"birth_timezone": "EST"}, "INVALID_TIMEZONE", "birth_timezone"),  # "not EST", says the seed
    ({"birth_timezone": ""}, "INVALID_TIMEZONE", "birth_timezone"),
    ({"birth_datetime": "3001-01-01T00:00:00"}, "INVALID_DATE", "birth_datetime"),
    ({"birth_datetime": "0000-12-31T00:00:00"}, "INVALID_DATE", "birth_datetime"),
    ({"birth_datetime": "1990-02-30T12:00:00"}, "INVALID_DATE", "birth_datetime"),
    ({"birth_datetime": "yesterday"}, "INVALID_DATE", "birth_datetime"),
    ({"birth_datetime": None}, "INVALID_DATE", "birth_datetime"),
    ({"birth_latitude": 90.01}, "INVALID_LOCATION", "birth_latitude"),
    ({"birth_latitude": -91}, "INVALID_LOCATION", "birth_latitude"),
    ({"birth_longitude": 180.5}, "INVALID_LOCATION", "birth_longitude"),
    ({"birth_longitude": None}, "INVALID_LOCATION", "birth_longitude"),
    ({"birth_latitude": "north"}, "INVALID_LOCATION", "birth_latitude"),
], ids=["EST", "empty zone", "year 3001", "year 0", "30 February", "not a date", "no datetime", "lat 90.01",
        "lat -91", "lon 180.5", "no longitude", "lat not a number"])
def test_invalid_input_is_400_with_the_code_and_field(client, change, code, field):
    body = {k: v for k, v in {**SEED_EXAMPLE_1, **change}.items() if v is not None}
    detail = check_error(client.post(URL, json=body), 400, code, field)
    assert detail["retry_after"] is None


def test_name_longer_than_100_characters_is_400(client):
    check_error(client.post(URL, json={**SEED_EXAMPLE_2, "name": "x" * 101}), 400, None, "name")
    assert chart(client, {**SEED_EXAMPLE_2, "name": "x" * 100})["name"] == "x" * 100


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b""], ids=["malformed", "a list", "empty"])
def test_a_body_that_is_not_an_object_is_400_in_the_seeds_format(client, content):
    reply = client.post(URL, content=content, headers={"Content-Type": "application/json"})
    check_error(reply, 400, None, None)


# --- Rate Limiting ----------------------------------------------------------------------------------


def test_60_a_minute_per_ip(new_client):
    client = new_client()
    replies = [client.post(URL, json=SEED_EXAMPLE_1) for _ in range(60)]
    assert [r.status_code for r in replies] == [200] * 60, replies[-1].text
    check_rate_headers(replies[0], 60, 60, remaining=59)
    limited = client.post(URL, json=SEED_EXAMPLE_1)
    seconds = retry_after(limited)
    detail = check_error(limited, 429, None, None)
    assert detail["retry_after"] == seconds <= 60
    # Another address still has its whole budget.
    other = new_client().post(URL, json=SEED_EXAMPLE_1)
    assert other.status_code == 200, other.text
    check_rate_headers(other, 60, 60, remaining=59)
