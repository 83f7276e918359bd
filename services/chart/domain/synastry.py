"""Synastry: aspects between two people's charts, scored 0-100, one pair or thousands at once.

Both paths run the same vectorised core, so a pair scores the same in the detail view as in scan.

Inputs are the ecliptic longitudes of the seed's key planets, in ``KEY_PLANETS`` order, plus the
chart level (matching stores these five numbers per user). Orbs are the seed's (see
``western.aspects``); each pair of planets forms at most one aspect.

Scoring (our rules, documented because users see the numbers):

* An aspect contributes ``pair weight × aspect weight × tightness × Moon factor``.
  - pair weight: planet weights (Sun 1.0, Moon 1.0, Venus 0.9, Mars 0.8, Mercury 0.6) multiplied,
    times a bonus for the classic relationship pairs (Sun–Moon and Venus–Mars ×1.5, Moon–Venus
    ×1.25, Sun–Venus and Moon–Moon ×1.15);
  - aspect weight: conjunction 1.0, trine 1.0, sextile 0.7, square 1.0, opposition 0.8;
  - tightness: 1.0 when exact, falling linearly to 0.25 at the edge of the orb;
  - Moon factor: 0.5 for each side whose chart has no birth time (levels 1-2): the Moon moves
    ~13° a day, so a noon Moon may be 6-7° off and its aspects are uncertain.
* Harmony H sums conjunctions, sextiles and trines (the seed's harmony aspects); tension T sums
  squares and oppositions.
* ``harmony_score`` = 100·(1 − e^(−H/4)), ``tension_score`` likewise from T (0-100 each; the seed
  counted aspects, we weight them).
* ``astrology_score`` = 50 + 50·tanh((H − 0.8·T)/4): 50 is neutral, tension counts 80% as much as
  harmony (friction is also chemistry), and the score saturates instead of clipping. Over random
  pairs the quartiles are about 51 / 63 / 74 (harmonious windows cover more of the circle).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from services.chart.domain.western.aspects import ASPECT_KINDS, KIND_BY_DEGREE, Aspect
from services.chart.domain.western.chart import NatalChart
from services.chart.domain.errors import InvalidInput

KEY_PLANETS = ("sun", "moon", "mercury", "venus", "mars")
MAX_CANDIDATES = 5000

PLANET_WEIGHTS = {"sun": 1.0, "moon": 1.0, "mercury": 0.6, "venus": 0.9, "mars": 0.8}
PAIR_BONUS = {
    frozenset({"sun", "moon"}): 1.5, frozenset({"venus", "mars"}): 1.5, frozenset({"moon", "venus"}): 1.25,
    frozenset({"sun", "venus"}): 1.15, frozenset({"moon"}): 1.15,
}
ASPECT_WEIGHTS = {"conjunction": 1.0, "sextile": 0.7, "square": 1.0, "trine": 1.0, "opposition": 0.8}
UNTIMED_MOON_FACTOR = 0.5
TENSION_SHARE = 0.8
SCORE_SCALE = 4.0
LOOSEST_TIGHTNESS = 0.25

# Combined score: numerology and astrology weights; astrology counts less without birth times.
COMBINED_WEIGHTS_TIMED = (0.5, 0.5)
COMBINED_WEIGHTS_UNTIMED = (0.6, 0.4)

_PLURAL = {"sun": "Suns", "moon": "Moons", "mercury": "Mercury placements", "venus": "Venus placements",
           "mars": "Mars placements"}
_PHRASES = {"conjunction": "are aligned", "sextile": "support each other", "trine": "are in harmony",
            "square": "challenge each other", "opposition": "pull in opposite directions"}
_THEMES = {
    frozenset({"sun"}): "your core selves and life directions",
    frozenset({"sun", "moon"}): "who one of you is and what the other needs",
    frozenset({"sun", "mercury"}): "identity and the way you talk things through",
    frozenset({"sun", "venus"}): "admiration and affection",
    frozenset({"sun", "mars"}): "energy, drive and initiative",
    frozenset({"moon"}): "emotional rhythms and comfort",
    frozenset({"moon", "mercury"}): "feelings and how they are put into words",
    frozenset({"moon", "venus"}): "tenderness and care",
    frozenset({"moon", "mars"}): "feelings and impulses",
    frozenset({"mercury"}): "how you think and talk",
    frozenset({"mercury", "venus"}): "sweet talk and shared tastes",
    frozenset({"mercury", "mars"}): "debates and quick decisions",
    frozenset({"venus"}): "what you each find lovely",
    frozenset({"venus", "mars"}): "romantic and physical chemistry",
    frozenset({"mars"}): "drive and temper",
}

# ---- tables for the vectorised core (K key planets × K key planets × aspect kinds) ----
_K = len(KEY_PLANETS)
_NK = len(ASPECT_KINDS)
_MOON = KEY_PLANETS.index("moon")
# Separation in whole degrees (0..180) -> aspect index, or _NK ("none", whose orb of -1 never matches).
_KIND_AT_DEGREE = np.array([_NK if k is None else ASPECT_KINDS.index(k) for k in KIND_BY_DEGREE], dtype=np.intp)
_ANGLE = np.array([kind.angle for kind in ASPECT_KINDS] + [0.0])
_ORB = np.array([kind.orb for kind in ASPECT_KINDS] + [-1.0])
_INVERSE_ORB = np.array([1.0 / kind.orb for kind in ASPECT_KINDS] + [0.0])
_ASPECT_WEIGHT = np.array([ASPECT_WEIGHTS[kind.name] for kind in ASPECT_KINDS] + [0.0])  # 0: no aspect
_HARMONIOUS = np.array([kind.harmonious for kind in ASPECT_KINDS] + [False])
_TENSE = np.array([not kind.harmonious for kind in ASPECT_KINDS] + [False])
_PAIR_WEIGHT = np.array([[PLANET_WEIGHTS[a] * PLANET_WEIGHTS[b] * PAIR_BONUS.get(frozenset({a, b}), 1.0)
                          for b in KEY_PLANETS] for a in KEY_PLANETS])


def _highlight_text(planet1: str, planet2: str, aspect: str) -> str:
    """planet1 is the viewer's ("your"), planet2 the other person's ("their")."""
    if planet1 == planet2:
        return f"Your {_PLURAL[planet1]} {_PHRASES[aspect]}"
    return f"Your {planet1.capitalize()} and their {planet2.capitalize()} {_PHRASES[aspect]}"


# code = (i * K + j) * NK + kind  ->  text
_HIGHLIGHTS = np.array([_highlight_text(a, b, kind.name)
                        for a in KEY_PLANETS for b in KEY_PLANETS for kind in ASPECT_KINDS], dtype=object)


@dataclass(frozen=True)
class SynastryPerson:
    """What synastry needs of one person: key-planet longitudes (KEY_PLANETS order) and chart level."""

    longitudes: tuple[float, ...]
    chart_level: int = 4

    def __post_init__(self) -> None:
        if len(self.longitudes) != _K or not all(math.isfinite(x) for x in self.longitudes):
            raise InvalidInput("longitudes", f"need {_K} finite longitudes ({', '.join(KEY_PLANETS)})")
        if self.chart_level not in (1, 2, 3, 4):
            raise InvalidInput("chart_level", "must be 1, 2, 3 or 4")

    @classmethod
    def from_chart(cls, chart: NatalChart) -> SynastryPerson:
        return cls(chart.longitudes(KEY_PLANETS), chart.chart_level)

    @classmethod
    def from_mapping(cls, longitudes: Mapping[str, float], chart_level: int = 4) -> SynastryPerson:
        missing = [name for name in KEY_PLANETS if name not in longitudes]
        if missing:
            raise InvalidInput("longitudes", f"missing {', '.join(missing)}")
        return cls(tuple(float(longitudes[name]) for name in KEY_PLANETS), chart_level)


@dataclass(frozen=True)
class SynastryResult:
    """The seed's CompatibilityResponse ``astrology`` part, plus our score, highlights and challenges."""

    aspects: tuple[Aspect, ...]  # planet1 is person A's, planet2 person B's
    harmony_score: int
    tension_score: int
    astrology_score: int
    interpretation: str
    highlights: tuple[str, ...]  # harmonious aspects, strongest first (at most 3)
    challenges: tuple[str, ...]  # tense aspects, strongest first (at most 3)

    def to_dict(self) -> dict:
        return {
            "aspects": [aspect.to_dict() for aspect in self.aspects],
            "harmony_score": self.harmony_score,
            "tension_score": self.tension_score,
            "interpretation": self.interpretation,
            "astrology_score": self.astrology_score,
            "highlights": list(self.highlights),
            "challenges": list(self.challenges),
        }


@dataclass(frozen=True, eq=False)
class BatchScores:
    """One subject against N candidates; arrays are aligned with the candidates."""

    astrology_score: np.ndarray  # (N,) int, 0-100
    harmony_score: np.ndarray  # (N,) int, 0-100
    tension_score: np.ndarray  # (N,) int, 0-100
    highlight_code: np.ndarray = field(repr=False)  # (N,) int, -1 when no aspect at all

    def highlights(self) -> list[str | None]:
        """The top highlight per candidate: its strongest harmonious aspect, else its strongest tense one."""
        texts = np.where(self.highlight_code >= 0, _HIGHLIGHTS[np.maximum(self.highlight_code, 0)], None)
        return texts.tolist()


@dataclass(frozen=True, eq=False)
class _Core:
    kind: np.ndarray  # (N, K, K) aspect index, _NK where none
    orb: np.ndarray  # (N, K, K)
    contribution: np.ndarray  # (N, K, K), 0 where no aspect (its weight is 0)
    harmony: np.ndarray  # (N,) H
    tension: np.ndarray  # (N,) T


def _moon_factor(levels: np.ndarray) -> np.ndarray:
    return np.where(levels >= 3, 1.0, UNTIMED_MOON_FACTOR)


def _core(subject: np.ndarray, subject_level: int, candidates: np.ndarray, levels: np.ndarray) -> _Core:
    """Every subject planet (axis 1) against every candidate planet (axis 2), for all candidates.

    With longitudes in [0, 360), |a - b| folded at 180° is the separation: one modulo per
    longitude instead of one per pair (the pairwise modulo was the batch's largest cost).
    """
    subject, candidates = subject % 360.0, candidates % 360.0
    separation = np.abs(candidates[:, None, :] - subject[None, :, None])
    separation = np.minimum(separation, 360.0 - separation)
    kind = _KIND_AT_DEGREE[separation.astype(np.intp)]
    orb = np.abs(separation - _ANGLE[kind])
    hit = orb <= _ORB[kind]
    kind = np.where(hit, kind, _NK)
    weight = np.broadcast_to(_PAIR_WEIGHT, separation.shape).copy()
    weight[:, _MOON, :] *= _moon_factor(np.asarray(subject_level))
    weight[:, :, _MOON] *= _moon_factor(levels)[:, None]
    # tightness falls linearly from 1 (exact) to LOOSEST_TIGHTNESS at the orb's edge
    contribution = (1.0 - (1.0 - LOOSEST_TIGHTNESS) * orb * _INVERSE_ORB[kind]) * _ASPECT_WEIGHT[kind] * weight
    harmony = np.where(_HARMONIOUS[kind], contribution, 0.0).sum(axis=(1, 2))
    tension = np.where(_TENSE[kind], contribution, 0.0).sum(axis=(1, 2))
    return _Core(kind, orb, contribution, harmony, tension)


def _scores(harmony: np.ndarray, tension: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    astrology = np.rint(50.0 + 50.0 * np.tanh((harmony - TENSION_SHARE * tension) / SCORE_SCALE))
    harmony_score = np.rint(100.0 * -np.expm1(-harmony / SCORE_SCALE))
    tension_score = np.rint(100.0 * -np.expm1(-tension / SCORE_SCALE))
    return astrology.astype(int), harmony_score.astype(int), tension_score.astype(int)


def _candidate_array(candidates, levels) -> tuple[np.ndarray, np.ndarray]:
    array = np.asarray(candidates, dtype=float)
    if array.ndim != 2 or array.shape[1] != _K:
        raise InvalidInput("candidates", f"need an N×{_K} array of longitudes ({', '.join(KEY_PLANETS)})")
    if len(array) > MAX_CANDIDATES:
        raise InvalidInput("candidates", f"at most {MAX_CANDIDATES} per call")
    if not np.isfinite(array).all():
        raise InvalidInput("candidates", "longitudes must be finite numbers")
    level_array = np.full(len(array), 4) if levels is None else np.asarray(levels, dtype=int)
    if level_array.shape != (len(array),) or ((level_array < 1) | (level_array > 4)).any():
        raise InvalidInput("candidate_levels", "need one chart level 1-4 per candidate")
    return array, level_array


def score_candidates(
    subject: SynastryPerson,
    candidates: Sequence[Sequence[float]] | np.ndarray,
    candidate_levels: Sequence[int] | np.ndarray | None = None,
) -> BatchScores:
    """Score one person against up to 5,000 candidates (rows of KEY_PLANETS longitudes), vectorised.

    Highlights read from the subject's side ("Your Venus and their Mars ...").
    """
    array, levels = _candidate_array(candidates, candidate_levels)
    core = _core(np.asarray(subject.longitudes), subject.chart_level, array, levels)
    astrology, harmony, tension = _scores(core.harmony, core.tension)
    flat = core.contribution.reshape(len(array), _K * _K)
    kinds = core.kind.reshape(len(array), _K * _K)
    harmonious = np.where(_HARMONIOUS[kinds], flat, 0.0)
    tense = np.where(_TENSE[kinds], flat, 0.0)
    has_harmony = harmonious.max(axis=1, initial=0.0) > 0.0
    pair = np.where(has_harmony, harmonious.argmax(axis=1), tense.argmax(axis=1))
    kind = np.take_along_axis(kinds, pair[:, None], axis=1)[:, 0]
    code = np.where(kind < _NK, pair * _NK + kind, -1)
    return BatchScores(astrology, harmony, tension, code)


def synastry(a: SynastryPerson, b: SynastryPerson) -> SynastryResult:
    """Aspects from A's key planets to B's, the scores, highlights and an interpretation for A."""
    core = _core(np.asarray(a.longitudes), a.chart_level, np.asarray([b.longitudes]), np.asarray([b.chart_level]))
    astrology, harmony, tension = (int(x[0]) for x in _scores(core.harmony, core.tension))
    aspects, ranked = [], []
    for i, planet1 in enumerate(KEY_PLANETS):
        for j, planet2 in enumerate(KEY_PLANETS):
            k = int(core.kind[0, i, j])
            if k == _NK:
                continue
            kind = ASPECT_KINDS[k]
            aspects.append(Aspect(planet1, planet2, kind.name, float(core.orb[0, i, j])))
            # strongest first; ties by pair order, as the batch's argmax breaks them
            ranked.append((-float(core.contribution[0, i, j]), i * _K + j, kind.harmonious,
                           (planet1, planet2, _highlight_text(planet1, planet2, kind.name))))
    ranked.sort()
    good = [found for *_, harmonious, found in ranked if harmonious]
    hard = [found for *_, harmonious, found in ranked if not harmonious]
    untimed = min(a.chart_level, b.chart_level) <= 2
    return SynastryResult(tuple(aspects), harmony, tension, astrology, _interpretation(astrology, good, hard, untimed),
                          tuple(text for *_, text in good[:3]), tuple(text for *_, text in hard[:3]))


def synastry_of_charts(a: NatalChart, b: NatalChart) -> SynastryResult:
    return synastry(SynastryPerson.from_chart(a), SynastryPerson.from_chart(b))


def _interpretation(score: int, good: list, hard: list, untimed: bool) -> str:
    """Score band, then the strongest harmonious and tense aspects (``(planet1, planet2, text)``) with their theme."""
    if score >= 75:
        sentences = ["Your charts flow together easily: a naturally harmonious match."]
    elif score >= 55:
        sentences = ["An easy-going connection with a few growth points."]
    elif score >= 45:
        sentences = ["A balanced mix of ease and friction between your charts."]
    else:
        sentences = ["A challenging but magnetic connection that asks for patience."]
    for label, found in (("Strongest link", good), ("Growth point", hard)):
        if found:
            planet1, planet2, text = found[0]
            sentences.append(f"{label}: {_lower_first(text)} — {_THEMES[frozenset({planet1, planet2})]}.")
    if not good and not hard:
        sentences.append("Your key planets form no close aspects, so neither pulls strongly on the other.")
    if untimed:
        sentences.append("Without both birth times the Moon's picture is approximate.")
    return " ".join(sentences)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def combined_score(numerology_score, astrology_score, chart_level=4):
    """Overall 0-100 from the two parts; scalars or NumPy arrays (scan) alike.

    ``chart_level`` is the lower of the two people's levels: without a birth time (1-2) astrology
    weighs 40% instead of 50%, since its Moon is uncertain.
    """
    timed = np.asarray(chart_level) >= 3
    numerology_weight = np.where(timed, COMBINED_WEIGHTS_TIMED[0], COMBINED_WEIGHTS_UNTIMED[0])
    astrology_weight = np.where(timed, COMBINED_WEIGHTS_TIMED[1], COMBINED_WEIGHTS_UNTIMED[1])
    total = np.clip(np.rint(numerology_weight * np.asarray(numerology_score, dtype=float)
                            + astrology_weight * np.asarray(astrology_score, dtype=float)), 0, 100).astype(int)
    return int(total) if total.ndim == 0 else total
