"""Our interpretation texts: every number the engine can return has one, and each is complete."""
from __future__ import annotations

from typing import get_args

import pytest

from services.chart.domain.meanings import (
    CHALLENGE_MEANINGS,
    COMPOUND_RANGE,
    CORE_MEANINGS,
    CYCLE_MEANINGS,
    PINNACLE_MEANINGS,
    PLANET_RULERS,
    CoreRole,
    CyclePeriod,
    compound_meaning,
    compound_note,
    core_role_line,
    cycle_line,
)
from services.chart.domain.meanings.compounds import COMPOUND_NOTES

CORE = set(range(1, 10)) | {11, 22, 33}

ALL_MEANINGS = [
    *CORE_MEANINGS.values(),
    *CYCLE_MEANINGS.values(),
    *PINNACLE_MEANINGS.values(),
    *CHALLENGE_MEANINGS.values(),
    *(ruler.meaning for ruler in PLANET_RULERS.values()),
]


def test_every_returnable_number_has_a_meaning():
    assert set(CORE_MEANINGS) == CORE | {0}  # 0: a name with no vowels (soul urge) or consonants (personality)
    assert set(CYCLE_MEANINGS) == CORE  # personal and universal year/month/day
    assert set(PINNACLE_MEANINGS) == CORE  # 33 cannot occur as a pinnacle, but costs nothing to cover
    assert set(CHALLENGE_MEANINGS) == set(range(9))
    assert set(PLANET_RULERS) == set(range(1, 10))


@pytest.mark.parametrize("meaning", ALL_MEANINGS, ids=lambda meaning: f"{meaning.number}-{meaning.title}")
def test_each_meaning_is_complete(meaning):
    assert meaning.title and meaning.keywords and meaning.strengths and meaning.challenges
    assert meaning.description.endswith(".") and 20 < len(meaning.description) < 240
    assert set(meaning.to_dict()) == {"number", "title", "keywords", "description", "strengths", "challenges"}


def test_every_core_number_reads_in_every_role():
    for number in CORE_MEANINGS:
        lines = [core_role_line(number, role) for role in get_args(CoreRole)]
        assert all(lines) and len(set(lines)) == len(lines)


def test_every_cycle_number_reads_in_every_period():
    assert cycle_line(8, "personal_year") == "Year of power and achievement"
    for number in CYCLE_MEANINGS:
        assert all(cycle_line(number, period) for period in get_args(CyclePeriod))


def test_compound_notes_are_within_the_compound_range():
    assert set(COMPOUND_NOTES) <= set(COMPOUND_RANGE)
    assert compound_note(13).tone == "mixed" and compound_note(34) is None


def test_compound_meaning_reads_through_the_reduced_number():
    # 19 -> 10 -> 1: the Sun's reading, with 19's own note.
    meaning = compound_meaning(19, 1)
    assert meaning.number == 19 and meaning.title == "Sun: the leader"
    assert meaning.description.startswith("Compound 19 reduces to 1.")
    assert meaning.description.endswith(compound_note(19).note)


def test_titles_are_unique_within_each_table():
    for table in (CORE_MEANINGS, CYCLE_MEANINGS, PINNACLE_MEANINGS, CHALLENGE_MEANINGS):
        titles = [meaning.title for meaning in table.values()]
        assert len(set(titles)) == len(titles)
