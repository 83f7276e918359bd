"""Contract of the jioastro-numerology-api seed's calculation endpoints (``POST /numerology/calculate`` and
``/numerology/compare``), replayed through the gateway under ``/api/v1/numerology``; saved profiles and name
trials are in ``test_seed_jioastro_saved``.

Its worked example is the contract for the shape, not for every value: several of its numbers are
arithmetically impossible for John Doe, born 1990-06-15 (calculated 2025-11-05). The numbers checked below
are worked out by hand in the comments; where they differ from the seed's example, the comment says why.

Errors speak FastAPI's dialect, as the seed shows: ``{"detail": "..."}``, the 422 list of ``{loc, msg, type}``,
and 429 with ``retry_after``. Limits: 100 requests per hour per endpoint per user, with ``X-RateLimit-*``
headers (``X-RateLimit-Reset`` an epoch time, as the example ``1699123456``).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.chart.tests.test_numerology_jioastro import SEED_CALCULATE as SEED_CALCULATE_RESPONSE

from .helpers import check_common_headers, check_rate_headers, is_recent, retry_after, unique_email

pytestmark = pytest.mark.e2e

URL = "/api/v1/numerology"

# Calculation Endpoints › POST /calculate, request body. Its profile_id "uuid-optional" is a placeholder for
# a UUID, so a UUID stands in for it.
SEED_CALCULATE_REQUEST = {"full_name": "John Doe", "birth_date": "1990-06-15", "system": "both", "common_name": "John",
                          "name_at_birth": "Jonathan Doe", "profile_id": str(uuid.uuid4())}
# Example cURL Requests › Calculate Numerology.
SEED_CURL_CALCULATE = {"full_name": "John Doe", "birth_date": "1990-06-15", "system": "both"}
# Comparison Tools › POST /compare, request body.
SEED_COMPARE_REQUEST = {"names": ["John Doe", "Jon Doe", "Jonathan Doe", "J. Doe"], "birth_date": "1990-06-15",
                        "system": "western"}
# Example cURL Requests › Compare Names.
SEED_CURL_COMPARE = {"names": ["John Doe", "Jon Doe", "Jonathan Doe"], "birth_date": "1990-06-15", "system": "western"}
SEED_AS_OF = "2025-11-05"  # the day of the seed's calculated_at
# SEED_CALCULATE_RESPONSE: POST /calculate, Response (200 OK), as written (one copy, kept by chart's tests): its
# shape is the contract; its values are checked against the hand-worked numbers below.

# Hand-worked numbers for John Doe, 1990-06-15 (Pythagorean letters A1 B2 ... I9, J1 ... R9, S1 ... Z8).
JOHN_DOE_WESTERN = {
    # Month 6; day 15 -> 1+5 = 6; year 1990 -> 1+9+9+0 = 19 -> 1+9 = 10 -> 1. 6+6+1 = 13 (karmic debt) -> 4.
    # (The seed's breakdown shows year 4: with it the life path would be 6+6+4 = 16 -> 7, not its 4.)
    "life_path": {"number": 4, "is_master": False, "karmic_debt": 13, "breakdown": {"month": 6, "day": 6, "year": 1}},
    # JOHN DOE: J1 O6 H8 N5 D4 O6 E5 = 35 -> 8.
    "expression": {"number": 8, "is_master": False},
    # Vowels O6 O6 E5 = 17 -> 8 (the seed's 6 is wrong: soul urge + personality must add up to 35's digits).
    "soul_urge": {"number": 8, "is_master": False},
    # Consonants J1 H8 N5 D4 = 18 -> 9 (the seed's 2 is wrong).
    "personality": {"number": 9, "is_master": False},
    # Life path + expression: 4 + 8 = 12 -> 3.
    "maturity": {"number": 3, "is_master": False},
    # Day 15 -> 6; 15 is no karmic debt number (13, 14, 16, 19).
    "birth_day": {"number": 6, "karmic_debt": None},
}
# On 2025-11-05: universal year 2+0+2+5 = 9; personal year 6 + 6 + 9 = 21 -> 3; personal month 3 + 11 = 14 -> 5;
# personal day 5 + 5 = 10 -> 1. (The seed's 8, 3, 5 fit no reading of these dates; its universal year 9 is right.)
JOHN_DOE_CYCLES = {"personal_year": 3, "personal_month": 5, "personal_day": 1, "universal_year": 9}
# Pinnacles: 6+6 = 12 -> 3; 6+1 = 7; 3+7 = 10 -> 1; 6+1 = 7. Challenges: |6-6| = 0; |6-1| = 5; |0-5| = 5;
# |6-1| = 5. The first period ends at 36 - life path 4 = 32, then nine years each.
# (The seed's 2, 6, 8, 5 / 4, 0, 4, 2 and ages ending at 27 belong to another birth date: 27 = 36 - 9.)
JOHN_DOE_PINNACLES = [3, 7, 1, 7]
JOHN_DOE_CHALLENGES = [0, 5, 5, 5]
AGE_RANGES = ["0-32", "33-41", "42-50", "51+"]
# Vedic: psychic = day 15 -> 6 (Venus); destiny = 1+5+0+6+1+9+9+0 = 31 -> 4 (Rahu); name number in Chaldean
# values J1 O7 H5 N5 D4 O7 E5 = 34 -> 7. Favourable dates are the days of a month reducing to the number.
# All as in the seed.
JOHN_DOE_VEDIC = {"psychic_number": (6, "Venus", [6, 15, 24]), "destiny_number": (4, "Rahu", [4, 13, 22, 31])}

# Compare, western, by hand: (life path, expression, soul urge, personality).
COMPARE_NUMBERS = {
    "John Doe": (4, 8, 8, 9),
    # JON DOE: J1 O6 N5 D4 O6 E5 = 27 -> 9; vowels O6 O6 E5 = 17 -> 8; consonants J1 N5 D4 = 10 -> 1.
    # (The seed shows 7, 6, 1: only the personality 1 is right.)
    "Jon Doe": (4, 9, 8, 1),
    # JONATHAN DOE: J1 O6 N5 A1 T2 H8 A1 N5 D4 O6 E5 = 44 -> 8; vowels O6 A1 A1 O6 E5 = 19 -> 10 -> 1;
    # consonants J1 N5 T2 H8 N5 D4 = 25 -> 7.
    "Jonathan Doe": (4, 8, 1, 7),
    # J. DOE: J1 D4 O6 E5 = 16 -> 7; vowels O6 E5 = 11, a master number, kept; consonants J1 D4 = 5.
    "J. Doe": (4, 7, 11, 5),
}
CORE = ("life_path", "expression", "soul_urge", "personality")


def register(client: httpx.Client) -> dict[str, str]:
    """A signed-in user (JioAstro gets its tokens from its own auth; ours are the accounts' JWTs)."""
    reply = client.post("/api/v1/auth/register", json={"email": unique_email("jio"), "password": "long-enough-pw",
                                                       "display_name": "Jio User", "birth_date": "1990-06-15"})
    assert reply.status_code == 201, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


@pytest.fixture(scope="module")
def client(new_client: Callable[[], httpx.Client]) -> httpx.Client:
    return new_client()


@pytest.fixture(scope="module")
def auth(client: httpx.Client) -> dict[str, str]:
    return register(client)


def calculate(client: httpx.Client, auth: dict[str, str], body: dict) -> dict:
    reply = client.post(f"{URL}/calculate", json=body, headers=auth)
    assert reply.status_code == 200, reply.text
    return reply.json()


def check_shape(ours: Any, seed: Any, path: str = "") -> None:
    """Every key of the seed's example is in ours, with a value of the same JSON type (a null in the example
    allows any type; lists of objects have the example's length)."""
    if isinstance(seed, dict):
        assert isinstance(ours, dict), f"{path}: {ours!r}"
        for key, value in seed.items():
            assert key in ours, f"{path}.{key} missing"
            check_shape(ours[key], value, f"{path}.{key}")
    elif isinstance(seed, list):
        assert isinstance(ours, list), f"{path}: {ours!r}"
        if seed and isinstance(seed[0], dict):
            assert len(ours) == len(seed), f"{path}: {len(ours)} entries, the seed has {len(seed)}"
            for index, (mine, theirs) in enumerate(zip(ours, seed)):
                check_shape(mine, theirs, f"{path}[{index}]")
        else:
            assert all(type(item) is type(seed[0]) for item in ours) if seed else True, f"{path}: {ours!r}"
    elif seed is not None:
        assert type(ours) is type(seed), f"{path}: {ours!r} is not a {type(seed).__name__}"


def check_meanings(body: Any) -> None:
    """Every number comes with a meaning in words."""
    if isinstance(body, dict):
        if "number" in body and "meaning" in body:
            assert isinstance(body["meaning"], str) and body["meaning"], body
        for value in body.values():
            check_meanings(value)
    elif isinstance(body, list):
        for value in body:
            check_meanings(value)


def check_western_core(core: dict) -> None:
    for role, expected in JOHN_DOE_WESTERN.items():
        assert {k: core[role][k] for k in expected} == expected, role


def check_fastapi_detail(reply: httpx.Response, status: int) -> str:
    """``{"detail": "..."}``, the seed's error body for everything but validation; the request id rides along."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert set(body) <= {"detail", "request_id", "retry_after"}, body
    assert reply.headers.get("X-Request-ID")
    return body["detail"]


def check_validation_list(reply: httpx.Response, field: str) -> None:
    """The seed's 422: ``{"detail": [{"loc": ["body", field], "msg", "type"}, ...]}``."""
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert isinstance(detail, list) and detail, reply.json()
    for error in detail:
        assert isinstance(error["loc"], list) and isinstance(error["msg"], str) and isinstance(error["type"], str)
    assert ["body", field] in [error["loc"][:2] for error in detail], detail
    assert reply.headers.get("X-Request-ID")


def check_names_field(reply: httpx.Response, field: str) -> None:
    """Bad input the seed files under both 400 ("Invalid input: birth_date must be in YYYY-MM-DD format") and
    422 (the validation list): either of its two documented bodies, naming the field."""
    if reply.status_code == 400:
        assert field in check_fastapi_detail(reply, 400)
    else:
        check_validation_list(reply, field)


# --- POST /calculate ------------------------------------------------------------------------------


def test_calculate_seed_request_has_the_seed_response_shape(client, auth):
    body = calculate(client, auth, SEED_CALCULATE_REQUEST)
    check_shape(body, SEED_CALCULATE_RESPONSE)
    check_meanings(body)
    assert body["system"] == "both"
    assert (body["western"]["system"], body["vedic"]["system"]) == ("western", "vedic")
    check_western_core(body["western"]["core_numbers"])
    assert body["western"]["special_numbers"] == {"master_numbers": [], "karmic_debt_numbers": [13]}
    assert [p["age_range"] for p in body["western"]["life_periods"]["pinnacles"]] == AGE_RANGES
    assert [p["number"] for p in body["western"]["life_periods"]["pinnacles"]] == JOHN_DOE_PINNACLES
    assert [c["age_range"] for c in body["western"]["life_periods"]["challenges"]] == AGE_RANGES
    assert [c["number"] for c in body["western"]["life_periods"]["challenges"]] == JOHN_DOE_CHALLENGES
    vedic = body["vedic"]
    for role, (number, planet, dates) in JOHN_DOE_VEDIC.items():
        assert (vedic[role]["number"], vedic[role]["planet"], vedic[role]["favorable_dates"]) == (number, planet, dates)
    assert "Friday" in vedic["psychic_number"]["favorable_days"]  # Venus's day
    assert vedic["name_number"]["number"] == 7
    for section in (body, body["western"], vedic):
        assert isinstance(section["calculation_hash"], str) and section["calculation_hash"]
        assert is_recent(section["calculated_at"])


def test_calculate_cycles_on_the_seeds_day(client, auth):
    body = calculate(client, auth, {**SEED_CURL_CALCULATE, "as_of": SEED_AS_OF})
    cycles = body["western"]["current_cycles"]
    assert {name: cycles[name]["number"] for name in JOHN_DOE_CYCLES} == JOHN_DOE_CYCLES
    check_western_core(body["western"]["core_numbers"])


def test_calculate_curl_example_and_hash_follows_the_input(client, auth):
    body = calculate(client, auth, SEED_CURL_CALCULATE)
    assert set(body) >= {"system", "western", "vedic", "calculation_hash", "calculated_at"}
    again = calculate(client, auth, SEED_CURL_CALCULATE)
    assert again["calculation_hash"] == body["calculation_hash"]  # the same input, the same hash
    other = calculate(client, auth, {**SEED_CURL_CALCULATE, "full_name": "Jon Doe"})
    assert other["calculation_hash"] != body["calculation_hash"]


@pytest.mark.parametrize(("system", "sections"), [("western", {"western"}), ("vedic", {"vedic"}),
                                                  ("chaldean", {"chaldean"}), ("both", {"western", "vedic"})])
def test_calculate_one_section_per_system(client, auth, system, sections):
    body = calculate(client, auth, {**SEED_CURL_CALCULATE, "system": system})
    assert body["system"] == system
    present = {name for name in ("western", "vedic", "chaldean") if body.get(name) is not None}
    assert present == sections
    assert all(body[name]["system"] == name for name in sections)


def test_calculate_default_system_is_both(client, auth):
    body = calculate(client, auth, {"full_name": "John Doe", "birth_date": "1990-06-15"})
    assert body["system"] == "both" and body["western"] and body["vedic"]


def test_calculate_missing_full_name_is_the_seeds_422(client, auth):
    # Error Codes › 422 Unprocessable Entity: loc ["body", "full_name"].
    check_validation_list(client.post(f"{URL}/calculate", json={"birth_date": "1990-06-15"}, headers=auth),
                          "full_name")


@pytest.mark.parametrize(("change", "field"), [({"system": "tarot"}, "system"), ({"birth_date": None}, "birth_date"),
                                               ({"full_name": 42}, "full_name")])
def test_calculate_invalid_fields_are_422(client, auth, change, field):
    body = {k: v for k, v in {**SEED_CURL_CALCULATE, **change}.items() if v is not None}
    check_validation_list(client.post(f"{URL}/calculate", json=body, headers=auth), field)


@pytest.mark.parametrize(("change", "field"), [({"birth_date": "1990/06/15"}, "birth_date"),
                                               ({"birth_date": "1990-02-30"}, "birth_date"),
                                               ({"full_name": "---"}, "full_name")])
def test_calculate_invalid_input_names_the_field(client, auth, change, field):
    check_names_field(client.post(f"{URL}/calculate", json={**SEED_CURL_CALCULATE, **change}, headers=auth), field)


def test_calculate_without_a_token_is_not_authenticated(client):
    # Rate Limiting › Anonymous users: not allowed; Error Codes › 401.
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}):
        reply = client.post(f"{URL}/calculate", json=SEED_CURL_CALCULATE, headers=headers)
        assert reply.status_code == 401, reply.text
        assert isinstance(reply.json()["detail"], str)
    assert client.post(f"{URL}/calculate", json=SEED_CURL_CALCULATE).json()["detail"] == "Not authenticated"


# --- POST /compare --------------------------------------------------------------------------------


def compared(body: dict) -> dict[str, tuple[int, ...]]:
    return {entry["name"]: tuple(entry["western"]["core_numbers"][role]["number"] for role in CORE)
            for entry in body["comparisons"]}


def test_compare_seed_request(client, auth):
    reply = client.post(f"{URL}/compare", json=SEED_COMPARE_REQUEST, headers=auth)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["system"], body["birth_date"]) == ("western", "1990-06-15")
    assert [entry["name"] for entry in body["comparisons"]] == SEED_COMPARE_REQUEST["names"]
    assert compared(body) == COMPARE_NUMBERS
    for entry in body["comparisons"]:
        assert all(isinstance(entry["western"]["core_numbers"][role]["meaning"], str) for role in CORE)
    # The seed's example recommends "Jonathan Doe" for "master numbers", yet only J. Doe has one (soul urge
    # 11): the choice is ours to make, but it must be one of the names, with a reason.
    assert body["recommendation"]["best_name"] in SEED_COMPARE_REQUEST["names"]
    assert isinstance(body["recommendation"]["reason"], str) and body["recommendation"]["reason"]


def test_compare_curl_example(client, auth):
    reply = client.post(f"{URL}/compare", json=SEED_CURL_COMPARE, headers=auth)
    assert reply.status_code == 200, reply.text
    assert compared(reply.json()) == {name: COMPARE_NUMBERS[name] for name in SEED_CURL_COMPARE["names"]}


@pytest.mark.parametrize("system", ["vedic", "chaldean"])
def test_compare_other_systems(client, auth, system):
    reply = client.post(f"{URL}/compare", json={**SEED_CURL_COMPARE, "system": system}, headers=auth)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["system"] == system
    assert [entry["name"] for entry in body["comparisons"]] == SEED_CURL_COMPARE["names"]
    assert all(isinstance(entry[system], dict) and entry[system] for entry in body["comparisons"])
    # JOHN DOE in Chaldean: J1 O7 H5 N5 D4 O7 E5 = 34 -> 7, as the seed's vedic name number.
    assert body["comparisons"][0][system]["name_number"]["number"] == 7


@pytest.mark.parametrize("names", [["John Doe"], ["A", "B", "C", "D", "E", "F"]], ids=["one", "six"])
def test_compare_needs_two_to_five_names(client, auth, names):
    # POST /compare › Error Responses: 400 for fewer than 2 or more than 5 names.
    detail = check_fastapi_detail(
        client.post(f"{URL}/compare", json={**SEED_COMPARE_REQUEST, "names": names}, headers=auth), 400)
    assert "names" in detail or "name" in detail.lower()


@pytest.mark.parametrize(("change", "field"), [({"system": "both"}, "system"), ({"system": None}, "system"),
                                               ({"birth_date": None}, "birth_date"), ({"names": None}, "names")])
def test_compare_invalid_fields_are_422(client, auth, change, field):
    body = {k: v for k, v in {**SEED_COMPARE_REQUEST, **change}.items() if v is not None}
    check_validation_list(client.post(f"{URL}/compare", json=body, headers=auth), field)


def test_compare_without_a_token_is_not_authenticated(client):
    reply = client.post(f"{URL}/compare", json=SEED_CURL_COMPARE)
    assert reply.status_code == 401, reply.text
    assert reply.json()["detail"] == "Not authenticated"


# --- headers and rate limits ----------------------------------------------------------------------


def test_every_answer_has_request_id_and_process_time(client, auth):
    for reply in (client.post(f"{URL}/calculate", json=SEED_CURL_CALCULATE, headers=auth),
                  client.post(f"{URL}/calculate", json={}, headers=auth),
                  client.post(f"{URL}/compare", json=SEED_CURL_COMPARE, headers=auth),
                  client.post(f"{URL}/compare", json=SEED_CURL_COMPARE)):
        check_common_headers(reply)


def test_rate_limit_headers_on_every_response(new_client):
    client = new_client()
    auth = register(client)
    first = client.post(f"{URL}/calculate", json=SEED_CURL_CALCULATE, headers=auth)
    check_rate_headers(first, 100, 3600, remaining=99)
    second = client.post(f"{URL}/calculate", json=SEED_CURL_CALCULATE, headers=auth)
    check_rate_headers(second, 100, 3600, remaining=98)
    invalid = client.post(f"{URL}/compare", json={**SEED_COMPARE_REQUEST, "names": ["John Doe"]}, headers=auth)
    check_rate_headers(invalid, 100, 3600, remaining=99)  # compare has a budget of its own


def test_past_100_an_hour_is_429_per_endpoint(new_client):
    client = new_client()
    auth = register(client)
    body = {**SEED_CURL_CALCULATE, "system": "western"}
    replies = [client.post(f"{URL}/calculate", json=body, headers=auth) for _ in range(100)]
    assert [r.status_code for r in replies] == [200] * 100, replies[-1].text
    check_rate_headers(replies[-1], 100, 3600, remaining=0)

    limited = client.post(f"{URL}/calculate", json=body, headers=auth)
    seconds = retry_after(limited)
    # Rate Limit Exceeded Response (429): {"detail": "Rate limit exceeded. Try again in N seconds.", "retry_after": N}
    assert limited.json() == {**limited.json(), "detail": f"Rate limit exceeded. Try again in {seconds} seconds.",
                              "retry_after": seconds}
    assert 0 < seconds <= 3600

    # Per endpoint: compare still has its whole budget.
    other = client.post(f"{URL}/compare", json=SEED_CURL_COMPARE, headers=auth)
    assert other.status_code == 200, other.text
    check_rate_headers(other, 100, 3600, remaining=99)
