"""The four pinnacles and four challenges of a life, with the ages they cover.

Rules:

* Components: birth month, day and year each reduced to ONE digit (masters too: 11 → 2, 22 → 4),
  so challenges, being differences, stay within 0-8.
* Pinnacles: 1st = month + day, 2nd = day + year, 3rd = 1st + 2nd, 4th = month + year, each reduced
  keeping 11 and 22 (a pinnacle can be 11 from e.g. 2 + 9, and 22 as 11 + 11 for the 3rd).
* Challenges: 1st = |month − day|, 2nd = |day − year|, 3rd = |1st − 2nd|, 4th = |month − year|.
* Ages: the first period ends at 36 − the life path's single digit (a master life path uses its
  root: 11 → 2 ends at 34, 22 → 4 at 32, 33 → 6 at 30); the 2nd and 3rd last nine years each;
  the 4th lasts for the rest of life. Challenges share the pinnacles' ages.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, NamedTuple

from services.chart.domain.meanings import (
    Meaning,
    challenge_line,
    challenge_meaning,
    period_texts,
    pinnacle_line,
    pinnacle_meaning,
)
from services.chart.domain.numerology.reduction import digit_root, reduce_number

PeriodKind = Literal["pinnacle", "challenge"]
PERIOD_LENGTH_YEARS = 9
FIRST_PERIOD_BASE_AGE = 36


class LifePeriod(NamedTuple):
    """One pinnacle or challenge (a NamedTuple: a profile makes eight, so construction cost counts)."""

    kind: PeriodKind
    position: int  # 1-4
    number: int
    start_age: int
    end_age: int | None  # None: lasts for the rest of life

    @property
    def age_range(self) -> str:
        """``"0-32"``, ``"33-41"``, ..., ``"51+"``: the ages (inclusive) the period covers."""
        return f"{self.start_age}+" if self.end_age is None else f"{self.start_age}-{self.end_age}"

    def covers_age(self, age: int) -> bool:
        return self.start_age <= age and (self.end_age is None or age <= self.end_age)

    @property
    def meaning(self) -> Meaning:
        return pinnacle_meaning(self.number) if self.kind == "pinnacle" else challenge_meaning(self.number)

    @property
    def summary(self) -> str:
        line = pinnacle_line if self.kind == "pinnacle" else challenge_line
        return line(self.number, self.position)

    def to_dict(self) -> dict[str, Any]:
        summary, meaning = period_texts(self.kind, self.number, self.position)  # prebuilt ``summary``, ``meaning``
        return {
            "position": self.position,
            "number": self.number,
            "start_age": self.start_age,
            "end_age": self.end_age,
            "age_range": self.age_range,
            "summary": summary,
            "meaning": meaning,
        }


@dataclass(frozen=True, slots=True)
class LifePeriods:
    first_period_end_age: int
    pinnacles: tuple[LifePeriod, ...]
    challenges: tuple[LifePeriod, ...]

    def current_position(self, age: int) -> int | None:
        """Which period (1-4) an age falls in; None before birth."""
        return next((period.position for period in self.pinnacles if period.covers_age(age)), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "first_period_end_age": self.first_period_end_age,
            "pinnacles": [period.to_dict() for period in self.pinnacles],
            "challenges": [period.to_dict() for period in self.challenges],
        }


def life_periods(birth_date: date, life_path: int) -> LifePeriods:
    """Pinnacles and challenges of someone born on ``birth_date`` with this life path (see module rules)."""
    month, day, year = digit_root(birth_date.month), digit_root(birth_date.day), digit_root(birth_date.year)
    first_pinnacle = reduce_number(month + day)
    second_pinnacle = reduce_number(day + year)
    pinnacles = (first_pinnacle, second_pinnacle, reduce_number(first_pinnacle + second_pinnacle),
                 reduce_number(month + year))
    first_challenge, second_challenge = abs(month - day), abs(day - year)
    challenges = (first_challenge, second_challenge, abs(first_challenge - second_challenge), abs(month - year))

    first_end = FIRST_PERIOD_BASE_AGE - digit_root(life_path)
    ages = _period_ages(first_end)
    return LifePeriods(
        first_period_end_age=first_end,
        pinnacles=tuple(
            LifePeriod("pinnacle", index + 1, number, *ages[index]) for index, number in enumerate(pinnacles)
        ),
        challenges=tuple(
            LifePeriod("challenge", index + 1, number, *ages[index]) for index, number in enumerate(challenges)
        ),
    )


def _period_ages(first_end: int) -> tuple[tuple[int, int | None], ...]:
    """(start, end) ages of the four periods: 0..first_end, then two nine-year periods, then the rest."""
    second_end = first_end + PERIOD_LENGTH_YEARS
    third_end = second_end + PERIOD_LENGTH_YEARS
    return ((0, first_end), (first_end + 1, second_end), (second_end + 1, third_end), (third_end + 1, None))
