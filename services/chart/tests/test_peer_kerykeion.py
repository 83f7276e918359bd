"""Our natal charts against an independent peer, kerykeion, over 36 birth records.

Two separate checks:

1. The UTC instant. Each record carries the offset worked out by hand from the tz database's
   rules (the comment says which rule), so ``birth_time`` is checked against something other
   than its own call to ``zoneinfo``.
2. Positions, retrograde flags, cusps and angles at that same UTC instant, against kerykeion in
   the same house system. kerykeion re-points Swiss Ephemeris at its own bundled folder (which has
   no planet files: it would silently use the Moshier model) on every chart, so we redirect that
   to our files and record the flags of every position it computes.

kerykeion clamps latitudes beyond ±66° to ±66° for houses, so at polar latitudes its cusps are for
another place: there the Ascendant and Midheaven are checked against spherical astronomy instead
(and the Whole Sign fallback's cusps follow from the Ascendant).
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

import pytest
import swisseph as swe
from kerykeion import AstrologicalSubjectFactory

from services.chart.adapters.ephemeris import init_worker
from services.chart.domain.swiss import HOUSE_CODES
from services.chart.domain.western import compute_natal_chart
from services.chart.domain.western.zodiac import separation
from services.chart.domain.birth_time import format_offset, resolve_birth_time

PLANET_TOLERANCE = 0.01
MOON_TOLERANCE = 0.02
CUSP_TOLERANCE = 0.05
KERYKEION_POLAR_CLAMP = 66.0
KERYKEION_POINTS = {
    "sun": "sun", "moon": "moon", "mercury": "mercury", "venus": "venus", "mars": "mars", "jupiter": "jupiter",
    "saturn": "saturn", "uranus": "uranus", "neptune": "neptune", "pluto": "pluto",
    "north_node": "true_north_lunar_node", "chiron": "chiron",
}
KERYKEION_ACTIVE = ["Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto",
                    "True_North_Lunar_Node", "Chiron", "Ascendant", "Medium_Coeli"]
HOUSE_ATTRIBUTES = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                    "eleventh", "twelfth")


class Record(NamedTuple):
    label: str
    local: datetime
    zone: str
    latitude: float
    longitude: float
    house_system: str
    offset: str  # worked out by hand from the tz database rules
    flag: str | None = None  # "nonexistent" / "ambiguous"


RECORDS = [
    # UK: British Summer Time stayed on through the winter of 1940/41 (GMT+1); British Double Summer
    # Time (GMT+2) ran 4 May - 10 Aug 1941, 5 Apr 1942 - ..., 2 Apr - 17 Sep 1944, and again 13 Apr -
    # 10 Aug 1947. 27 Oct 1968 - 31 Oct 1971 was "British Standard Time", GMT+1 all year.
    Record("London, D-Day, double summer time", datetime(1944, 6, 6, 12, 0), "Europe/London", 51.5074, -0.1278,
           "placidus", "+02:00"),
    Record("London, winter 1940/41 on summer time", datetime(1941, 1, 15, 9, 0), "Europe/London", 51.5074, -0.1278,
           "placidus", "+01:00"),
    Record("London, midsummer 1941 double summer time", datetime(1941, 6, 21, 23, 30), "Europe/London", 51.5074,
           -0.1278, "koch", "+02:00"),
    Record("London, 1947 double summer time", datetime(1947, 7, 1, 6, 0), "Europe/London", 51.5074, -0.1278,
           "placidus", "+02:00"),
    Record("London, British Standard Time 1970", datetime(1970, 1, 15, 8, 0), "Europe/London", 51.5074, -0.1278,
           "equal", "+01:00"),
    # Before 1 Dec 1847 London kept local mean time, 0°07'39" W of Greenwich: -0:01:15.
    Record("London, 1840 local mean time", datetime(1840, 5, 1, 12, 0), "Europe/London", 51.5074, -0.1278,
           "placidus", "-00:01:15"),
    # 25 Oct 1990 -> BST ends 28 Oct 1990 at 02:00 BST: 01:30 happened twice, earlier one is BST.
    Record("London, clocks back 1990 (fold)", datetime(1990, 10, 28, 1, 30), "Europe/London", 51.5074, -0.1278,
           "placidus", "+01:00", "ambiguous"),
    # US: local mean time until standard time on 18 Nov 1883 (New York LMT -4:56:02); war time
    # (EWT/CWT/PWT, standard + 1 h) from 9 Feb 1942, "peace time" from 14 Aug 1945 to 30 Sep 1945.
    Record("New York, 1880 local mean time", datetime(1880, 7, 4, 12, 0), "America/New_York", 40.7128, -74.0060,
           "placidus", "-04:56:02"),
    Record("New York, 1943 war time", datetime(1943, 3, 15, 8, 0), "America/New_York", 40.7128, -74.0060,
           "koch", "-04:00"),
    Record("Chicago, Christmas 1944 war time", datetime(1944, 12, 25, 18, 0), "America/Chicago", 41.8781, -87.6298,
           "placidus", "-05:00"),
    Record("Los Angeles, VJ day peace time", datetime(1945, 8, 15, 10, 0), "America/Los_Angeles", 34.0522,
           -118.2437, "porphyry", "-07:00"),
    # Hawaii: -10:30 from 1933, war time -9:30 from 9 Feb 1942 to 30 Sep 1945.
    Record("Honolulu, 1943 war time", datetime(1943, 5, 1, 12, 0), "Pacific/Honolulu", 21.3069, -157.8583,
           "placidus", "-09:30"),
    # Alaska-Hawaii daylight time (-10 + 1 h) in the summers 1969-1983.
    Record("Anchorage, 1970 summer", datetime(1970, 7, 1, 12, 0), "America/Anchorage", 61.2181, -149.9003,
           "placidus", "-09:00"),
    # Newfoundland: -3:30, daylight time -2:30.
    Record("St. John's, 1985 summer", datetime(1985, 7, 1, 12, 0), "America/St_Johns", 47.5615, -52.7126,
           "placidus", "-02:30"),
    # 14 Mar 2021: clocks jump 02:00 EST -> 03:00 EDT, so 02:30 never happened; read with EST.
    Record("New York, spring-forward gap", datetime(2021, 3, 14, 2, 30), "America/New_York", 40.7128, -74.0060,
           "placidus", "-05:00", "nonexistent"),
    # 7 Nov 2021: 02:00 EDT -> 01:00 EST, 01:30 happened twice; the earlier is EDT.
    Record("New York, fall-back fold", datetime(2021, 11, 7, 1, 30), "America/New_York", 40.7128, -74.0060,
           "placidus", "-04:00", "ambiguous"),
    # Berlin (Soviet zone) kept "midsummer time", CET + 2 h, 24 May - 24 Sep 1945.
    Record("Berlin, 1945 midsummer time", datetime(1945, 6, 15, 12, 0), "Europe/Berlin", 52.5200, 13.4050,
           "regiomontanus", "+03:00"),
    # Paris: local mean time +0:09:21 until Paris Mean Time was made legal in 1891.
    Record("Paris, 1805 local mean time", datetime(1805, 3, 1, 12, 0), "Europe/Paris", 48.8566, 2.3522,
           "placidus", "+00:09:21"),
    Record("Paris, 1999 eclipse, summer time", datetime(1999, 8, 11, 12, 22), "Europe/Paris", 48.8566, 2.3522,
           "campanus", "+02:00"),
    # Japan: LMT +9:18:59 until 1 Jan 1888 (JST).
    Record("Tokyo, 1885 local mean time", datetime(1885, 6, 1, 12, 0), "Asia/Tokyo", 35.6762, 139.6503,
           "placidus", "+09:18:59"),
    # Victoria: LMT +9:39:52 until standard time on 1 Feb 1895.
    Record("Melbourne, 1890 local mean time", datetime(1890, 2, 1, 6, 0), "Australia/Melbourne", -37.8136, 144.9631,
           "placidus", "+09:39:52"),
    # Southern hemisphere summers: daylight time in December-February.
    Record("Sydney, summer 1990", datetime(1990, 1, 15, 15, 45), "Australia/Sydney", -33.8688, 151.2093,
           "koch", "+11:00"),
    Record("Buenos Aires, 1985", datetime(1985, 10, 10, 3, 15), "America/Argentina/Buenos_Aires", -34.6037,
           -58.3816, "whole_sign", "-03:00"),
    Record("Johannesburg, 1975", datetime(1975, 4, 1, 14, 0), "Africa/Johannesburg", -26.2041, 28.0473,
           "equal", "+02:00"),
    Record("Santiago, Christmas 1998 summer time", datetime(1998, 12, 25, 21, 0), "America/Santiago", -33.4489,
           -70.6693, "placidus", "-03:00"),
    Record("Auckland, summer 2002", datetime(2002, 2, 14, 19, 30), "Pacific/Auckland", -36.8485, 174.7633,
           "campanus", "+13:00"),
    Record("Rio de Janeiro, summer 1995", datetime(1995, 1, 10, 4, 20), "America/Sao_Paulo", -22.9068, -43.1729,
           "placidus", "-02:00"),
    Record("Quito, on the equator", datetime(1980, 9, 23, 12, 0), "America/Guayaquil", -0.1807, -78.4678,
           "placidus", "-05:00"),
    Record("Kolkata, 1990", datetime(1990, 3, 21, 5, 30), "Asia/Kolkata", 22.5726, 88.3639, "porphyry", "+05:30"),
    Record("Kathmandu, quarter-hour zone", datetime(1995, 7, 1, 23, 10), "Asia/Kathmandu", 27.7172, 85.3240,
           "placidus", "+05:45"),
    # Polar: Placidus and Koch are undefined there; Norway is on CET.
    Record("Tromsø, polar night", datetime(1987, 12, 21, 10, 0), "Europe/Oslo", 69.6489, 18.9551,
           "placidus", "+01:00"),
    Record("Tromsø, midnight sun", datetime(1995, 6, 21, 0, 30), "Europe/Oslo", 69.6489, 18.9551,
           "koch", "+02:00"),
    Record("Longyearbyen, winter", datetime(2005, 1, 15, 12, 0), "Arctic/Longyearbyen", 78.2232, 15.6469,
           "placidus", "+01:00"),
    # McMurdo keeps New Zealand time: NZDT +13 in January.
    Record("McMurdo, Antarctic summer", datetime(2010, 1, 1, 0, 30), "Antarctica/McMurdo", -77.8419, 166.6863,
           "regiomontanus", "+13:00"),
    # Date line: Samoa moved from -10 (its DST) to +14 by skipping Friday 30 Dec 2011; 12:00 on the
    # skipped day is read with -10, which is the same instant as 12:00 on the 31st at +14.
    Record("Apia, the skipped day", datetime(2011, 12, 30, 12, 0), "Pacific/Apia", -13.8333, -171.7667,
           "placidus", "-10:00", "nonexistent"),
    Record("Apia, the day after the skip", datetime(2011, 12, 31, 12, 0), "Pacific/Apia", -13.8333, -171.7667,
           "placidus", "+14:00"),
    # Kiribati's Line Islands went from -10 to +14 by skipping 31 Dec 1994.
    Record("Kiritimati, first day at +14", datetime(1995, 1, 1, 12, 0), "Pacific/Kiritimati", 1.8721, -157.4278,
           "placidus", "+14:00"),
    Record("Tarawa, 2000", datetime(2000, 6, 1, 8, 0), "Pacific/Tarawa", 1.3278, 172.9770, "placidus", "+12:00"),
]
IDS = [record.label for record in RECORDS]


@pytest.fixture(autouse=True)
def _swiss_ephemeris(ephe_dir):
    init_worker(ephe_dir)


def _offset_seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text[1:].split(":")] + [0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def test_swisseph_is_still_pyswisseph_beside_kerykeion():
    # pysweph (pulled in by immanuel) ships its own ``swisseph`` module that would replace ours.
    ours = {Path(str(f)).name for f in metadata.files("pyswisseph")}
    assert Path(swe.__file__).name in ours
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("pysweph")


def test_records_cover_the_hard_cases():
    assert len(RECORDS) >= 30
    assert any(r.latitude < -30 for r in RECORDS)  # southern hemisphere
    assert sum(abs(r.latitude) > 66.56 for r in RECORDS) >= 3  # polar
    assert any(r.zone in ("Pacific/Apia", "Pacific/Kiritimati") for r in RECORDS)  # date line
    assert {"nonexistent", "ambiguous"} <= {r.flag for r in RECORDS}
    assert sum(r.offset.count(":") == 2 for r in RECORDS) >= 4  # local mean time, to the second


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_utc_instant_matches_the_hand_worked_offset(record):
    resolved = resolve_birth_time(record.local, timezone=record.zone)
    assert format_offset(resolved.utc_offset_seconds) == record.offset
    expected_utc = record.local - timedelta(seconds=_offset_seconds(record.offset))
    assert resolved.utc.replace(tzinfo=None) == expected_utc
    assert resolved.nonexistent_time == (record.flag == "nonexistent")
    assert resolved.ambiguous_time == (record.flag == "ambiguous")
    assert resolved.local_mean_time == ("local mean time" in record.label)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_zone_found_from_coordinates_gives_the_same_instant(record):
    resolved = resolve_birth_time(record.local, latitude=record.latitude, longitude=record.longitude)
    assert resolved.location.zone_source == "coordinates"
    assert format_offset(resolved.utc_offset_seconds) == record.offset


@contextmanager
def _kerykeion_on_our_files(ephe_dir):
    """Redirect kerykeion's per-chart ``set_ephe_path`` to our files; collect calc_ut's returned flags."""
    real_set_path, real_calc_ut = swe.set_ephe_path, swe.calc_ut
    returned_flags: list[int] = []

    def calc_ut(*args, **kwargs):
        result = real_calc_ut(*args, **kwargs)
        returned_flags.append(result[1])
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(swe, "set_ephe_path", lambda _bundled: real_set_path(str(ephe_dir)))
        patch.setattr(swe, "calc_ut", calc_ut)
        yield returned_flags
    real_set_path(str(ephe_dir))


def _kerykeion_chart(utc: datetime, record: Record):
    return AstrologicalSubjectFactory.from_birth_data(
        record.label, utc.year, utc.month, utc.day, utc.hour, utc.minute, seconds=utc.second,
        lng=record.longitude, lat=record.latitude, tz_str="UTC", online=False,
        houses_system_identifier=HOUSE_CODES[record.house_system].decode(),
        active_points=KERYKEION_ACTIVE, calculate_lunar_phase=False,
    )


def _ascendant_and_midheaven(jd_ut: float, latitude: float, longitude: float) -> tuple[float, float]:
    """Spherical astronomy, independent of any house code: the ecliptic's rising point and its
    intersection with the upper meridian."""
    eps = math.radians(swe.calc_ut(jd_ut, swe.ECL_NUT, 0)[0][0])  # true obliquity
    armc = math.radians((swe.sidtime(jd_ut) * 15.0 + longitude) % 360.0)
    phi = math.radians(latitude)
    mc = math.degrees(math.atan2(math.sin(armc), math.cos(armc) * math.cos(eps))) % 360.0
    horizon = math.degrees(math.atan2(
        math.cos(armc), -(math.sin(armc) * math.cos(eps) + math.tan(phi) * math.sin(eps)))) % 360.0

    def rising(ecliptic_longitude: float) -> bool:  # on the eastern half: hour angle in (-180, 0)
        lam = math.radians(ecliptic_longitude)
        right_ascension = math.atan2(math.sin(lam) * math.cos(eps), math.cos(lam))
        return math.sin(armc - right_ascension) < 0

    ascendant = horizon if rising(horizon) else (horizon + 180.0) % 360.0
    return ascendant, mc


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_chart_matches_kerykeion(record, ephe_dir):
    chart = compute_natal_chart(
        record.local.date(), record.local.time(), latitude=record.latitude, longitude=record.longitude,
        timezone=record.zone, house_system=record.house_system,
    )
    utc = chart.birth.utc.replace(tzinfo=None)
    with _kerykeion_on_our_files(ephe_dir) as returned_flags:
        peer = _kerykeion_chart(utc, record)
    assert returned_flags and all(flags & swe.FLG_SWIEPH for flags in returned_flags), "kerykeion used Moshier"

    houses = chart.houses
    same_houses = abs(record.latitude) <= KERYKEION_POLAR_CLAMP  # kerykeion clamps polar latitudes
    for name, attribute in KERYKEION_POINTS.items():
        ours, theirs = chart.planets[name], getattr(peer, attribute)
        tolerance = MOON_TOLERANCE if name == "moon" else PLANET_TOLERANCE
        assert separation(ours.longitude, theirs.abs_pos) <= tolerance, name
        assert ours.is_retrograde == theirs.retrograde, name
        assert ours.sign[:3] == theirs.sign, name
        assert not same_houses or ours.house == _house_number(theirs.house), name

    if same_houses:
        assert houses.system_used == record.house_system
        assert separation(houses.ascendant, peer.ascendant.abs_pos) <= CUSP_TOLERANCE
        assert separation(houses.midheaven, peer.medium_coeli.abs_pos) <= CUSP_TOLERANCE
        for cusp, attribute in zip(houses.cusps, HOUSE_ATTRIBUTES):
            assert separation(cusp, getattr(peer, f"{attribute}_house").abs_pos) <= CUSP_TOLERANCE, attribute
    else:
        ascendant, midheaven = _ascendant_and_midheaven(chart.julian_day_ut, record.latitude, record.longitude)
        assert separation(houses.ascendant, ascendant) <= CUSP_TOLERANCE
        assert separation(houses.midheaven, midheaven) <= CUSP_TOLERANCE
        if houses.system_used == "whole_sign":
            assert houses.cusps == tuple(float((int(ascendant // 30) + i) % 12 * 30) for i in range(12))


def _house_number(kerykeion_house: str) -> int:
    return HOUSE_ATTRIBUTES.index(kerykeion_house.removesuffix("_House").lower()) + 1


@pytest.mark.parametrize("record", [r for r in RECORDS if abs(r.latitude) > 66.56], ids=lambda r: r.label)
def test_polar_charts_say_which_house_system_they_fell_back_to(record):
    chart = compute_natal_chart(record.local.date(), record.local.time(), latitude=record.latitude,
                                longitude=record.longitude, timezone=record.zone, house_system=record.house_system)
    assert chart.houses.system_requested == record.house_system
    assert chart.houses.system_used == "whole_sign"
    assert "polar circle" in chart.houses.fallback_reason


# --- years 1-3000 (Swiss Ephemeris standard data) ---------------------------------------------------
# Local mean time before standard time (tz database "Zone ... LMT" lines): Rome +0:49:56, Cairo +2:05:09,
# Kolkata +5:53:28, London -0:01:15; far-future dates keep today's rules (New York EST in January,
# Sydney AEST in July). kerykeion turns the UTC date into a Julian day with its own proleptic Gregorian
# formula (Meeus), not swe.julday, so the calendar before 1582 is checked too.
RANGE_RECORDS = [
    Record("Rome, year 10, local mean time", datetime(10, 3, 21, 12, 0), "Europe/Rome", 41.9028, 12.4964,
           "placidus", "+00:49:56"),
    Record("Alexandria (Cairo zone), year 500, local mean time", datetime(500, 6, 1, 6, 0), "Africa/Cairo", 31.2001,
           29.9187, "whole_sign", "+02:05:09"),
    Record("Delhi, year 1000, local mean time", datetime(1000, 1, 1, 18, 0), "Asia/Kolkata", 28.6139, 77.209,
           "equal", "+05:53:28"),
    Record("London, 1500 local mean time", datetime(1500, 9, 1, 9, 0), "Europe/London", 51.5074, -0.1278, "koch",
           "-00:01:15"),
    Record("New York, 2500 winter", datetime(2500, 1, 15, 8, 0), "America/New_York", 40.7128, -74.006, "placidus",
           "-05:00"),
    Record("Sydney, 2999 winter", datetime(2999, 7, 1, 23, 30), "Australia/Sydney", -33.8688, 151.2093, "porphyry",
           "+10:00"),
]
RANGE_IDS = [record.label for record in RANGE_RECORDS]
CHIRON_FIRST_YEAR = 675  # Swiss Ephemeris gives Chiron from JD 1967601.5 (675-01-04) on


@pytest.mark.parametrize("record", RANGE_RECORDS, ids=RANGE_IDS)
def test_years_1_to_3000_match_kerykeion_on_the_files(record, ephe_dir):
    resolved = resolve_birth_time(record.local, timezone=record.zone)
    assert format_offset(resolved.utc_offset_seconds) == record.offset
    chart = compute_natal_chart(
        record.local.date(), record.local.time(), latitude=record.latitude, longitude=record.longitude,
        timezone=record.zone, house_system=record.house_system,
    )
    utc = chart.birth.utc.replace(tzinfo=None)
    assert utc == record.local - timedelta(seconds=_offset_seconds(record.offset))
    has_chiron = record.local.year >= CHIRON_FIRST_YEAR
    points = KERYKEION_ACTIVE if has_chiron else [p for p in KERYKEION_ACTIVE if p != "Chiron"]
    with _kerykeion_on_our_files(ephe_dir) as returned_flags:
        peer = AstrologicalSubjectFactory.from_birth_data(
            record.label, utc.year, utc.month, utc.day, utc.hour, utc.minute, seconds=utc.second,
            lng=record.longitude, lat=record.latitude, tz_str="UTC", online=False,
            houses_system_identifier=HOUSE_CODES[record.house_system].decode(), active_points=points,
            calculate_lunar_phase=False,
        )
    assert returned_flags and all(flags & swe.FLG_SWIEPH for flags in returned_flags), "kerykeion used Moshier"
    assert ("chiron" in chart.planets) == has_chiron
    assert ("notes" in chart.to_dict()) == (not has_chiron)
    for name, attribute in KERYKEION_POINTS.items():
        if name == "chiron" and not has_chiron:
            continue
        tolerance = MOON_TOLERANCE if name == "moon" else PLANET_TOLERANCE
        assert separation(chart.planets[name].longitude, getattr(peer, attribute).abs_pos) <= tolerance, name
        assert chart.planets[name].is_retrograde == getattr(peer, attribute).retrograde, name
    assert separation(chart.houses.ascendant, peer.ascendant.abs_pos) <= CUSP_TOLERANCE
    assert separation(chart.houses.midheaven, peer.medium_coeli.abs_pos) <= CUSP_TOLERANCE


def _march_equinox_jde(year: int) -> float:
    """Mean March equinox (JDE, Terrestrial Time) from Meeus, Astronomical Algorithms (2nd ed.), ch. 27,
    Table 27.A (years -1000 to 1000) and 27.B (1000 to 3000); the mean instant is within minutes of the
    true one, when the Sun's apparent longitude is 0°."""
    if year <= 1000:
        y = year / 1000
        return 1721139.29189 + 365242.13740 * y + 0.06134 * y**2 + 0.00111 * y**3 - 0.00071 * y**4
    y = (year - 2000) / 1000
    return 2451623.80984 + 365242.37404 * y + 0.05169 * y**2 - 0.00411 * y**3 - 0.00057 * y**4


@pytest.mark.parametrize("year", [1, 10, 500, 1000, 1500, 2500, 2999, 3000])
def test_the_sun_is_at_0_aries_at_meeus_march_equinox(year):
    # An independent point: Meeus' equinox polynomials (fitted to VSOP87, not to Swiss Ephemeris). The
    # instant goes to a UTC birth through Python's own proleptic Gregorian calendar (days from J2000).
    # A Julian/Gregorian mix-up would be days (degrees) off; the tolerance is about 30 minutes of time.
    jd_ut = _march_equinox_jde(year) - swe.deltat(_march_equinox_jde(year))
    utc = datetime(2000, 1, 1, 12) + timedelta(days=jd_ut - 2451545.0)
    utc = utc.replace(microsecond=0)
    assert utc.month == 3 and 19 <= utc.day <= 22, utc
    chart = compute_natal_chart(utc.date(), utc.time(), timezone="UTC")
    assert separation(chart.planets["sun"].longitude, 0.0) < 0.02
