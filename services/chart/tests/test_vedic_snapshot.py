"""The Vedic snapshot end to end on Swiss Ephemeris: the seed's document shape, house systems,
process-wide Swiss Ephemeris state, sunrise weekday, transits, sensitivity flips, validation."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import swisseph as swe

from services.chart.adapters.ephemeris import init_worker
from services.chart.domain import swiss
from services.chart.domain.swiss import EphemerisUnavailable
from services.chart.domain.swiss import julian_day as julian_day_ut
from services.chart.domain.birth_time import resolve_birth_time
from services.chart.domain.errors import InvalidInput
from services.chart.domain.vedic import RULESET_VERSION, compute_vedic_snapshot, vedic_snapshot
from services.chart.domain.vedic import positions as pos
from services.chart.domain.aliases import AYANAMSAS
from services.chart.domain.vedic.rules import navamsa_sign, sign_of
from services.chart.domain.vedic.tables import GRAHAS, NAKSHATRA_SPAN, SIGNS

CHENNAI = dict(timezone="Asia/Kolkata", latitude=13.0827, longitude=80.2707)
AS_OF = date(2024, 1, 1)


@pytest.fixture(autouse=True)
def _swiss_ephemeris(ephe_dir):
    init_worker(ephe_dir)


# Written out here, not taken from the engine's tables: the signs in order and their classical lords.
ZODIAC = ("Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo", "Libra", "Scorpio", "Sagittarius", "Capricorn",
          "Aquarius", "Pisces")
CLASSICAL_LORDS = {"Aries": "Mars", "Taurus": "Venus", "Gemini": "Mercury", "Cancer": "Moon", "Leo": "Sun",
                   "Virgo": "Mercury", "Libra": "Venus", "Scorpio": "Mars", "Sagittarius": "Jupiter",
                   "Capricorn": "Saturn", "Aquarius": "Saturn", "Pisces": "Jupiter"}


def chennai(**options):
    options.setdefault("as_of", AS_OF)
    return compute_vedic_snapshot(datetime(1990, 5, 15, 14, 30), **CHENNAI, **options)


# --- the document ---------------------------------------------------------------------------------

def test_document_has_the_seed_shape():
    doc = chennai(uncertainty_minutes=5).to_dict()
    json.dumps(doc)  # serialisable as is
    seed_keys = {"meta", "panchanga", "d1", "dignities", "aspects", "dasha", "transits", "d9", "sav", "yogas",
                 "bhava_bala", "sensitivity"}
    assert seed_keys <= set(doc)
    assert {"ayanamsa", "house_system", "timezone", "dst_used", "ephemeris", "calc_timestamp",
            "ruleset_version"} <= set(doc["meta"])
    assert doc["meta"]["ayanamsa"] == "Lahiri" and doc["meta"]["house_system"] == "WholeSign"
    assert doc["meta"]["ephemeris"] == "SwissEph" and doc["meta"]["ruleset_version"] == RULESET_VERSION
    assert set(doc["panchanga"]) >= {"weekday", "tithi", "nakshatra", "pada", "yoga", "karana"}
    assert set(doc["d1"]["ascendant"]) >= {"sign", "degree", "nakshatra", "pada"}
    assert [p["name"] for p in doc["d1"]["planets"]] == list(GRAHAS)
    for planet in doc["d1"]["planets"]:
        assert set(planet) >= {"name", "sign", "degree", "house", "nakshatra", "pada", "retrograde"}
        assert 0 <= planet["degree"] < 30 and 1 <= planet["house"] <= 12 and 1 <= planet["pada"] <= 4
    assert [h["house"] for h in doc["d1"]["houses"]] == list(range(1, 13))
    first = ZODIAC.index(doc["d1"]["houses"][0]["sign"])
    for i, house in enumerate(doc["d1"]["houses"]):
        assert set(house) >= {"house", "sign", "degree", "lord"}
        assert house["sign"] == ZODIAC[(first + i) % 12]  # Whole Sign: one sign a house, from the lagna's
        assert house["lord"] == CLASSICAL_LORDS[house["sign"]]
    assert set(doc["dignities"]) >= {"exaltation", "debilitation", "mooltrikona", "own_sign"}
    for entry in doc["aspects"]["planetary_aspects"]:
        for aspect in entry["aspects"]:
            assert set(aspect) == {"target", "type", "strength"} and 0.0 <= aspect["strength"] <= 1.0
    assert set(doc["dasha"]) >= {"current_md", "current_ad", "next_12m_ads"}
    for ad in doc["dasha"]["next_12m_ads"]:
        assert set(ad) >= {"dasha", "start_date", "end_date"}
    assert set(doc["transits"]) >= {"saturn_house_from_lagna", "jupiter_house_from_lagna", "rahu_ketu_axis_from_lagna",
                                    "sade_sati_phase"}
    assert set(doc["d9"]) >= {"asc_sign", "planet_signs", "d9_better"}
    assert set(doc["d9"]["planet_signs"]) == set(GRAHAS) == set(doc["d9"]["d9_better"])
    assert len(doc["sav"]) == 12 and sum(doc["sav"]) == 337  # the classical Sarvashtakavarga total
    for y in doc["yogas"]:
        assert set(y) >= {"name", "planets", "strength"} and 0.0 <= y["strength"] <= 1.0
    assert len(doc["bhava_bala"]) == 12 and all(0.0 <= b <= 1.0 for b in doc["bhava_bala"])
    assert set(doc["sensitivity"]) >= {"lagna_flips", "moon_sign_flips", "d9_asc_flips", "dasha_boundary_risky"}


def test_known_chart():
    """Chennai 1990-05-15 14:30 IST, Lahiri (also checked against PyJHora in test_vedic_pyjhora)."""
    doc = chennai().to_dict()
    assert doc["panchanga"] == doc["panchanga"] | {"weekday": "Tuesday", "tithi": "Krishna Paksha 6",
                                                   "nakshatra": "Uttara Ashadha", "pada": 2, "yoga": "Shubha",
                                                   "karana": "Gara"}
    assert doc["d1"]["ascendant"]["sign"] == "Virgo"
    planets = {p["name"]: p for p in doc["d1"]["planets"]}
    assert planets["Venus"]["sign"] == "Pisces" and "Venus" in doc["dignities"]["exaltation"]
    assert planets["Saturn"]["retrograde"] and planets["Rahu"]["retrograde"] and planets["Ketu"]["retrograde"]
    assert planets["Ketu"]["house"] == 11 and planets["Rahu"]["house"] == 5
    assert doc["sav"] == [26, 23, 29, 26, 25, 28, 23, 38, 29, 27, 32, 31]
    assert doc["dasha"]["current_md"] == "Rahu" and doc["dasha"]["current_ad"] == "Venus"
    assert doc["dasha"]["mahadashas"][0] == {"dasha": "Sun", "start_date": "1988-01-07", "end_date": "1994-01-06"}
    # Saturn in sidereal Aquarius on 2024-01-01: 2nd from the Capricorn Moon, 6th from the Virgo lagna.
    assert doc["transits"]["sade_sati_phase"] == "setting"
    assert doc["transits"]["saturn_house_from_lagna"] == 6
    assert doc["transits"]["rahu_ketu_axis_from_lagna"] == [7, 1]
    assert any(y["name"] == "Malavya Yoga" for y in doc["yogas"])


def test_same_input_same_document():
    now = datetime(2024, 1, 1, 9, 0)
    first, second = chennai(now=now), chennai(now=now)
    assert first.to_dict() == second.to_dict()
    assert first.input_hash == second.input_hash != chennai(as_of=date(2024, 1, 2)).input_hash
    assert first.to_dict()["meta"]["calc_timestamp"] == "2024-01-01T09:00:00"


def test_next_twelve_months_of_antardashas():
    snap = chennai(as_of=date(2025, 1, 1))
    ads = snap.to_dict()["dasha"]["next_12m_ads"]
    assert ads[0]["dasha"] == snap.to_dict()["dasha"]["current_ad"] == "Venus"
    assert ads[0]["start_date"] <= "2025-01-01" < ads[0]["end_date"]
    assert [a["dasha"] for a in ads] == ["Venus", "Sun"]  # Rahu-Sun starts 2025-07-26
    assert all(a["end_date"] == b["start_date"] for a, b in zip(ads, ads[1:]))


# --- ayanamsas and house systems ----------------------------------------------------------------

def test_ayanamsas_differ_as_published():
    values = {key: chennai(ayanamsa=key).ayanamsa_degrees for key in AYANAMSAS}
    assert values["lahiri"] == pytest.approx(23.7258, abs=1e-3)
    assert values["fagan_bradley"] - values["lahiri"] == pytest.approx(0.88, abs=0.02)
    assert values["lahiri"] - values["raman"] == pytest.approx(1.45, abs=0.02)
    assert values["lahiri"] - values["krishnamurti"] == pytest.approx(0.097, abs=0.01)
    assert abs(values["true_chitrapaksha"] - values["lahiri"]) < 0.02


def test_our_subtraction_equals_swiss_ephemeris_sidereal_flag():
    jd = swe.julday(1990, 5, 15, 9.0)
    for key, mode in swiss.SIDEREAL_MODES.items():
        (aya,) = swiss.ayanamsa_degrees(key, [jd])
        ours = pos.sidereal_bodies(jd, aya)
        swe.set_sid_mode(mode, 0.0, 0.0)
        try:
            for name, body in (("Sun", swe.SUN), ("Moon", swe.MOON), ("Saturn", swe.SATURN), ("Rahu", swe.TRUE_NODE)):
                theirs = swe.calc_ut(jd, body, swe.FLG_SWIEPH | swe.FLG_SPEED | swe.FLG_SIDEREAL)[0][0]
                assert ours[name].longitude == pytest.approx(theirs, abs=1e-9)
            asc = swe.houses_ex(jd, 13.08, 80.27, b"P", swe.FLG_SIDEREAL)[1][0]
            assert pos.sidereal_ascendant(jd, 13.08, 80.27, aya) == pytest.approx(asc, abs=1e-9)
        finally:
            swe.set_sid_mode(swe.SIDM_FAGAN_BRADLEY, 0.0, 0.0)


def test_sidereal_mode_is_put_back_and_the_ephemeris_path_never_set(monkeypatch):
    jd = swe.julday(2000, 1, 1, 12.0)
    swe.set_sid_mode(swe.SIDM_FAGAN_BRADLEY, 0.0, 0.0)
    default = swe.get_ayanamsa_ut(jd)

    def forbidden(*_):
        raise AssertionError("the engine must not set the ephemeris path")

    monkeypatch.setattr(swe, "set_ephe_path", forbidden)
    chennai(ayanamsa="raman", house_system="placidus", uncertainty_minutes=10)
    assert swe.get_ayanamsa_ut(jd) == default


def test_equal_and_placidus_houses():
    whole, equal, placidus = chennai(), chennai(house_system="Equal"), chennai(house_system="Placidus")
    assert whole.ascendant == equal.ascendant == placidus.ascendant
    assert equal.houses.system_used == "equal" and placidus.houses.system_used == "placidus"
    for i, cusp in enumerate(equal.houses.cusps):
        assert cusp == pytest.approx((equal.ascendant + 30.0 * i) % 360.0)
    assert placidus.houses.cusps[0] == pytest.approx(placidus.ascendant)
    doc = placidus.to_dict()
    assert doc["meta"]["house_system"] == "Placidus" and doc["meta"]["house_fallback_reason"] is None
    cusps = placidus.houses.cusps
    for planet in doc["d1"]["planets"]:
        start, end = cusps[planet["house"] - 1], cusps[planet["house"] % 12]
        assert (planet["longitude"] - start) % 360.0 < (end - start) % 360.0
    # Whole Sign: each house is a sign, and a house's degree is the ascendant's (as in the seed's example).
    houses = whole.to_dict()["d1"]["houses"]
    assert [h["sign"] for h in houses] == [SIGNS[(sign_of(whole.ascendant) + i) % 12] for i in range(12)]
    assert {h["degree"] for h in houses} == {whole.to_dict()["d1"]["ascendant"]["degree"]}


def test_placidus_inside_the_polar_circle_falls_back_to_sidereal_whole_sign():
    snap = compute_vedic_snapshot(datetime(1985, 6, 21, 12, 0), birth_place="Tromsø", as_of=AS_OF,
                                  house_system="Placidus")
    assert snap.houses.system_used == "whole_sign"
    assert snap.houses.cusps[0] == (sign_of(snap.ascendant) * 30.0)
    doc = snap.to_dict()
    assert doc["meta"]["house_system_used"] == "WholeSign" and "polar" in doc["meta"]["house_fallback_reason"]
    # Midnight sun: no sunrise that day, so the civil weekday.
    assert doc["panchanga"]["vara_convention"] == "civil_no_sunrise" and doc["panchanga"]["weekday"] == "Friday"


# --- weekday, DST --------------------------------------------------------------------------------

def test_vedic_day_runs_from_sunrise():
    before = compute_vedic_snapshot(datetime(1986, 2, 1, 0, 30), timezone="Asia/Kathmandu", latitude=27.7172,
                                    longitude=85.3240, as_of=AS_OF).to_dict()["panchanga"]
    assert before["civil_weekday"] == "Saturday" and before["weekday"] == "Friday"
    after = compute_vedic_snapshot(datetime(1986, 2, 1, 9, 0), timezone="Asia/Kathmandu", latitude=27.7172,
                                   longitude=85.3240, as_of=AS_OF).to_dict()["panchanga"]
    assert after["weekday"] == "Saturday" and after["sunrise_utc"].startswith("1986-02-01T01:")


def test_historical_double_summer_time():
    meta = compute_vedic_snapshot(datetime(1944, 6, 6, 6, 30), birth_place="London, GB", as_of=AS_OF).to_dict()["meta"]
    assert meta["dst_used"] and meta["utc_offset"] == "+02:00" and meta["utc_datetime"] == "1944-06-06T04:30:00Z"


# --- sensitivity ---------------------------------------------------------------------------------

PLACE = dict(timezone="UTC", latitude=40.0, longitude=-3.7)


def _lagna_sign_at(moment: datetime) -> int:
    jd = julian_day_ut(moment.replace(tzinfo=dt_timezone.utc))
    (aya,) = swiss.ayanamsa_degrees("lahiri", [jd])
    return sign_of(pos.sidereal_ascendant(jd, PLACE["latitude"], PLACE["longitude"], aya))


def _first_change(start: datetime, probe, step: timedelta) -> datetime:
    """The first moment after ``start`` where ``probe`` changes, to the second."""
    value, t = probe(start), start
    while probe(t + step) == value:
        t += step
    lo, hi = t, t + step
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        lo, hi = (mid, hi) if probe(mid) == value else (lo, mid)
    return hi


def _snap(moment: datetime, minutes: int, as_of: date = AS_OF):
    return compute_vedic_snapshot(moment, as_of=as_of, uncertainty_minutes=minutes, **PLACE)


def test_lagna_and_navamsa_flips():
    change = _first_change(datetime(1990, 1, 1, 6, 0), _lagna_sign_at, timedelta(minutes=10))
    near = change - timedelta(minutes=2)
    flipped = _snap(near, 5).sensitivity
    assert flipped.lagna_flips and flipped.d9_asc_flips  # a sign boundary is also a navamsa boundary
    assert flipped.lagna_signs[0] == flipped.lagna_signs[1] != flipped.lagna_signs[2]
    steady = _snap(near, 1).sensitivity
    assert not steady.lagna_flips
    zero = _snap(near, 0).to_dict()["sensitivity"]
    assert not any(zero[k] for k in ("lagna_flips", "moon_sign_flips", "d9_asc_flips", "dasha_boundary_risky"))


def test_navamsa_flip_without_lagna_flip():
    start = datetime(1990, 1, 1, 6, 0)
    lagna = _first_change(start, _lagna_sign_at, timedelta(minutes=10))

    def d9(moment: datetime) -> int:
        jd = julian_day_ut(moment.replace(tzinfo=dt_timezone.utc))
        (aya,) = swiss.ayanamsa_degrees("lahiri", [jd])
        return navamsa_sign(pos.sidereal_ascendant(jd, PLACE["latitude"], PLACE["longitude"], aya))

    boundary = _first_change(lagna + timedelta(minutes=1), d9, timedelta(minutes=1))  # the next navamsa
    s = _snap(boundary - timedelta(minutes=1), 3).sensitivity
    assert s.d9_asc_flips and not s.lagna_flips


def test_moon_sign_flip_and_dasha_risk():
    def moon_sign(moment: datetime) -> int:
        return sign_of(_snap(moment, 0).grahas["Moon"].longitude)

    ingress = _first_change(datetime(1990, 1, 1, 0, 0), moon_sign, timedelta(hours=6))
    s = _snap(ingress - timedelta(minutes=30), 60).sensitivity
    assert s.moon_sign_flips
    assert not _snap(ingress - timedelta(minutes=30), 10).sensitivity.moon_sign_flips


def test_dasha_boundary_within_the_birth_time_window():
    birth = datetime(1990, 5, 15, 12, 0)
    base = _snap(birth, 0)
    moon = base.grahas["Moon"].longitude
    assert 0.5 < (moon % NAKSHATRA_SPAN) < NAKSHATRA_SPAN - 0.5  # far from a nakshatra change
    ads = base.vimshottari.antardashas(base.vimshottari.mahadashas()[2])
    boundary = ads[4].start_date
    risky = _snap(birth, 10, as_of=boundary).sensitivity
    assert risky.dasha_boundary_risky and not risky.moon_nakshatra_flips and risky.dasha_shift_days > 1
    middle = ads[4].start_date + (ads[4].end_date - ads[4].start_date) / 2
    assert not _snap(birth, 10, as_of=middle).sensitivity.dasha_boundary_risky


# --- input validation and failures --------------------------------------------------------------

def test_validation_names_the_field():
    birth = resolve_birth_time(datetime(1990, 5, 15, 14, 30), timezone="Asia/Kolkata")
    cases = [
        (lambda: vedic_snapshot(birth, as_of=AS_OF), "latitude"),
        (lambda: chennai(as_of=date(1980, 1, 1)), "dob"),  # a birth after as_of
        (lambda: chennai(as_of=date(3001, 1, 1)), "as_of"),
        (lambda: chennai(uncertainty_minutes=-1), "uncertainty_minutes"),
        (lambda: chennai(uncertainty_minutes=600), "uncertainty_minutes"),
        (lambda: chennai(ayanamsa="Galactic"), "ayanamsa"),
        (lambda: chennai(house_system="Koch"), "house_system"),
        (lambda: compute_vedic_snapshot(datetime(3001, 1, 1, 12), as_of=AS_OF, **CHENNAI), "dob"),
    ]
    for call, field in cases:
        with pytest.raises(InvalidInput) as error:
            call()
        assert error.value.field == field


def test_missing_ephemeris_files_raise(empty_ephe_dir, ephe_dir):
    init_worker(empty_ephe_dir)
    try:
        with pytest.raises(EphemerisUnavailable):
            chennai()
    finally:
        init_worker(ephe_dir)


# --- years 1-3000 -------------------------------------------------------------------------------------

def _astronomical_date(jd_ut: float, offset_seconds: int) -> str:
    """ISO 8601 date (year 0 = 1 BC, -0001 = 2 BC) straight from Swiss Ephemeris' calendar."""
    year, month, day, _ = swe.revjul(jd_ut + offset_seconds / 86400.0 + 1e-9, swe.GREG_CAL)
    return f"{'-' if year < 0 else ''}{abs(year):04d}-{month:02d}-{day:02d}"


def test_a_birth_in_year_1_has_its_first_mahadasha_start_before_year_1():
    snapshot = compute_vedic_snapshot(datetime(1, 1, 1, 12, 0), as_of=date(1, 6, 1), **CHENNAI)
    doc = snapshot.to_dict()
    first = snapshot.vimshottari.mahadashas()[0]
    offset = snapshot.birth.utc_offset_seconds
    assert doc["dasha"]["mahadashas"][0]["start_date"] == _astronomical_date(first.start_jd, offset)
    assert doc["dasha"]["mahadashas"][0]["start_date"] < "0001"  # "-0012-..." or "0000-...": before year 1
    assert doc["meta"]["ephemeris_version"] == f"swisseph {swe.version} swe-standard-data 4.0-20221111"


@pytest.mark.parametrize("local", [datetime(1, 1, 1, 12, 0), datetime(500, 7, 1, 6, 0), datetime(2999, 12, 31, 23, 0),
                                   datetime(3000, 12, 31, 23, 59)])
def test_every_year_computes_and_dashas_run_120_years_past_birth(local):
    snapshot = compute_vedic_snapshot(local, as_of=local.date(), **CHENNAI)
    periods = snapshot.to_dict()["dasha"]["mahadashas"]
    assert snapshot.vimshottari.mahadashas()[-1].end_jd - julian_day_ut(snapshot.birth.utc) >= 100 * 365.25
    assert len(periods) >= 9


def test_a_planned_birth_after_today_is_computed_for_a_later_as_of():
    snapshot = chennai_at(datetime(2100, 3, 1, 9, 0), as_of=date(2101, 3, 1))
    assert snapshot.to_dict()["meta"]["as_of"] == "2101-03-01"
    with pytest.raises(InvalidInput) as error:
        chennai_at(datetime(2100, 3, 1, 9, 0), as_of=date(2100, 2, 28))
    assert error.value.field == "dob" and "as_of (2100-02-28)" in error.value.reason


def chennai_at(local, **options):
    return compute_vedic_snapshot(local, **CHENNAI, **options)
