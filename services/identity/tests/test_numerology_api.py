"""The jioastro numerology endpoints on the real chart service."""
import datetime as dt
import re

import pytest

from services.identity.numerology.schemas import NumerologyCalculateResponse, NumerologyCompareResponse

pytestmark = pytest.mark.asyncio


@pytest.fixture
def auth(mint_token):
    return {"Authorization": f"Bearer {mint_token(424242)}"}


def detail_fields(reply) -> list[str]:
    """The fields FastAPI's 422 list names (JioAstro's error body: ``{"detail": [{loc, msg, type}]}``)."""
    return [".".join(str(p) for p in error["loc"][1:]) for error in reply.json()["detail"]]


# --- POST /numerology/calculate ------------------------------------------------------------------


async def test_numerology_calculate_requires_a_token(client):
    reply = await client.post("/api/v1/numerology/calculate",
                              json={"full_name": "John Doe", "birth_date": "1990-06-15"})
    assert reply.status_code == 401
    assert reply.json() == {"detail": "Not authenticated"}  # the JioAstro seed's body


async def test_numerology_calculate_both_has_the_seed_shape(client, auth):
    body = {"full_name": "John Doe", "birth_date": "1990-06-15", "system": "both", "common_name": "John",
            "as_of": "2025-11-05"}
    reply = await client.post("/api/v1/numerology/calculate/", json=body, headers=auth)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    NumerologyCalculateResponse.model_validate(data)
    assert data["system"] == "both" and set(data) >= {"western", "vedic", "calculation_hash", "calculated_at"}
    western = data["western"]
    assert set(western["core_numbers"]) == {"life_path", "expression", "soul_urge", "personality", "maturity",
                                            "birth_day"}
    # Life path, the seed's way: month 6; day 15 -> 6; year 1990 -> 19 -> 10 -> 1; 6 + 6 + 1 = 13 (karmic) -> 4.
    life_path = western["core_numbers"]["life_path"]
    assert (life_path["number"], life_path["karmic_debt"], life_path["breakdown"]) == (
        4, 13, {"month": 6, "day": 6, "year": 1})
    # JOHN DOE: J1 O6 H8 N5 D4 O6 E5 = 35 -> 8 (expression); vowels O6 O6 E5 = 17 -> 8 (soul urge).
    assert western["core_numbers"]["expression"]["number"] == 8
    assert western["core_numbers"]["soul_urge"]["number"] == 8
    # Personal year on 2025-11-05: month 6 + day 15 -> 6 + year 2025 -> 9 = 21 -> 3; universal year 2025 -> 9.
    assert western["current_cycles"]["personal_year"]["number"] == 3
    assert western["current_cycles"]["universal_year"]["number"] == 9
    assert [p["age_range"] for p in western["life_periods"]["pinnacles"]] == ["0-32", "33-41", "42-50", "51+"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["calculated_at"])
    vedic = data["vedic"]
    assert (vedic["psychic_number"]["number"], vedic["psychic_number"]["planet"]) == (6, "Venus")  # day 15 -> 6
    assert (vedic["destiny_number"]["number"], vedic["destiny_number"]["planet"]) == (4, "Rahu")
    assert vedic["psychic_number"]["favorable_days"] == ["Friday"]


async def test_numerology_calculate_as_of_defaults_to_today_utc(client, auth):
    body = {"full_name": "John Doe", "birth_date": "1990-06-15", "system": "western"}
    before = dt.datetime.now(dt.UTC).date()
    implicit = await client.post("/api/v1/numerology/calculate", json=body, headers=auth)
    after = dt.datetime.now(dt.UTC).date()
    explicit = await client.post("/api/v1/numerology/calculate", json={**body, "as_of": before.isoformat()},
                                 headers=auth)
    assert implicit.status_code == explicit.status_code == 200
    if before == after:  # not across midnight UTC
        assert implicit.json()["western"]["current_cycles"] == explicit.json()["western"]["current_cycles"]


@pytest.mark.parametrize("system", ["western", "vedic", "chaldean"])
async def test_numerology_calculate_single_system(client, auth, system):
    reply = await client.post("/api/v1/numerology/calculate", headers=auth,
                              json={"full_name": "José Núñez", "birth_date": "1984-02-29", "system": system,
                                    "as_of": "2024-03-01"})
    assert reply.status_code == 200, reply.text
    data = reply.json()
    NumerologyCalculateResponse.model_validate(data)
    assert data["system"] == system and data[system]["system"] == system
    assert not {"western", "vedic", "chaldean"} - {system} & set(data)


@pytest.mark.parametrize(("body", "field"), [
    ({"birth_date": "1990-06-15"}, "full_name"),
    ({"full_name": "John Doe"}, "birth_date"),
    ({"full_name": "John Doe", "birth_date": "1990-13-01"}, "birth_date"),
    ({"full_name": "John Doe", "birth_date": "1990-06-15", "system": "mayan"}, "system"),
    ({"full_name": "R2-D2", "birth_date": "1990-06-15"}, "full_name"),
    ({"full_name": "John Doe", "birth_date": "1990-06-15", "as_of": "1980-01-01"}, "as_of"),
    ({"full_name": "John Doe", "birth_date": "1990-06-15", "y_as_vowel": "sometimes"}, "y_as_vowel"),
])
async def test_numerology_calculate_errors_name_the_field(client, auth, body, field):
    reply = await client.post("/api/v1/numerology/calculate", json=body, headers=auth)
    assert reply.status_code == 422, reply.text
    assert field in detail_fields(reply), reply.json()
    assert reply.headers["x-request-id"]


# --- POST /numerology/compare --------------------------------------------------------------------


async def test_numerology_compare_has_the_seed_shape(client, auth):
    body = {"names": ["John Doe", "Jon Doe", "Jonathan Doe"], "birth_date": "1990-06-15", "system": "western"}
    reply = await client.post("/api/v1/numerology/compare", json=body, headers=auth)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    NumerologyCompareResponse.model_validate(data)
    assert (data["system"], data["birth_date"]) == ("western", "1990-06-15")
    assert [c["name"] for c in data["comparisons"]] == body["names"]
    for comparison in data["comparisons"]:
        assert set(comparison["western"]["core_numbers"]) == {"life_path", "expression", "soul_urge", "personality"}
        assert comparison["western"]["core_numbers"]["life_path"]["number"] == 4
    # JON DOE: J1 O6 N5 D4 O6 E5 = 27 -> 9; JOHN DOE (above) 8.
    expressions = [c["western"]["core_numbers"]["expression"]["number"] for c in data["comparisons"]]
    assert expressions[:2] == [8, 9]
    assert data["recommendation"]["best_name"] in body["names"] and data["recommendation"]["reason"]


@pytest.mark.parametrize("system", ["vedic", "chaldean"])
async def test_numerology_compare_planetary_systems(client, auth, system):
    body = {"names": ["John Doe", "Jon Doe"], "birth_date": "1990-06-15", "system": system}
    reply = await client.post("/api/v1/numerology/compare", json=body, headers=auth)
    assert reply.status_code == 200, reply.text
    NumerologyCompareResponse.model_validate(reply.json())
    assert all(system in c for c in reply.json()["comparisons"])


@pytest.mark.parametrize("names", [["John Doe"], ["A", "B", "C", "D", "E", "F"], []])
async def test_numerology_compare_needs_two_to_five_names(client, auth, names):
    reply = await client.post("/api/v1/numerology/compare", headers=auth,
                              json={"names": names, "birth_date": "1990-06-15", "system": "western"})
    assert reply.status_code == 400, reply.text
    assert reply.json()["detail"].startswith("names:"), reply.json()  # JioAstro: a 400 detail is a sentence


@pytest.mark.parametrize(("change", "field"), [
    ({"names": ["John Doe", "J0hn"]}, "names.1"),
    ({"names": ["John Doe", ""]}, "names.1"),
    ({"system": "both"}, "system"),
    ({"birth_date": "15.06.1990"}, "birth_date"),
])
async def test_numerology_compare_errors_name_the_field(client, auth, change, field):
    body = {"names": ["John Doe", "Jon Doe"], "birth_date": "1990-06-15", "system": "western", **change}
    reply = await client.post("/api/v1/numerology/compare", json=body, headers=auth)
    assert reply.status_code == 422, reply.text
    assert field in detail_fields(reply), reply.json()


async def test_numerology_compare_requires_a_token(client):
    reply = await client.post("/api/v1/numerology/compare",
                              json={"names": ["A", "B"], "birth_date": "1990-06-15", "system": "western"})
    assert reply.status_code == 401
