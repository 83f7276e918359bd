"""Natal chart engine: signs, houses, aspects, chart levels, output shapes, ephemeris checks.

Positions themselves are checked against kerykeion in test_peer_kerykeion.py.
"""
from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timezone

import pytest
import swisseph as swe

from services.chart.adapters.ephemeris import init_worker
from services.chart.domain.western import (
    BODIES,
    HOUSE_SYSTEMS,
    ChartRequest,
    EphemerisUnavailable,
    compute_houses,
    compute_natal_chart,
    compute_natal_charts,
    compute_natal_positions,
    find_aspect,
    house_of,
    sign_position,
)
from services.chart.domain.western.aspects import ASPECT_KINDS, is_applying
from services.chart.domain.swiss import julian_day as julian_day_ut
from services.chart.domain.errors import InvalidInput

LONDON = {"latitude": 51.5074, "longitude": -0.1278, "timezone": "Europe/London"}
PLANET_KEYS = {"sign", "degree", "minute", "longitude", "house", "is_retrograde"}
ANGLE_KEYS = {"sign", "degree", "minute", "longitude"}


@pytest.fixture(autouse=True)
def _swiss_ephemeris(ephe_dir):
    init_worker(ephe_dir)


# ---------------------------------------------------------------- signs


@pytest.mark.parametrize(("longitude", "expected"), [
    (0.0, ("Aries", 0, 0)),
    (123.456, ("Leo", 3, 27)),  # 123.456 - 120 = 3.456° = 3°27.36'
    (29.999999999, ("Aries", 29, 59)),  # truncated: never rounds into the next sign
    (359.9999, ("Pisces", 29, 59)),
    (360.0, ("Aries", 0, 0)),
    (-0.5, ("Pisces", 29, 30)),
    (270.25, ("Capricorn", 0, 15)),
])
def test_sign_position(longitude, expected):
    position = sign_position(longitude)
    assert (position.sign, position.degree, position.minute) == expected
    assert 0.0 <= position.longitude < 360.0


# ---------------------------------------------------------------- houses


def test_house_of_handles_the_wrap_through_aries():
    cusps = (350.0, 20.0, 50.0, 80.0, 110.0, 140.0, 170.0, 200.0, 230.0, 260.0, 290.0, 320.0)
    assert house_of(355.0, cusps) == 1
    assert house_of(5.0, cusps) == 1
    assert house_of(350.0, cusps) == 1  # a cusp opens its house
    assert house_of(20.0, cusps) == 2
    assert house_of(349.99, cusps) == 12
    assert house_of(-10.0, cusps) == 1  # same as 350°


def _house_by_arcs(longitude, cusps):
    """Reference: walk the twelve arcs cusp to cusp."""
    for i in range(12):
        if (longitude - cusps[i]) % 360 < (cusps[(i + 1) % 12] - cusps[i]) % 360:
            return i + 1


def test_houses_of_agrees_with_walking_the_arcs_on_real_cusps():
    rng = random.Random(7)
    for _ in range(50):
        jd = 2415020.5 + rng.random() * 40000
        houses = compute_houses(jd, rng.uniform(-60, 60), rng.uniform(-180, 180), rng.choice(list(HOUSE_SYSTEMS)))
        longitudes = [rng.uniform(0, 360) for _ in range(30)] + list(houses.cusps)
        assert houses.houses_of(longitudes) == [_house_by_arcs(lon, houses.cusps) for lon in longitudes]


@pytest.mark.parametrize("system", list(HOUSE_SYSTEMS))
def test_every_house_system_at_london(system):
    jd = julian_day_ut(datetime(1990, 6, 15, 13, 30, tzinfo=timezone.utc))
    houses = compute_houses(jd, 51.5074, -0.1278, system)
    assert houses.system_used == system and houses.fallback_reason is None
    arcs = [(houses.cusps[(i + 1) % 12] - houses.cusps[i]) % 360 for i in range(12)]
    assert abs(sum(arcs) - 360.0) < 1e-9
    if system == "whole_sign":
        assert houses.cusps[0] == int(houses.ascendant // 30) * 30
        assert all(arc == pytest.approx(30.0) for arc in arcs)
    elif system == "equal":
        assert houses.cusps[0] == pytest.approx(houses.ascendant)
        assert all(arc == pytest.approx(30.0) for arc in arcs)
    else:  # quadrant systems: the angles are cusps 1 and 10
        assert houses.cusps[0] == pytest.approx(houses.ascendant)
        assert houses.cusps[9] == pytest.approx(houses.midheaven)


@pytest.mark.parametrize(("name", "key"), [
    (None, "placidus"), ("Placidus", "placidus"), ("whole sign", "whole_sign"), ("Whole-Sign", "whole_sign"),
    ("W", "whole_sign"), ("koch", "koch"), ("E", "equal"), ("Regiomontanus", "regiomontanus"),
])
def test_house_system_names(name, key):
    chart = compute_natal_chart(date(1990, 6, 15), time(14, 30), **LONDON, house_system=name)
    assert chart.houses.system_requested == key


def test_unknown_house_system_names_the_field():
    with pytest.raises(InvalidInput) as error:
        compute_natal_chart(date(1990, 6, 15), time(14, 30), **LONDON, house_system="topocentric")
    assert error.value.field == "house_system"


def test_placidus_still_works_just_outside_the_polar_circle():
    houses = compute_houses(julian_day_ut(datetime(2000, 1, 1, 12, tzinfo=timezone.utc)), 66.0, 18.9, "placidus")
    assert houses.system_used == "placidus"


@pytest.mark.parametrize("system", ["placidus", "koch", "regiomontanus", "campanus"])
def test_polar_fallback_is_whole_sign_and_says_why(system):
    jd = julian_day_ut(datetime(2000, 1, 1, 12, tzinfo=timezone.utc))
    houses = compute_houses(jd, 78.2, 15.6, system)
    assert houses.system_requested == system
    assert houses.system_used == "whole_sign"
    assert "78.20°" in houses.fallback_reason and "Whole Sign used instead" in houses.fallback_reason


# ---------------------------------------------------------------- aspects


@pytest.mark.parametrize(("a", "b", "expected"), [
    (10.0, 18.0, ("conjunction", 8.0)),
    (10.0, 18.01, None),
    (355.0, 3.0, ("conjunction", 8.0)),  # across 0° Aries
    (0.0, 66.0, ("sextile", 6.0)),
    (0.0, 66.01, None),
    (0.0, 270.0, ("square", 0.0)),
    (100.0, 345.0, ("trine", 5.0)),  # 245° apart = 115° the short way
    (0.0, 172.0, ("opposition", 8.0)),
    (0.0, 171.9, None),
])
def test_find_aspect_uses_the_seed_orbs(a, b, expected):
    hit = find_aspect(a, b)
    assert (None if hit is None else (hit[0].name, round(hit[1], 6))) == expected


def test_applying_and_separating():
    conjunction, opposition = ASPECT_KINDS[0], ASPECT_KINDS[-1]
    # A faster body behind a slower one closes the gap; past it, the gap opens.
    assert is_applying(conjunction, 100.0, 13.0, 105.0, 1.0)
    assert not is_applying(conjunction, 106.0, 13.0, 105.0, 1.0)
    assert is_applying(conjunction, 359.0, 13.0, 2.0, 1.0)  # across 0° Aries
    # Opposition: separation 175° growing towards 180° is applying.
    assert is_applying(opposition, 0.0, -1.0, 175.0, 1.0)
    assert not is_applying(opposition, 0.0, 1.0, 175.0, -1.0)


def test_chart_aspects_cover_every_pair_once():
    chart = compute_natal_chart(date(1990, 6, 15), time(14, 30), **LONDON)
    pairs = [(a.planet1, a.planet2) for a in chart.aspects]
    assert len(pairs) == len(set(pairs))
    order = list(BODIES)
    for aspect in chart.aspects:
        assert order.index(aspect.planet1) < order.index(aspect.planet2)
        kind, orb = find_aspect(chart.planets[aspect.planet1].longitude, chart.planets[aspect.planet2].longitude)
        assert (kind.name, orb) == (aspect.aspect, aspect.orb)
        assert isinstance(aspect.applying, bool)


# ---------------------------------------------------------------- chart levels and shapes


@pytest.mark.parametrize(("kwargs", "level"), [
    ({}, 1),
    ({"timezone": "Asia/Tokyo"}, 1),
    ({"latitude": 51.5, "longitude": -0.12}, 2),
    ({"birth_place": "London, UK"}, 2),
    ({"birth_time": time(14, 30)}, 3),
    ({"birth_time": time(14, 30), "timezone": "Europe/London"}, 3),
    ({"birth_time": time(14, 30), "latitude": 51.5, "longitude": -0.12}, 4),
    ({"birth_time": time(14, 30), "birth_place": "London, UK"}, 4),
])
def test_chart_levels_follow_the_seed(kwargs, level):
    chart = compute_natal_chart(date(1990, 6, 15), **kwargs)
    assert chart.chart_level == level
    data = chart.to_dict()
    assert set(data["planets"]) == set(BODIES)
    assert ("angles" in data, "houses" in data) == ((level == 4),) * 2
    assert chart.time_known == (level >= 3)
    assert ("moon_sign_changes" in data) == (level <= 2)
    if level < 4:
        assert all(planet["house"] is None for planet in data["planets"].values())


def test_untimed_chart_uses_noon_utc_without_a_zone_and_local_noon_with_one():
    plain = compute_natal_chart(date(1990, 6, 15))
    assert plain.birth.utc == datetime(1990, 6, 15, 12, 0, tzinfo=timezone.utc)
    assert plain.birth.location.zone_source == "assumed_utc"
    tokyo = compute_natal_chart(date(1990, 6, 15), timezone="Asia/Tokyo")
    assert tokyo.birth.utc == datetime(1990, 6, 15, 3, 0, tzinfo=timezone.utc)  # JST = UTC+9


def test_moon_sign_change_during_the_day():
    # Our ephemeris puts the Moon's entry into Sagittarius at 2000-01-02 21:32 UT.
    changing = compute_natal_chart(date(2000, 1, 2))
    assert changing.moon_sign_changes is True
    moon = changing.to_dict()["signs_over_day"]["moon"]
    assert moon == {"at_day_start": "Scorpio", "at_day_end": "Sagittarius", "changes_sign": True}
    assert compute_natal_chart(date(2000, 1, 3)).moon_sign_changes is False
    # In Tokyo (UTC+9) 21:32 UT is already 3 January: the change moves to the next local day.
    assert compute_natal_chart(date(2000, 1, 2), timezone="Asia/Tokyo").moon_sign_changes is False
    assert compute_natal_chart(date(2000, 1, 3), timezone="Asia/Tokyo").moon_sign_changes is True
    assert compute_natal_chart(date(1990, 6, 15), time(12, 0)).moon_sign_changes is None


def test_sun_sign_change_on_an_equinox_day():
    # March equinox 2000: 20 March 07:35 UT, the Sun enters Aries.
    sun = compute_natal_chart(date(2000, 3, 20)).to_dict()["signs_over_day"]["sun"]
    assert sun == {"at_day_start": "Pisces", "at_day_end": "Aries", "changes_sign": True}


def test_retrograde_flags_follow_the_speed():
    # Mercury was retrograde 21 Feb - 14 Mar 2000.
    chart = compute_natal_chart(date(2000, 2, 25), time(12, 0))
    assert chart.planets["mercury"].is_retrograde and chart.planets["mercury"].speed < 0
    assert not chart.planets["sun"].is_retrograde and not chart.planets["moon"].is_retrograde
    assert all(p.is_retrograde == (p.speed < 0) for p in chart.planets.values())


def test_level_four_dict_has_the_native_app_shapes():
    chart = compute_natal_chart(date(1990, 6, 15), time(14, 30), **LONDON)
    data = chart.to_dict()
    assert data["chart_level"] == 4
    for planet in data["planets"].values():
        assert PLANET_KEYS <= set(planet)
        assert 1 <= planet["house"] <= 12 and 0 <= planet["degree"] <= 29 and 0 <= planet["minute"] <= 59
    assert set(data["angles"]) == {"ascendant", "midheaven"}
    assert all(set(angle) == ANGLE_KEYS for angle in data["angles"].values())
    assert len(data["houses"]) == 12 and data["houses"][0] == data["angles"]["ascendant"]["longitude"]
    assert data["house_system"] == data["house_system_used"] == "placidus"
    assert data["house_system_fallback_reason"] is None
    assert data["birth"]["utc_datetime"] == "1990-06-15T13:30:00Z"  # BST = UTC+1
    assert data["birth"]["timezone_source"] == "explicit" and data["birth"]["time_known"] is True
    assert data["ephemeris"] == {"source": "Swiss Ephemeris", "version": swe.version,
                                 "data_set": "swe-standard-data 4.0-20221111 (sepl/semo/seas 5400 BC-5400 AD)",
                                 "files": ["sepl_18.se1", "semo_18.se1", "seas_18.se1"]}
    assert all(set(aspect) == {"planet1", "planet2", "aspect", "orb", "applying"} for aspect in data["aspects"])


def test_birth_place_supplies_coordinates_and_zone():
    chart = compute_natal_chart(date(1990, 6, 15), time(14, 30), birth_place="Sydney, Australia")
    assert chart.chart_level == 4
    assert chart.birth.location.zone == "Australia/Sydney"
    assert chart.birth.location.zone_source == "gazetteer"
    assert chart.birth.location.place.name == "Sydney"


@pytest.mark.parametrize(("day", "clock", "zone"), [
    (date(3001, 1, 1), None, None), (date(9999, 12, 31), time(12, 0), "UTC"),
    (date(1, 1, 1), time(0, 30), "Asia/Tokyo"),  # LMT +9:18:59: before 0001-01-01T00:00Z, no 500
])
def test_dates_outside_years_1_to_3000_are_invalid(day, clock, zone):
    with pytest.raises(InvalidInput) as error:
        compute_natal_chart(day, clock, timezone=zone)
    assert error.value.field == "birth_date"


def test_missing_ephemeris_files_raise_instead_of_falling_back_to_moshier(empty_ephe_dir, ephe_dir):
    init_worker(empty_ephe_dir)
    try:
        with pytest.raises(EphemerisUnavailable, match="Moshier|cannot compute"):
            compute_natal_chart(date(1990, 6, 15), time(14, 30), **LONDON)
    finally:
        init_worker(ephe_dir)


def test_batch_keeps_input_order_and_reports_bad_requests_in_place():
    requests = [
        ChartRequest(date(1990, 6, 15), time(14, 30), **LONDON),
        ChartRequest(date(3001, 1, 1)),
        ChartRequest(date(1950, 1, 1), time(3, 0), timezone="America/New_York"),
        ChartRequest(date(2005, 1, 15), time(12, 0), 78.2232, 15.6469, "Arctic/Longyearbyen"),
    ]
    results = compute_natal_charts(requests)
    assert isinstance(results[1], InvalidInput) and results[1].field == "birth_date"
    for request, result in zip(requests, results):
        if not isinstance(result, InvalidInput):
            single = compute_natal_chart(request.birth_date, request.birth_time, latitude=request.latitude,
                                         longitude=request.longitude, timezone=request.timezone)
            assert result.to_dict() == single.to_dict()


# --- years 1-3000 ---------------------------------------------------------------------------------------
CHIRON_NOTE = ("chiron omitted: Swiss Ephemeris defines Chiron only between 675 and 4650 AD "
               "(its orbit is chaotic outside)")


@pytest.mark.parametrize(("day", "chiron"), [
    (date(1, 1, 1), False), (date(100, 6, 1), False), (date(674, 12, 31), False), (date(675, 1, 5), True),
    (date(1500, 1, 1), True), (date(3000, 12, 31), True),
])
def test_every_year_computes_from_the_files_and_chiron_is_left_out_before_675(day, chiron):
    data = compute_natal_chart(day, time(12, 0), timezone="UTC", latitude=0.0, longitude=0.0).to_dict()
    assert ("chiron" in data["planets"]) == chiron
    assert len(data["planets"]) == 12 if chiron else 11
    assert data.get("notes") == (None if chiron else [CHIRON_NOTE])
    if not chiron:
        assert all("chiron" not in (a["planet1"], a["planet2"]) for a in data["aspects"])
    assert data["ephemeris"]["data_set"] == "swe-standard-data 4.0-20221111 (sepl/semo/seas 5400 BC-5400 AD)"
    assert data["birth"]["utc_datetime"] == f"{day.isoformat()}T12:00:00Z"
    century = day.year // 600 * 6
    assert data["ephemeris"]["files"] == [f"sepl_{century:02d}.se1", f"semo_{century:02d}.se1"] + (
        [f"seas_{century:02d}.se1"] if chiron else [])


def test_a_day_that_starts_before_year_1_in_utc_still_gives_its_signs_over_the_day():
    # 0001-01-01 at noon in Tokyo (LMT +9:18:59) is a valid instant; the day's start is in 1 BC UTC.
    data = compute_natal_chart(date(1, 1, 1), None, timezone="Asia/Tokyo").to_dict()
    assert data["birth"]["utc_datetime"] == "0001-01-01T02:41:01Z"
    assert data["signs_over_day"]["sun"] == {"at_day_start": "Capricorn", "at_day_end": "Capricorn",
                                             "changes_sign": False}


def test_batch_columns_hold_nan_for_chiron_where_it_is_undefined():
    positions = compute_natal_positions([ChartRequest(date(100, 6, 1), time(12, 0)),
                                         ChartRequest(date(1990, 6, 15), time(12, 0))])
    chiron = list(BODIES).index("chiron")
    assert math.isnan(positions.longitudes[0, chiron]) and math.isnan(positions.speeds[0, chiron])
    assert not any(math.isnan(x) for x in positions.longitudes[0, :chiron])
    assert not math.isnan(positions.longitudes[1, chiron])


def _around(zone: str, first: datetime, hours: int = 3) -> list[ChartRequest]:
    """Clock times every 10 minutes (and a second either side of each) for ``hours`` from ``first``."""
    clocks = []
    for step in range(hours * 6):
        minute = first.hour * 60 + first.minute + 10 * step
        for second in (0, 1, 59):
            clocks.append(time((minute // 60) % 24, minute % 60, second))
    return [ChartRequest(first.date(), clock, 51.5, -0.1, zone, None, "koch") for clock in clocks]


# Clock times skipped, repeated and read on odd offsets: the batch finds its instants its own way
# (the zone's offset read off the clock at fold 0 and 1), and must agree with the single chart.
ZONE_EDGES = [
    *_around("America/Chicago", datetime(2021, 3, 14, 1, 0)),  # gap 02:00-03:00
    *_around("America/Chicago", datetime(2021, 11, 7, 0, 30)),  # fold 01:00-02:00
    *_around("Europe/London", datetime(1941, 5, 4, 1, 0)),  # double summer time begins
    *_around("Europe/London", datetime(1941, 8, 10, 1, 0)),  # ... and ends: a fold of an hour
    *_around("Australia/Lord_Howe", datetime(2020, 4, 5, 1, 0)),  # a 30-minute fold
    *_around("Pacific/Apia", datetime(2011, 12, 29, 22, 0)),  # the skipped day starts
    *_around("America/New_York", datetime(1883, 11, 18, 11, 0)),  # local mean time -> EST
    *_around("Asia/Kolkata", datetime(1942, 8, 31, 23, 0)),  # war time
    ChartRequest(date(1, 1, 1), time(5, 0), None, None, "Asia/Tokyo"),  # UTC lands in year 0: refused
    ChartRequest(date(1, 1, 1), time(12, 0), None, None, "Asia/Tokyo"),
    ChartRequest(date(2021, 3, 14), time(2, 30, tzinfo=timezone.utc), 41.9, -87.6, "America/Chicago"),
]


def test_batch_instants_agree_with_the_single_chart_at_zone_edges():
    positions = compute_natal_positions(ZONE_EDGES)
    assert positions.nonexistent_time.sum() > 0 and positions.ambiguous_time.sum() > 0
    for i, request in enumerate(ZONE_EDGES):
        try:
            chart = compute_natal_chart(*request[:2], latitude=request.latitude, longitude=request.longitude,
                                        timezone=request.timezone, house_system=request.house_system)
        except InvalidInput as error:
            assert (positions.errors[i].field, positions.errors[i].reason) == (error.field, error.reason)
            continue
        assert positions.errors[i] is None
        birth = chart.birth
        assert positions.julian_day_ut[i] == chart.julian_day_ut, request
        assert positions.utc_offset_seconds[i] == birth.utc_offset_seconds, request
        assert (positions.nonexistent_time[i], positions.ambiguous_time[i]) == (birth.nonexistent_time,
                                                                                birth.ambiguous_time), request
        assert positions.longitudes[i, :len(chart.planets)].tolist() == [p.longitude for p in chart.planets.values()], \
            request
        if chart.houses is not None:
            assert positions.cusps[i].tolist() == list(chart.houses.cusps), request
            assert positions.ascendant[i] == chart.houses.ascendant, request
