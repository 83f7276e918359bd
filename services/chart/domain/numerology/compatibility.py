"""Numerology compatibility of two people: our own pair-harmony table and a weighted score.

Pair harmony: a symmetric 0-100 score, with a one-line reason, for each pair of numbers 1-9
(``_ROOT_HARMONY``, our own judgement of how the two temperaments combine). Master numbers use
their root's row (11 → 2, 22 → 4, 33 → 6) plus ``MASTER_BONUS`` per master in the pair (capped at
100): the same temperament, intensified. 0 (a name without vowels or consonants) scores a neutral
``NEUTRAL_SCORE`` with anything.

Compatibility of two people compares like with like: life path with life path, soul urge with
soul urge, expression with expression, personality with personality. ``numerology_score`` weights
them by how much of a relationship each one governs (``WEIGHTS``: life path 40 %, soul urge 25 %,
expression 20 %, personality 15 %). An aspect scoring at least ``STRENGTH_AT`` is listed as a
strength, one at most ``CHALLENGE_AT`` as a challenge.

Speed: this runs for thousands of candidates per request, so every score, reason and
strength/challenge line is computed once at import into lists indexed by the numbers; a call does
four table look-ups and one small object.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from services.chart.domain.numerology.reduction import MASTER_NUMBERS, digit_root

MASTER_BONUS = 5
NEUTRAL_SCORE = 50
STRENGTH_AT = 75
CHALLENGE_AT = 50
WEIGHTS = {"life_path": 40, "soul_urge": 25, "expression": 20, "personality": 15}
HARMONY_NUMBERS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 22, 33)

# (low, high): (score, reason). Our own table; see the module docstring.
_ROOT_HARMONY: dict[tuple[int, int], tuple[int, str]] = {
    (1, 1): (60, "two leaders: exciting, but both want the wheel"),
    (1, 2): (75, "a leader and a supporter who complete each other"),
    (1, 3): (85, "drive meets creativity; lively and optimistic together"),
    (1, 4): (50, "initiative against caution; friction over pace"),
    (1, 5): (85, "a shared love of independence and adventure"),
    (1, 6): (55, "independence against devotion; needs conscious compromise"),
    (1, 7): (70, "each respects the other's independence; a strong meeting of minds"),
    (1, 8): (55, "both want control, which can turn into power struggles"),
    (1, 9): (65, "ambition and idealism inspire each other but can pull apart"),
    (2, 2): (80, "gentle and attentive; someone still has to decide"),
    (2, 3): (70, "warmth and fun, though the 2 may crave more depth"),
    (2, 4): (90, "steady, loyal and secure: a natural match"),
    (2, 5): (40, "security against freedom; different needs for closeness"),
    (2, 6): (90, "both caring and home-loving: deep emotional harmony"),
    (2, 7): (60, "sensitivity meets reserve; patience builds trust"),
    (2, 8): (85, "support and ambition that reinforce each other"),
    (2, 9): (65, "shared compassion, though the 9's distance can hurt the 2"),
    (3, 3): (75, "playful and expressive; may lack follow-through"),
    (3, 4): (45, "spontaneity against structure; can frustrate each other"),
    (3, 5): (80, "fun, sociable and adventurous together"),
    (3, 6): (85, "creativity and care build a warm home"),
    (3, 7): (45, "lightness against depth; hard to meet in the middle"),
    (3, 8): (55, "playfulness against ambition; different priorities"),
    (3, 9): (90, "creative, idealistic and expressive: they light each other up"),
    (4, 4): (80, "solid and loyal; guard against routine"),
    (4, 5): (35, "routine against freedom: the hardest pairing to settle"),
    (4, 6): (85, "responsibility and loyalty: a stable family"),
    (4, 7): (75, "practical and thoughtful; calm mutual respect"),
    (4, 8): (85, "shared discipline and ambition: a strong team"),
    (4, 9): (50, "practical against idealistic; values differ"),
    (5, 5): (65, "thrilling freedom but little stability"),
    (5, 6): (45, "freedom against commitment; needs trust on both sides"),
    (5, 7): (75, "curiosity and intellect; both value space"),
    (5, 8): (60, "energy and ambition, exciting but volatile"),
    (5, 9): (70, "adventurous and open-minded together"),
    (6, 6): (80, "devoted and caring; avoid smothering each other"),
    (6, 7): (40, "devotion against detachment; feelings can go unmet"),
    (6, 8): (70, "care and provision balance each other"),
    (6, 9): (90, "shared compassion and ideals: a generous partnership"),
    (7, 7): (70, "a deep mental bond, though both may withdraw"),
    (7, 8): (50, "spiritual against material; different measures of success"),
    (7, 9): (75, "wisdom meets compassion; a soulful connection"),
    (8, 8): (60, "a power couple who may clash over control"),
    (8, 9): (55, "material goals against humanitarian ones"),
    (9, 9): (75, "shared ideals; both give, so someone must learn to receive"),
}

_ASPECT_LABELS = {
    "life_path": "Life paths",
    "soul_urge": "Soul urges",
    "expression": "Expressions",
    "personality": "Personalities",
}
_TABLE_SIZE = max(HARMONY_NUMBERS) + 1


class CoreNumbers(Protocol):
    """Anything with the four core numbers: ``NumerologyResult``, a stored profile row, ..."""

    @property
    def life_path(self) -> int: ...
    @property
    def soul_urge(self) -> int: ...
    @property
    def expression(self) -> int: ...
    @property
    def personality(self) -> int: ...


@dataclass(frozen=True, slots=True)
class PairHarmony:
    a: int
    b: int
    score: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": self.score, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class NumerologyCompatibility:
    """The native app's ``CompatibilityResponse.numerology`` plus the weighted ``numerology_score``."""

    life_path_harmony: int
    soul_connection: int
    expression_sync: int
    personality_match: int
    numerology_score: int
    strengths: tuple[str, ...]
    challenges: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "life_path_harmony": self.life_path_harmony,
            "soul_connection": self.soul_connection,
            "expression_sync": self.expression_sync,
            "personality_match": self.personality_match,
            "numerology_score": self.numerology_score,
            "strengths": list(self.strengths),
            "challenges": list(self.challenges),
        }


def _pair(a: int, b: int) -> PairHarmony:
    if a == 0 or b == 0:
        return PairHarmony(a, b, NEUTRAL_SCORE, "one name has no letters of this kind, so nothing to compare")
    root_a, root_b = digit_root(a), digit_root(b)
    score, reason = _ROOT_HARMONY[min(root_a, root_b), max(root_a, root_b)]
    masters = sorted(number for number in (a, b) if number in MASTER_NUMBERS)
    if masters:
        score = min(100, score + MASTER_BONUS * len(masters))
        reason = f"{reason} (master number {' and '.join(map(str, masters))} adds intensity)"
    return PairHarmony(a, b, score, reason)


def _lookup_table(cell: Any) -> list[list[Any]]:
    """A list-of-lists indexed [a][b] for every harmony number (faster than a dict of tuples)."""
    table: list[list[Any]] = [[None] * _TABLE_SIZE for _ in range(_TABLE_SIZE)]
    for a in HARMONY_NUMBERS:
        for b in HARMONY_NUMBERS:
            table[a][b] = cell(a, b)
    return table


_PAIRS: list[list[PairHarmony]] = _lookup_table(_pair)
_SCORES: list[list[int]] = _lookup_table(lambda a, b: _PAIRS[a][b].score)


def _note(aspect: str, a: int, b: int) -> str:
    pair = _PAIRS[a][b]
    numbers = f"{min(a, b)} and {max(a, b)}" if a != b else f"both {a}"
    return f"{_ASPECT_LABELS[aspect]} {numbers}: {pair.reason}"


def _notes(aspect: str, is_noted: Callable[[int], bool]) -> list[list[tuple[str, ...]]]:
    """[a][b] → () or a 1-tuple with the line, so a call builds its lists by adding four tuples.

    A pair with a 0 (nothing to compare) is never a strength or a challenge.
    """
    return _lookup_table(lambda a, b: (_note(aspect, a, b),) if a and b and is_noted(_SCORES[a][b]) else ())


_STRENGTHS = {aspect: _notes(aspect, lambda score: score >= STRENGTH_AT) for aspect in WEIGHTS}
_CHALLENGES = {aspect: _notes(aspect, lambda score: score <= CHALLENGE_AT) for aspect in WEIGHTS}
_LP_STRENGTHS, _SU_STRENGTHS, _EX_STRENGTHS, _PE_STRENGTHS = (_STRENGTHS[aspect] for aspect in WEIGHTS)
_LP_CHALLENGES, _SU_CHALLENGES, _EX_CHALLENGES, _PE_CHALLENGES = (_CHALLENGES[aspect] for aspect in WEIGHTS)
_LP_WEIGHT, _SU_WEIGHT, _EX_WEIGHT, _PE_WEIGHT = WEIGHTS.values()


def pair_harmony(a: int, b: int) -> PairHarmony:
    """How two numbers (0-9, 11, 22, 33) get on: symmetric score 0-100 and a one-line reason."""
    if a not in HARMONY_NUMBERS or b not in HARMONY_NUMBERS:
        raise ValueError(f"no harmony for {a} and {b}: numbers must be one of {HARMONY_NUMBERS}")
    return _PAIRS[a][b]


def harmony_matrix() -> tuple[tuple[int, ...], ...]:
    """All scores as a 13x13 matrix in ``HARMONY_NUMBERS`` order, for vectorised (e.g. numpy) scoring."""
    return tuple(tuple(_SCORES[a][b] for b in HARMONY_NUMBERS) for a in HARMONY_NUMBERS)


def numerology_score(a: CoreNumbers, b: CoreNumbers) -> int:
    """The weighted 0-100 score alone (rounded half up): the fast path for ranking many candidates."""
    return (
        _LP_WEIGHT * _SCORES[a.life_path][b.life_path]
        + _SU_WEIGHT * _SCORES[a.soul_urge][b.soul_urge]
        + _EX_WEIGHT * _SCORES[a.expression][b.expression]
        + _PE_WEIGHT * _SCORES[a.personality][b.personality]
        + 50
    ) // 100


def numerology_scores(a: CoreNumbers, candidates: Iterable[CoreNumbers]) -> list[int]:
    """``numerology_score(a, candidate)`` for each candidate, with ``a``'s table rows looked up once."""
    life_path, soul_urge = _SCORES[a.life_path], _SCORES[a.soul_urge]
    expression, personality = _SCORES[a.expression], _SCORES[a.personality]
    return [
        (
            _LP_WEIGHT * life_path[b.life_path]
            + _SU_WEIGHT * soul_urge[b.soul_urge]
            + _EX_WEIGHT * expression[b.expression]
            + _PE_WEIGHT * personality[b.personality]
            + 50
        ) // 100
        for b in candidates
    ]


def numerology_compatibility(a: CoreNumbers, b: CoreNumbers) -> NumerologyCompatibility:
    """Compare two people's core numbers; symmetric (swapping them gives an equal result)."""
    lp_a, lp_b, su_a, su_b = a.life_path, b.life_path, a.soul_urge, b.soul_urge
    ex_a, ex_b, pe_a, pe_b = a.expression, b.expression, a.personality, b.personality
    life_path, soul_urge = _SCORES[lp_a][lp_b], _SCORES[su_a][su_b]
    expression, personality = _SCORES[ex_a][ex_b], _SCORES[pe_a][pe_b]
    return NumerologyCompatibility(
        life_path_harmony=life_path,
        soul_connection=soul_urge,
        expression_sync=expression,
        personality_match=personality,
        numerology_score=(_LP_WEIGHT * life_path + _SU_WEIGHT * soul_urge + _EX_WEIGHT * expression
                          + _PE_WEIGHT * personality + 50) // 100,
        strengths=_LP_STRENGTHS[lp_a][lp_b] + _SU_STRENGTHS[su_a][su_b] + _EX_STRENGTHS[ex_a][ex_b]
        + _PE_STRENGTHS[pe_a][pe_b],
        challenges=_LP_CHALLENGES[lp_a][lp_b] + _SU_CHALLENGES[su_a][su_b] + _EX_CHALLENGES[ex_a][ex_b]
        + _PE_CHALLENGES[pe_a][pe_b],
    )
