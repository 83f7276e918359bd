"""CalculateNatalCharts through a real grpc.aio channel to the real server, started in-process.

The batch must give, chart for chart, what CalculateProfile's document says for the same birth
data (positions, speeds and retrograde flags, houses, angles, the instant and zone used), keep
request order across the worker chunks, put a bad record's error in its own slot without failing
the others, and refuse what fails the whole call: too many charts, no ephemeris.
"""
from __future__ import annotations

import asyncio
import json
from datetime import datetime

import grpc
import pytest
import pytest_asyncio
import swisseph as swe

from numeros.chart.v1 import chart_pb2
from services.chart.api.grpc_server import FIELD_METADATA_KEY, WORKER_PID_METADATA_KEY
from services.chart.api.natal_batch import MAX_NATAL_CHARTS, MIN_CHUNK, chunk_bounds
from services.chart.tests.grpc_support import call as shared_call

on_module_loop = pytest.mark.asyncio(loop_scope="module")  # the module-scoped server's loop
module_fixture = pytest_asyncio.fixture(loop_scope="module", scope="module")

HANG_GUARD_SECONDS = 60
BODIES = ["sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto", "north_node",
          "chiron"]
ROUNDED = 5e-5  # the profile document rounds longitudes, speeds and cusps to 4 places


async def call(method, request, **kwargs):
    return await shared_call(method, request, guard_seconds=HANG_GUARD_SECONDS, **kwargs)


def birth(year: int, month: int, day: int, time: str = "", **fields) -> chart_pb2.BirthData:
    return chart_pb2.BirthData(name="Ana María López", birth_date=chart_pb2.Date(year=year, month=month, day=day),
                               birth_time=time, **fields)


# Twenty records that take every path: chart levels 1-4, each house system, the polar fallback,
# the southern hemisphere, the date line, historical DST and war time, a DST gap and a fold,
# zones from the explicit name, the coordinates and the gazetteer.
MIXED = [
    birth(1990, 5, 15, "14:30", latitude=40.4168, longitude=-3.7038, timezone="Europe/Madrid"),
    birth(1944, 6, 6, "06:30", latitude=51.5074, longitude=-0.1278, timezone="Europe/London"),  # double summer time
    birth(1942, 3, 1, "09:15", latitude=40.7128, longitude=-74.0060, timezone="America/New_York",
          house_system="koch"),  # war time
    birth(1985, 11, 3, "23:59", latitude=-33.8688, longitude=151.2093, timezone="Australia/Sydney",
          house_system="whole_sign"),
    birth(2011, 12, 31, "10:00", latitude=-13.8333, longitude=-171.7667, timezone="Pacific/Apia",
          house_system="equal"),  # the day after Samoa skipped 30 Dec 2011
    birth(2000, 1, 1, "00:00", latitude=1.8721, longitude=-157.4278, timezone="Pacific/Kiritimati",
          house_system="porphyry"),  # UTC+14
    birth(1970, 7, 20, "04:17", latitude=-34.6037, longitude=-58.3816, timezone="America/Argentina/Buenos_Aires",
          house_system="regiomontanus"),
    birth(1963, 2, 28, "18:45", latitude=27.7172, longitude=85.3240, timezone="Asia/Kathmandu",
          house_system="campanus"),
    birth(2005, 1, 15, "12:00", latitude=78.2232, longitude=15.6469, timezone="Arctic/Longyearbyen"),  # polar: fallback
    birth(1999, 6, 21, "03:00", latitude=69.6492, longitude=18.9553, timezone="Europe/Oslo",
          house_system="koch"),  # Tromsø, polar: fallback
    birth(2021, 3, 14, "02:30", latitude=41.8781, longitude=-87.6298, timezone="America/Chicago"),  # DST gap
    birth(2021, 11, 7, "01:30", latitude=41.8781, longitude=-87.6298, timezone="America/Chicago"),  # DST fold
    birth(1890, 8, 1, "12:00", latitude=48.8566, longitude=2.3522, timezone="Europe/Paris"),  # local mean time
    birth(1976, 4, 1, "08:05:30", latitude=35.6762, longitude=139.6503),  # zone from the coordinates
    birth(1988, 9, 9, "16:40", birth_place="Madrid, Spain", house_system="koch"),  # zone and place from the gazetteer
    birth(1995, 10, 10, "07:07", timezone="Asia/Tokyo"),  # level 3: no place, no houses
    birth(2002, 2, 2, "", latitude=-26.2041, longitude=28.0473),  # level 2: noon at Johannesburg
    birth(1958, 12, 25, "", timezone="America/Sao_Paulo"),  # level 1: local noon
    birth(2024, 2, 29),  # level 1 without a zone: 12:00 UTC
    birth(1900, 1, 1, "00:00", latitude=64.1466, longitude=-21.9426, timezone="Atlantic/Reykjavik",
          house_system="placidus"),
]


def column(response: chart_pb2.NatalChartsResponse, name: str, i: int, per_chart: int = 1):
    values = getattr(response, name)
    return values[i] if per_chart == 1 else list(values[per_chart * i: per_chart * (i + 1)])


def julian_day(utc_iso: str) -> float:
    t = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    return swe.julday(t.year, t.month, t.day, t.hour + t.minute / 60 + t.second / 3600, swe.GREG_CAL)


@on_module_loop
async def test_each_chart_is_what_calculate_profile_says(stub):
    response = await call(stub.CalculateNatalCharts, chart_pb2.NatalChartsRequest(charts=MIXED))
    assert list(response.bodies) == BODIES
    assert response.ephemeris_source == "Swiss Ephemeris" and response.ephemeris_version
    n = len(MIXED)
    for name in ("error_field", "error_message", "chart_level", "julian_day_ut", "timezone", "utc_offset_seconds",
                 "nonexistent_time", "ambiguous_time", "ascendant", "midheaven", "house_system_used"):
        assert len(getattr(response, name)) == n, name
    for name in ("longitudes", "speeds", "cusps"):
        assert len(getattr(response, name)) == 12 * n, name

    levels, fallbacks = set(), 0
    for i, record in enumerate(MIXED):
        profile = await call(stub.CalculateProfile, record)
        astrology = json.loads(profile.document.json)["astrology"]
        at = f"record {i}"
        assert column(response, "error_field", i) == column(response, "error_message", i) == "", at
        assert column(response, "chart_level", i) == profile.chart_level == astrology["chart_level"], at
        levels.add(profile.chart_level)

        when = astrology["birth"]
        assert column(response, "timezone", i) == when["timezone"], at
        assert column(response, "utc_offset_seconds", i) == when["utc_offset_seconds"], at
        assert column(response, "nonexistent_time", i) == when["nonexistent_time"], at
        assert column(response, "ambiguous_time", i) == when["ambiguous_time"], at
        assert column(response, "julian_day_ut", i) == pytest.approx(julian_day(when["utc_datetime"]), abs=1e-7), at

        longitudes = column(response, "longitudes", i, 12)
        speeds = column(response, "speeds", i, 12)
        for body, longitude, speed in zip(BODIES, longitudes, speeds, strict=True):
            planet = astrology["planets"][body]
            assert 0.0 <= longitude < 360.0
            assert longitude == pytest.approx(planet["longitude"], abs=ROUNDED), (at, body)
            assert speed == pytest.approx(planet["speed"], abs=ROUNDED), (at, body)
            assert (speed < 0) is planet["is_retrograde"], (at, body)

        cusps = column(response, "cusps", i, 12)
        if profile.chart_level == 4:
            assert cusps == pytest.approx(astrology["houses"], abs=ROUNDED), at
            assert column(response, "ascendant", i) == pytest.approx(
                astrology["angles"]["ascendant"]["longitude"], abs=ROUNDED), at
            assert column(response, "midheaven", i) == pytest.approx(
                astrology["angles"]["midheaven"]["longitude"], abs=ROUNDED), at
            assert column(response, "house_system_used", i) == astrology["house_system_used"], at
            fallbacks += astrology["house_system_used"] != astrology["house_system"]
        else:
            assert cusps == [0.0] * 12, at
            assert column(response, "ascendant", i) == column(response, "midheaven", i) == 0.0, at
            assert column(response, "house_system_used", i) == "", at
    assert levels == {1, 2, 3, 4}
    assert fallbacks == 2  # both polar records
    assert any(response.nonexistent_time) and any(response.ambiguous_time)
    assert any(speed < 0 for speed in response.speeds)  # some retrograde body among them


@on_module_loop
async def test_bad_records_fill_their_own_error_slot(stub):
    bad = {
        1: (birth(1990, 5, 15, "14:30", timezone="Mars/Olympus_Mons"), "timezone"),
        3: (chart_pb2.BirthData(name="No Date", birth_time="10:00", timezone="Europe/Madrid"), "birth_date"),
        4: (birth(1990, 5, 15, "25:99", timezone="Europe/Madrid"), "birth_time"),
        6: (birth(1990, 2, 30, "10:00", timezone="Europe/Madrid"), "birth_date"),
        7: (birth(1990, 5, 15, "10:00", latitude=95.0, longitude=0.0), "latitude"),
        9: (birth(1990, 5, 15, "10:00", latitude=40.0, longitude=-3.0, house_system="tarot"), "house_system"),
        10: (birth(1990, 5, 15, "10:00", birth_place="Xyzzyville Nowhere"), "birth_place"),
        11: (birth(3001, 1, 1, "10:00", timezone="Europe/Madrid"), "birth_date"),
    }
    records = [bad[i][0] if i in bad else MIXED[i] for i in range(12)]
    response = await call(stub.CalculateNatalCharts, chart_pb2.NatalChartsRequest(charts=records))
    for i in range(len(records)):
        if i in bad:
            assert response.error_field[i] == bad[i][1], (i, response.error_message[i])
            assert response.error_message[i]
            assert response.chart_level[i] == 0 and response.timezone[i] == ""
            assert list(response.longitudes[12 * i: 12 * i + 12]) == [0.0] * 12
        else:
            assert response.error_field[i] == response.error_message[i] == ""
            assert response.chart_level[i] == 4
            profile = await call(stub.CalculateProfile, records[i])
            assert response.longitudes[12 * i] == pytest.approx(profile.key_longitudes.sun, abs=1e-9)
    # the same bad record on its own is the INVALID_ARGUMENT CalculateProfile answers, naming the same field
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(stub.CalculateProfile, bad[1][0])
    assert raised.value.trailing_metadata()[FIELD_METADATA_KEY] == "timezone"
    assert response.error_message[1] in raised.value.details()


@on_module_loop
async def test_a_large_batch_keeps_request_order_across_the_workers(stub):
    count = 500
    records = [MIXED[i % len(MIXED)] for i in range(count)]
    call_ = stub.CalculateNatalCharts(chart_pb2.NatalChartsRequest(charts=records))
    response = await asyncio.wait_for(call_, timeout=HANG_GUARD_SECONDS)
    pids = dict(await call_.trailing_metadata())[WORKER_PID_METADATA_KEY].split(",")
    assert len(set(pids)) == 2  # one chunk per worker, computed in parallel
    alone = await call(stub.CalculateNatalCharts, chart_pb2.NatalChartsRequest(charts=MIXED))
    assert len(response.longitudes) == 12 * count
    for i in range(count):
        j = i % len(MIXED)
        assert response.chart_level[i] == alone.chart_level[j]
        assert response.longitudes[12 * i: 12 * i + 12] == alone.longitudes[12 * j: 12 * j + 12]
        assert response.cusps[12 * i: 12 * i + 12] == alone.cusps[12 * j: 12 * j + 12]
        assert response.timezone[i] == alone.timezone[j]


@on_module_loop
async def test_an_empty_batch_is_an_empty_answer(stub):
    response = await call(stub.CalculateNatalCharts, chart_pb2.NatalChartsRequest())
    assert list(response.bodies) == BODIES
    assert len(response.chart_level) == len(response.longitudes) == 0


@on_module_loop
async def test_more_than_the_maximum_is_invalid_argument_naming_charts(stub):
    records = [MIXED[0]] * (MAX_NATAL_CHARTS + 1)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(stub.CalculateNatalCharts, chart_pb2.NatalChartsRequest(charts=records))
    error = raised.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("charts: ")
    assert error.trailing_metadata()[FIELD_METADATA_KEY] == "charts"


@on_module_loop
async def test_the_maximum_is_accepted(stub):
    records = [MIXED[i % len(MIXED)] for i in range(MAX_NATAL_CHARTS)]
    response = await call(stub.CalculateNatalCharts, chart_pb2.NatalChartsRequest(charts=records))
    assert len(response.chart_level) == MAX_NATAL_CHARTS and all(response.chart_level)


@on_module_loop
async def test_without_ephemeris_the_batch_is_ephemeris_unavailable(stub_without_ephemeris):
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(stub_without_ephemeris.CalculateNatalCharts, chart_pb2.NatalChartsRequest(charts=MIXED[:3]))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert raised.value.details().startswith("EPHEMERIS_UNAVAILABLE")


@pytest.mark.parametrize("count", [0, 1, MIN_CHUNK, 2 * MIN_CHUNK - 1, 2 * MIN_CHUNK, 2001, 5000])
@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_chunks_cover_the_batch_once_one_per_worker_at_most(count, workers):
    bounds = chunk_bounds(count, workers)
    assert bounds[0][0] == 0 and bounds[-1][1] == count
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert 1 <= len(bounds) <= workers
    sizes = [stop - start for start, stop in bounds]
    assert max(sizes) - min(sizes) <= 1
    if count >= workers * MIN_CHUNK:
        assert len(bounds) == workers
    if len(bounds) > 1:
        assert min(sizes) >= MIN_CHUNK

