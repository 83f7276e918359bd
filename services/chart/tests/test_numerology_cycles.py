"""Personal/universal cycles, pinnacles and challenges, and the all-in-one report: worked examples.

Reductions keep 11, 22 and 33 (e.g. 29 -> 11); "->" shows each digit sum.
"""
from __future__ import annotations

import json
import pickle
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chart.domain.errors import InvalidInput
from services.chart.domain.numerology import (
    MASTER_NUMBERS,
    age_on,
    life_periods,
    numerology_report,
    personal_cycles,
    pythagorean_profile,
    universal_cycles,
)

REDUCED_VALUES = set(range(1, 10)) | MASTER_NUMBERS


@pytest.mark.parametrize(
    ("birth_date", "as_of", "personal", "universal"),
    [
        # The seed's person, on the seed's calculated_at date.
        # Universal year 2025: 2+0+2+5 = 9. Personal year: month 6 + day 15 -> 6 + 9 = 21 -> 3.
        # Personal month: 3 + November 11 (kept) = 14 -> 5. Personal day: 5 + 5 = 10 -> 1.
        # Universal month: 9 + 11 = 20 -> 2. Universal day: 2 + 5 = 7.
        # (The seed's example shows personal year 8, month 3, day 5: illustrative values that no
        # reading of 1990-06-15 on 2025-11-05 gives; its universal year 9 agrees with ours.)
        (date(1990, 6, 15), date(2025, 11, 5), (3, 5, 1), (9, 2, 7)),
        # Personal year 11: universal year 2024 -> 8; month 2 + day 1 + 8 = 11, kept.
        # Personal month: 11 + 7 = 18 -> 9; personal day: 9 + 4 = 13 -> 4.
        # Universal month: 8 + 7 = 15 -> 6; universal day: 6 + 4 = 10 -> 1.
        (date(1990, 2, 1), date(2024, 7, 4), (11, 9, 4), (8, 6, 1)),
        # Personal year 33: month 11 (kept) + day 29 -> 11 + universal year 2009 -> 11 = 33, kept.
        # Personal month: 33 + 2 = 35 -> 8; personal day: 8 + 9 = 17 -> 8.
        # Universal month: 11 + 2 = 13 -> 4; universal day: 4 + 9 = 13 -> 4.
        (date(1985, 11, 29), date(2009, 2, 9), (33, 8, 8), (11, 4, 4)),
    ],
)
def test_personal_and_universal_cycles(birth_date, as_of, personal, universal):
    cycles = personal_cycles(birth_date, as_of)
    assert (cycles.personal_year.number, cycles.personal_month.number, cycles.personal_day.number) == personal
    numbers = cycles.universal
    assert (numbers.universal_year.number, numbers.universal_month.number, numbers.universal_day.number) == universal


def test_universal_cycles_keep_masters():
    # 1993: 1+9+9+3 = 22 (kept); month: 22 + 11 = 33 (kept); day: 33 + 11 = 44 -> 8.
    cycles = universal_cycles(date(1993, 11, 11))
    assert (cycles.universal_year.number, cycles.universal_month.number, cycles.universal_day.number) == (22, 33, 8)


def test_personal_year_turns_on_the_first_of_january_not_the_birthday():
    birth = date(1990, 6, 15)  # month 6, day 6
    # 2025 -> 9: 6 + 6 + 9 = 21 -> 3.  2026 -> 10 -> 1: 6 + 6 + 1 = 13 -> 4.
    assert personal_cycles(birth, date(2025, 12, 31)).personal_year.number == 3
    assert personal_cycles(birth, date(2026, 1, 1)).personal_year.number == 4
    assert personal_cycles(birth, date(2026, 6, 14)).personal_year.number == 4
    assert personal_cycles(birth, date(2026, 6, 15)).personal_year.number == 4


def test_cycle_summaries_name_the_period():
    cycles = personal_cycles(date(1990, 6, 15), date(2025, 11, 5))
    assert cycles.personal_year.summary == "Year of creative expression"
    assert cycles.personal_day.summary == "Day of new beginnings"
    assert cycles.universal.universal_year.summary == "Universal year of completion and release"


@pytest.mark.parametrize(
    ("birth_date", "pinnacles", "challenges", "age_ranges"),
    [
        # John Doe, life path 4: month 6, day 15 -> 6, year 1990 -> 1.
        # Pinnacles: 6+6 = 12 -> 3; 6+1 = 7; 3+7 = 10 -> 1; 6+1 = 7.
        # Challenges: |6-6| = 0; |6-1| = 5; |0-5| = 5; |6-1| = 5.
        # Ages: first ends at 36 - 4 = 32, then nine years each.
        (date(1990, 6, 15), (3, 7, 1, 7), (0, 5, 5, 5), ("0-32", "33-41", "42-50", "51+")),
        # Life path 9 (1975-12-29): month 12 -> 3, day 29 -> 2 (one digit here), year 1975 -> 22 -> 4.
        # Pinnacles: 3+2 = 5; 2+4 = 6; 5+6 = 11 (kept); 3+4 = 7.
        # Challenges: |3-2| = 1; |2-4| = 2; |1-2| = 1; |3-4| = 1.
        # Ages: 36 - 9 = 27, the seed's "0-27", "28-36", "37-45", "46+".
        (date(1975, 12, 29), (5, 6, 11, 7), (1, 2, 1, 1), ("0-27", "28-36", "37-45", "46+")),
        # Master life path 11 (1990-01-09) ends the first period at 36 - 2 = 34 (11 -> 2).
        # Month 1, day 9, year 1. Pinnacles: 1+9 = 10 -> 1; 9+1 = 10 -> 1; 1+1 = 2; 1+1 = 2.
        # Challenges: |1-9| = 8; |9-1| = 8; |8-8| = 0; |1-1| = 0.
        (date(1990, 1, 9), (1, 1, 2, 2), (8, 8, 0, 0), ("0-34", "35-43", "44-52", "53+")),
        # Master life path 22 (1991-11-09): 36 - 4 = 32. Month 11 -> 2, day 9, year 1991 -> 20 -> 2.
        # Pinnacles: 2+9 = 11; 9+2 = 11; 11+11 = 22 (masters kept); 2+2 = 4.
        # Challenges: |2-9| = 7; |9-2| = 7; |7-7| = 0; |2-2| = 0.
        (date(1991, 11, 9), (11, 11, 22, 4), (7, 7, 0, 0), ("0-32", "33-41", "42-50", "51+")),
        # Master life path 33 (2009-11-11): 36 - 6 = 30. Month 2, day 2, year 2009 -> 11 -> 2.
        # Pinnacles: 4; 4; 8; 4. Challenges all 0.
        (date(2009, 11, 11), (4, 4, 8, 4), (0, 0, 0, 0), ("0-30", "31-39", "40-48", "49+")),
        # Life path 11 (1990-09-01): month 9, day 1, year 1. Pinnacles: 10 -> 1; 2; 3; 10 -> 1.
        # Challenges: |9-1| = 8; |1-1| = 0; |8-0| = 8; |9-1| = 8.
        (date(1990, 9, 1), (1, 2, 3, 1), (8, 0, 8, 8), ("0-34", "35-43", "44-52", "53+")),
    ],
)
def test_pinnacles_and_challenges(birth_date, pinnacles, challenges, age_ranges):
    profile = pythagorean_profile("Ana", birth_date)
    periods = profile.life_periods
    assert tuple(period.number for period in periods.pinnacles) == pinnacles
    assert tuple(period.number for period in periods.challenges) == challenges
    assert tuple(period.age_range for period in periods.pinnacles) == age_ranges
    assert tuple(period.age_range for period in periods.challenges) == age_ranges


def test_life_period_ages_and_summaries():
    periods = life_periods(date(1990, 6, 15), 4)
    first, second, third, last = periods.pinnacles
    assert (first.start_age, first.end_age, last.start_age, last.end_age) == (0, 32, 51, None)
    assert [periods.current_position(age) for age in (0, 32, 33, 41, 42, 50, 51, 99)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert first.summary == "Early years: Creativity and self-expression"
    assert periods.challenges[1].summary == "Middle years challenge: Freedom and restraint"
    assert second.to_dict()["age_range"] == "33-41" and third.to_dict()["position"] == 3


@pytest.mark.parametrize(
    ("as_of", "age", "period"),
    [
        (date(2023, 6, 14), 32, 1),  # the day before the 33rd birthday: still the first period
        (date(2023, 6, 15), 33, 2),
        (date(2025, 11, 5), 35, 2),
        (date(2041, 6, 15), 51, 4),
    ],
)
def test_report_places_the_person_in_their_current_period(as_of, age, period):
    report = numerology_report("John Doe", date(1990, 6, 15), as_of=as_of)
    assert (report.age, report.current_period) == (age, period)
    assert report.cycles.as_of == as_of


def test_leap_day_birthday_is_reached_on_the_first_of_march():
    assert age_on(date(2000, 2, 29), date(2001, 2, 28)) == 0
    assert age_on(date(2000, 2, 29), date(2001, 3, 1)) == 1


def test_report_rejects_an_as_of_before_birth():
    with pytest.raises(InvalidInput) as raised:
        numerology_report("John Doe", date(1990, 6, 15), as_of=date(1990, 6, 14))
    assert raised.value.field == "as_of"


def test_report_hash_depends_on_as_of():
    first = numerology_report("John Doe", date(1990, 6, 15), as_of=date(2025, 1, 1))
    second = numerology_report("John Doe", date(1990, 6, 15), as_of=date(2025, 1, 2))
    assert first.calculation_hash != second.calculation_hash
    assert first.pythagorean.calculation_hash == second.pythagorean.calculation_hash


@given(st.dates(), st.dates())
def test_cycles_are_digits_or_masters(birth_date, as_of):
    cycles = personal_cycles(birth_date, as_of)
    for cycle in (cycles.personal_year, cycles.personal_month, cycles.personal_day, cycles.universal.universal_year,
                  cycles.universal.universal_month, cycles.universal.universal_day):
        assert cycle.number in REDUCED_VALUES


@given(st.dates())
def test_pinnacles_challenges_and_ages_stay_in_range(birth_date):
    periods = pythagorean_profile("Ana", birth_date).life_periods
    assert all(period.number in set(range(1, 10)) | {11, 22} for period in periods.pinnacles)
    assert all(period.number in range(9) for period in periods.challenges)
    assert periods.first_period_end_age in range(27, 36)
    ends = [period.end_age for period in periods.pinnacles]
    assert ends[1] - ends[0] == ends[2] - ends[1] == 9 and ends[3] is None


def test_report_worked_example_survives_pickling_and_is_json_ready():
    # Zoë Lynn, born 1991-11-29, as of 2025-11-05, Y always a vowel.
    # Life path: month 11 (kept) + day 29 -> 11 + year 1991 -> 20 -> 2 = 24 -> 6; first period ends 36 - 6 = 30.
    # Age 33 (the 34th birthday on 29 November is still to come): the second period, 31-39.
    # ZOE LYNN: Z8 O6 E5 L3 Y7 N5 N5 = 39 -> 12 -> 3; vowels O6 E5 Y7 = 18 -> 9; consonants Z8 L3 N5 N5 = 21 -> 3.
    # Chaldean: Z7 O7 E5 L3 Y1 N5 N5 = 33 -> 6 (Venus); psychic 29 -> 2 (Moon).
    report = numerology_report("Zoë Lynn", date(1991, 11, 29), as_of=date(2025, 11, 5), y_as_vowel="always")
    assert pickle.loads(pickle.dumps(report)) == report  # results come back from worker processes
    body = json.loads(json.dumps(report.to_dict()))
    assert (body["age"], body["current_period"]) == (33, 2)
    pythagorean = body["pythagorean"]
    assert (pythagorean["name_words"], pythagorean["y_as_vowel"]) == (["ZOE", "LYNN"], "always")
    assert pythagorean["core_numbers"]["life_path"]["reduction"] == [24, 6]
    assert pythagorean["life_periods"]["first_period_end_age"] == 30
    assert [pythagorean["core_numbers"][role]["number"] for role in ("expression", "soul_urge", "personality")] == [
        3, 9, 3]
    assert (body["vedic"]["name_number"]["number"], body["vedic"]["name_number"]["planet"]) == (6, "Venus")
    assert body["vedic"]["psychic_number"]["planet"] == "Moon"
