"""Pythagorean numerology: hand-worked examples (working in the comments) and properties.

Letter values: A J S = 1, B K T = 2, C L U = 3, D M V = 4, E N W = 5, F O X = 6, G P Y = 7,
H Q Z = 8, I R = 9.
"""
from __future__ import annotations

import hashlib
import pickle
import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chart.domain.errors import InvalidInput
from services.chart.domain.numerology import (
    MASTER_NUMBERS,
    RULESET_VERSION,
    LifePathBreakdown,
    birth_date_from_parts,
    calculate_numerology,
    letter_value,
    normalize_name,
    reduce_number,
    reduction_steps,
)

REDUCED_VALUES = set(range(1, 10)) | MASTER_NUMBERS
# A date whose life path adds no karmic debt, for name-only examples: 1 + 9 + 1 = 11.
PLAIN_DATE = date(1990, 1, 9)


def test_letter_values_repeat_one_to_nine_through_the_alphabet():
    assert [letter_value(letter) for letter in "AIJRSZ"] == [1, 9, 1, 9, 1, 8]


@pytest.mark.parametrize(
    ("number", "steps"),
    [
        (7, (7,)),
        (49, (49, 13, 4)),  # 4+9 = 13, 1+3 = 4
        (1990, (1990, 19, 10, 1)),  # 1+9+9+0 = 19, 1+9 = 10, 1+0 = 1
        (29, (29, 11)),  # 2+9 = 11: master, kept
        (1993, (1993, 22)),  # 1+9+9+3 = 22: master, kept
        (2009, (2009, 11)),  # 2+0+0+9 = 11: master, kept
        (0, (0,)),
    ],
)
def test_reduction_steps(number, steps):
    assert reduction_steps(number) == steps
    assert reduce_number(number) == steps[-1]


@pytest.mark.parametrize(
    ("birth_date", "breakdown", "life_path", "karmic_debts"),
    [
        # month 5; day 15 -> 1+5 = 6; year 1990 -> 19 -> 10 -> 1; total 5+6+1 = 12 -> 3.
        # The 19 met while reducing the year is not a karmic debt: only the total's path counts.
        (date(1990, 5, 15), LifePathBreakdown(5, 6, 1, 12), 3, ()),
        # month 6; day 15 -> 6; year 1990 -> 1; total 6+6+1 = 13 -> 4: karmic debt 13.
        (date(1990, 6, 15), LifePathBreakdown(6, 6, 1, 13), 4, (13,)),
        # month 1; day 9; year 1990 -> 1; total 1+9+1 = 11: master, kept.
        (date(1990, 1, 9), LifePathBreakdown(1, 9, 1, 11), 11, ()),
        # month 11 kept (master); day 9; year 1991 -> 20 -> 2; total 11+9+2 = 22: master, kept.
        # (Reducing the month to 2 would have given 2+9+2 = 13 -> 4.)
        (date(1991, 11, 9), LifePathBreakdown(11, 9, 2, 22), 22, ()),
        # month 11; day 11; year 2009 -> 11; every part is a master; total 33: master, kept.
        (date(2009, 11, 11), LifePathBreakdown(11, 11, 11, 33), 33, ()),
        # month 1; day 1; year 1993 -> 22 kept; total 1+1+22 = 24 -> 6.
        (date(1993, 1, 1), LifePathBreakdown(1, 1, 22, 24), 6, ()),
        # month 12 -> 3; day 29 -> 11 kept; year 1975 -> 22 kept; total 3+11+22 = 36 -> 9.
        (date(1975, 12, 29), LifePathBreakdown(3, 11, 22, 36), 9, ()),
    ],
)
def test_life_path(birth_date, breakdown, life_path, karmic_debts):
    # "Ana": A1 N5 A1 = 7, vowels 2, consonants 5: no karmic debt from the name.
    result = calculate_numerology("Ana", birth_date)
    assert result.life_path_breakdown == breakdown
    assert result.life_path == life_path
    assert result.karmic_debts == karmic_debts


@pytest.mark.parametrize(
    ("name", "expression", "soul_urge", "personality", "karmic_debts"),
    [
        # J1 O6 H8 N5 D4 O6 E5 = 35 -> 8; vowels O6 O6 E5 = 17 -> 8; consonants J1 H8 N5 D4 = 18 -> 9.
        ("John Doe", 8, 8, 9, ()),
        # E5 M4 M4 A1 = 14 -> 5 (karmic 14); vowels E5 A1 = 6; consonants M4 M4 = 8.
        ("Emma", 5, 6, 8, (14,)),
        # Z8 O6 E5 = 19 -> 10 -> 1 (karmic 19); vowels O6 E5 = 11 (master); consonants Z8 = 8.
        ("Zoe", 1, 11, 8, (19,)),
        # O6 T2 T2 O6 = 16 -> 7 (karmic 16); vowels O6 O6 = 12 -> 3; consonants T2 T2 = 4.
        ("Otto", 7, 3, 4, (16,)),
        # J1 U3 D4 E5 = 13 -> 4 (karmic 13); vowels U3 E5 = 8; consonants J1 D4 = 5.
        ("Jude", 4, 8, 5, (13,)),
        # Y is a consonant: M4 A1 R9 Y7 = 21 -> 3; vowels A1 = 1; consonants M4 R9 Y7 = 20 -> 2.
        ("Mary", 3, 1, 2, ()),
        # No vowel at all (Y is a consonant): L3 Y7 N5 N5 = 20 -> 2; soul urge 0; consonants 20 -> 2.
        ("Lynn", 2, 0, 2, ()),
    ],
)
def test_name_numbers(name, expression, soul_urge, personality, karmic_debts):
    result = calculate_numerology(name, PLAIN_DATE)
    assert (result.expression, result.soul_urge, result.personality) == (expression, soul_urge, personality)
    assert result.karmic_debts == karmic_debts


def test_karmic_debts_from_date_and_name_are_merged_and_sorted():
    # Life path of 1990-06-15 meets 13 (see above); "Zoe" meets 19.
    assert calculate_numerology("Zoe", date(1990, 6, 15)).karmic_debts == (13, 19)


def test_result_carries_normalised_name_ruleset_and_hash():
    result = calculate_numerology("John Doe", date(1990, 6, 15))
    canonical = b'{"birth_date":"1990-06-15","full_name":"JOHNDOE","ruleset":"pythagorean-v1"}'
    assert result.normalized_name == "JOHNDOE"
    assert result.ruleset_version == RULESET_VERSION == "pythagorean-v1"
    assert result.calculation_hash == hashlib.sha256(canonical).hexdigest()


def test_result_is_frozen():
    result = calculate_numerology("Ana", PLAIN_DATE)
    with pytest.raises(AttributeError):
        result.life_path = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("José", "JOSE"),
        ("  Jean-Luc O'Brien Jr. ", "JEANLUCOBRIENJR"),
        ("Zoë D’Arcy", "ZOEDARCY"),
        ("Søren Ærø", "SORENAERO"),
        ("Strauß", "STRAUSS"),
        ("Łukasz Đoković", "LUKASZDOKOVIC"),
        ("ＪＯＨＮ", "JOHN"),  # full-width letters fold under NFKD
    ],
)
def test_normalize_name(written, normalized):
    assert normalize_name(written) == normalized


def test_accented_and_plain_spellings_give_the_same_result():
    assert calculate_numerology("José", PLAIN_DATE) == calculate_numerology("JOSE", PLAIN_DATE)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("J0hn", "'0' is not a Latin letter"),
        ("John_Doe", "'_' is not a Latin letter"),
        ("Иван", "'И' is not a Latin letter"),
        ("", "must contain at least one letter"),
        (" -'. ", "must contain at least one letter"),
        ("A" * 201, "must be at most 200 characters"),
    ],
)
def test_invalid_names_are_rejected_naming_the_field(name, reason):
    with pytest.raises(InvalidInput) as raised:
        calculate_numerology(name, PLAIN_DATE)
    assert (raised.value.field, raised.value.reason) == ("full_name", reason)
    assert str(raised.value) == f"full_name: {reason}"
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("year", "month", "day"), [(1990, 2, 30), (2001, 2, 29), (0, 1, 1), (10000, 1, 1), (1990, 13, 1), (-5, 1, 1)]
)
def test_invalid_dates_are_rejected_naming_the_field(year, month, day):
    with pytest.raises(InvalidInput) as raised:
        birth_date_from_parts(year, month, day)
    assert raised.value.field == "birth_date"


def test_valid_dates_cover_years_1_to_9999():
    assert birth_date_from_parts(1, 1, 1) == date(1, 1, 1)
    assert birth_date_from_parts(2000, 2, 29) == date(2000, 2, 29)
    assert birth_date_from_parts(9999, 12, 31) == date(9999, 12, 31)


def test_invalid_input_survives_pickling_back_from_a_worker():
    error = pickle.loads(pickle.dumps(InvalidInput("full_name", "must contain at least one letter")))
    assert (error.field, error.reason) == ("full_name", "must contain at least one letter")


# --- properties ------------------------------------------------------------------------------

LATIN_LETTERS = string.ascii_letters + "éèêëáàâäíìóöúüñçåøæœß"
SEPARATORS = " -'’."
latin_names = st.text(alphabet=LATIN_LETTERS, min_size=1, max_size=40)


@given(st.integers(min_value=1, max_value=10**12))
def test_reduction_is_a_digit_or_a_master_number(number):
    assert reduce_number(number) in REDUCED_VALUES


@given(st.integers(min_value=0, max_value=10**12))
def test_each_reduction_step_is_the_digit_sum_of_the_previous(number):
    steps = reduction_steps(number)
    for previous, following in zip(steps, steps[1:]):
        assert following == sum(int(digit) for digit in str(previous))


@given(st.text(max_size=60))
def test_normalisation_yields_a_to_z_or_rejects_the_name(name):
    try:
        normalized = normalize_name(name)
    except InvalidInput as error:
        assert error.field == "full_name"
    else:
        assert normalized and set(normalized) <= set(string.ascii_uppercase)


@given(st.text(alphabet=LATIN_LETTERS + SEPARATORS, max_size=60).filter(lambda name: any(c.isalpha() for c in name)))
def test_normalisation_is_idempotent(name):
    assert normalize_name(normalize_name(name)) == normalize_name(name)


@given(st.lists(latin_names, min_size=1, max_size=5), st.data())
def test_separators_do_not_change_the_numbers(parts, data):
    separator = st.text(alphabet=SEPARATORS, min_size=1, max_size=3)
    separated = parts[0] + "".join(data.draw(separator) + part for part in parts[1:])
    assert calculate_numerology(separated, PLAIN_DATE) == calculate_numerology("".join(parts), PLAIN_DATE)


@given(latin_names)
def test_case_does_not_change_the_numbers(name):
    assert calculate_numerology(name.lower(), PLAIN_DATE) == calculate_numerology(name.upper(), PLAIN_DATE)


@given(st.dates())
def test_life_path_is_a_digit_or_a_master_number_for_every_date(birth_date):
    assert calculate_numerology("Ana", birth_date).life_path in REDUCED_VALUES
