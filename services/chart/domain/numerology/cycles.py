"""Personal and universal year, month and day numbers as of a given date ("today" is passed in).

Rules (each sum reduced keeping 11, 22 and 33, like the life path):

* Universal year = the as-of year reduced; universal month = universal year + the as-of month
  (reduced); universal day = universal month + the as-of day (reduced).
* Personal year = birth month + birth day (each reduced) + the universal year; it follows the
  calendar year (changes on 1 January, not on the birthday). Personal month = personal year + the
  as-of month (reduced); personal day = personal month + the as-of day (reduced).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.chart.domain.meanings import CyclePeriod, Meaning, cycle_line, cycle_meaning
from services.chart.domain.numerology.reduction import reduce_number


@dataclass(frozen=True, slots=True)
class CycleNumber:
    period: CyclePeriod
    number: int

    @property
    def meaning(self) -> Meaning:
        return cycle_meaning(self.number)

    @property
    def summary(self) -> str:
        """``"Year of power and achievement"``."""
        return cycle_line(self.number, self.period)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "summary": self.summary, "meaning": self.meaning.to_dict()}


@dataclass(frozen=True, slots=True)
class UniversalCycles:
    """The numbers of a date for everyone (daily forecasts)."""

    as_of: date
    universal_year: CycleNumber
    universal_month: CycleNumber
    universal_day: CycleNumber

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "universal_year": self.universal_year.to_dict(),
            "universal_month": self.universal_month.to_dict(),
            "universal_day": self.universal_day.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PersonalCycles:
    """The numbers of a date for one person, with the universal numbers they build on."""

    as_of: date
    personal_year: CycleNumber
    personal_month: CycleNumber
    personal_day: CycleNumber
    universal: UniversalCycles

    def to_dict(self) -> dict[str, Any]:
        universal = self.universal.to_dict()
        del universal["as_of"]
        return {
            "as_of": self.as_of.isoformat(),
            "personal_year": self.personal_year.to_dict(),
            "personal_month": self.personal_month.to_dict(),
            "personal_day": self.personal_day.to_dict(),
            **universal,
        }


def _carried_through(kind: str, year: int, as_of: date) -> tuple[CycleNumber, CycleNumber, CycleNumber]:
    """A year number and the month and day numbers it carries into ``as_of``'s month and day."""
    month = reduce_number(year + reduce_number(as_of.month))
    day = reduce_number(month + reduce_number(as_of.day))
    return CycleNumber(f"{kind}_year", year), CycleNumber(f"{kind}_month", month), CycleNumber(f"{kind}_day", day)


def universal_cycles(as_of: date) -> UniversalCycles:
    year, month, day = _carried_through("universal", reduce_number(as_of.year), as_of)
    return UniversalCycles(as_of=as_of, universal_year=year, universal_month=month, universal_day=day)


def personal_cycles(birth_date: date, as_of: date) -> PersonalCycles:
    universal = universal_cycles(as_of)
    personal_year = reduce_number(
        reduce_number(birth_date.month) + reduce_number(birth_date.day) + universal.universal_year.number
    )
    year, month, day = _carried_through("personal", personal_year, as_of)
    return PersonalCycles(as_of=as_of, personal_year=year, personal_month=month, personal_day=day,
                          universal=universal)
