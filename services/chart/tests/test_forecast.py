"""The daily forecast: the pure domain function and the DailyForecast RPC through a real grpc.aio
channel. Numbers are checked by hand in comments; the Moon sign against pyswisseph called directly."""
from __future__ import annotations

import json
from datetime import date, time

import grpc
import pytest
import pytest_asyncio
import swisseph as swe

from numeros.chart.v1 import chart_pb2
from services.chart.adapters.ephemeris import init_worker
from services.chart.domain.western.chart import ChartRequest
from services.chart.domain.western.zodiac import ZODIAC_SIGNS
from services.chart.domain.errors import InvalidInput
from services.chart.domain.forecast import FORECAST_RULESET_VERSION, TRANSIT_ORB, daily_forecast
from services.chart.tests.grpc_support import assert_invalid, call, pb_date, rejected

module_fixture = pytest_asyncio.fixture(loop_scope="module", scope="module")




MADRID_1990 = ChartRequest(date(1990, 5, 15), time(14, 30), 40.4168, -3.7038, "Europe/Madrid")


def direct_moon_sign(day: date, hour: float) -> str:
    """Tropical Moon sign straight from pyswisseph (not through our swiss module)."""
    values, _ = swe.calc_ut(swe.julday(day.year, day.month, day.day, hour, swe.GREG_CAL), swe.MOON, swe.FLG_SWIEPH)
    return ZODIAC_SIGNS[int(values[0] // 30)]


# --- domain -------------------------------------------------------------------------------------------

@pytest.fixture
def ephemeris(ephe_dir):
    init_worker(ephe_dir)


def test_universal_numbers_by_hand(ephemeris):
    forecast = daily_forecast(date(2026, 11, 22))
    # Universal year 2026: 2+0+2+6 = 10 -> 1. Month: 1 + 11 (-> 2) = 3. Day: 3 + 22 (-> 4) = 7;
    # the digit sum 2+0+2+6+1+1+2+2 = 16 -> 7 agrees.
    assert forecast["universal_day_number"] == 7
    numbers = forecast["numerology"]
    assert (numbers["universal_year"]["number"], numbers["universal_month"]["number"],
            numbers["universal_day"]["number"]) == (1, 3, 7)
    assert numbers["universal_day"]["meaning"]["title"] == "Reflection and study"
    # 7 is ruled by Ketu in Vedic numerology: its colours are the day's colours.
    assert numbers["universal_day"]["planet"] == "Ketu" and forecast["colors"] == numbers["universal_day"]["colours"]
    assert forecast["colors"] and forecast["ruleset_version"] == FORECAST_RULESET_VERSION
    assert "personal" not in forecast and forecast["personalized"] is False


def test_master_number_day_keeps_the_master_and_borrows_its_root_colours(ephemeris):
    # 2027-09-09: year 2+0+2+7 = 11 (kept); month 11 + 9 = 20 -> 2; day 2 + 9 = 11 (kept).
    forecast = daily_forecast(date(2027, 9, 9))
    assert forecast["universal_day_number"] == 11
    assert forecast["numerology"]["universal_year"]["number"] == 11
    assert forecast["numerology"]["universal_day"]["planet"] == "Moon"  # 11 -> 2 -> Moon


@pytest.mark.parametrize("day", [date(2026, 11, 22), date(2000, 1, 1), date(2024, 2, 29), date(1969, 7, 20),
                                 date(1, 1, 1), date(800, 2, 29), date(1582, 10, 10), date(3000, 12, 31)])
def test_moon_sign_agrees_with_pyswisseph(ephemeris, day):
    moon = daily_forecast(day)["moon"]
    assert moon["sign_at_start"] == direct_moon_sign(day, 0.0)
    assert moon["sign_at_end"] == direct_moon_sign(day, 23 + 59 / 60)
    assert moon["changes_sign"] == (moon["sign_at_start"] != moon["sign_at_end"])


def test_moon_ingress_time_is_the_sign_change(ephemeris):
    # The Moon enters Taurus during 2026-11-22 (UTC): Aries at 00:00, Taurus at 23:59.
    moon = daily_forecast(date(2026, 11, 22))["moon"]
    assert (moon["sign_at_start"], moon["sign_at_end"], moon["changes_sign"]) == ("Aries", "Taurus", True)
    hour, minute = map(int, moon["ingress_utc"][11:16].split(":"))
    at = hour + minute / 60
    assert direct_moon_sign(date(2026, 11, 22), at - 1 / 60) == "Aries"
    assert direct_moon_sign(date(2026, 11, 22), at + 1 / 60) == "Taurus"


def test_full_moon_and_transit_facts(ephemeris):
    # 2024-04-08: total solar eclipse, new Moon at 18:21 UTC.
    eclipse = daily_forecast(date(2024, 4, 8))
    assert eclipse["moon"]["principal_phase_today"]["phase"] == "new_moon"
    assert eclipse["moon"]["principal_phase_today"]["exact_utc"].startswith("2024-04-08T18:2")
    # Mercury was retrograde in April 2024 (stationed 1 April, direct 25 April).
    assert "mercury" in eclipse["transits"]["retrograde"]
    # The Sun-Moon conjunction is the new Moon, but the Moon is left out of transit aspects.
    assert all("moon" not in (a["planet1"], a["planet2"]) for a in eclipse["transits"]["aspects"])
    # 2020-12-21: the great conjunction of Jupiter and Saturn, exact around 18:20 UTC.
    great = daily_forecast(date(2020, 12, 21))["transits"]
    hits = [a for a in great["aspects"] if {a["planet1"], a["planet2"]} == {"jupiter", "saturn"}]
    assert hits and hits[0]["aspect"] == "conjunction" and hits[0]["exact_utc"].startswith("2020-12-21T1")
    assert great["slow_planets"]["jupiter"] == great["slow_planets"]["saturn"] == "Aquarius"
    # Mercury stationed direct on 2024-04-25 (about 12:54 UTC).
    station = daily_forecast(date(2024, 4, 25))["transits"]["stations"]
    assert {"planet": "mercury", "station": "direct"} in station


def test_personal_day_and_transits_to_the_natal_chart(ephemeris):
    forecast = daily_forecast(date(2026, 11, 22), MADRID_1990)
    personal = forecast["personal"]
    # Personal year: birth month 5 + birth day 15 (-> 6) + universal year 1 = 12 -> 3.
    # Month: 3 + 11 (-> 2) = 5. Day: 5 + 22 (-> 4) = 9.
    assert (personal["personal_year"]["number"], personal["personal_month"]["number"],
            personal["personal_day"]["number"]) == (3, 5, 9)
    assert personal["personal_day_number"] == 9 and forecast["personalized"] is True
    assert personal["natal_chart_level"] == 4
    assert personal["transits_to_natal"], "some transit within 3 degrees"
    for aspect in personal["transits_to_natal"]:
        assert aspect["orb"] <= TRANSIT_ORB and aspect["transiting"] != "moon"
        assert 1 <= aspect["transit_house"] <= 12
    orbs = [a["orb"] for a in personal["transits_to_natal"]]
    assert orbs == sorted(orbs)


def test_forecast_rejects_dates_outside_the_ephemeris(ephemeris):
    with pytest.raises(InvalidInput) as raised:
        daily_forecast(date(3001, 1, 1))
    assert raised.value.field == "date"


# --- the RPC ------------------------------------------------------------------------------------------

@pytest.mark.asyncio(loop_scope="module")
async def test_daily_forecast_rpc_universal(stub, ephemeris):
    response = await call(stub.DailyForecast, chart_pb2.DailyForecastRequest(date=pb_date(date(2026, 11, 22))))
    document = json.loads(response.json)
    assert response.ruleset_version == FORECAST_RULESET_VERSION
    assert document["date"] == "2026-11-22" and document["universal_day_number"] == 7  # 16 -> 7, see above
    assert document["moon"]["sign_at_start"] == direct_moon_sign(date(2026, 11, 22), 0.0)
    assert document["moon"]["sign_at_end"] == direct_moon_sign(date(2026, 11, 22), 23 + 59 / 60)
    assert "personal" not in document


@pytest.mark.asyncio(loop_scope="module")
async def test_daily_forecast_rpc_personalised(stub):
    natal = chart_pb2.BirthData(birth_date=pb_date(date(1990, 5, 15)), birth_time="14:30", timezone="Europe/Madrid",
                                latitude=40.4168, longitude=-3.7038)
    response = await call(stub.DailyForecast, chart_pb2.DailyForecastRequest(
        date=pb_date(date(2026, 11, 22)), natal=natal))
    personal = json.loads(response.json)["personal"]
    assert personal["personal_day"]["number"] == 9
    assert {"meaning", "colours", "summary"} <= set(personal["personal_day"])
    # Date only (chart level 1): still personal numbers and transits to the noon chart.
    response = await call(stub.DailyForecast, chart_pb2.DailyForecastRequest(
        date=pb_date(date(2026, 11, 22)), natal=chart_pb2.BirthData(birth_date=pb_date(date(1990, 5, 15)),
                                                                    timezone="Europe/Madrid")))
    assert json.loads(response.json)["personal"]["natal_chart_level"] == 1


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("request_", "field"), [
    (chart_pb2.DailyForecastRequest(), "date"),
    (chart_pb2.DailyForecastRequest(date=chart_pb2.Date(year=2026, month=13, day=1)), "date"),
    (chart_pb2.DailyForecastRequest(date=pb_date(date(3001, 1, 1))), "date"),
    (chart_pb2.DailyForecastRequest(date=pb_date(date(2026, 11, 22)), natal=chart_pb2.BirthData()),
     "natal.birth_date"),
    (chart_pb2.DailyForecastRequest(date=pb_date(date(2026, 11, 22)), natal=chart_pb2.BirthData(
        birth_date=pb_date(date(1990, 5, 15)), birth_time="noon")), "natal.birth_time"),
    (chart_pb2.DailyForecastRequest(date=pb_date(date(2026, 11, 22)), natal=chart_pb2.BirthData(
        birth_date=pb_date(date(1990, 5, 15)), timezone="Mars/Olympus")), "natal.timezone"),
])
async def test_daily_forecast_rpc_names_the_field(stub, request_, field):
    assert_invalid(await rejected(stub.DailyForecast, request_), field)


@pytest.mark.asyncio(loop_scope="module")
async def test_daily_forecast_rpc_without_ephemeris(stub_without_ephemeris):
    error = await rejected(stub_without_ephemeris.DailyForecast,
                           chart_pb2.DailyForecastRequest(date=pb_date(date(2026, 11, 22))))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details().startswith("EPHEMERIS_UNAVAILABLE")
