"""Rules of the Vedic engine on synthetic placements: names, dignity, drishti, navamsa, D9
comparison, yogas, Sade Sati, Ashtakavarga (against published worked examples), Vimshottari
arithmetic, and the ayanamsa/house-system names the API accepts. No ephemeris involved."""
from __future__ import annotations

from datetime import date

import pytest

from services.chart.domain.errors import InvalidInput
from services.chart.domain.vedic import input_hash, normalize_input
from services.chart.domain.vedic.ashtakavarga import bhinnashtakavarga, sarvashtakavarga
from services.chart.domain.vedic.dasha import YEAR_DAYS, Vimshottari, jd_to_local_date, local_midnight_jd
from services.chart.domain.aliases import ayanamsa_key
from services.chart.domain.aliases import vedic_house_system_key as house_system_key
from services.chart.domain.vedic.panchanga import karana_index, tithi_name, tithi_number, yoga_index
from services.chart.domain.vedic.rules import (
    aspect_strength,
    aspects_between,
    better_in_d9,
    dignity,
    graha_aspects,
    nakshatra_pada,
    navamsa_sign,
    sade_sati_phase,
    sign_dignity,
)
from services.chart.domain.vedic.tables import (
    BAV_TOTALS,
    DASHA_YEARS,
    GRAHAS,
    KARANAS,
    NAKSHATRAS,
    SAV_TOTAL,
    SIGNS,
    YOGAS,
)
from services.chart.domain.vedic.yogas import find_yogas


def lon(sign: str, degree: float = 15.0) -> float:
    return SIGNS.index(sign) * 30.0 + degree


# --- names --------------------------------------------------------------------------------------

def test_names_follow_the_shared_conventions():
    assert len(NAKSHATRAS) == 27 and NAKSHATRAS[0] == "Ashwini" and NAKSHATRAS[-1] == "Revati"
    assert YOGAS[0] == "Vishkambha" and YOGAS[-1] == "Vaidhriti" and len(YOGAS) == 27
    assert KARANAS[0] == "Kimstughna" and KARANAS[1:8] == ("Bava", "Balava", "Kaulava", "Taitila", "Gara",
                                                           "Vanija", "Vishti")
    assert KARANAS[-3:] == ("Shakuni", "Chatushpada", "Naga")


@pytest.mark.parametrize("elongation, name", [
    (0.0, "Shukla Paksha 1"), (11.99, "Shukla Paksha 1"), (12.0, "Shukla Paksha 2"), (179.9, "Shukla Paksha 15"),
    (180.0, "Krishna Paksha 1"), (347.9, "Krishna Paksha 14"), (359.99, "Krishna Paksha 15"),
])
def test_tithi(elongation, name):
    sun = 100.0
    assert tithi_name(tithi_number(sun, sun + elongation)) == name


@pytest.mark.parametrize("elongation, karana", [
    (0.0, "Kimstughna"), (5.99, "Kimstughna"), (6.0, "Bava"), (12.0, "Balava"), (42.0, "Vishti"), (48.0, "Bava"),
    (336.0, "Vishti"), (342.0, "Shakuni"), (348.0, "Chatushpada"), (354.0, "Naga"), (359.99, "Naga"),
])
def test_karana_four_fixed_and_seven_movable(elongation, karana):
    assert KARANAS[karana_index(200.0, 200.0 + elongation)] == karana


def test_yoga_and_nakshatra_boundaries():
    assert YOGAS[yoga_index(0.0, 0.0)] == "Vishkambha"
    assert YOGAS[yoga_index(200.0, 159.99)] == "Vaidhriti"
    assert YOGAS[yoga_index(10.0, 3.34)] == "Priti"
    assert nakshatra_pada(0.0) == (0, 1)
    assert nakshatra_pada(3.34) == (0, 2)
    assert nakshatra_pada(13.34) == (1, 1)
    assert nakshatra_pada(359.99) == (26, 4)


# --- dignity ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("planet, longitude, expected", [
    ("Sun", lon("Aries", 10), "exalted"),
    ("Sun", lon("Leo", 10), "mooltrikona"),
    ("Sun", lon("Leo", 25), "own"),
    ("Sun", lon("Libra", 10), "debilitated"),
    ("Sun", lon("Scorpio"), "friend"),  # Mars
    ("Sun", lon("Gemini"), "neutral"),  # Mercury
    ("Sun", lon("Taurus"), "enemy"),  # Venus
    ("Moon", lon("Taurus", 2), "exalted"),
    ("Moon", lon("Taurus", 10), "mooltrikona"),
    ("Moon", lon("Cancer"), "own"),
    ("Moon", lon("Scorpio"), "debilitated"),
    ("Mars", lon("Aries", 5), "mooltrikona"),
    ("Mars", lon("Aries", 20), "own"),
    ("Mars", lon("Capricorn"), "exalted"),
    ("Mars", lon("Cancer"), "debilitated"),
    ("Mercury", lon("Virgo", 10), "exalted"),
    ("Mercury", lon("Virgo", 17), "mooltrikona"),
    ("Mercury", lon("Virgo", 25), "own"),
    ("Mercury", lon("Pisces"), "debilitated"),
    ("Jupiter", lon("Sagittarius", 5), "mooltrikona"),
    ("Jupiter", lon("Pisces"), "own"),
    ("Jupiter", lon("Cancer"), "exalted"),
    ("Jupiter", lon("Capricorn"), "debilitated"),
    ("Venus", lon("Libra", 5), "mooltrikona"),
    ("Venus", lon("Taurus"), "own"),
    ("Venus", lon("Pisces"), "exalted"),
    ("Venus", lon("Virgo"), "debilitated"),
    ("Venus", lon("Leo"), "enemy"),
    ("Saturn", lon("Aquarius", 5), "mooltrikona"),
    ("Saturn", lon("Capricorn"), "own"),
    ("Saturn", lon("Libra"), "exalted"),
    ("Saturn", lon("Aries"), "debilitated"),
    ("Rahu", lon("Taurus"), "exalted"),
    ("Rahu", lon("Scorpio"), "debilitated"),
    ("Rahu", lon("Leo"), "enemy"),  # as Saturn
    ("Ketu", lon("Scorpio"), "exalted"),
    ("Ketu", lon("Taurus"), "debilitated"),
    ("Ketu", lon("Leo"), "friend"),  # as Mars
])
def test_dignity(planet, longitude, expected):
    assert dignity(planet, longitude) == expected


def test_sign_dignity_ignores_degree_ranges():
    assert sign_dignity("Moon", 1) == "exalted"
    assert sign_dignity("Mercury", 5) == "exalted"
    assert sign_dignity("Sun", 4) == "mooltrikona"
    assert sign_dignity("Saturn", 9) == "own"


def test_d9_better():
    assert better_in_d9("Sun", SIGNS.index("Libra"), SIGNS.index("Aries"))  # debilitated -> exalted
    assert not better_in_d9("Sun", SIGNS.index("Aries"), SIGNS.index("Libra"))
    assert better_in_d9("Saturn", SIGNS.index("Aries"), SIGNS.index("Aries"))  # vargottama, even debilitated
    assert better_in_d9("Jupiter", SIGNS.index("Gemini"), SIGNS.index("Leo"))  # enemy -> friend
    assert not better_in_d9("Jupiter", SIGNS.index("Leo"), SIGNS.index("Aries"))  # friend -> friend


@pytest.mark.parametrize("longitude, sign", [
    (0.0, "Aries"), (3.34, "Taurus"), (29.99, "Sagittarius"), (30.0, "Capricorn"), (60.0, "Libra"),
    (90.0, "Cancer"), (120.0, "Aries"), (359.99, "Pisces"),
])
def test_navamsa_sign(longitude, sign):
    assert SIGNS[navamsa_sign(longitude)] == sign


# --- graha drishti ------------------------------------------------------------------------------

def test_special_aspects():
    aries = lon("Aries", 10)
    assert aspects_between("Mars", aries, "Moon", lon("Cancer", 10)) == 4
    assert aspects_between("Mars", aries, "Moon", lon("Libra", 10)) == 7
    assert aspects_between("Mars", aries, "Moon", lon("Scorpio", 10)) == 8
    assert aspects_between("Mars", aries, "Moon", lon("Leo", 10)) is None
    assert aspects_between("Jupiter", aries, "Moon", lon("Leo")) == 5
    assert aspects_between("Jupiter", aries, "Moon", lon("Sagittarius")) == 9
    assert aspects_between("Saturn", aries, "Moon", lon("Gemini")) == 3
    assert aspects_between("Saturn", aries, "Moon", lon("Capricorn")) == 10
    assert aspects_between("Sun", aries, "Moon", lon("Cancer")) is None
    assert aspects_between("Venus", aries, "Moon", lon("Libra")) == 7
    assert aspects_between("Rahu", aries, "Moon", lon("Libra")) == 7
    assert aspects_between("Rahu", aries, "Ketu", lon("Libra", 10)) is None  # always opposite: left out
    assert aspects_between("Moon", aries, "Moon", aries) is None


def test_aspect_strength_scale():
    assert aspect_strength(10.0, 190.0, 7) == pytest.approx(1.0)
    assert aspect_strength(10.0, 205.0, 7) == pytest.approx(0.5)
    assert aspect_strength(29.0, 180.0, 7) == pytest.approx(1 - 29 / 30)
    assert aspect_strength(0.0, 90.0, 4) == pytest.approx(1.0)
    assert aspect_strength(350.0, 80.0, 4) == pytest.approx(1.0)  # across 0° Aries
    placements = {"Sun": 0.0, "Moon": 180.0}
    assert graha_aspects(placements) == [("Sun", "Moon", 7, 1.0), ("Moon", "Sun", 7, 1.0)]


# --- yogas --------------------------------------------------------------------------------------

BASE = {  # a scattered chart without the yogas below; tests move grahas in
    "Sun": lon("Gemini", 5), "Moon": lon("Aries", 10), "Mars": lon("Leo", 10), "Mercury": lon("Taurus", 20),
    "Jupiter": lon("Virgo", 10), "Venus": lon("Scorpio", 10), "Saturn": lon("Sagittarius", 10),
    "Rahu": lon("Aquarius", 10), "Ketu": lon("Leo", 10),
}


def names(longitudes, lagna):
    return [y.name for y in find_yogas(longitudes, lagna)]


def yoga(longitudes, lagna, name):
    return next(y for y in find_yogas(longitudes, lagna) if y.name == name)


def test_base_chart_has_none_of_the_single_rule_yogas():
    found = names(BASE, lon("Taurus"))
    for name in ("Gajakesari Yoga", "Budhaditya Yoga", "Ruchaka Yoga", "Bhadra Yoga", "Hamsa Yoga", "Malavya Yoga",
                 "Sasa Yoga", "Chandra-Mangala Yoga", "Kemadruma Yoga"):
        assert name not in found


def test_gajakesari():
    chart = {**BASE, "Jupiter": lon("Cancer", 5)}  # 4th from the Aries Moon
    found = yoga(chart, lon("Taurus"), "Gajakesari Yoga")
    assert found.planets == ("Jupiter", "Moon")
    assert found.strength == pytest.approx((1.0 + 0.5) / 2)  # Jupiter exalted, Moon in a neutral's sign
    assert "Gajakesari Yoga" not in names({**BASE, "Jupiter": lon("Taurus")}, lon("Taurus"))


def test_budhaditya():
    assert "Budhaditya Yoga" in names({**BASE, "Mercury": lon("Gemini", 20)}, lon("Taurus"))


@pytest.mark.parametrize("planet, sign, lagna, name", [
    ("Mars", "Capricorn", "Aries", "Ruchaka Yoga"),
    ("Mercury", "Gemini", "Gemini", "Bhadra Yoga"),
    ("Jupiter", "Cancer", "Aries", "Hamsa Yoga"),
    ("Venus", "Libra", "Capricorn", "Malavya Yoga"),
    ("Saturn", "Aquarius", "Taurus", "Sasa Yoga"),
])
def test_pancha_mahapurusha(planet, sign, lagna, name):
    chart = {**BASE, planet: lon(sign, 3)}
    assert name in names(chart, lon(lagna))
    assert name not in names(chart, lon(SIGNS[(SIGNS.index(sign) - 1) % 12]))  # now in the 2nd house


def test_chandra_mangala_conjunction_and_opposition():
    assert "Chandra-Mangala Yoga" in names({**BASE, "Mars": lon("Aries", 20)}, lon("Taurus"))
    assert "Chandra-Mangala Yoga" in names({**BASE, "Mars": lon("Libra", 20)}, lon("Taurus"))


def test_kemadruma_and_its_cancellation():
    # Moon in Aries, Lagna Aries: the tara grahas avoid the 2nd/12th from the Moon (Taurus, Pisces)
    # and every kendra (Aries, Cancer, Libra, Capricorn); the Sun in the 2nd does not count.
    alone = {"Sun": lon("Taurus"), "Moon": lon("Aries"), "Mars": lon("Gemini"), "Mercury": lon("Leo"),
             "Jupiter": lon("Virgo"), "Venus": lon("Scorpio"), "Saturn": lon("Sagittarius"),
             "Rahu": lon("Pisces"), "Ketu": lon("Virgo")}
    found = yoga(alone, lon("Aries", 1), "Kemadruma Yoga")
    assert not found.cancelled and found.strength == pytest.approx(0.5)
    cancelled = yoga({**alone, "Jupiter": lon("Cancer")}, lon("Aries", 1), "Kemadruma Yoga")
    assert cancelled.cancelled and cancelled.strength == 0.0
    assert any("kendra" in reason for reason in cancelled.cancellations)
    assert "Kemadruma Yoga" not in names({**alone, "Venus": lon("Pisces")}, lon("Aries", 1))


def test_raja_yoga_yogakaraka_conjunction_exchange_and_aspect():
    # Taurus lagna: Saturn rules the 9th and 10th -> yogakaraka.
    assert any(y.name == "Raja Yoga" and y.planets == ("Saturn",) for y in find_yogas(BASE, lon("Taurus")))
    # Aries lagna: Jupiter (9th lord) with Saturn (10th lord).
    conj = {**BASE, "Jupiter": lon("Aquarius", 5), "Saturn": lon("Aquarius", 15)}
    raja = [y for y in find_yogas(conj, lon("Aries")) if y.name == "Raja Yoga" and set(y.planets) == {"Jupiter",
                                                                                                      "Saturn"}]
    assert raja and "conjunct" in raja[0].description
    # Aries lagna: Sun (5th lord) in Capricorn and Saturn (10th lord) in Leo exchange signs.
    swap = {**BASE, "Sun": lon("Capricorn"), "Saturn": lon("Leo", 20)}
    assert any(set(y.planets) == {"Sun", "Saturn"} and "exchange" in y.description
               for y in find_yogas(swap, lon("Aries")))
    # Aries lagna: Jupiter (9th lord) in Aries and Saturn (10th lord) in Libra aspect each other.
    facing = {**BASE, "Jupiter": lon("Aries", 10), "Saturn": lon("Libra", 10)}
    found = [y for y in find_yogas(facing, lon("Aries")) if set(y.planets) == {"Jupiter", "Saturn"}]
    assert found and "mutual aspect" in found[0].description
    assert found[0].strength == pytest.approx(0.75 * (0.6 + 1.0) / 2)  # Jupiter in Mars's sign; Saturn exalted


# --- Sade Sati --------------------------------------------------------------------------------------

@pytest.mark.parametrize("saturn, moon, phase", [
    ("Aquarius", "Pisces", "rising"), ("Pisces", "Pisces", "peak"), ("Aries", "Pisces", "setting"),
    ("Taurus", "Pisces", "none"), ("Pisces", "Aries", "rising"), ("Aries", "Aries", "peak"),
    ("Taurus", "Aries", "setting"), ("Capricorn", "Aries", "none"),
])
def test_sade_sati_phase(saturn, moon, phase):
    assert sade_sati_phase(SIGNS.index(saturn), SIGNS.index(moon)) == phase


# --- Ashtakavarga -----------------------------------------------------------------------------------

def signs(**placements):
    return {k: SIGNS.index(v) for k, v in placements.items()}


@pytest.mark.parametrize("placements, expected", [
    # P.V.R. Narasimha Rao, "Vedic Astrology: An Integrated Approach", ch. 12: exercise 20 (chart 6),
    # exercise 21 (chart 12), exercise 22 (chart 7); the worked examples PyJHora also checks.
    (signs(Sun="Gemini", Moon="Pisces", Mars="Gemini", Mercury="Gemini", Jupiter="Leo", Venus="Aries", Saturn="Leo",
           Lagna="Virgo"), [34, 25, 34, 25, 26, 25, 22, 29, 28, 30, 29, 30]),
    (signs(Sun="Sagittarius", Moon="Capricorn", Mars="Scorpio", Mercury="Sagittarius", Jupiter="Scorpio",
           Venus="Taurus", Saturn="Pisces", Lagna="Virgo"), [24, 25, 31, 28, 27, 39, 33, 29, 26, 22, 28, 25]),
    (signs(Sun="Capricorn", Moon="Aries", Mars="Sagittarius", Mercury="Sagittarius", Jupiter="Libra",
           Venus="Aquarius", Saturn="Aries", Lagna="Scorpio"), [27, 24, 25, 26, 34, 35, 31, 28, 26, 26, 34, 21]),
])
def test_sarvashtakavarga_matches_published_examples(placements, expected):
    assert sarvashtakavarga(bhinnashtakavarga(placements)) == expected


def test_bhinnashtakavarga_totals_hold_for_any_placement():
    import random

    rng = random.Random(7)
    for _ in range(200):
        placements = {k: rng.randrange(12) for k in ("Sun", "Moon", "Mars", "Mercury", "Jupiter", "Venus", "Saturn",
                                                     "Lagna")}
        bav = bhinnashtakavarga(placements)
        assert {p: sum(v) for p, v in bav.items()} == BAV_TOTALS
        assert sum(sarvashtakavarga(bav)) == SAV_TOTAL


# --- Vimshottari arithmetic -------------------------------------------------------------------------

def test_vimshottari_from_the_start_of_a_nakshatra():
    birth = 2451545.0
    v = Vimshottari(0.0, birth, 0)  # 0° Ashwini: Ketu's whole 7 years ahead
    mds = v.mahadashas()
    assert [m.lord for m in mds] == ["Ketu", "Venus", "Sun", "Moon", "Mars", "Rahu", "Jupiter", "Saturn", "Mercury"]
    assert mds[0].start_jd == birth and v.balance_years == pytest.approx(7.0)
    assert mds[-1].end_jd - mds[0].start_jd == pytest.approx(120 * YEAR_DAYS)


def test_vimshottari_partly_elapsed_and_antardashas():
    birth = 2451545.0
    bharani_middle = 13.3333333333 * 1.5
    v = Vimshottari(bharani_middle, birth, 0)
    assert v.first_lord == "Venus" and v.balance_years == pytest.approx(10.0, abs=1e-6)
    venus = v.mahadashas()[0]
    assert venus.start_jd == pytest.approx(birth - 10 * YEAR_DAYS, abs=1e-4)
    ads = v.antardashas(venus)
    assert [a.lord for a in ads][:3] == ["Venus", "Sun", "Moon"]
    assert ads[0].end_jd - ads[0].start_jd == pytest.approx(20 * 20 / 120 * YEAR_DAYS)
    assert ads[-1].end_jd == venus.end_jd
    assert sum(DASHA_YEARS[a.lord] for a in ads) == 120


def test_current_dasha_and_next_twelve_months_are_contiguous():
    v = Vimshottari(123.456, 2447000.5, 19800)  # +05:30
    as_of = date(2024, 3, 1)
    md, ad = v.current(as_of)
    assert md.start_date <= as_of < md.end_date and ad.start_date <= as_of < ad.end_date
    year = v.antardashas_between(as_of, date(2025, 3, 1))
    assert year[0] == ad and year[-1].start_date < date(2025, 3, 1) <= year[-1].end_date
    assert all(a.end_jd == b.start_jd for a, b in zip(year, year[1:]))


def test_dates_at_the_birth_offset():
    midnight = local_midnight_jd(date(2024, 3, 1), 19800)
    assert jd_to_local_date(midnight, 19800) == date(2024, 3, 1)
    assert jd_to_local_date(midnight - 1e-6, 19800) == date(2024, 2, 29)


# --- names the API accepts, and the input hash ----------------------------------------------------

@pytest.mark.parametrize("name, key", [
    (None, "lahiri"), ("Lahiri", "lahiri"), ("RAMAN", "raman"), ("KP", "krishnamurti"),
    ("Krishnamurti", "krishnamurti"), ("Fagan-Bradley", "fagan_bradley"), ("FaganBradley", "fagan_bradley"),
    ("True Chitrapaksha", "true_chitrapaksha"), ("TrueChitrapaksha", "true_chitrapaksha"),
])
def test_ayanamsa_names(name, key):
    assert ayanamsa_key(name) == key


@pytest.mark.parametrize("name, key", [
    (None, "whole_sign"), ("WholeSign", "whole_sign"), ("Whole Sign", "whole_sign"), ("whole_sign", "whole_sign"),
    ("Placidus", "placidus"), ("P", "placidus"), ("Equal", "equal"),
])
def test_house_system_names(name, key):
    assert house_system_key(name) == key


def test_unknown_names_name_the_field():
    with pytest.raises(InvalidInput) as error:
        ayanamsa_key("Yukteshwar")
    assert error.value.field == "ayanamsa"
    with pytest.raises(InvalidInput) as error:
        house_system_key("Koch")
    assert error.value.field == "house_system"


def test_input_hash_is_stable_over_spellings_and_changes_with_what_matters():
    from datetime import datetime

    base = dict(local=datetime(1990, 5, 15, 14, 30), timezone="America/New_York", latitude=40.7128,
                longitude=-74.006, ayanamsa="Lahiri", house_system="WholeSign", uncertainty_minutes=5,
                as_of=date(2024, 1, 1))
    h = input_hash(normalize_input(**base))
    assert len(h) == 64
    assert h == input_hash(normalize_input(**{**base, "ayanamsa": "lahiri", "house_system": "whole sign",
                                              "local": "1990-05-15T14:30:00", "latitude": 40.71280000001}))
    for change in ({"as_of": date(2024, 1, 2)}, {"ayanamsa": "Raman"}, {"house_system": "Placidus"},
                   {"uncertainty_minutes": 10}, {"latitude": 40.7129}):
        assert input_hash(normalize_input(**{**base, **change})) != h
    assert input_hash(normalize_input(**base), ruleset_version="9.9.9") != h
    assert input_hash(normalize_input(**base), ephemeris="other") != h


def test_grahas_order():
    assert GRAHAS == ("Sun", "Moon", "Mars", "Mercury", "Jupiter", "Venus", "Saturn", "Rahu", "Ketu")
