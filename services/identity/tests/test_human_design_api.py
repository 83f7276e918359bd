"""The Human Design endpoint on the real chart service: the seed's body and the seed's error bodies."""
import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import swisseph as swe

from devstack.processes import free_port
from services.identity.human_design.schemas import HumanDesignResponse

pytestmark = pytest.mark.asyncio
EPHE = Path(__file__).resolve().parents[3] / "ephe"
HD_BODIES = ["Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto",
             "North Node", "South Node", "Chiron"]
ACTIVATION_KEYS = {"body", "ecliptic_longitude", "gate", "line", "gate_line", "calculation_timestamp", "julian_day",
                   "source"}
BERLIN = {"birth_datetime": "1990-05-15T14:30:00", "birth_timezone": "Europe/Berlin", "birth_latitude": 52.52,
          "birth_longitude": 13.405}


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
    ({"birth_datetime": "3001-01-01T12:00:00"}, "INVALID_DATE", "birth_datetime"),
    ({"birth_datetime": "0001-01-01T00:30:00+09:00"}, "INVALID_DATE", "birth_datetime"),  # before year 1 UTC
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
    reply = await client.post("/api/v1/human-design/calculate-chart",
                              json={**BERLIN, "birth_timezone": "America/Invalid"})
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
