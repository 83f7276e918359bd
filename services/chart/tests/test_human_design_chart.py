"""The Human Design chart end to end, on the real Swiss Ephemeris files.

Proof, besides the unit tests of the mandala and the BodyGraph rules:
- published charts of well-known people (sources in ``PUBLISHED``) are reproduced;
- renlei-tu (PyPI, an independent implementation of the mandala and the design-moment search)
  agrees gate for gate over 36 births spread over 1801-2361 and 24 over years 1-3000.
"""
from __future__ import annotations

import json
import math
import pickle
import re
from datetime import UTC, datetime, timedelta

import pytest
import swisseph as swe

from services.chart.domain import swiss
from services.chart.domain.birth_time import BirthLocation, ResolvedBirthTime
from services.chart.domain.human_design import (
    HumanDesignError,
    calculate_chart,
    chart_for_instant,
    positions,
)
from services.chart.domain.human_design.chart import BODYGRAPH_BODIES
from services.chart.domain.human_design.mandala import LINE_DEGREES, MANDALA_START_DEGREES

NOW = datetime(2025, 11, 24, 21, 0, tzinfo=UTC)
SEED_BODIES = ["Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto",
               "North Node", "South Node", "Chiron"]  # fmt: skip
ISO_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture(autouse=True)
def ephemeris(ephe_dir):
    """Point this process's Swiss Ephemeris at the real files (the worker does it in production)."""
    swe.set_ephe_path(str(ephe_dir))
    yield
    swe.set_ephe_path(str(ephe_dir))


def chart(birth="1990-05-15T14:30:00", zone="Europe/Berlin", lat=52.52, lon=13.405, name=None):
    return calculate_chart(birth, zone, lat, lon, name, now=NOW)


def raises(code, field, call):
    with pytest.raises(HumanDesignError) as caught:
        call()
    error = caught.value
    assert (error.code, error.field) == (code, field), error
    return error


# --- the seed's response -------------------------------------------------------------------------
def test_seed_response_shape():
    body = chart(name="John Doe").to_dict()
    assert list(body)[:6] == [
        "name", "personality_activations", "design_activations", "design_datetime", "calculation_source",
        "calculated_at",
    ]  # fmt: skip
    assert body["name"] == "John Doe"
    assert body["calculation_source"] == "SwissEphemeris"
    assert body["calculated_at"] == "2025-11-24T21:00:00.000Z"
    assert ISO_MS_Z.match(body["design_datetime"])
    for side in ("personality_activations", "design_activations"):
        assert [activation["body"] for activation in body[side]] == SEED_BODIES
        for activation in body[side]:
            assert list(activation) == ["body", "ecliptic_longitude", "gate", "line", "gate_line",
                                        "calculation_timestamp", "julian_day", "source"]  # fmt: skip
            assert 0 <= activation["ecliptic_longitude"] < 360
            assert 1 <= activation["gate"] <= 64 and 1 <= activation["line"] <= 6
            assert activation["gate_line"] == f"{activation['gate']}.{activation['line']}"
            assert activation["calculation_timestamp"] == body["calculated_at"]
            assert activation["source"] == "SwissEphemeris"
    personality, design = body["personality_activations"], body["design_activations"]
    assert personality[0]["julian_day"] == body["birth"]["julian_day"]
    assert design[0]["julian_day"] == body["design"]["julian_day"]
    for activations in (personality, design):
        north, south = activations[10], activations[11]
        assert (south["ecliptic_longitude"] - north["ecliptic_longitude"]) % 360 == pytest.approx(180, abs=2e-6)
    json.dumps(body)  # plain JSON types only


def test_name_is_null_when_not_given_and_stripped_when_given():
    assert chart().to_dict()["name"] is None
    assert chart(name="  Jane Smith ").to_dict()["name"] == "Jane Smith"
    assert chart(name="   ").to_dict()["name"] is None
    assert chart(name="x" * 100).name == "x" * 100


def test_seed_example_birth_and_extras():
    body = chart().to_dict()  # the seed's Example 1: 1990-05-15 14:30 Europe/Berlin
    assert body["birth"]["utc_datetime"] == "1990-05-15T12:30:00.000Z"
    assert body["birth"]["utc_offset"] == "+02:00" and body["birth"]["is_dst"] is True
    assert body["personality_activations"][0]["gate_line"] == "23.6"  # Sun 24°25' Taurus
    assert body["extra_activations"]["personality"][0]["body"] == "Earth"
    earth = body["extra_activations"]["personality"][0]["ecliptic_longitude"]
    sun = body["personality_activations"][0]["ecliptic_longitude"]
    assert (earth - sun) % 360 == pytest.approx(180, abs=2e-6)
    assert body["type"] in {"Manifestor", "Generator", "Manifesting Generator", "Projector", "Reflector"}
    assert body["profile"] == f"{body['personality_activations'][0]['line']}/{body['design_activations'][0]['line']}"
    assert body["conventions"]["north_node"] == "true"
    assert len(body["centers"]) == 9
    assert len(body["substructure"]["personality"]) == 14


def test_same_input_same_output_and_the_chart_pickles():
    assert chart().to_dict() == chart().to_dict()
    assert pickle.loads(pickle.dumps(chart())).to_dict() == chart().to_dict()  # it travels from a worker


def test_chiron_defines_nothing_and_earth_does():
    result = chart()
    expected = {result.activation(side, body).gate for side in ("personality", "design") for body in BODYGRAPH_BODIES}
    assert set(result.bodygraph.active_gates) == expected
    assert "Chiron" not in BODYGRAPH_BODIES and "Earth" in BODYGRAPH_BODIES


# --- the design moment ---------------------------------------------------------------------------
def arc_error(jd, target):
    longitude = swe.calc_ut(jd, swe.SUN, swe.FLG_SWIEPH)[0][0]
    return (longitude - target + 180) % 360 - 180


@pytest.mark.parametrize(
    ("birth", "zone"),
    [
        ("1990-05-15T14:30:00", "Europe/Berlin"),
        ("2000-01-01T00:00:00", "Asia/Tokyo"),  # the seed's Example 3; the Sun near perihelion
        ("1985-03-21T08:00:00", "America/New_York"),
        ("1961-08-04T19:24:00", "Pacific/Honolulu"),
        ("0001-01-01T09:19:00", "Asia/Tokyo"),  # just after the first instant (LMT +9:18:59): design in 1 BC
        ("0001-01-01T14:00:00", "Etc/GMT-14"),  # ... in the zone furthest ahead of UTC
        ("0500-07-01T12:00:00", "Europe/Rome"),
        ("1500-01-01T12:00:00", "Europe/Rome"),  # proleptic Gregorian, before 1582
        ("3000-12-31T23:59:59", "Etc/GMT+12"),  # last supported day, furthest behind UTC: 3001 UTC
        ("2150-07-04T12:00:00", "UTC"),  # the Sun near aphelion: the longest arc in days
    ],
)
def test_design_sun_is_exactly_88_degrees_behind_and_solved_within_one_second(birth, zone):
    result = chart(birth, zone)
    birth_jd = result.birth_julian_day
    design_jd = result.design_moment.julian_day
    birth_sun = swe.calc_ut(birth_jd, swe.SUN, swe.FLG_SWIEPH)[0][0]
    target = (birth_sun - 88.0) % 360
    assert abs(arc_error(design_jd, target)) < 1e-6  # degrees (the brief asks < 1e-4)
    one_second = 1 / 86400
    assert arc_error(design_jd - one_second, target) < 0 < arc_error(design_jd + one_second, target)
    assert 85 < birth_jd - design_jd < 93  # 88° of arc is 86-92 days, not a fixed 88 days
    assert result.design_moment.method == "newton" and result.design_moment.iterations <= 5
    body = result.to_dict()
    assert abs(body["design"]["residual_arcseconds"]) < 0.01
    assert body["design_datetime"] == _iso_ms(design_jd)


def _iso_ms(jd):
    """ISO 8601 of a JD from Swiss Ephemeris' own calendar (year 0 = 1 BC), to the millisecond."""
    year, month, day, hours = swe.revjul(jd, swe.GREG_CAL)
    ms = round(hours * 3_600_000)
    if ms == 86_400_000:  # rounds up to the next day: not at these test instants
        raise AssertionError("pick another instant")
    seconds, ms = divmod(ms, 1000)
    return (f"{year:04d}-{month:02d}-{day:02d}"
            f"T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{ms:03d}Z")


def test_bisection_fallback_agrees_with_newton():
    result = chart()
    newton = result.design_moment
    birth = result.birth_julian_day
    bisection = positions._bisect(birth - 100, birth - 80, newton.target_longitude)
    assert bisection.method == "bisection"
    assert abs(bisection.julian_day - newton.julian_day) * 86400 < 0.05  # seconds


def test_julian_day_conversions():
    assert swiss.julian_day(datetime(2000, 1, 1, 12, tzinfo=UTC)) == 2451545.0
    assert swiss.moment_of(2451545.0) == datetime(2000, 1, 1, 12, tzinfo=UTC)
    moment = datetime(1948, 4, 9, 5, 14, 7, 123000, tzinfo=UTC)
    assert abs(swiss.moment_of(swiss.julian_day(moment)) - moment) < timedelta(microseconds=50)


# --- local time → UTC ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("birth", "zone", "utc", "offset", "gap", "fold"),
    [
        # Spring forward: 02:30 never happened; read with the offset before the change.
        ("2021-03-28T02:30:00", "Europe/Berlin", "2021-03-28T01:30:00.000Z", "+01:00", True, False),
        ("2021-03-14T02:30:00", "America/New_York", "2021-03-14T07:30:00.000Z", "-05:00", True, False),
        # Fall back: 02:30 happened twice; the earlier instant (still summer time) is used.
        ("2021-10-31T02:30:00", "Europe/Berlin", "2021-10-31T00:30:00.000Z", "+02:00", False, True),
        ("2021-11-07T01:30:00", "America/New_York", "2021-11-07T05:30:00.000Z", "-04:00", False, True),
        # The southern hemisphere's summer time.
        ("1999-01-15T12:00:00", "Australia/Sydney", "1999-01-15T01:00:00.000Z", "+11:00", False, False),
        # War time and double summer time.
        ("1943-01-15T12:00:00", "America/New_York", "1943-01-15T16:00:00.000Z", "-04:00", False, False),
        ("1941-06-01T12:00:00", "Europe/London", "1941-06-01T10:00:00.000Z", "+02:00", False, False),
        ("1947-06-01T12:00:00", "Europe/Berlin", "1947-06-01T09:00:00.000Z", "+03:00", False, False),
        # Local mean time before standard time zones, as the tz database has it.
        ("1879-03-14T11:30:00", "Europe/Berlin", "1879-03-14T10:36:32.000Z", "+00:53:28", False, False),
        # The date line: Kiritimati skipped 31 December 1994 moving from -10 to +14.
        ("1994-12-31T12:00:00", "Pacific/Kiritimati", "1994-12-31T22:00:00.000Z", "-10:00", True, False),
        ("1995-01-01T12:00:00", "Pacific/Kiritimati", "1994-12-31T22:00:00.000Z", "+14:00", False, False),
    ],
)
def test_local_time_to_utc(birth, zone, utc, offset, gap, fold):
    body = chart(birth, zone).to_dict()["birth"]
    assert (body["utc_datetime"], body["utc_offset"]) == (utc, offset)
    assert (body["nonexistent_local_time"], body["ambiguous_local_time"]) == (gap, fold)
    assert (body["note"] is not None) == (gap or fold)
    assert body["timezone"] == zone and body["local_datetime"] == birth


def test_an_offset_that_moves_the_local_date_out_of_range_is_refused():
    raises("INVALID_DATE", "birth_datetime", lambda: chart("3000-12-31T20:00:00-12:00", "Asia/Tokyo"))
    raises("INVALID_DATE", "birth_datetime", lambda: chart("0001-01-01T00:30:00+09:00", "Asia/Tokyo"))


def test_a_local_time_before_the_first_utc_instant_is_refused_not_a_server_error():
    # 00:30 local in Tokyo on 0001-01-01 is 0000-12-31 UTC, which Python's datetime cannot hold.
    error = raises("INVALID_DATE", "birth_datetime", lambda: chart("0001-01-01T00:30:00", "Asia/Tokyo"))
    assert "0001-01-01T00:00:00Z" in error.message


def test_a_birth_datetime_with_an_offset_is_that_instant():
    body = chart("1990-05-15T12:30:00Z", "Europe/Berlin").to_dict()
    assert body["birth"]["local_datetime"] == "1990-05-15T14:30:00"
    assert body["personality_activations"] == chart().to_dict()["personality_activations"]
    fold = chart("2021-10-31T02:30:00+01:00", "Europe/Berlin").to_dict()["birth"]  # the later 02:30
    assert fold["utc_datetime"] == "2021-10-31T01:30:00.000Z" and fold["ambiguous_local_time"]


# --- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("zone", ["America/Invalid", "EST", "PST8PDT", "localtime", "", "../etc/passwd", None, 42])
def test_invalid_timezone(zone):
    error = raises("INVALID_TIMEZONE", "birth_timezone", lambda: chart(zone=zone))
    assert error.message == f"Timezone '{zone}' is not a valid IANA timezone identifier"
    assert error.message_de == f"Zeitzone '{zone}' ist kein gültiger IANA-Zeitzonenbezeichner"
    assert error.http_status == 400 and error.retry_after is None


def test_error_body_is_the_seeds():
    error = raises("INVALID_TIMEZONE", "birth_timezone", lambda: chart(zone="America/Invalid"))
    assert error.to_dict() == {
        "detail": {
            "code": "INVALID_TIMEZONE",
            "message": "Timezone 'America/Invalid' is not a valid IANA timezone identifier",
            "message_de": "Zeitzone 'America/Invalid' ist kein gültiger IANA-Zeitzonenbezeichner",
            "field": "birth_timezone",
            "retry_after": None,
        }
    }
    copy = pickle.loads(pickle.dumps(error))  # it travels back from a worker process
    assert copy.to_dict() == error.to_dict() and copy.http_status == 400


@pytest.mark.parametrize("birth", ["not a date", "1990-13-01T00:00:00", "1990-02-30T10:00:00", "", None, 19900515])
def test_unreadable_dates(birth):
    error = raises("INVALID_DATE", "birth_datetime", lambda: chart(birth=birth))
    assert "ISO 8601" in error.message and "ISO-8601" in error.message_de


@pytest.mark.parametrize(
    "birth", ["3001-01-01T00:00:00", "5000-06-01T00:00:00", "9999-12-31T23:59:59"],
)  # fmt: skip
def test_dates_outside_years_1_to_3000(birth):
    error = raises("INVALID_DATE", "birth_datetime", lambda: chart(birth=birth))
    assert "0001-01-01 to 3000-12-31" in error.message
    assert "0001-01-01 bis 3000-12-31" in error.message_de and "außerhalb" in error.message_de


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (90.0001, 0, "birth_latitude"),
        (-91, 0, "birth_latitude"),
        (math.nan, 0, "birth_latitude"),
        (math.inf, 0, "birth_latitude"),
        ("52.5", 0, "birth_latitude"),
        (True, 0, "birth_latitude"),
        (None, 0, "birth_latitude"),
        (0, 180.5, "birth_longitude"),
        (0, -181, "birth_longitude"),
        (0, math.nan, "birth_longitude"),
    ],
)
def test_invalid_location(lat, lon, field):
    error = raises("INVALID_LOCATION", field, lambda: chart(lat=lat, lon=lon))
    if field == "birth_latitude":
        assert "between -90 and 90" in error.message and "Breitengrad" in error.message_de
    else:
        assert "between -180 and 180" in error.message and "Längengrad" in error.message_de


def test_extreme_coordinates_are_valid():
    for lat, lon in [(90, 180), (-90, -180), (78.22, 15.65), (-77.85, 166.67)]:
        assert chart(lat=lat, lon=lon).latitude == lat


def test_invalid_name():
    error = raises("INVALID_NAME", "name", lambda: chart(name="x" * 101))
    assert "at most 100" in error.message and "höchstens 100" in error.message_de
    raises("INVALID_NAME", "name", lambda: chart(name=123))


def test_fields_are_checked_in_order():
    raises("INVALID_DATE", "birth_datetime", lambda: calculate_chart("x", "America/Invalid", 999, 999, now=NOW))
    raises("INVALID_DATE", "birth_datetime", lambda: calculate_chart("3001-01-01T00:00", "X", 999, 999, now=NOW))
    raises("INVALID_TIMEZONE", "birth_timezone", lambda: calculate_chart("1990-01-01T00:00:00", "X", 999, 999, now=NOW))
    raises("INVALID_LOCATION", "birth_latitude",
           lambda: calculate_chart("1990-01-01T00:00:00", "UTC", 999, 999, now=NOW))


def test_missing_ephemeris_files(empty_ephe_dir):
    swe.set_ephe_path(str(empty_ephe_dir))
    error = raises("EPHEMERIS_UNAVAILABLE", None, chart)
    assert error.retry_after == 60 and error.http_status == 500
    assert error.message_de
    assert error.to_dict()["detail"]["retry_after"] == 60


def test_one_missing_file_is_named(tmp_path, ephe_dir):
    for name in ("sepl_18.se1", "semo_18.se1"):  # no asteroid file: Chiron cannot be computed
        (tmp_path / name).symlink_to(ephe_dir / name)
    swe.set_ephe_path(str(tmp_path))
    error = raises("EPHEMERIS_UNAVAILABLE", None, chart)
    assert "seas_18.se1" in error.message and "seas_18.se1" in error.message_de


def test_dates_beyond_the_files_never_fall_back_to_moshier(tmp_path, ephe_dir):
    for name in ("sepl_18.se1", "semo_18.se1", "seas_18.se1"):  # 1800-2399 only
        (tmp_path / name).symlink_to(ephe_dir / name)
    swe.set_ephe_path(str(tmp_path))
    utc = datetime(1799, 6, 1, tzinfo=UTC)
    birth = ResolvedBirthTime(datetime(1799, 6, 1), BirthLocation("UTC", "explicit"), utc, 0, "UTC")
    with pytest.raises(HumanDesignError) as caught:
        chart_for_instant(birth, 0.0, 0.0, None, NOW)
    assert caught.value.code == "EPHEMERIS_UNAVAILABLE"


def test_other_swiss_ephemeris_errors_are_calculation_failures():
    error = positions.ephemeris_error(swe.Error("illegal planet number 99."))
    assert error.code == "CALCULATION_FAILED" and error.http_status == 500
    assert "illegal planet number" in error.message and "Swiss-Ephemeris" in error.message_de


# --- published charts ----------------------------------------------------------------------------
# Birth data: Astro-Databank (Rodden AA/A) as quoted in joyozhang333-lgtm/human-design-llm
# tests/fixtures/public_figures.json, except Ra Uru Hu (the brief's 00:14; "The Cipher" method page
# gives 00:05 EST — both give the same chart) and Einstein (Ulm, 11:30 local mean time).
# Published results, with where each was found:
# - Ra Uru Hu: beyouloveyou.com/start-here/the-basics/ (Manifestor, 5/1, Splenic, Single definition,
#   Left Angle Cross of The Clarion 51/57 | 61/62) and "The Cipher" method page (same).
# - Barack Obama: "The Cipher" method page (Projector 6/2 Emotional, Single, Left Angle Cross of
#   Refinement 33/19 | 2/1; it notes a secondary source's 19-49 where the activations give 30-41).
# - Oprah Winfrey: "The Cipher" method page (Generator 2/4 Emotional, Triple Split, Right Angle Cross
#   of the Four Ways — it prints the gates as 24/44 | 19/33, the Four Ways 1; with the Sun at 9°
#   Aquarius on 29 January the Personality Sun is in gate 19, i.e. the Four Ways 4, 19/33 | 44/24);
#   divinetimingcoaching.com "Oprah's Human Design" (open Throat); nicolinehuizinga.com (Generator).
# - Albert Einstein: "The Cipher" method page (Generator 1/4 Emotional, Split, Right Angle Cross of
#   Eden 36/6 | 11/12); humandesignforsuccess.com/albert-einstein (open Head and open Ajna).
# - Donald Trump: thewildpixel.com/donald-trump-joe-biden-human-design (a 1/3 Emotional Manifesting
#   Generator, chart from myBodygraph; completely open G and Head centres);
#   trans4mationalchange.co.uk (Manifesting Generator, 1/3).
PUBLISHED = [
    ("Ra Uru Hu", "1948-04-09T00:14:00", "America/Montreal", 45.50, -73.57,
     "Manifestor", "5/1", "Splenic", "Single", "Left Angle Cross of The Clarion 1", "51/57 | 61/62", None),
    ("Ra Uru Hu", "1948-04-09T00:05:00", "America/Toronto", 45.50, -73.57,
     "Manifestor", "5/1", "Splenic", "Single", "Left Angle Cross of The Clarion 1", "51/57 | 61/62", None),
    ("Barack Obama", "1961-08-04T19:24:00", "Pacific/Honolulu", 21.31, -157.86,
     "Projector", "6/2", "Emotional", "Single", "Left Angle Cross of Refinement 1", "33/19 | 2/1", None),
    ("Oprah Winfrey", "1954-01-29T04:30:00", "America/Chicago", 33.06, -89.59,
     "Generator", "2/4", "Emotional", "Triple Split", "Right Angle Cross of The Four Ways 4", "19/33 | 44/24",
     {"Throat"}),
    ("Donald Trump", "1946-06-14T10:54:00", "America/New_York", 40.70, -73.80,
     "Manifesting Generator", "1/3", "Emotional", None, None, None, {"G", "Head"}),
]  # fmt: skip


@pytest.mark.parametrize("case", PUBLISHED, ids=[f"{case[0]} {case[1][11:16]}" for case in PUBLISHED])
def test_published_charts(case):
    who, birth, zone, lat, lon, kind, profile, authority, definition, cross, gates, undefined = case
    body = chart(birth, zone, lat, lon, who).to_dict()
    assert (body["type"], body["profile"], body["authority"]) == (kind, profile, authority)
    if definition:
        assert body["definition"] == definition
    if cross:
        assert (body["incarnation_cross"]["name"], body["incarnation_cross"]["gates"]) == (cross, gates)
    if undefined:
        assert undefined <= set(body["undefined_centers"])


def test_ra_uru_hu_channels():
    # Channels and centres as listed for the same birth by another public engine's test fixture.
    body = chart("1948-04-09T00:14:00", "America/Montreal", 45.50, -73.57).to_dict()
    assert [channel["channel"] for channel in body["channels"]] == ["10-20", "10-57", "20-57", "23-43", "25-51"]
    assert body["defined_centers"] == ["Ajna", "Throat", "G", "Heart", "Spleen"]


def test_albert_einstein_in_ulm_local_mean_time():
    offset = timedelta(hours=9.9928 / 15)  # Ulm, 9°59'34" E
    utc = datetime(1879, 3, 14, 11, 30, tzinfo=UTC) - offset
    birth = ResolvedBirthTime(datetime(1879, 3, 14, 11, 30), BirthLocation("LMT", "explicit"), utc,
                              int(offset.total_seconds()), "LMT")
    body = chart_for_instant(birth, 48.40, 9.99, "Albert Einstein", NOW).to_dict()
    assert (body["type"], body["profile"], body["authority"], body["definition"]) == (
        "Generator", "1/4", "Emotional", "Split")  # fmt: skip
    assert (body["incarnation_cross"]["name"], body["incarnation_cross"]["gates"]) == (
        "Right Angle Cross of Eden 1", "36/6 | 11/12")  # fmt: skip
    assert {"Head", "Ajna"} <= set(body["undefined_centers"])
    # The tz database's Europe/Berlin LMT (+0:53:28) is 13½ minutes off Ulm's; the chart is the same.
    assert chart("1879-03-14T11:30:00", "Europe/Berlin", 48.40, 9.99).to_dict()["incarnation_cross"] == (
        body["incarnation_cross"])


# --- independent peer: renlei-tu -----------------------------------------------------------------
@pytest.fixture
def rlt_engine(ephe_dir):
    from rlt import engine  # renlei-tu resets the ephemeris path to "" when first imported

    swe.set_ephe_path(str(ephe_dir))
    return engine


PEER_BIRTHS = [
    (1801 + 16 * i + i % 5, (7 * i) % 12 + 1, (11 * i) % 28 + 1, (5 * i + 3) % 24, (13 * i) % 60) for i in range(36)
]
RLT_NAMES = {"Sun": "sun", "Earth": "earth", "Moon": "moon", "Mercury": "mercury", "Venus": "venus", "Mars": "mars",
             "Jupiter": "jupiter", "Saturn": "saturn", "Uranus": "uranus", "Neptune": "neptune", "Pluto": "pluto",
             "North Node": "north-node", "South Node": "south-node"}  # fmt: skip


def near_line_boundary(longitude, margin):
    offset = (longitude - MANDALA_START_DEGREES) % LINE_DEGREES
    return min(offset, LINE_DEGREES - offset) < margin


# Years 1-3000 on the standard data files: 24 births from 0001-01-01 (design moment in 1 BC) to 3000-12-31.
RANGE_PEER_BIRTHS = [(1, 1, 1, 12, 0), (3000, 12, 31, 12, 0)] + [
    (1 + 127 * i + i % 7, (5 * i) % 12 + 1, (13 * i) % 28 + 1, (7 * i + 1) % 24, (17 * i) % 60) for i in range(22)
]


def test_renlei_tu_agrees_on_every_activation(rlt_engine):
    compared, skipped = _compare_with_renlei_tu(rlt_engine, PEER_BIRTHS)
    assert compared > 900 and skipped < 20


def test_renlei_tu_agrees_over_years_1_to_3000(rlt_engine):
    assert min(RANGE_PEER_BIRTHS)[:3] == (1, 1, 1) and max(RANGE_PEER_BIRTHS)[:3] == (3000, 12, 31)
    compared, skipped = _compare_with_renlei_tu(rlt_engine, RANGE_PEER_BIRTHS)
    assert compared > 600 and skipped < 15


def _compare_with_renlei_tu(rlt_engine, births):
    """Every activation but Chiron (renlei-tu has none) of each UTC birth, against renlei-tu's:
    (compared, skipped near a line boundary)."""
    compared = skipped = 0
    for year, month, day, hour, minute in births:
        ours = chart(f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00", "UTC")
        peer = rlt_engine.calculate_chart(year, month, day, hour, minute, "UTC")
        # renlei-tu stops its bisection at 1e-4° of arc (up to ~9 s); ours is within 10 ms.
        peer_design_jd = rlt_engine.find_design_jd(ours.birth_julian_day, swe.calc_ut(ours.birth_julian_day, 0)[0][0])
        assert abs(peer_design_jd - ours.design_moment.julian_day) * 86400 < 10
        for side, peer_side in (("personality", peer["personality"]), ("design", peer["design"])):
            for body, peer_name in RLT_NAMES.items():
                activation = ours.activation(side, body)
                if side == "design" and near_line_boundary(activation.ecliptic_longitude, 0.01):
                    skipped += 1  # the Moon moves 0.005° in 10 s: the peer's design moment is that coarse
                    continue
                compared += 1
                expected = (peer_side[peer_name]["gate"], peer_side[peer_name]["line"])
                assert (activation.gate, activation.line) == expected, (year, month, day, side, body)
        assert ours.profile.key == peer["summary"]["profile"]
    return compared, skipped




# --- Chiron, defined by Swiss Ephemeris only from 675-01-04 (JD 1967601.5) -----------------------------
def test_before_675_chiron_is_left_out_with_a_note_and_the_chart_still_computes():
    body = chart("0100-06-01T12:00:00", "Europe/Rome", 41.9, 12.5).to_dict()
    for side in ("personality_activations", "design_activations"):
        assert [a["body"] for a in body[side]] == SEED_BODIES[:-1], side
    assert body["notes"] == ["chiron omitted: Swiss Ephemeris defines Chiron only between 675 and 4650 AD "
                             "(its orbit is chaotic outside)"]
    assert body["type"] and body["profile"] and len(body["active_gates"]) >= 10


def test_a_birth_early_in_675_has_chiron_only_at_birth():
    body = chart("0675-02-01T12:00:00", "UTC", 0, 0).to_dict()  # design moment: early November 674
    assert body["design_datetime"].startswith("0674-11-")
    assert [a["body"] for a in body["personality_activations"]] == SEED_BODIES
    assert [a["body"] for a in body["design_activations"]] == SEED_BODIES[:-1]
    assert "notes" in body


def test_the_seed_response_names_the_data_set():
    assert chart().to_dict()["ephemeris"]["data_set"] == (
        "swe-standard-data 4.0-20221111 (sepl/semo/seas 5400 BC-5400 AD)")
    assert "notes" not in chart().to_dict()
