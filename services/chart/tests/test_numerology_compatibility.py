"""Numerology pair harmony and compatibility: table properties, worked examples, speed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chart.domain.numerology import (
    WEIGHTS,
    calculate_numerology,
    numerology_compatibility,
    numerology_score,
    pair_harmony,
)
from services.chart.domain.numerology import HARMONY_NUMBERS, harmony_matrix, numerology_scores

harmony_numbers = st.sampled_from(HARMONY_NUMBERS)


@dataclass(frozen=True)
class Numbers:
    """Any object with the four core numbers will do (a stored profile row, a gRPC message, ...)."""

    life_path: int
    soul_urge: int
    expression: int
    personality: int


people = st.builds(Numbers, harmony_numbers, harmony_numbers, harmony_numbers, harmony_numbers)


def test_weights_add_up_to_one_hundred_percent():
    assert sum(WEIGHTS.values()) == 100


def test_pair_harmony_is_symmetric_in_range_with_a_reason_for_every_pair():
    for a in HARMONY_NUMBERS:
        for b in HARMONY_NUMBERS:
            forward, backward = pair_harmony(a, b), pair_harmony(b, a)
            assert (forward.score, forward.reason) == (backward.score, backward.reason), (a, b)
            assert 0 <= forward.score <= 100 and forward.reason, (a, b)


def test_harmony_matrix_matches_pair_harmony():
    matrix = harmony_matrix()
    for row, a in enumerate(HARMONY_NUMBERS):
        assert matrix[row] == tuple(pair_harmony(a, b).score for b in HARMONY_NUMBERS)


@pytest.mark.parametrize(
    ("a", "b", "score"),
    [
        (2, 4, 90),  # root table
        (4, 5, 35),  # the lowest pairing
        (11, 4, 95),  # 11 reads as 2: (2, 4) = 90, + 5 for one master
        (22, 11, 100),  # (4, 2) = 90, + 5 + 5 for two masters
        (33, 33, 90),  # (6, 6) = 80, + 10
        (0, 7, 50),  # no letters of that kind: neutral
    ],
)
def test_pair_harmony_examples(a, b, score):
    assert pair_harmony(a, b).score == score


def test_master_reason_says_so():
    assert pair_harmony(4, 11).reason == (
        "steady, loyal and secure: a natural match (master number 11 adds intensity)"
    )


def test_unknown_numbers_have_no_harmony():
    with pytest.raises(ValueError):
        pair_harmony(10, 1)


def test_compatibility_worked_example():
    # A: life path 2, soul urge 6, expression 3, personality 11. B: 4, 9, 9, 0.
    # Life paths (2, 4) = 90; soul urges (6, 9) = 90; expressions (3, 9) = 90; personalities
    # (11, 0) = 50 (neutral: B's name has no consonants).
    # Score: 0.40*90 + 0.25*90 + 0.20*90 + 0.15*50 = 36 + 22.5 + 18 + 7.5 = 84.
    result = numerology_compatibility(Numbers(2, 6, 3, 11), Numbers(4, 9, 9, 0))
    assert (result.life_path_harmony, result.soul_connection, result.expression_sync, result.personality_match) == (
        90, 90, 90, 50)
    assert result.numerology_score == 84
    assert result.strengths == (
        "Life paths 2 and 4: steady, loyal and secure: a natural match",
        "Soul urges 6 and 9: shared compassion and ideals: a generous partnership",
        "Expressions 3 and 9: creative, idealistic and expressive: they light each other up",
    )
    assert result.challenges == ()  # a 0 has nothing to compare, so it is neither


def test_compatibility_of_two_named_people():
    # John Doe 1990-06-15: life path 4, soul urge 8, expression 8, personality 9 (see test_numerology).
    # Mary Smith 1992-03-03: life path 3 + 3 + (1992 -> 21 -> 3) = 9; M4 A1 R9 Y7 S1 M4 I9 T2 H8 = 45 -> 9;
    # MARY's Y ends its word, so it is a vowel: A1 Y7 I9 = 17 -> 8; M4 R9 S1 M4 T2 H8 = 28 -> 10 -> 1.
    # Pairs: (4, 9) = 50, (8, 8) = 60, (8, 9) = 55, (9, 1) = 65.
    # Score: (40*50 + 25*60 + 20*55 + 15*65 + 50) // 100 = (2000 + 1500 + 1100 + 975 + 50) // 100 = 56.
    john = calculate_numerology("John Doe", date(1990, 6, 15))
    mary = calculate_numerology("Mary Smith", date(1992, 3, 3))
    assert (mary.life_path, mary.soul_urge, mary.expression, mary.personality) == (9, 8, 9, 1)
    result = numerology_compatibility(john, mary)
    assert result.to_dict() == {
        "life_path_harmony": 50,
        "soul_connection": 60,
        "expression_sync": 55,
        "personality_match": 65,
        "numerology_score": 56,
        "strengths": [],
        "challenges": ["Life paths 4 and 9: practical against idealistic; values differ"],
    }


@given(people, people)
def test_compatibility_is_symmetric_and_in_range(a, b):
    forward = numerology_compatibility(a, b)
    assert forward == numerology_compatibility(b, a)
    scores = (forward.life_path_harmony, forward.soul_connection, forward.expression_sync, forward.personality_match)
    assert all(0 <= score <= 100 for score in scores)
    assert min(scores) <= forward.numerology_score <= max(scores)
    assert forward.numerology_score == numerology_score(a, b)


@given(people, st.lists(people, max_size=20))
def test_batch_scores_match_single_scores(a, candidates):
    assert numerology_scores(a, candidates) == [numerology_score(a, b) for b in candidates]


def test_fast_scores_agree_with_full_compatibility_for_five_thousand_candidates():
    # Speed is measured by bench/chart.py, not asserted here.
    me = Numbers(4, 8, 8, 9)
    candidates = [Numbers(*(HARMONY_NUMBERS[(i * k) % 13] for k in (1, 3, 5, 7))) for i in range(5000)]
    results = [numerology_compatibility(me, candidate) for candidate in candidates]
    assert [result.numerology_score for result in results] == numerology_scores(me, candidates)
