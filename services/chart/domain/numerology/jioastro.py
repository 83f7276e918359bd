"""The JioAstro numerology API's response bodies (``POST /calculate``, ``POST /compare``, name trials).

Pure functions from plain inputs to exactly the seed's JSON shapes, with every "today" passed in:
``as_of`` (the date cycles are read for) and ``calculated_at`` (the timestamp the body reports).
The seed's field names are kept, including its American spelling (``favorable_dates``).

Systems: ``western`` is Pythagorean; ``vedic`` is Indian numerology (psychic, destiny and Chaldean
name numbers); ``chaldean`` is the Chaldean reading (birth, destiny and name numbers with the name's
compound); ``both`` (calculate only, the default) is western + vedic, as in the seed's example.

The seed's example values are illustrative and partly inconsistent (see the tests); we compute.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from services.chart.domain.errors import InvalidInput
from services.chart.domain.meanings import planet_ruler
from services.chart.domain.numerology.compatibility import pair_harmony
from services.chart.domain.numerology.cycles import PersonalCycles, personal_cycles
from services.chart.domain.numerology.dates import check_as_of
from services.chart.domain.numerology.hashing import calculation_hash
from services.chart.domain.numerology.names import DEFAULT_Y_RULE, YRule, check_y_rule
from services.chart.domain.numerology.periods import LifePeriod
from services.chart.domain.numerology.pythagorean import (
    CoreNumber,
    LifePathBreakdown,
    NameNumbers,
    PythagoreanProfile,
    life_path_breakdown,
    life_path_number,
    name_numbers,
    person_hash,
    pythagorean_profile,
)
from services.chart.domain.numerology.vedic import (
    ChaldeanName,
    PlanetRelation,
    chaldean_name,
    destiny_number,
    planet_relation,
    psychic_number,
)

System = Literal["western", "vedic", "chaldean", "both"]
CALCULATE_SYSTEMS: tuple[System, ...] = ("western", "vedic", "chaldean", "both")
COMPARE_SYSTEMS: tuple[System, ...] = ("western", "vedic", "chaldean")
COMPARE_NAMES_MIN, COMPARE_NAMES_MAX = 2, 5

# Recommendation weights for /compare (see ``_western_rank`` and ``_planetary_rank``).
MASTER_NAME_BONUS = 10
KARMIC_NAME_PENALTY = 10
_RELATION_POINTS: dict[PlanetRelation, int] = {"friend": 2, "neutral": 1, "enemy": 0}
_RELATION_WORDS: dict[PlanetRelation, str] = {"friend": "friendly", "neutral": "neutral", "enemy": "hostile"}
_TONE_POINTS = {"favourable": 1, "mixed": 0, "cautionary": -1}
_NAME_ROLES = ("expression", "soul_urge", "personality")


def calculate_response(
    full_name: str,
    birth_date: date,
    *,
    as_of: date,
    calculated_at: datetime,
    system: str = "both",
    y_as_vowel: YRule = DEFAULT_Y_RULE,
) -> dict[str, Any]:
    """The body of ``POST /numerology/calculate``: one section per system asked for, and a combined hash."""
    chosen = _check_system(system, CALCULATE_SYSTEMS)
    check_y_rule(y_as_vowel)  # checked even where only Chaldean numbers (which ignore it) are asked for
    check_as_of(birth_date, as_of)
    timestamp = _timestamp(calculated_at)
    sections: dict[str, dict[str, Any]] = {}
    if chosen in ("western", "both"):
        sections["western"] = _western_section(
            pythagorean_profile(full_name, birth_date, y_as_vowel=y_as_vowel), personal_cycles(birth_date, as_of)
        )
    if chosen in ("vedic", "both"):
        sections["vedic"] = _vedic_section(chaldean_name(full_name), birth_date)
    if chosen == "chaldean":
        sections["chaldean"] = _chaldean_section(chaldean_name(full_name), birth_date)
    for section in sections.values():
        section["calculated_at"] = timestamp
    combined = calculation_hash("jioastro-calculate", system=chosen,
                                sections=[section["calculation_hash"] for section in sections.values()])
    return {"system": chosen, **sections, "calculation_hash": combined, "calculated_at": timestamp}


def compare_response(
    names: Sequence[str], birth_date: date, *, system: str, y_as_vowel: YRule = DEFAULT_Y_RULE
) -> dict[str, Any]:
    """The body of ``POST /numerology/compare``: each name's numbers and the recommended name.

    Recommendation (ties go to the earlier name):

    * western: the harmony (0-100, ``pair_harmony``) of the name's expression with the life path,
      + ``MASTER_NAME_BONUS`` per master number and − ``KARMIC_NAME_PENALTY`` per karmic debt among
      the name's expression, soul urge and personality.
    * vedic and chaldean: how the planets of the psychic and destiny numbers regard the name
      number's planet (friend 2, neutral 1, enemy 0 points each), + 1 for a favourable and − 1 for
      a cautionary Chaldean compound.
    """
    chosen = _check_system(system, COMPARE_SYSTEMS)
    if not COMPARE_NAMES_MIN <= len(names) <= COMPARE_NAMES_MAX:
        raise InvalidInput("names", f"must contain {COMPARE_NAMES_MIN} to {COMPARE_NAMES_MAX} names")
    y_rule = check_y_rule(y_as_vowel)
    if chosen == "western":
        life_path, breakdown = life_path_number(birth_date), life_path_breakdown(birth_date)
        ranked: list[_Ranked] = []
        for index, name in enumerate(names):
            numbers = name_numbers(name, y_as_vowel=y_rule, field=f"names[{index}]")
            core = (life_path, numbers.expression, numbers.soul_urge, numbers.personality)
            entry = {"name": name, "western": {"core_numbers": _core_numbers_body(core, breakdown)}}
            ranked.append(_western_rank(entry, life_path.number, numbers))
    else:
        section = _vedic_numbers if chosen == "vedic" else _chaldean_numbers
        ranked = []
        for index, name in enumerate(names):
            chaldean = chaldean_name(name, field=f"names[{index}]")
            entry = {"name": name, chosen: section(chaldean, birth_date)}
            ranked.append(_planetary_rank(entry, chaldean, birth_date, psychic_label=_psychic_label(chosen)))
    best = max(ranked, key=lambda candidate: candidate.score)  # max keeps the first of equal scores
    return {
        "system": chosen,
        "birth_date": birth_date.isoformat(),
        "comparisons": [candidate.entry for candidate in ranked],
        "recommendation": {"best_name": best.entry["name"], "reason": best.reason},
    }


def name_trial_values(trial_name: str, *, system: str, y_as_vowel: YRule = DEFAULT_Y_RULE) -> dict[str, Any]:
    """``calculated_values`` of a name trial: the numbers a name alone decides, in the calculate shapes."""
    chosen = _check_system(system, COMPARE_SYSTEMS)
    check_y_rule(y_as_vowel)
    if chosen == "western":
        numbers = name_numbers(trial_name, y_as_vowel=y_as_vowel, field="trial_name")
        return {role: _core_number_body(getattr(numbers, role)) for role in _NAME_ROLES}
    chaldean = chaldean_name(trial_name, field="trial_name")
    name_number = _chaldean_name_body(chaldean) if chosen == "chaldean" else _vedic_name_body(chaldean)
    return {"name_number": name_number}


# --- western -------------------------------------------------------------------------------


def _western_section(profile: PythagoreanProfile, cycles: PersonalCycles) -> dict[str, Any]:
    periods = profile.life_periods
    return {
        "system": "western",
        "core_numbers": _core_numbers_body(profile.core_numbers, profile.life_path_breakdown),
        "special_numbers": {
            "master_numbers": list(profile.master_numbers),
            "karmic_debt_numbers": list(profile.karmic_debts),
        },
        "current_cycles": {
            cycle.period: {"number": cycle.number, "meaning": cycle.summary}
            for cycle in (cycles.personal_year, cycles.personal_month, cycles.personal_day,
                          cycles.universal.universal_year)
        },
        "life_periods": {
            "pinnacles": [_period_body(period) for period in periods.pinnacles],
            "challenges": [_period_body(period) for period in periods.challenges],
        },
        "calculation_hash": person_hash("jioastro-western", profile.name_words, profile.birth_date,
                                        profile.y_as_vowel, as_of=cycles.as_of.isoformat()),
    }


def _core_numbers_body(numbers: Sequence[CoreNumber], breakdown: LifePathBreakdown) -> dict[str, Any]:
    body = {number.role: _core_number_body(number) for number in numbers}
    body["life_path"]["breakdown"] = {"month": breakdown.month, "day": breakdown.day, "year": breakdown.year}
    return body


def _core_number_body(number: CoreNumber) -> dict[str, Any]:
    """The seed's fields per role: the life path and birth day report a karmic debt, all but the birth day
    whether they are master numbers."""
    body: dict[str, Any] = {"number": number.number}
    if number.role != "birth_day":
        body["is_master"] = number.is_master
    if number.role in ("life_path", "birth_day"):
        body["karmic_debt"] = number.karmic_debt
    body["meaning"] = number.summary
    return body


def _period_body(period: LifePeriod) -> dict[str, Any]:
    return {"number": period.number, "age_range": period.age_range, "meaning": period.summary}


# --- vedic and chaldean ----------------------------------------------------------------------


def _vedic_section(chaldean: ChaldeanName, birth_date: date) -> dict[str, Any]:
    return {
        "system": "vedic",
        **_vedic_numbers(chaldean, birth_date),
        "calculation_hash": calculation_hash("jioastro-vedic", name=list(chaldean.name_words),
                                             birth_date=birth_date.isoformat()),
    }


def _chaldean_section(chaldean: ChaldeanName, birth_date: date) -> dict[str, Any]:
    return {
        "system": "chaldean",
        **_chaldean_numbers(chaldean, birth_date),
        "calculation_hash": calculation_hash("jioastro-chaldean", name=list(chaldean.name_words),
                                             birth_date=birth_date.isoformat()),
    }


def _vedic_numbers(chaldean: ChaldeanName, birth_date: date) -> dict[str, Any]:
    return {
        "psychic_number": _planet_number_body(psychic_number(birth_date)),
        "destiny_number": _planet_number_body(destiny_number(birth_date)),
        "name_number": _vedic_name_body(chaldean),
    }


def _chaldean_numbers(chaldean: ChaldeanName, birth_date: date) -> dict[str, Any]:
    return {
        "birth_number": _planet_number_body(psychic_number(birth_date)),
        "destiny_number": _planet_number_body(destiny_number(birth_date)),
        "name_number": _chaldean_name_body(chaldean),
    }


def _planet_number_body(number: int) -> dict[str, Any]:
    ruler = planet_ruler(number)
    return {
        "number": number,
        "planet": ruler.planet,
        "meaning": ruler.traits,
        "favorable_dates": list(ruler.favourable_dates),
        "favorable_colors": list(ruler.favourable_colours),
        "favorable_gems": list(ruler.favourable_gems),
        "favorable_days": list(ruler.favourable_days),
    }


def _vedic_name_body(chaldean: ChaldeanName) -> dict[str, Any]:
    return {"number": chaldean.number, "meaning": chaldean.ruler.traits}


def _chaldean_name_body(chaldean: ChaldeanName) -> dict[str, Any]:
    note = chaldean.compound_note
    return {
        "number": chaldean.number,
        "compound_number": chaldean.compound,
        "planet": chaldean.ruler.planet,
        "meaning": chaldean.ruler.traits,
        "compound_meaning": None if note is None else note.note,
    }


# --- recommendation --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ranked:
    entry: dict[str, Any]
    score: int
    reason: str


def _western_rank(entry: dict[str, Any], life_path: int, numbers: NameNumbers) -> _Ranked:
    name_core = [getattr(numbers, role) for role in _NAME_ROLES]
    masters = sorted({number.number for number in name_core if number.is_master})
    debts = sorted({number.karmic_debt for number in name_core if number.karmic_debt is not None})
    harmony = pair_harmony(life_path, numbers.expression.number)
    reason = f"Expression {numbers.expression.number} with life path {life_path}: {harmony.reason} " \
             f"(harmony {harmony.score}/100)"
    reason += f"; master number {', '.join(map(str, masters))} in the name" if masters else "; no master number"
    reason += f"; karmic debt {', '.join(map(str, debts))}" if debts else "; no karmic debt"
    score = harmony.score + MASTER_NAME_BONUS * len(masters) - KARMIC_NAME_PENALTY * len(debts)
    return _Ranked(entry, score, reason)


def _planetary_rank(entry: dict[str, Any], chaldean: ChaldeanName, birth_date: date, psychic_label: str) -> _Ranked:
    name_number = chaldean.number
    relations = (
        (psychic_label, psychic_number(birth_date)),
        ("destiny number", destiny_number(birth_date)),
    )
    score = 0
    parts = []
    for label, number in relations:
        relation = planet_relation(number, name_number)
        score += _RELATION_POINTS[relation]
        parts.append(f"{_RELATION_WORDS[relation]} to {label} {number} ({planet_ruler(number).planet})")
    reason = f"Name number {name_number} ({chaldean.ruler.planet}) is {' and '.join(parts)}"
    note = chaldean.compound_note
    if note is not None:
        score += _TONE_POINTS[note.tone]
        reason += f"; compound {note.number} is {note.tone}"
    return _Ranked(entry, score, reason)


def _psychic_label(system: str) -> str:
    return "psychic number" if system == "vedic" else "birth number"


# --- inputs ----------------------------------------------------------------------------------


def _check_system(system: str, allowed: tuple[System, ...]) -> System:
    if system not in allowed:
        raise InvalidInput("system", f"must be one of {', '.join(allowed)}")
    return system  # type: ignore[return-value]


def _timestamp(calculated_at: datetime) -> str:
    """``2025-11-05T10:30:00Z``: UTC, whole seconds, as the seed shows."""
    if calculated_at.tzinfo is None:
        raise ValueError("calculated_at must be timezone-aware")
    return calculated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
