"""Contract of the jioastro-numerology-api seed's Profile Management and Name Trials, replayed through the
gateway under ``/api/v1/numerology``: every example request of those sections (and of the cURL and SDK
examples that create or list profiles), with the seed's status codes and shapes.

Numbers are checked against the hand-worked values of ``test_seed_jioastro`` (John Doe, 1990-06-15) or
worked out by hand in the comments here; where the seed's example differs, the comment says why. Ids are
ours: positive integers (the seed's "uuid" placeholders), and the ``profile_id`` a profile links is one of
the caller's birth profiles (astro-mvp's ``/astro/profiles``). Another user's profile or trial answers
exactly as an unknown id does.
"""
from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from .helpers import check_common_headers, check_rate_headers, is_recent, retry_after
from .test_seed_jioastro import auth, client  # noqa: F401 - the same fixtures (one user per module)
from .test_seed_jioastro import (JOHN_DOE_CYCLES, JOHN_DOE_VEDIC, JOHN_DOE_WESTERN, SEED_AS_OF, check_fastapi_detail,
                                 check_meanings, check_shape, check_validation_list, check_western_core, register)

pytestmark = pytest.mark.e2e

URL = "/api/v1/numerology/profiles"
UNKNOWN = 987654321  # an id no row has

# Profile Management › POST /profiles: "Request Body: Same as /calculate". Its profile_id is a birth profile;
# ours are integers, so each test puts the id of a birth profile it made in the "uuid-optional" slot.
SEED_CREATE_REQUEST = {"full_name": "John Doe", "birth_date": "1990-06-15", "system": "both", "common_name": "John",
                       "name_at_birth": "Jonathan Doe"}
# Profile Management › POST /profiles, Response (201 Created), as written ("{ ... }" objects as {}).
SEED_PROFILE_RESPONSE = {
    "id": 0, "user_id": 0, "profile_id": 0, "full_name": "John Doe", "common_name": "John",
    "name_at_birth": "Jonathan Doe", "birth_date": "1990-06-15", "system": "both", "western_data": {},
    "vedic_data": {}, "cycles": {}, "calculation_hash": "abc123...", "calculated_at": "2025-11-05T10:30:00Z",
    "created_at": "2025-11-05T10:30:00Z", "updated_at": "2025-11-05T10:30:00Z",
}
# GET /profiles, Response (200 OK): one entry.
SEED_LIST_ENTRY = {"id": 0, "full_name": "John Doe", "birth_date": "1990-06-15", "system": "both",
                   "created_at": "2025-11-05T10:30:00Z"}
# PATCH /profiles/{id}, Request Body.
SEED_UPDATE_REQUEST = {"full_name": "John Michael Doe", "common_name": "JD"}
# Example cURL Requests › Create Profile.
SEED_CURL_CREATE = {"full_name": "John Doe", "birth_date": "1990-06-15", "system": "both", "common_name": "John"}
# SDK Support › client.create_profile(full_name=..., birth_date=...).
SEED_SDK_CREATE = {"full_name": "John Doe", "birth_date": "1990-06-15"}

# Name Trials › POST /profiles/{profile_id}/name-trials, Request Body and Response (201 Created).
SEED_TRIAL_REQUEST = {"trial_name": "Jon Doe", "system": "western", "notes": "Testing shorter first name",
                      "is_preferred": False}
SEED_TRIAL_RESPONSE = {
    "id": 0, "numerology_profile_id": 0, "user_id": 0, "trial_name": "Jon Doe", "system": "western",
    "calculated_values": {"expression": {"number": 7}, "soul_urge": {"number": 6}, "personality": {"number": 1}},
    "notes": "Testing shorter first name", "is_preferred": False, "created_at": "2025-11-05T10:30:00Z",
}
# GET .../name-trials, Response (200 OK): one entry.
SEED_TRIAL_LIST_ENTRY = {"id": 0, "trial_name": "Jon Doe", "system": "western", "calculated_values": {},
                         "notes": "Testing shorter first name", "is_preferred": False,
                         "created_at": "2025-11-05T10:30:00Z"}
# PATCH .../name-trials/{trial_id}, Request Body.
SEED_TRIAL_UPDATE = {"notes": "Updated notes", "is_preferred": True}

# JON DOE (Pythagorean): J1 O6 N5 D4 O6 E5 = 27 -> 9; vowels O6 O6 E5 = 17 -> 8; consonants J1 N5 D4 = 10 -> 1.
# (The seed shows 7, 6, 1: only the personality is right; see test_seed_jioastro's compare numbers.)
JON_DOE_WESTERN = {"expression": 9, "soul_urge": 8, "personality": 1}
# JON DOE (Chaldean, A1 B2 C3 D4 E5 F8 G3 H5 I1 J1 K2 L3 M4 N5 O7 P8 Q1 R2 S3 T4 U6 V6 W6 X5 Y1 Z7):
# J1 O7 N5 D4 O7 E5 = 29 (the compound) -> 11 -> 2.
JON_DOE_CHALDEAN = (29, 2)
# JOHN MICHAEL DOE (Pythagorean): JOHN 1+6+8+5 = 20, MICHAEL 4+9+3+8+1+5+3 = 33, DOE 4+6+5 = 15; 68 -> 14 -> 5.
# Vowels O6 I9 A1 E5 O6 E5 = 32 -> 5; consonants J1 H8 N5 M4 C3 H8 L3 D4 = 36 -> 9; maturity 4 + 5 = 9.
# Chaldean: JOHN 1+7+5+5 = 18, MICHAEL 4+1+3+5+1+5+3 = 22, DOE 4+7+5 = 16; 56 -> 11 -> 2.
JOHN_MICHAEL_DOE = {"expression": 5, "soul_urge": 5, "personality": 9, "maturity": 9}
JOHN_MICHAEL_DOE_NAME_NUMBER = 2
# Born 1991-06-15 instead: month 6, day 15 -> 6, year 1991 -> 20 -> 2; 6 + 6 + 2 = 14 (karmic debt) -> 5.
# Vedic destiny: 15 + 6 + 1991 = 2012 -> 5 (Mercury).
LIFE_PATH_1991 = {"number": 5, "karmic_debt": 14, "breakdown": {"month": 6, "day": 6, "year": 2}}


@pytest.fixture(scope="module")
def other(client: httpx.Client) -> dict[str, str]:
    return register(client)


def me(client: httpx.Client, auth: dict[str, str]) -> int:
    reply = client.get("/api/v1/auth/me", headers=auth)
    assert reply.status_code == 200, reply.text
    return reply.json()["user"]["id"]


def birth_profile(client: httpx.Client, auth: dict[str, str]) -> int:
    """A birth profile (astro-mvp's seed example) to link."""
    reply = client.post("/api/v1/astro/profiles", headers=auth, json={
        "name": "John Doe", "gender": "male", "dob": "1990-06-15", "tob": "14:30", "tz": "America/New_York",
        "place": "New York, NY", "lat": 40.7128, "lon": -74.006})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def create(client: httpx.Client, auth: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    reply = client.post(URL, json=body, headers=auth)
    assert reply.status_code == 201, reply.text
    return reply.json()


def create_trial(client: httpx.Client, auth: dict[str, str], profile_id: int, body: dict[str, Any]) -> dict[str, Any]:
    reply = client.post(f"{URL}/{profile_id}/name-trials", json=body, headers=auth)
    assert reply.status_code == 201, reply.text
    return reply.json()


def numbers(core: dict[str, Any], roles) -> dict[str, int]:
    return {role: core[role]["number"] for role in roles}


def check_loc(reply: httpx.Response, loc: list[str]) -> None:
    """The seed's 422 list naming ``loc`` (a path or query parameter: ``["query", "limit"]``)."""
    assert reply.status_code == 422, reply.text
    assert loc in [error["loc"][:len(loc)] for error in reply.json()["detail"]], reply.json()


def database(stack, statement: str, *args: Any) -> Any:
    async def run() -> Any:
        conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            return await conn.fetchval(statement, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


# --- POST /profiles ---------------------------------------------------------------------------------


def test_create_seed_request_has_the_seed_response(client, auth):
    linked = birth_profile(client, auth)
    body = create(client, auth, {**SEED_CREATE_REQUEST, "profile_id": linked, "as_of": SEED_AS_OF})
    check_shape(body, SEED_PROFILE_RESPONSE)
    check_meanings(body)
    assert {k: body[k] for k in ("full_name", "common_name", "name_at_birth", "birth_date", "system")} == {
        k: SEED_CREATE_REQUEST[k] for k in ("full_name", "common_name", "name_at_birth", "birth_date", "system")}
    assert (body["user_id"], body["profile_id"]) == (me(client, auth), linked)
    assert isinstance(body["id"], int) and body["id"] > 0
    western, vedic = body["western_data"], body["vedic_data"]
    assert (western["system"], vedic["system"]) == ("western", "vedic")
    check_western_core(western["core_numbers"])
    for role, (number, planet, dates) in JOHN_DOE_VEDIC.items():
        assert (vedic[role]["number"], vedic[role]["planet"], vedic[role]["favorable_dates"]) == (number, planet, dates)
    assert vedic["name_number"]["number"] == 7  # J1 O7 H5 N5 D4 O7 E5 = 34 -> 7, as in the seed
    # cycles: the western current cycles, on the seed's day (as_of).
    assert numbers(body["cycles"], JOHN_DOE_CYCLES) == JOHN_DOE_CYCLES
    assert body["cycles"] == western["current_cycles"]
    assert body["chaldean_data"] is None
    assert isinstance(body["calculation_hash"], str) and body["calculation_hash"]
    for stamp in ("calculated_at", "created_at", "updated_at"):
        assert is_recent(body[stamp]) and body[stamp].endswith("Z"), body[stamp]


def test_create_curl_and_sdk_examples(client, auth):
    curl = create(client, auth, SEED_CURL_CREATE)
    assert (curl["common_name"], curl["name_at_birth"], curl["profile_id"]) == ("John", None, None)
    sdk = create(client, auth, SEED_SDK_CREATE)
    assert sdk["system"] == "both" and sdk["western_data"] and sdk["vedic_data"]  # the default system
    check_western_core(sdk["western_data"]["core_numbers"])
    assert sdk["id"] != curl["id"]


@pytest.mark.parametrize(("system", "sections"), [("western", {"western_data"}), ("vedic", {"vedic_data"}),
                                                  ("chaldean", {"chaldean_data"})])
def test_create_keeps_the_sections_of_its_system(client, auth, system, sections):
    body = create(client, auth, {**SEED_SDK_CREATE, "system": system})
    present = {name for name in ("western_data", "vedic_data", "chaldean_data") if body[name] is not None}
    assert present == sections
    assert (body["cycles"] is not None) == (system == "western")


def test_create_blank_other_names_are_absent(client, auth):
    body = create(client, auth, {**SEED_SDK_CREATE, "common_name": "  ", "name_at_birth": ""})
    assert (body["common_name"], body["name_at_birth"]) == (None, None)


def test_create_missing_full_name_is_the_seeds_422(client, auth):
    check_validation_list(client.post(URL, json={"birth_date": "1990-06-15"}, headers=auth), "full_name")


@pytest.mark.parametrize(("change", "field"), [
    ({"system": "tarot"}, "system"), ({"birth_date": "1990/06/15"}, "birth_date"), ({"full_name": "---"}, "full_name"),
    ({"profile_id": "6f1c2a54-1a7e-4f8e-9a55-3d6f3f1a2b3c"}, "profile_id"), ({"profile_id": 0}, "profile_id"),
    ({"common_name": "A" * 201}, "common_name"), ({"name_at_birth": "Jo\u0000n"}, "name_at_birth"),
    ({"as_of": "1980-01-01"}, "as_of"),
])
def test_create_invalid_input_names_the_field(client, auth, change, field):
    check_validation_list(client.post(URL, json={**SEED_CURL_CREATE, **change}, headers=auth), field)


def test_create_linking_another_users_birth_profile_is_not_found(client, auth, other):
    theirs = birth_profile(client, other)
    for profile_id in (theirs, UNKNOWN):
        reply = client.post(URL, json={**SEED_CURL_CREATE, "profile_id": profile_id}, headers=auth)
        assert check_fastapi_detail(reply, 404) == "Birth profile not found"


def test_deleting_the_linked_birth_profile_unlinks_it(client, auth):
    linked = birth_profile(client, auth)
    body = create(client, auth, {**SEED_CURL_CREATE, "profile_id": linked})
    assert client.delete(f"/api/v1/astro/profiles/{linked}", headers=auth).status_code == 200
    again = client.get(f"{URL}/{body['id']}", headers=auth).json()
    assert again["profile_id"] is None and again["western_data"] == body["western_data"]


# --- GET /profiles, GET /profiles/{id} -----------------------------------------------------------------


def test_list_and_pagination(client):
    auth = register(client)
    made = [create(client, auth, {**SEED_SDK_CREATE, "full_name": name, "system": "western"})
            for name in ("Ann Lee", "Bo Lee", "Cy Lee")]
    listed = client.get(URL, headers=auth)
    assert listed.status_code == 200, listed.text
    entries = listed.json()
    for entry in entries:
        check_shape(entry, SEED_LIST_ENTRY)
    # Newest first.
    assert [e["full_name"] for e in entries] == ["Cy Lee", "Bo Lee", "Ann Lee"]
    assert [e["id"] for e in entries] == [p["id"] for p in reversed(made)]
    assert entries[0] == {k: made[2][k] for k in SEED_LIST_ENTRY} | {"id": made[2]["id"]}
    page = client.get(URL, params={"limit": 2}, headers=auth).json()
    assert [e["full_name"] for e in page] == ["Cy Lee", "Bo Lee"]
    rest = client.get(URL, params={"limit": 2, "offset": 2}, headers=auth).json()
    assert [e["full_name"] for e in rest] == ["Ann Lee"]
    assert client.get(URL, params={"offset": 3}, headers=auth).json() == []
    # Example cURL Requests › List Profiles: ?limit=10.
    assert [e["id"] for e in client.get(f"{URL}?limit=10", headers=auth).json()] == [e["id"] for e in entries]


def test_list_default_limit_is_20(client):
    auth = register(client)
    for index in range(21):
        create(client, auth, {**SEED_SDK_CREATE, "system": "vedic", "common_name": f"n{index}"})
    entries = client.get(URL, headers=auth).json()
    assert len(entries) == 20
    assert len(client.get(URL, params={"limit": 100}, headers=auth).json()) == 21


@pytest.mark.parametrize(("params", "name"), [({"limit": 101}, "limit"), ({"limit": 0}, "limit"),
                                              ({"offset": -1}, "offset"), ({"limit": "ten"}, "limit")])
def test_list_bad_paging_names_the_parameter(client, auth, params, name):
    check_loc(client.get(URL, params=params, headers=auth), ["query", name])


def test_list_shows_only_mine(client, auth, other):
    mine = create(client, auth, SEED_SDK_CREATE)
    assert mine["id"] not in [e["id"] for e in client.get(URL, params={"limit": 100}, headers=other).json()]


def test_get_is_what_create_answered(client, auth):
    made = create(client, auth, SEED_CURL_CREATE)
    reply = client.get(f"{URL}/{made['id']}", headers=auth)
    assert reply.status_code == 200, reply.text
    assert reply.json() == made
    assert client.get(f"{URL}/{made['id']}/", headers=auth).json() == made  # DESIGN.md §3: trailing slash


# --- PATCH /profiles/{id} ---------------------------------------------------------------------------


def test_update_seed_request_recalculates(client, auth):
    made = create(client, auth, {**SEED_CREATE_REQUEST, "as_of": SEED_AS_OF})
    reply = client.patch(f"{URL}/{made['id']}", json=SEED_UPDATE_REQUEST, headers=auth)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    check_shape(body, SEED_PROFILE_RESPONSE | {"full_name": "", "common_name": "", "profile_id": None})
    assert (body["id"], body["full_name"], body["common_name"], body["name_at_birth"]) == (
        made["id"], "John Michael Doe", "JD", "Jonathan Doe")
    core = body["western_data"]["core_numbers"]
    assert numbers(core, JOHN_MICHAEL_DOE) == JOHN_MICHAEL_DOE
    assert core["life_path"]["number"] == JOHN_DOE_WESTERN["life_path"]["number"]  # the birth date is unchanged
    assert body["vedic_data"]["name_number"]["number"] == JOHN_MICHAEL_DOE_NAME_NUMBER
    assert body["calculation_hash"] != made["calculation_hash"]
    assert is_recent(body["calculated_at"]) and body["updated_at"] >= made["updated_at"]
    assert body["created_at"] == made["created_at"]
    assert client.get(f"{URL}/{made['id']}", headers=auth).json() == body


def test_update_without_a_name_change_keeps_the_numbers(client, auth):
    made = create(client, auth, {**SEED_CURL_CREATE, "as_of": SEED_AS_OF})
    body = client.patch(f"{URL}/{made['id']}", json={"common_name": "Johnny", "full_name": "John Doe"},
                        headers=auth).json()
    assert body["common_name"] == "Johnny"
    for kept in ("western_data", "vedic_data", "cycles", "calculation_hash", "calculated_at"):
        assert body[kept] == made[kept], kept
    cleared = client.patch(f"{URL}/{made['id']}", json={"common_name": None}, headers=auth).json()
    assert cleared["common_name"] is None
    assert client.patch(f"{URL}/{made['id']}", json={}, headers=auth).json() == cleared


def test_update_birth_date_recalculates(client, auth):
    made = create(client, auth, SEED_CURL_CREATE)
    body = client.patch(f"{URL}/{made['id']}", json={"birth_date": "1991-06-15"}, headers=auth).json()
    assert body["birth_date"] == "1991-06-15"
    life_path = body["western_data"]["core_numbers"]["life_path"]
    assert {k: life_path[k] for k in LIFE_PATH_1991} == LIFE_PATH_1991
    assert (body["vedic_data"]["destiny_number"]["number"], body["vedic_data"]["destiny_number"]["planet"]) == (
        5, "Mercury")
    assert body["western_data"]["core_numbers"]["expression"]["number"] == 8  # the name is unchanged


def test_update_as_of_reads_cycles_for_that_day(client, auth):
    made = create(client, auth, SEED_CURL_CREATE)
    body = client.patch(f"{URL}/{made['id']}", json={"as_of": SEED_AS_OF}, headers=auth).json()
    assert numbers(body["cycles"], JOHN_DOE_CYCLES) == JOHN_DOE_CYCLES


@pytest.mark.parametrize(("change", "field"), [({"full_name": None}, "full_name"), ({"full_name": "---"}, "full_name"),
                                               ({"full_name": ""}, "full_name"), ({"birth_date": None}, "birth_date"),
                                               ({"system": "western"}, "system"),
                                               ({"birth_date": "2030-01-01", "as_of": "2025-01-01"}, "as_of")])
def test_update_invalid_input_names_the_field(client, auth, change, field):
    made = create(client, auth, SEED_CURL_CREATE)
    check_validation_list(client.patch(f"{URL}/{made['id']}", json=change, headers=auth), field)
    assert client.get(f"{URL}/{made['id']}", headers=auth).json() == made  # nothing changed


# --- DELETE /profiles/{id} and other users' ids ----------------------------------------------------------


def test_delete_is_204_then_not_found(client, auth):
    made = create(client, auth, SEED_CURL_CREATE)
    reply = client.delete(f"{URL}/{made['id']}", headers=auth)
    assert reply.status_code == 204 and reply.content == b""
    check_common_headers(reply)
    # GET /profiles/{id} › Error Responses: 404 {"detail": "Numerology profile not found"} (Error Codes › 404).
    assert check_fastapi_detail(client.get(f"{URL}/{made['id']}", headers=auth), 404) == "Numerology profile not found"
    assert client.delete(f"{URL}/{made['id']}", headers=auth).status_code == 404


def test_another_users_profile_is_exactly_an_unknown_one(client, auth, other):
    theirs = create(client, other, SEED_CURL_CREATE)
    trial = create_trial(client, other, theirs["id"], SEED_TRIAL_REQUEST)
    requests = [("GET", "", None), ("PATCH", "", SEED_UPDATE_REQUEST), ("DELETE", "", None),
                ("POST", "/name-trials", SEED_TRIAL_REQUEST), ("GET", "/name-trials", None),
                ("GET", "/name-trials/{trial}", None), ("PATCH", "/name-trials/{trial}", SEED_TRIAL_UPDATE),
                ("DELETE", "/name-trials/{trial}", None)]
    for method, tail, body in requests:
        answers = []
        for profile_id in (theirs["id"], UNKNOWN):
            path = f"{URL}/{profile_id}{tail}".replace("{trial}", str(trial["id"]))
            reply = client.request(method, path, json=body, headers=auth)
            answers.append((reply.status_code, reply.json()))
        assert answers[0] == answers[1] == (404, {"detail": "Numerology profile not found"}), (method, tail, answers)
    # Nothing of theirs changed.
    assert client.get(f"{URL}/{theirs['id']}", headers=other).json() == theirs
    assert client.get(f"{URL}/{theirs['id']}/name-trials/{trial['id']}", headers=other).json() == trial


@pytest.mark.parametrize("bad_id", ["0", "-1", "9007199254740992", "abc"])
def test_ids_out_of_range_name_the_parameter(client, auth, bad_id):
    check_loc(client.get(f"{URL}/{bad_id}", headers=auth), ["path", "numerology_profile_id"])
    made = create(client, auth, SEED_SDK_CREATE) if bad_id == "0" else None
    if made is not None:
        check_loc(client.get(f"{URL}/{made['id']}/name-trials/{bad_id}", headers=auth), ["path", "trial_id"])


def test_every_endpoint_needs_a_token(client, auth):
    made = create(client, auth, SEED_SDK_CREATE)
    trial = create_trial(client, auth, made["id"], SEED_TRIAL_REQUEST)
    for method, path in (("POST", URL), ("GET", URL), ("GET", f"{URL}/{made['id']}"),
                         ("PATCH", f"{URL}/{made['id']}"), ("DELETE", f"{URL}/{made['id']}"),
                         ("POST", f"{URL}/{made['id']}/name-trials"), ("GET", f"{URL}/{made['id']}/name-trials"),
                         ("PATCH", f"{URL}/{made['id']}/name-trials/{trial['id']}"),
                         ("DELETE", f"{URL}/{made['id']}/name-trials/{trial['id']}")):
        reply = client.request(method, path, json={})
        assert reply.status_code == 401 and reply.json() == {"detail": "Not authenticated"}, (method, path, reply.text)
    assert client.get(f"{URL}/{made['id']}/name-trials/{trial['id']}", headers=auth).json() == trial


# --- name trials ------------------------------------------------------------------------------------


def test_trial_seed_examples(client, auth):
    profile = create(client, auth, SEED_CURL_CREATE)
    trials = f"{URL}/{profile['id']}/name-trials"
    made = create_trial(client, auth, profile["id"], SEED_TRIAL_REQUEST)
    check_shape(made, SEED_TRIAL_RESPONSE)
    check_meanings(made)
    assert (made["numerology_profile_id"], made["user_id"]) == (profile["id"], me(client, auth))
    assert {k: made[k] for k in SEED_TRIAL_REQUEST} == SEED_TRIAL_REQUEST
    assert numbers(made["calculated_values"], JON_DOE_WESTERN) == JON_DOE_WESTERN
    assert is_recent(made["created_at"])

    listed = client.get(trials, headers=auth)
    assert listed.status_code == 200, listed.text
    assert len(listed.json()) == 1
    check_shape(listed.json()[0], SEED_TRIAL_LIST_ENTRY)
    assert listed.json() == [made]

    updated = client.patch(f"{trials}/{made['id']}", json=SEED_TRIAL_UPDATE, headers=auth)
    assert updated.status_code == 200, updated.text
    assert {k: updated.json()[k] for k in SEED_TRIAL_UPDATE} == SEED_TRIAL_UPDATE
    assert updated.json()["calculated_values"] == made["calculated_values"]
    assert client.get(f"{trials}/{made['id']}", headers=auth).json() == updated.json()

    deleted = client.delete(f"{trials}/{made['id']}", headers=auth)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(trials, headers=auth).json() == []
    assert check_fastapi_detail(client.get(f"{trials}/{made['id']}", headers=auth), 404) == "Name trial not found"
    assert client.delete(f"{trials}/{made['id']}", headers=auth).status_code == 404


@pytest.mark.parametrize("system", ["vedic", "chaldean"])
def test_trial_name_number_in_other_systems(client, auth, system):
    profile = create(client, auth, SEED_CURL_CREATE)
    made = create_trial(client, auth, profile["id"], {"trial_name": "Jon Doe", "system": system})
    name_number = made["calculated_values"]["name_number"]
    compound, number = JON_DOE_CHALDEAN
    assert name_number["number"] == number
    if system == "chaldean":
        assert name_number["compound_number"] == compound
    assert (made["notes"], made["is_preferred"]) == (None, False)


def test_trial_is_read_with_the_profiles_y_rule(client, auth):
    # AMY: A1 M4 Y7. Y counted as a vowel ("always", and "auto": no vowel next to it): vowels A1 Y7 = 8,
    # consonant M4 = 4. "never": vowel A1 = 1, consonants M4 Y7 = 11 (a master number, kept).
    for rule, expected in (("auto", (8, 4)), ("always", (8, 4)), ("never", (1, 11))):
        profile = create(client, auth, {**SEED_SDK_CREATE, **({"y_as_vowel": rule} if rule != "auto" else {})})
        assert profile["y_as_vowel"] == rule
        trial = create_trial(client, auth, profile["id"], {"trial_name": "Amy", "system": "western"})
        values = trial["calculated_values"]
        assert (values["soul_urge"]["number"], values["personality"]["number"]) == expected, rule


def test_one_preferred_name_per_profile(client, auth):
    profile = create(client, auth, SEED_CURL_CREATE)
    trials = f"{URL}/{profile['id']}/name-trials"
    first = create_trial(client, auth, profile["id"], {**SEED_TRIAL_REQUEST, "is_preferred": True})
    second = create_trial(client, auth, profile["id"], {"trial_name": "Jonathan Doe", "system": "western",
                                                        "is_preferred": True})
    preferred = {t["id"]: t["is_preferred"] for t in client.get(trials, headers=auth).json()}
    assert preferred == {second["id"]: True, first["id"]: False}
    client.patch(f"{trials}/{first['id']}", json={"is_preferred": True}, headers=auth)
    preferred = {t["id"]: t["is_preferred"] for t in client.get(trials, headers=auth).json()}
    assert preferred == {second["id"]: False, first["id"]: True}
    # Newest first.
    assert [t["id"] for t in client.get(trials, headers=auth).json()] == [second["id"], first["id"]]
    assert [t["id"] for t in client.get(trials, params={"limit": 1, "offset": 1}, headers=auth).json()] == [first["id"]]


def test_a_trial_of_another_profile_is_not_found(client, auth):
    one, two = create(client, auth, SEED_CURL_CREATE), create(client, auth, SEED_CURL_CREATE)
    trial = create_trial(client, auth, one["id"], SEED_TRIAL_REQUEST)
    for method, body in (("GET", None), ("PATCH", SEED_TRIAL_UPDATE), ("DELETE", None)):
        reply = client.request(method, f"{URL}/{two['id']}/name-trials/{trial['id']}", json=body, headers=auth)
        assert (reply.status_code, reply.json()) == (404, {"detail": "Name trial not found"}), method
        unknown = client.request(method, f"{URL}/{one['id']}/name-trials/{UNKNOWN}", json=body, headers=auth)
        assert (unknown.status_code, unknown.json()) == (404, {"detail": "Name trial not found"}), method
    assert client.get(f"{URL}/{one['id']}/name-trials/{trial['id']}", headers=auth).json() == trial


@pytest.mark.parametrize(("body", "field"), [
    ({"system": "western"}, "trial_name"), ({"trial_name": "Jon Doe"}, "system"),
    ({"trial_name": "Jon Doe", "system": "both"}, "system"), ({"trial_name": "J0n", "system": "western"}, "trial_name"),
    ({"trial_name": "Jon Doe", "system": "western", "is_preferred": "yes"}, "is_preferred"),
    ({"trial_name": "Jon Doe", "system": "western", "notes": "x" * 1001}, "notes"),
])
def test_trial_invalid_input_names_the_field(client, auth, body, field):
    profile = create(client, auth, SEED_SDK_CREATE)
    check_validation_list(client.post(f"{URL}/{profile['id']}/name-trials", json=body, headers=auth), field)


@pytest.mark.parametrize(("body", "field"), [({"is_preferred": None}, "is_preferred"),
                                             ({"is_preferred": 1}, "is_preferred"),
                                             ({"trial_name": "Jo"}, "trial_name")])
def test_trial_update_invalid_input_names_the_field(client, auth, body, field):
    profile = create(client, auth, SEED_SDK_CREATE)
    trial = create_trial(client, auth, profile["id"], SEED_TRIAL_REQUEST)
    check_validation_list(client.patch(f"{URL}/{profile['id']}/name-trials/{trial['id']}", json=body, headers=auth),
                          field)


# --- cascades ---------------------------------------------------------------------------------------


def test_deleting_a_profile_deletes_its_trials(client, auth, stack):
    profile = create(client, auth, SEED_CURL_CREATE)
    trials = [create_trial(client, auth, profile["id"], {"trial_name": name, "system": "western"})["id"]
              for name in ("Jon Doe", "Johnny Doe")]
    count = "SELECT count(*) FROM identity.numerology_name_trials WHERE id = ANY($1::bigint[])"
    assert database(stack, count, trials) == 2
    assert client.delete(f"{URL}/{profile['id']}", headers=auth).status_code == 204
    assert database(stack, count, trials) == 0


def test_deleting_the_account_deletes_its_profiles_and_trials(client, stack):
    auth = register(client)
    profile = create(client, auth, SEED_CURL_CREATE)
    create_trial(client, auth, profile["id"], SEED_TRIAL_REQUEST)
    owner = me(client, auth)
    rows = ("SELECT (SELECT count(*) FROM identity.numerology_profiles WHERE user_id = $1)"
            " + (SELECT count(*) FROM identity.numerology_name_trials WHERE user_id = $1)")
    assert database(stack, rows, owner) == 2
    database(stack, "DELETE FROM identity.users WHERE id = $1", owner)
    assert database(stack, rows, owner) == 0


# --- headers and rate limits ------------------------------------------------------------------------


def test_rate_limit_headers_per_endpoint(new_client):
    client = new_client()
    auth = register(client)
    made = client.post(URL, json=SEED_SDK_CREATE, headers=auth)
    check_rate_headers(made, 100, 3600, remaining=99)
    check_common_headers(made)
    check_rate_headers(client.get(URL, headers=auth), 100, 3600, remaining=99)  # a budget of its own
    check_rate_headers(client.get(URL, headers=auth), 100, 3600, remaining=98)
    profile_id = made.json()["id"]
    check_rate_headers(client.get(f"{URL}/{profile_id}", headers=auth), 100, 3600, remaining=99)
    check_rate_headers(client.post(f"{URL}/{profile_id}/name-trials", json=SEED_TRIAL_REQUEST, headers=auth),
                       100, 3600, remaining=99)


def test_past_100_an_hour_is_429_per_endpoint(new_client):
    client = new_client()
    auth = register(client)
    replies = [client.get(URL, headers=auth) for _ in range(100)]
    assert [r.status_code for r in replies] == [200] * 100, replies[-1].text
    limited = client.get(URL, headers=auth)
    seconds = retry_after(limited)
    assert limited.json() == {"detail": f"Rate limit exceeded. Try again in {seconds} seconds.",
                              "retry_after": seconds}
    other = client.post(URL, json=SEED_SDK_CREATE, headers=auth)
    assert other.status_code == 201, other.text
    check_rate_headers(other, 100, 3600, remaining=99)
