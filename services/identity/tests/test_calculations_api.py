"""The jioastro numerology endpoints and the Human Design endpoint, on the real chart service."""
import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import swisseph as swe

from devstack.processes import free_port
from services.identity.api.documents import (HumanDesignResponse, NumerologyCalculateResponse,
                                             NumerologyCompareResponse)

pytestmark = pytest.mark.asyncio
EPHE = Path(__file__).resolve().parents[3] / "ephe"
HD_BODIES = ["Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto",
             "North Node", "South Node", "Chiron"]
ACTIVATION_KEYS = {"body", "ecliptic_longitude", "gate", "line", "gate_line", "calculation_timestamp", "julian_day",
                   "source"}
BERLIN = {"birth_datetime": "1990-05-15T14:30:00", "birth_timezone": "Europe/Berlin", "birth_latitude": 52.52,
          "birth_longitude": 13.405}


@pytest.fixture
def auth(mint_token):
    return {"Authorization": f"Bearer {mint_token(424242)}"}


# --- POST /numerology/calculate ------------------------------------------------------------------


async def test_numerology_calculate_requires_a_token(client):
    reply = await client.post("/api/v1/numerology/calculate", json={"full_name": "John Doe", "birth_date": "1990-06-15"})
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "UNAUTHENTICATED"


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
    error = reply.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and error["request_id"]
    assert field in [f["field"] for f in error["fields"]], error


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
    assert reply.json()["error"]["fields"][0]["field"] == "names"


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
    assert field in [f["field"] for f in reply.json()["error"]["fields"]], reply.json()


async def test_numerology_compare_requires_a_token(client):
    reply = await client.post("/api/v1/numerology/compare",
                              json={"names": ["A", "B"], "birth_date": "1990-06-15", "system": "western"})
    assert reply.status_code == 401


# --- POST /human-design/calculate-chart ------------------------------------------------------------


async def test_human_design_success_has_the_seed_shape(client):
    reply = await client.post("/api/v1/human-design/calculate-chart", json={**BERLIN, "name": "John Doe"})
    assert reply.status_code == 200, reply.text  # anonymous, as in the seed
    data = reply.json()
    HumanDesignResponse.model_validate(data)
    assert data["name"] == "John Doe" and data["calculation_source"] == "SwissEphemeris"
    for side in ("personality_activations", "design_activations"):
        activations = data[side]
        assert [a["body"] for a in activations] == HD_BODIES
        for activation in activations:
            assert ACTIVATION_KEYS <= set(activation)
            assert 1 <= activation["gate"] <= 64 and 1 <= activation["line"] <= 6
            assert activation["gate_line"] == f"{activation['gate']}.{activation['line']}"
            assert re.fullmatch(r"\d{1,2}\.[1-6]", activation["gate_line"])
        north, south = activations[10]["ecliptic_longitude"], activations[11]["ecliptic_longitude"]
        assert (north - south) % 360 == pytest.approx(180, abs=1e-4)
    # The personality Sun, against pyswisseph directly: 14:30 CEST = 12:30 UTC.
    utc = dt.datetime(1990, 5, 15, 14, 30, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(dt.UTC)
    assert utc.hour == 12
    swe.set_ephe_path(str(EPHE))
    (sun, *_), _ = swe.calc_ut(swe.julday(utc.year, utc.month, utc.day, utc.hour + utc.minute / 60), swe.SUN,
                               swe.FLG_SWIEPH)
    assert data["personality_activations"][0]["ecliptic_longitude"] == pytest.approx(sun, abs=1e-4)
    # The design Sun stands 88 degrees of arc earlier, roughly 88-92 days before birth.
    design_sun = data["design_activations"][0]["ecliptic_longitude"]
    assert (sun - design_sun) % 360 == pytest.approx(88, abs=1e-4)
    design = dt.datetime.fromisoformat(data["design_datetime"].replace("Z", "+00:00"))
    assert 85 <= (utc - design).days <= 93


async def test_human_design_name_is_optional_and_null(client):
    reply = await client.post("/api/v1/human-design/calculate-chart/", json=BERLIN)
    assert reply.status_code == 200, reply.text
    assert reply.json()["name"] is None


def assert_seed_error(reply, status: int, code: str, field: str | None) -> dict:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"detail"}
    detail = body["detail"]
    assert set(detail) == {"code", "message", "message_de", "field", "retry_after"}
    assert (detail["code"], detail["field"]) == (code, field), detail
    assert detail["message"] and detail["message_de"] and detail["message"] != detail["message_de"]
    return detail


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"birth_timezone": "America/Invalid"}, "INVALID_TIMEZONE", "birth_timezone"),
    ({"birth_timezone": "EST"}, "INVALID_TIMEZONE", "birth_timezone"),
    ({"birth_timezone": None}, "INVALID_TIMEZONE", "birth_timezone"),
    ({"birth_timezone": 1}, "INVALID_TIMEZONE", "birth_timezone"),
    ({"birth_latitude": 95}, "INVALID_LOCATION", "birth_latitude"),
    ({"birth_longitude": -180.5}, "INVALID_LOCATION", "birth_longitude"),
    ({"birth_latitude": "north"}, "INVALID_LOCATION", "birth_latitude"),
    ({"birth_longitude": None}, "INVALID_LOCATION", "birth_longitude"),
    ({"birth_datetime": "1700-01-01T12:00:00"}, "INVALID_DATE", "birth_datetime"),
    ({"birth_datetime": "not a date"}, "INVALID_DATE", "birth_datetime"),
    ({"birth_datetime": None}, "INVALID_DATE", "birth_datetime"),
    ({"name": "x" * 101}, "INVALID_NAME", "name"),
])
async def test_human_design_errors_have_the_seed_shape(client, change, code, field):
    body = {k: v for k, v in {**BERLIN, **change}.items() if v is not None}
    reply = await client.post("/api/v1/human-design/calculate-chart", json=body)
    detail = assert_seed_error(reply, 400, code, field)
    assert detail["retry_after"] is None


async def test_human_design_timezone_error_wording_is_the_seeds(client):
    reply = await client.post("/api/v1/human-design/calculate-chart", json={**BERLIN, "birth_timezone": "America/Invalid"})
    detail = assert_seed_error(reply, 400, "INVALID_TIMEZONE", "birth_timezone")
    assert detail["message"] == "Timezone 'America/Invalid' is not a valid IANA timezone identifier"
    assert detail["message_de"] == "Zeitzone 'America/Invalid' ist kein gültiger IANA-Zeitzonenbezeichner"


@pytest.mark.parametrize("content", [b'{"birth_datetime": ', b"[1, 2]", b'"text"', b""])
async def test_human_design_malformed_body_is_400_in_the_seed_shape(client, content):
    reply = await client.post("/api/v1/human-design/calculate-chart", content=content,
                              headers={"content-type": "application/json"})
    assert_seed_error(reply, 400, "INVALID_REQUEST", None)


async def test_human_design_chart_down_is_503_in_the_seed_shape(make_identity_client):
    async with make_identity_client(NUMEROS_CHART_ADDR=f"127.0.0.1:{free_port()}",
                                    NUMEROS_CHART_DEADLINE_SECONDS="1") as client:
        reply = await client.post("/api/v1/human-design/calculate-chart", json=BERLIN)
        detail = assert_seed_error(reply, 503, "SERVICE_UNAVAILABLE", None)
        assert detail["retry_after"] and reply.headers["retry-after"] == str(detail["retry_after"])


# --- OpenAPI -------------------------------------------------------------------------------------


async def test_openapi_documents_the_calculation_endpoints(client):
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/api/v1/profile/calculate", "/api/v1/profile/me", "/api/v1/numerology/calculate",
                 "/api/v1/numerology/compare", "/api/v1/human-design/calculate-chart"):
        assert path in paths, path
    hd = paths["/api/v1/human-design/calculate-chart"]["post"]
    assert "422" not in hd["responses"] and {"200", "400", "500"} <= set(hd["responses"])
    assert "security" not in hd
    schemas = spec["components"]["schemas"]
    assert {"timezone", "house_system"} <= set(schemas["RegisterRequest"]["properties"])
    assert {"angles", "houses", "planets", "chart_level"} <= set(schemas["AstrologyData"]["properties"])
    assert "as_of" in schemas["NumerologyCalculateRequest"]["properties"]
    assert schemas["HumanDesignErrorDetail"]["required"] == ["code", "message", "message_de", "field", "retry_after"]
