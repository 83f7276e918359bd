"""Pythagorean (Western) numerology: core numbers from the birth name and date.

Rules (ruleset ``RULESET_VERSION``):

* Letters as ``letters.PYTHAGOREAN_VALUES``; vowels and Y as ``names.is_vowel`` (Y rule option).
* Reduction sums digits until one digit remains, but stops at the master numbers 11, 22 and 33.
* Life path: month, day and year are each reduced first (masters kept), then their sum is reduced.
* Expression, soul urge and personality: the values of all letters, of the vowels and of the
  consonants are summed, then reduced. A name with no vowels has soul urge 0, one with no
  consonants personality 0: 0 means "no letters of that kind".
* Maturity: life path + expression, reduced. Birth day: the day of the month, reduced.
* Karmic debts: 13, 14, 16 or 19 met as a sum on the way from a number's total to its reduced value,
  for the life path (its total, not the month/day/year parts), expression, soul urge, personality
  and birth day (born on the 13th, 14th, 16th or 19th). Maturity is derived, so it adds none.
* Master numbers: the distinct 11, 22 and 33 among the six core numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from services.chart.domain.meanings import CoreRole, Meaning, core_meaning, core_role_line, core_texts
from services.chart.domain.numerology.hashing import RULESET_VERSION, calculation_hash
from services.chart.domain.numerology.letters import pythagorean_total
from services.chart.domain.numerology.names import DEFAULT_Y_RULE, YRule, check_y_rule, name_words, split_vowels
from services.chart.domain.numerology.periods import LifePeriods, life_periods
from services.chart.domain.numerology.reduction import MASTER_NUMBERS, karmic_debt, reduce_number, reduction_steps


@dataclass(frozen=True, slots=True)
class LifePathBreakdown:
    """Month, day and year each reduced, and their sum before the final reduction."""

    month: int
    day: int
    year: int
    total: int

    def to_dict(self) -> dict[str, int]:
        return {"month": self.month, "day": self.day, "year": self.year, "total": self.total}


class CoreNumber(NamedTuple):
    """One core number with how it was reached: ``steps`` runs from the total down to the number (a
    NamedTuple: a profile makes six, so construction cost counts)."""

    role: CoreRole
    steps: tuple[int, ...]
    karmic_debt: int | None

    @property
    def number(self) -> int:
        return self.steps[-1]

    @property
    def total(self) -> int:
        return self.steps[0]

    @property
    def is_master(self) -> bool:
        return self.number in MASTER_NUMBERS

    @property
    def meaning(self) -> Meaning:
        return core_meaning(self.number)

    @property
    def summary(self) -> str:
        """What the number means in its role, in one line."""
        return core_role_line(self.number, self.role)

    def to_dict(self) -> dict[str, Any]:
        summary, meaning = core_texts(self.number, self.role)  # ``summary`` and ``meaning.to_dict()``, prebuilt
        return {
            "number": self.number,
            "is_master": self.is_master,
            "karmic_debt": self.karmic_debt,
            "total": self.total,
            "reduction": list(self.steps),
            "summary": summary,
            "meaning": meaning,
        }


@dataclass(frozen=True, slots=True)
class NameNumbers:
    """The numbers a name alone determines (what a name trial compares)."""

    name_words: tuple[str, ...]
    y_as_vowel: YRule
    expression: CoreNumber
    soul_urge: CoreNumber
    personality: CoreNumber

    @property
    def normalized_name(self) -> str:
        return "".join(self.name_words)

    def to_dict(self) -> dict[str, Any]:
        return {
            "normalized_name": self.normalized_name,
            "y_as_vowel": self.y_as_vowel,
            "expression": self.expression.to_dict(),
            "soul_urge": self.soul_urge.to_dict(),
            "personality": self.personality.to_dict(),
        }


@dataclass(frozen=True)
class NumerologyResult:
    """The four core numbers the dating profile stores; field names are the gRPC response's."""

    life_path: int
    expression: int
    soul_urge: int
    personality: int
    life_path_breakdown: LifePathBreakdown
    karmic_debts: tuple[int, ...]
    normalized_name: str
    ruleset_version: str
    calculation_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "life_path": self.life_path,
            "expression": self.expression,
            "soul_urge": self.soul_urge,
            "personality": self.personality,
            "life_path_breakdown": self.life_path_breakdown.to_dict(),
            "karmic_debts": list(self.karmic_debts),
            "normalized_name": self.normalized_name,
            "ruleset_version": self.ruleset_version,
            "calculation_hash": self.calculation_hash,
        }


@dataclass(frozen=True, slots=True)
class PythagoreanProfile:
    """Everything the name and birth date alone determine (no "today"): core numbers and life periods."""

    name_words: tuple[str, ...]
    birth_date: date
    y_as_vowel: YRule
    life_path: CoreNumber
    life_path_breakdown: LifePathBreakdown
    expression: CoreNumber
    soul_urge: CoreNumber
    personality: CoreNumber
    maturity: CoreNumber
    birth_day: CoreNumber
    master_numbers: tuple[int, ...]
    karmic_debts: tuple[int, ...]
    life_periods: LifePeriods
    ruleset_version: str
    calculation_hash: str

    @property
    def normalized_name(self) -> str:
        return "".join(self.name_words)

    @property
    def core_numbers(self) -> tuple[CoreNumber, ...]:
        return (self.life_path, self.expression, self.soul_urge, self.personality, self.maturity, self.birth_day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "normalized_name": self.normalized_name,
            "name_words": list(self.name_words),
            "birth_date": self.birth_date.isoformat(),
            "y_as_vowel": self.y_as_vowel,
            "core_numbers": {number.role: number.to_dict() for number in self.core_numbers},
            "life_path_breakdown": self.life_path_breakdown.to_dict(),
            "master_numbers": list(self.master_numbers),
            "karmic_debts": list(self.karmic_debts),
            "life_periods": self.life_periods.to_dict(),
            "ruleset_version": self.ruleset_version,
            "calculation_hash": self.calculation_hash,
        }


def life_path_breakdown(birth_date: date) -> LifePathBreakdown:
    month, day, year = reduce_number(birth_date.month), reduce_number(birth_date.day), reduce_number(birth_date.year)
    return LifePathBreakdown(month=month, day=day, year=year, total=month + day + year)


def life_path_number(birth_date: date) -> CoreNumber:
    return _core("life_path", life_path_breakdown(birth_date).total)


def calculate_numerology(full_name: str, birth_date: date, *, y_as_vowel: YRule = DEFAULT_Y_RULE) -> NumerologyResult:
    """The four core numbers, how the life path was reached, and the karmic debts met on the way."""
    profile = pythagorean_profile(full_name, birth_date, y_as_vowel=y_as_vowel)
    return NumerologyResult(
        life_path=profile.life_path.number,
        expression=profile.expression.number,
        soul_urge=profile.soul_urge.number,
        personality=profile.personality.number,
        life_path_breakdown=profile.life_path_breakdown,
        karmic_debts=profile.karmic_debts,
        normalized_name=profile.normalized_name,
        ruleset_version=RULESET_VERSION,
        calculation_hash=person_hash("core-numbers", profile.name_words, birth_date, profile.y_as_vowel),
    )


def pythagorean_profile(full_name: str, birth_date: date, *, y_as_vowel: YRule = DEFAULT_Y_RULE) -> PythagoreanProfile:
    """All Pythagorean numbers of a person that do not depend on the current date."""
    names = name_numbers(full_name, y_as_vowel=y_as_vowel)
    breakdown = life_path_breakdown(birth_date)
    life_path = _core("life_path", breakdown.total)  # life_path_number(birth_date), from the breakdown at hand
    expression, soul_urge, personality = names.expression, names.soul_urge, names.personality
    maturity = CoreNumber("maturity", reduction_steps(life_path.number + expression.number), karmic_debt=None)
    birth_day = _core("birth_day", birth_date.day)
    core = (life_path, expression, soul_urge, personality, maturity, birth_day)
    return PythagoreanProfile(
        name_words=names.name_words,
        birth_date=birth_date,
        y_as_vowel=names.y_as_vowel,
        life_path=life_path,
        life_path_breakdown=breakdown,
        expression=expression,
        soul_urge=soul_urge,
        personality=personality,
        maturity=maturity,
        birth_day=birth_day,
        master_numbers=tuple(sorted({number.number for number in core if number.is_master})),
        karmic_debts=tuple(sorted({number.karmic_debt for number in core if number.karmic_debt is not None})),
        life_periods=life_periods(birth_date, life_path.number),
        ruleset_version=RULESET_VERSION,
        calculation_hash=person_hash("pythagorean-profile", names.name_words, birth_date, names.y_as_vowel),
    )


def name_numbers(full_name: str, *, y_as_vowel: YRule = DEFAULT_Y_RULE, field: str = "full_name") -> NameNumbers:
    """Expression, soul urge and personality of a name; errors name ``field``."""
    y_rule = check_y_rule(y_as_vowel)
    words = name_words(full_name, field)
    vowels, consonants = split_vowels(words, y_rule)
    return NameNumbers(
        name_words=words,
        y_as_vowel=y_rule,
        expression=_core("expression", pythagorean_total("".join(words))),
        soul_urge=_core("soul_urge", pythagorean_total(vowels)),
        personality=_core("personality", pythagorean_total(consonants)),
    )


def person_hash(kind: str, words: tuple[str, ...], birth_date: date, y_as_vowel: YRule, **more: str) -> str:
    """The calculation hash of a result about one person's name and birth date (plus ``more`` inputs)."""
    return calculation_hash(
        kind, name=list(words), birth_date=birth_date.isoformat(), y_as_vowel=y_as_vowel, **more
    )


def _core(role: CoreRole, total: int) -> CoreNumber:
    steps = reduction_steps(total)
    return CoreNumber(role, steps, karmic_debt(steps))
