"""Synastry between two people, the batch scorer used by scan, and the combined score."""
from __future__ import annotations

import math
from datetime import date, time

import numpy as np
import pytest

from services.chart.adapters.ephemeris import init_worker
from services.chart.domain.western import compute_natal_chart
from services.chart.domain.errors import InvalidInput
from services.chart.domain.synastry import (
    KEY_PLANETS,
    MAX_CANDIDATES,
    SynastryPerson,
    combined_score,
    score_candidates,
    synastry,
    synastry_of_charts,
)

# Longitudes in KEY_PLANETS order: sun, moon, mercury, venus, mars.
# A's planets sit at 0° and 10°, B's at 35° and 130°: the only pair within an orb is the Moons
# (10° and 130°: an exact trine); 0°-130° is 10° off a trine, 10°-35° and 0°-35° are no aspect.
A = SynastryPerson((0.0, 10.0, 0.0, 0.0, 0.0))
B_MOON_TRINE = SynastryPerson((35.0, 130.0, 35.0, 35.0, 35.0))
B_NOTHING = SynastryPerson((35.0, 35.0, 35.0, 35.0, 35.0))


@pytest.fixture(autouse=True)
def _swiss_ephemeris(ephe_dir):
    init_worker(ephe_dir)


def test_moons_in_trine():
    result = synastry(A, B_MOON_TRINE)
    assert [a.to_dict() for a in result.aspects] == [
        {"planet1": "moon", "planet2": "moon", "aspect": "trine", "orb": 0.0}]
    assert result.highlights == ("Your Moons are in harmony",)
    assert result.challenges == ()
    assert result.tension_score == 0
    # One exact Moon-Moon trine: H = 1.0 × 1.0 × 1.15 (pair) × 1.0 (trine) × 1.0 (exact) = 1.15.
    assert result.harmony_score == round(100 * (1 - np.exp(-1.15 / 4)))  # 25
    assert result.astrology_score == round(50 + 50 * np.tanh(1.15 / 4))  # 64
    assert "your Moons are in harmony — emotional rhythms and comfort" in result.interpretation


def test_no_aspects_is_neutral():
    result = synastry(A, B_NOTHING)
    assert (result.aspects, result.harmony_score, result.tension_score, result.astrology_score) == ((), 0, 0, 50)
    assert "no close aspects" in result.interpretation
    assert score_candidates(A, [B_NOTHING.longitudes]).highlights() == [None]


def test_dict_has_the_compatibility_response_shape():
    data = synastry(A, B_MOON_TRINE).to_dict()
    assert {"aspects", "harmony_score", "tension_score", "interpretation"} <= set(data)
    assert all(set(aspect) == {"planet1", "planet2", "aspect", "orb"} for aspect in data["aspects"])


def test_direction_planet1_is_the_first_person():
    # A's Venus at 100°, B's Mars at 220°: a trine from A's Venus to B's Mars, not the reverse.
    a = SynastryPerson((300.0, 300.0, 300.0, 100.0, 300.0))
    b = SynastryPerson((30.0, 30.0, 30.0, 30.0, 220.0))
    pairs = {(x.planet1, x.planet2, x.aspect) for x in synastry(a, b).aspects}
    assert ("venus", "mars", "trine") in pairs and ("mars", "venus", "trine") not in pairs
    assert "Your Venus and their Mars are in harmony" in synastry(a, b).highlights


def test_orbs_follow_the_seed_at_the_edges():
    def moon_aspect(b_moon):
        aspects = synastry(A, SynastryPerson((35.0, b_moon, 35.0, 35.0, 35.0))).aspects
        return [(x.aspect, round(x.orb, 6)) for x in aspects if (x.planet1, x.planet2) == ("moon", "moon")]

    assert moon_aspect(18.0) == [("conjunction", 8.0)]
    assert moon_aspect(18.01) == []
    assert moon_aspect(76.0) == [("sextile", 6.0)]
    assert moon_aspect(76.01) == []
    assert moon_aspect(190.0) == [("opposition", 0.0)]
    assert moon_aspect(2.0) == [("conjunction", 8.0)]


def test_tension_lowers_the_score_and_tightness_matters():
    square = synastry(A, SynastryPerson((35.0, 100.0, 35.0, 35.0, 35.0)))
    assert [x.aspect for x in square.aspects] == ["square"]
    assert square.astrology_score < 50 and square.harmony_score == 0 and square.tension_score > 0
    assert square.challenges == ("Your Moons challenge each other",)
    wide_trine = synastry(A, SynastryPerson((35.0, 137.0, 35.0, 35.0, 35.0)))
    assert 50 < wide_trine.astrology_score < synastry(A, B_MOON_TRINE).astrology_score


def test_untimed_charts_weigh_the_moon_less():
    timed = synastry(A, B_MOON_TRINE)
    untimed = synastry(A, SynastryPerson(B_MOON_TRINE.longitudes, chart_level=1))
    both_untimed = synastry(SynastryPerson(A.longitudes, 2), SynastryPerson(B_MOON_TRINE.longitudes, 1))
    assert timed.harmony_score > untimed.harmony_score > both_untimed.harmony_score > 0
    assert "Moon's picture is approximate" in untimed.interpretation


def test_batch_agrees_with_the_pair_path():
    rng = np.random.default_rng(42)
    subject = SynastryPerson(tuple(rng.uniform(0, 360, 5)), chart_level=3)
    candidates = rng.uniform(0, 360, (300, 5))
    levels = rng.integers(1, 5, 300)
    batch = score_candidates(subject, candidates, levels)
    highlights = batch.highlights()
    for i in range(len(candidates)):
        pair = synastry(subject, SynastryPerson(tuple(candidates[i]), int(levels[i])))
        assert (batch.astrology_score[i], batch.harmony_score[i], batch.tension_score[i]) == (
            pair.astrology_score, pair.harmony_score, pair.tension_score)
        expected = (pair.highlights or pair.challenges or (None,))[0]
        assert highlights[i] == expected


def test_batch_of_2000_candidates_scores_every_candidate_in_range():
    # Speed is measured by bench/chart.py, not asserted here.
    rng = np.random.default_rng(1)
    subject = SynastryPerson(tuple(rng.uniform(0, 360, 5)))
    candidates, levels = rng.uniform(0, 360, (2000, 5)), rng.integers(1, 5, 2000)
    scores = score_candidates(subject, candidates, levels)
    assert len(scores.highlights()) == 2000
    assert scores.astrology_score.shape == (2000,)
    assert ((scores.astrology_score >= 0) & (scores.astrology_score <= 100)).all()


@pytest.mark.parametrize(("candidates", "levels", "field"), [
    (np.zeros((3, 4)), None, "candidates"),
    (np.zeros(5), None, "candidates"),
    (np.zeros((MAX_CANDIDATES + 1, 5)), None, "candidates"),
    ([[0, 0, 0, 0, float("nan")]], None, "candidates"),
    (np.zeros((2, 5)), [4], "candidate_levels"),
    (np.zeros((2, 5)), [4, 5], "candidate_levels"),
])
def test_batch_rejects_bad_input(candidates, levels, field):
    with pytest.raises(InvalidInput) as error:
        score_candidates(A, candidates, levels)
    assert error.value.field == field


def test_person_validation_and_mapping():
    with pytest.raises(InvalidInput):
        SynastryPerson((1.0, 2.0))
    with pytest.raises(InvalidInput):
        SynastryPerson((0.0,) * 5, chart_level=5)
    with pytest.raises(InvalidInput, match="missing venus, mars"):
        SynastryPerson.from_mapping({"sun": 1, "moon": 2, "mercury": 3})
    person = SynastryPerson.from_mapping(dict(zip(KEY_PLANETS, (1, 2, 3, 4, 5))), chart_level=2)
    assert person == SynastryPerson((1.0, 2.0, 3.0, 4.0, 5.0), 2)


# The documented rules (module docstring of domain/synastry.py), written out again for the test.
SEED_ORBS = {"conjunction": (0.0, 8.0), "sextile": (60.0, 6.0), "square": (90.0, 8.0), "trine": (120.0, 8.0),
             "opposition": (180.0, 8.0)}
HARMONIOUS = {"conjunction", "sextile", "trine"}
DOC_PLANET_WEIGHTS = {"sun": 1.0, "moon": 1.0, "venus": 0.9, "mars": 0.8, "mercury": 0.6}
DOC_PAIR_BONUS = {("moon", "sun"): 1.5, ("mars", "venus"): 1.5, ("moon", "venus"): 1.25, ("sun", "venus"): 1.15,
                  ("moon", "moon"): 1.15}
DOC_ASPECT_WEIGHTS = {"conjunction": 1.0, "trine": 1.0, "sextile": 0.7, "square": 1.0, "opposition": 0.8}


def test_synastry_of_real_charts_follows_the_documented_rules():
    a = compute_natal_chart(date(1990, 6, 15), time(14, 30), birth_place="London, UK")
    b = compute_natal_chart(date(1992, 11, 3))  # no time: level 1, its Moon counts half
    assert (SynastryPerson.from_chart(a).chart_level, SynastryPerson.from_chart(b).chart_level) == (4, 1)
    expected, harmony, tension = [], 0.0, 0.0
    for p1 in KEY_PLANETS:
        for p2 in KEY_PLANETS:
            apart = abs(a.planets[p1].longitude - b.planets[p2].longitude) % 360.0
            apart = min(apart, 360.0 - apart)
            for name, (angle, orb) in SEED_ORBS.items():
                off = abs(apart - angle)
                if off > orb:
                    continue
                expected.append((p1, p2, name, off))
                weight = DOC_PLANET_WEIGHTS[p1] * DOC_PLANET_WEIGHTS[p2]
                weight *= DOC_PAIR_BONUS.get(tuple(sorted((p1, p2))), 1.0) * (0.5 if p2 == "moon" else 1.0)
                contribution = weight * DOC_ASPECT_WEIGHTS[name] * (1.0 - 0.75 * off / orb)
                if name in HARMONIOUS:
                    harmony += contribution
                else:
                    tension += contribution
    assert len(expected) == 11  # these two charts do form aspects: the comparison below is not vacuous
    result = synastry_of_charts(a, b)
    assert [(x.planet1, x.planet2, x.aspect) for x in result.aspects] == [e[:3] for e in expected]
    assert [x.orb for x in result.aspects] == pytest.approx([e[3] for e in expected], abs=1e-9)
    assert result.harmony_score == round(100 * (1 - math.exp(-harmony / 4)))
    assert result.tension_score == round(100 * (1 - math.exp(-tension / 4)))
    assert result.astrology_score == round(50 + 50 * math.tanh((harmony - 0.8 * tension) / 4))


def test_combined_score_weights():
    assert combined_score(70, 60) == 65  # 0.5 / 0.5 with birth times
    assert combined_score(70, 60, chart_level=2) == 66  # 0.6 × 70 + 0.4 × 60 without
    assert combined_score(np.array([70, 100]), np.array([60, 100]), np.array([4, 1])).tolist() == [65, 100]
    assert isinstance(combined_score(70, 60), int)


def test_longitudes_are_taken_modulo_360():
    shifted = SynastryPerson(tuple(x + 720.0 for x in B_MOON_TRINE.longitudes))
    negative = SynastryPerson(tuple(x - 360.0 for x in B_MOON_TRINE.longitudes))
    assert synastry(A, shifted) == synastry(A, negative) == synastry(A, B_MOON_TRINE)
