"""Register and the profile endpoints store and return the full numerology and astrology profile,
computed by the real chart service; positions are checked against pyswisseph called directly."""
import datetime as dt
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import swisseph as swe
from sqlalchemy import func, select

from devstack.processes import free_port
from services.identity.accounts.tables import users
from services.identity.profile.schemas import AstrologyData, CalculateResponse

from .test_accounts_api import _wait_for_event

pytestmark = pytest.mark.asyncio
EPHE = Path(__file__).resolve().parents[3] / "ephe"
PLANETS = ("sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto",
           "north_node", "chiron")
PLANET_KEYS = {"sign", "degree", "minute", "longitude", "house", "is_retrograde"}
ANGLE_KEYS = {"sign", "degree", "minute", "longitude"}
NEW_YORK = {"latitude": 40.7128, "longitude": -74.0060}


def new_user(**overrides):
    body = {"email": f"p{uuid.uuid4().hex[:12]}@example.com", "password": "s3cret-pass", "display_name": "Sarah",
            "birth_date": "1990-05-15", "birth_time": "14:30"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def independent_positions(local: dt.datetime, zone: str, latitude: float, longitude: float) -> dict[str, float]:
    """Sun longitude and Placidus ascendant by pyswisseph on our ephemeris files, not through our code."""
    utc = local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
    swe.set_ephe_path(str(EPHE))
    jd = swe.julday(utc.year, utc.month, utc.day, utc.hour + utc.minute / 60 + utc.second / 3600)
    (sun, *_), flags = swe.calc_ut(jd, swe.SUN, swe.FLG_SWIEPH | swe.FLG_SPEED)
    assert flags & swe.FLG_SWIEPH, "pyswisseph fell back to Moshier: ephemeris files not found"
    _, ascmc = swe.houses(jd, latitude, longitude, b"P")
    return {"sun": sun, "ascendant": ascmc[0], "midheaven": ascmc[1]}


def assert_native_astrology(astrology: dict, level: int) -> None:
    """The native app's AstrologyData: angles and houses only (and then always) at chart level 4."""
    AstrologyData.model_validate(astrology)
    assert astrology["chart_level"] == level
    assert set(PLANETS) <= set(astrology["planets"])
    for name in PLANETS:
        position = astrology["planets"][name]
        assert PLANET_KEYS <= set(position), name
        assert 0 <= position["longitude"] < 360
        sign_index = ["Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo", "Libra", "Scorpio", "Sagittarius",
                      "Capricorn", "Aquarius", "Pisces"].index(position["sign"])
        assert int(position["longitude"] // 30) == sign_index
        assert (position["house"] is not None) == (level == 4)
    if level == 4:
        assert set(astrology["angles"]) == {"ascendant", "midheaven"}
        for angle in astrology["angles"].values():
            assert ANGLE_KEYS <= set(angle)
        assert len(astrology["houses"]) == 12
    else:
        assert "angles" not in astrology and "houses" not in astrology


async def test_register_new_york_with_coordinates_is_level_4_and_matches_swiss_ephemeris(client, mint_token):
    body = new_user(birth_place="New York, USA", **NEW_YORK)
    reply = await client.post("/api/v1/auth/register/", json=body)
    assert reply.status_code == 201, reply.text
    data = reply.json()
    astrology = data["astrology"]
    assert_native_astrology(astrology, 4)
    assert data["user"]["chart_level"] == 4
    # 14:30 EDT (UTC-4 on 1990-05-15) is 18:30 UTC.
    assert astrology["birth"]["timezone"] == "America/New_York"
    assert astrology["birth"]["utc_datetime"] == "1990-05-15T18:30:00Z"
    expected = independent_positions(dt.datetime(1990, 5, 15, 14, 30), "America/New_York", **NEW_YORK)
    assert astrology["planets"]["sun"]["longitude"] == pytest.approx(expected["sun"], abs=1e-3)
    assert astrology["planets"]["sun"]["sign"] == "Taurus"  # 54.66 degrees: 24 Taurus 39
    assert astrology["angles"]["ascendant"]["longitude"] == pytest.approx(expected["ascendant"], abs=1e-3)
    assert astrology["angles"]["midheaven"]["longitude"] == pytest.approx(expected["midheaven"], abs=1e-3)
    assert astrology["houses"][0] == pytest.approx(expected["ascendant"], abs=1e-3)  # Placidus cusp 1 = ASC
    assert data["user"]["sun_sign"] == "Taurus"
    assert data["user"]["rising_sign"] == astrology["angles"]["ascendant"]["sign"]
    assert data["user"]["moon_sign"] == astrology["planets"]["moon"]["sign"]
    assert data["numerology"]["life_path"] == 3 and "core_numbers" in data["numerology"]

    token = data["token"]
    for path in ("/api/v1/auth/me", "/api/v1/profile/me/"):
        me = await client.get(path, headers={"Authorization": f"Token {token}"})
        assert me.status_code == 200, me.text
        assert me.json() == {"user": data["user"], "numerology": data["numerology"], "astrology": astrology}
    login = await client.post("/api/v1/auth/login", json={"email": body["email"], "password": body["password"]})
    assert login.json()["astrology"] == astrology

    async with client.app.state.runtime.sessions() as session:
        row = (await session.execute(select(users).where(users.c.id == data["user"]["id"]))).mappings().one()
    assert row["astrology"] == astrology and row["numerology_profile"] == data["numerology"]
    assert (row["sun_sign"], row["rising_sign"], row["chart_level"]) == ("Taurus", data["user"]["rising_sign"], 4)
    assert row["key_longitudes"]["sun"] == pytest.approx(expected["sun"], abs=1e-6)
    assert row["timezone"] is None  # none given; the zone used is in astrology.birth
    assert (row["birth_latitude"], row["birth_longitude"], row["birth_place"]) == (40.7128, -74.006, "New York, USA")


async def test_register_time_without_place_is_level_3_without_angles(client):
    reply = await client.post("/api/v1/auth/register", json=new_user(timezone="Europe/Berlin"))
    assert reply.status_code == 201, reply.text
    data = reply.json()
    assert_native_astrology(data["astrology"], 3)
    assert data["astrology"]["birth"]["timezone"] == "Europe/Berlin"
    assert data["astrology"]["birth"]["utc_datetime"] == "1990-05-15T12:30:00Z"  # CEST, UTC+2
    assert data["user"]["rising_sign"] is None and data["user"]["timezone"] == "Europe/Berlin"


async def test_register_date_only_is_level_1_at_noon(client):
    reply = await client.post("/api/v1/auth/register", json=new_user(birth_time=None))
    assert reply.status_code == 201, reply.text
    astrology = reply.json()["astrology"]
    assert_native_astrology(astrology, 1)
    assert astrology["birth"]["time_known"] is False
    assert "moon_sign_changes" in astrology


async def test_registration_event_carries_the_natal_summary(client, infra):
    reply = await client.post("/api/v1/auth/register", json=new_user(**NEW_YORK))
    assert reply.status_code == 201, reply.text
    data = reply.json()
    envelope = await _wait_for_event(infra.nats_url, data["user"]["id"])
    event = envelope["data"]
    assert event["chart_level"] == 4
    assert event["sun_sign"] == "Taurus"
    assert event["moon_sign"] == data["astrology"]["planets"]["moon"]["sign"]
    assert event["rising_sign"] == data["astrology"]["angles"]["ascendant"]["sign"]
    assert set(event["key_longitudes"]) == {"sun", "moon", "mercury", "venus", "mars"}
    for planet, longitude in event["key_longitudes"].items():
        assert longitude == pytest.approx(data["astrology"]["planets"][planet]["longitude"], abs=1e-4)
    assert "email" not in event and "birth_place" not in event


@pytest.mark.parametrize(("place", "candidates"), [
    ("Xyzzyville", []),
    ("Paris", ["Paris (FR)", "Paris (TX, US)"]),
])
async def test_unresolvable_place_alone_is_422_naming_birth_place_with_candidates(client, place, candidates):
    body = new_user(birth_place=place)
    reply = await client.post("/api/v1/auth/register", json=body)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["fields"][0]["field"] == "birth_place"
    for candidate in candidates:
        assert candidate in error["message"]
    async with client.app.state.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(users).where(users.c.email == body["email"])) == 0


async def test_place_is_a_label_when_coordinates_or_timezone_are_given(client):
    with_coordinates = await client.post("/api/v1/auth/register", json=new_user(birth_place="Xyzzyville", **NEW_YORK))
    assert with_coordinates.status_code == 201, with_coordinates.text
    assert with_coordinates.json()["user"]["birth_place"] == "Xyzzyville"
    assert with_coordinates.json()["astrology"]["chart_level"] == 4

    with_zone = await client.post("/api/v1/auth/register",
                                  json=new_user(birth_place="Xyzzyville", timezone="America/Chicago"))
    assert with_zone.status_code == 201, with_zone.text
    assert with_zone.json()["astrology"]["chart_level"] == 3
    assert with_zone.json()["astrology"]["birth"]["timezone"] == "America/Chicago"

    # A zone also settles an ambiguous name: Paris in America/Chicago is Paris, Texas (coordinates: level 4).
    settled = await client.post("/api/v1/auth/register", json=new_user(birth_place="Paris", timezone="America/Chicago"))
    assert settled.status_code == 201, settled.text
    assert settled.json()["astrology"]["chart_level"] == 4
    assert settled.json()["astrology"]["birth"]["latitude"] == pytest.approx(33.66, abs=0.1)


@pytest.mark.parametrize(("change", "field"), [
    ({"display_name": "R2D2"}, "display_name"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"house_system": "astral"}, "house_system"),
    ({"birth_time": "14:30+02:00"}, "birth_time"),
])
async def test_register_chart_validation_names_our_field(client, change, field):
    reply = await client.post("/api/v1/auth/register", json=new_user(**change))
    assert reply.status_code == 422, reply.text
    fields = [f["field"] for f in reply.json()["error"]["fields"]]
    assert field in fields, reply.json()


async def test_profile_me_requires_a_token(client):
    reply = await client.get("/api/v1/profile/me")
    assert reply.status_code == 401


# --- POST /profile/calculate (anonymous) ---------------------------------------------------------


async def test_profile_calculate_is_anonymous_and_has_the_seed_shape(client):
    body = {"name": "Sarah", "birth_date": "1990-05-15", "birth_time": "14:30", "birth_place": "New York, USA"}
    reply = await client.post("/api/v1/profile/calculate/", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.headers["x-ratelimit-limit"]
    data = reply.json()
    assert set(data) == {"numerology", "astrology", "chart_level"}
    CalculateResponse.model_validate(data)
    assert data["chart_level"] == 4  # the gazetteer found New York: coordinates and zone
    core = {k: data["numerology"][k] for k in ("life_path", "soul_urge", "expression", "personality")}
    assert core == {"life_path": 3, "soul_urge": 2, "expression": 2, "personality": 9}
    assert_native_astrology(data["astrology"], 4)
    assert data["astrology"]["birth"]["timezone_source"] == "gazetteer"


@pytest.mark.parametrize(("extra", "level"), [({}, 1), ({"latitude": 52.52, "longitude": 13.405}, 2),
                                              ({"birth_time": "08:15"}, 3),
                                              ({"birth_time": "08:15", "latitude": 52.52, "longitude": 13.405}, 4)])
async def test_profile_calculate_chart_levels(client, extra, level):
    reply = await client.post("/api/v1/profile/calculate", json={"name": "Ada", "birth_date": "1985-12-10", **extra})
    assert reply.status_code == 200, reply.text
    assert reply.json()["chart_level"] == level
    assert_native_astrology(reply.json()["astrology"], level)


async def test_profile_calculate_house_system_and_timezone(client):
    body = {"name": "Ada", "birth_date": "1985-12-10", "birth_time": "08:15", "latitude": 52.52, "longitude": 13.405,
            "timezone": "Europe/Berlin", "house_system": "whole_sign"}
    reply = await client.post("/api/v1/profile/calculate", json=body)
    assert reply.status_code == 200, reply.text
    astrology = reply.json()["astrology"]
    assert astrology["house_system_used"] == "whole_sign"
    assert all(cusp % 30 == 0 for cusp in astrology["houses"])  # whole signs start at 0 degrees of a sign
    assert astrology["birth"]["utc_datetime"] == "1985-12-10T07:15:00Z"


@pytest.mark.parametrize("house_system", ["P", "placidus"])
async def test_profile_calculate_passes_house_system_names_to_chart(client, house_system):
    body = {"name": "Ada", "birth_date": "1985-12-10", "birth_time": "08:15", "latitude": 52.52, "longitude": 13.405,
            "house_system": house_system}
    reply = await client.post("/api/v1/profile/calculate", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["astrology"]["house_system_used"] == "placidus"


@pytest.mark.parametrize(("change", "field"), [
    ({"name": "4711"}, "name"),
    ({"name": ""}, "name"),
    ({"birth_date": "3001-01-01"}, "birth_date"),
    ({"birth_time": "24:00"}, "birth_time"),
    ({"timezone": "EST5"}, "timezone"),
    ({"birth_place": "Springfield"}, "birth_place"),
    ({"latitude": 40.7}, "longitude"),
    ({"house_system": "Sassanian"}, "house_system"),
])
async def test_profile_calculate_errors_name_the_field(client, change, field):
    body = {"name": "Ada", "birth_date": "1985-12-10", **change}
    reply = await client.post("/api/v1/profile/calculate", json=body)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert any(field == f["field"] or field in f["message"] for f in error["fields"]), error


async def test_chart_down_gives_503_for_calculations(make_identity_client, mint_token):
    async with make_identity_client(NUMEROS_CHART_ADDR=f"127.0.0.1:{free_port()}",
                                    NUMEROS_CHART_DEADLINE_SECONDS="1") as client:
        calc = await client.post("/api/v1/profile/calculate", json={"name": "Ada", "birth_date": "1985-12-10"})
        assert calc.status_code == 503 and calc.json()["error"]["code"] == "CHART_UNAVAILABLE"
        numerology = await client.post("/api/v1/numerology/calculate",
                                       headers={"Authorization": f"Bearer {mint_token(1)}"},
                                       json={"full_name": "John Doe", "birth_date": "1990-06-15"})
        assert numerology.status_code == 503
        body = new_user(**NEW_YORK)
        register = await client.post("/api/v1/auth/register", json=body)
        assert register.status_code == 503
        async with client.app.state.runtime.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(users).where(users.c.email == body["email"]))
        assert count == 0
