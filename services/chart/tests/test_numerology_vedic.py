"""Chaldean name numbers and Vedic numerology: worked examples and properties.

Chaldean letter values: A I J Q Y = 1, B K R = 2, C G L S = 3, D M T = 4, E H N X = 5, U V W = 6,
O Z = 7, F P = 8 (no 9).
"""
from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chart.domain.errors import InvalidInput
from services.chart.domain.meanings import planet_ruler
from services.chart.domain.numerology import (
    chaldean_name,
    chaldean_value,
    destiny_number,
    planet_relation,
    psychic_number,
    vedic_profile,
)
from services.chart.domain.numerology.vedic import _ENEMIES, _FRIENDS


def test_chaldean_table_uses_one_to_eight():
    values = {letter: chaldean_value(letter) for letter in string.ascii_uppercase}
    assert set(values.values()) == set(range(1, 9))
    assert [letter for letter, value in values.items() if value == 1] == list("AIJQY")
    assert [letter for letter, value in values.items() if value == 8] == list("FP")


@pytest.mark.parametrize(
    ("name", "total", "compound", "number", "note_tone"),
    [
        # J1 O7 H5 N5 D4 O7 E5 = 34 -> 7 (the seed's name number 7); 34 has no note of its own.
        ("John Doe", 34, 34, 7, None),
        # J1 O7 N5 D4 O7 E5 = 29 -> 11 -> 2 (no masters in Chaldean); compound 29 is cautionary.
        ("Jon Doe", 29, 29, 2, "cautionary"),
        # J1 D4 O7 E5 = 17 -> 8; compound 17 is favourable.
        ("J. Doe", 17, 17, 8, "favourable"),
        # A1 L3 = 4: no compound to read.
        ("Al", 4, 4, 4, None),
        # A1 L3 E5 X5 A1 N5 D4 E5 R2 = 31; H5 A1 M4 I1 L3 T4 O7 N5 = 30; 61 > 52 -> 6+1 = 7.
        ("Alexander Hamilton", 61, 7, 7, None),
        # Nine "Oz" (O7 Z7 = 14 each) = 126, + A1 = 127 > 52 -> 1+2+7 = 10, a compound: "turning wheel".
        ("Oz " * 9 + "A", 127, 10, 1, "favourable"),
    ],
)
def test_chaldean_name_number(name, total, compound, number, note_tone):
    result = chaldean_name(name)
    assert (result.total, result.compound, result.number) == (total, compound, number)
    assert (result.compound_note.tone if result.compound_note else None) == note_tone


@pytest.mark.parametrize(
    ("birth_date", "psychic", "destiny"),
    [
        # The seed's example: day 15 -> 1+5 = 6 (Venus); 1+5+0+6+1+9+9+0 = 31 -> 4 (Rahu).
        (date(1990, 6, 15), 6, 4),
        # Day 29 -> 11 -> 2 (no master numbers in Vedic numerology); 2+9+1+1+1+9+9+1 = 33 -> 6.
        (date(1991, 11, 29), 2, 6),
        # Day 9; 0+9+0+1+2+0+0+0 = 12 -> 3.
        (date(2000, 1, 9), 9, 3),
    ],
)
def test_psychic_and_destiny_numbers(birth_date, psychic, destiny):
    assert (psychic_number(birth_date), destiny_number(birth_date)) == (psychic, destiny)


def test_seed_vedic_example():
    # The seed's /calculate example for John Doe, 1990-06-15 (vedic section), all of which we match.
    profile = vedic_profile("John Doe", date(1990, 6, 15))
    psychic, destiny, name = profile.psychic_number.ruler, profile.destiny_number.ruler, profile.name_number.ruler
    assert (psychic.number, psychic.planet, psychic.favourable_dates) == (6, "Venus", (6, 15, 24))
    assert (psychic.favourable_colours, psychic.favourable_gems, psychic.favourable_days) == (
        ("white", "light blue", "pink"), ("diamond", "white sapphire"), ("Friday",))
    assert (destiny.number, destiny.planet, destiny.favourable_dates) == (4, "Rahu", (4, 13, 22, 31))
    assert (destiny.favourable_colours, destiny.favourable_gems, destiny.favourable_days) == (
        ("grey", "black"), ("hessonite",), ("Saturday",))
    assert name.number == 7 and name.planet == "Ketu"


def test_each_number_has_its_planet():
    planets = [planet_ruler(number).planet for number in range(1, 10)]
    assert planets == ["Sun", "Moon", "Jupiter", "Rahu", "Mercury", "Venus", "Ketu", "Saturn", "Mars"]


@pytest.mark.parametrize(
    ("of_number", "towards_number", "relation"),
    [
        (6, 8, "friend"),  # Venus regards Saturn as a friend
        (1, 6, "enemy"),  # the Sun regards Venus as an enemy
        (2, 5, "friend"),  # the Moon regards Mercury as a friend ...
        (5, 2, "enemy"),  # ... but Mercury regards the Moon as an enemy: not symmetric
        (4, 7, "neutral"),  # Rahu and Ketu
        (9, 9, "friend"),  # a planet is its own friend
    ],
)
def test_planet_relations(of_number, towards_number, relation):
    assert planet_relation(of_number, towards_number) == relation


def test_no_planet_is_both_friend_and_enemy():
    assert all(not (_FRIENDS[planet] & _ENEMIES[planet]) for planet in _FRIENDS)
    assert _FRIENDS.keys() == _ENEMIES.keys() == {planet_ruler(number).planet for number in range(1, 10)}


def test_vedic_hash_ignores_spelling_but_not_name_or_date():
    base = vedic_profile("José Doe", date(1990, 6, 15)).calculation_hash
    assert vedic_profile("jose doe", date(1990, 6, 15)).calculation_hash == base
    assert vedic_profile("Jose Doe", date(1990, 6, 16)).calculation_hash != base
    assert vedic_profile("Joseph Doe", date(1990, 6, 15)).calculation_hash != base


def test_invalid_name_names_the_given_field():
    with pytest.raises(InvalidInput) as raised:
        chaldean_name("R2D2", field="names[1]")
    assert raised.value.field == "names[1]"


@given(st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=60).filter(str.strip))
def test_chaldean_numbers_stay_in_range(name):
    result = chaldean_name(name)
    assert result.number in range(1, 10)
    assert result.compound <= 52
    assert result.meaning.number == result.compound


@given(st.dates())
def test_vedic_numbers_are_one_to_nine(birth_date):
    assert psychic_number(birth_date) in range(1, 10)
    assert destiny_number(birth_date) in range(1, 10)
    # Summing the date's digits one by one gives the same destiny number.
    digits = f"{birth_date.day:02d}{birth_date.month:02d}{birth_date.year:04d}"
    assert destiny_number(birth_date) == (sum(map(int, digits)) - 1) % 9 + 1
