"""Everything numerology says about one person as of one date, in one typed result."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.chart.domain.numerology.cycles import PersonalCycles, personal_cycles
from services.chart.domain.numerology.dates import age_on, check_as_of
from services.chart.domain.numerology.names import DEFAULT_Y_RULE, YRule
from services.chart.domain.numerology.pythagorean import PythagoreanProfile, person_hash, pythagorean_profile
from services.chart.domain.numerology.vedic import VedicProfile, vedic_profile


@dataclass(frozen=True, slots=True)
class NumerologyReport:
    as_of: date
    age: int
    current_period: int  # which pinnacle/challenge (1-4) the age falls in
    pythagorean: PythagoreanProfile
    cycles: PersonalCycles
    vedic: VedicProfile
    ruleset_version: str
    calculation_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "age": self.age,
            "current_period": self.current_period,
            "pythagorean": self.pythagorean.to_dict(),
            "cycles": self.cycles.to_dict(),
            "vedic": self.vedic.to_dict(),
            "ruleset_version": self.ruleset_version,
            "calculation_hash": self.calculation_hash,
        }


def numerology_report(
    full_name: str, birth_date: date, *, as_of: date, y_as_vowel: YRule = DEFAULT_Y_RULE
) -> NumerologyReport:
    """Pythagorean profile, cycles as of ``as_of`` (not before the birth) and the Vedic numbers."""
    check_as_of(birth_date, as_of)
    pythagorean = pythagorean_profile(full_name, birth_date, y_as_vowel=y_as_vowel)
    age = age_on(birth_date, as_of)
    current_period = pythagorean.life_periods.current_position(age)
    assert current_period is not None  # the last period is open-ended and as_of is not before birth
    return NumerologyReport(
        as_of=as_of,
        age=age,
        current_period=current_period,
        pythagorean=pythagorean,
        cycles=personal_cycles(birth_date, as_of),
        vedic=vedic_profile(full_name, birth_date),
        ruleset_version=pythagorean.ruleset_version,
        calculation_hash=person_hash("numerology-report", pythagorean.name_words, birth_date,
                                     pythagorean.y_as_vowel, as_of=as_of.isoformat()),
    )
