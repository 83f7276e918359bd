"""Chaldean name numbers and Vedic (Indian) numerology.

Rules:

* Chaldean name number: the full name's letters valued by ``letters.CHALDEAN_VALUES`` (1-8, no 9)
  and summed (``total``). The *compound* is the total, or, above 52 (where the traditional compound
  readings stop), the first digit sum of it that is 52 or less. The name number is the total reduced
  to one digit; Chaldean numerology has no master numbers.
* Vedic psychic number (moolank): the day of birth reduced to one digit.
* Vedic destiny number (bhagyank): every digit of the full birth date summed, reduced to one digit.
* Vedic name number: the Chaldean name number.
* Each number 1-9 has a ruling planet and favourable dates, days, colours and gems
  (``meanings.vedic``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from services.chart.domain.meanings import (
    CompoundNote,
    Meaning,
    PlanetRuler,
    compound_meaning,
    compound_note,
    planet_ruler,
)
from services.chart.domain.numerology.hashing import RULESET_VERSION, calculation_hash
from services.chart.domain.numerology.letters import chaldean_total
from services.chart.domain.numerology.names import name_words
from services.chart.domain.numerology.reduction import digit_root, reduction_steps

HIGHEST_COMPOUND = 52
VedicKind = Literal["psychic", "destiny", "name"]
PlanetRelation = Literal["friend", "neutral", "enemy"]


@dataclass(frozen=True, slots=True)
class ChaldeanName:
    name_words: tuple[str, ...]
    total: int
    compound: int
    number: int

    @property
    def normalized_name(self) -> str:
        return "".join(self.name_words)

    @property
    def compound_note(self) -> CompoundNote | None:
        return compound_note(self.compound)

    @property
    def meaning(self) -> Meaning:
        """The compound's reading (its reduced number's, plus the compound's note if it has one)."""
        return compound_meaning(self.compound, self.number)

    @property
    def ruler(self) -> PlanetRuler:
        return planet_ruler(self.number)

    def to_dict(self) -> dict[str, Any]:
        note = self.compound_note
        return {
            "normalized_name": self.normalized_name,
            "total": self.total,
            "compound": self.compound,
            "number": self.number,
            "planet": self.ruler.planet,
            "compound_note": None if note is None else note.to_dict(),
            "meaning": self.meaning.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class VedicNumber:
    kind: VedicKind
    number: int

    @property
    def ruler(self) -> PlanetRuler:
        return planet_ruler(self.number)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.ruler.to_dict()}


@dataclass(frozen=True, slots=True)
class VedicProfile:
    birth_date: date
    psychic_number: VedicNumber
    destiny_number: VedicNumber
    name_number: VedicNumber
    chaldean_name: ChaldeanName
    ruleset_version: str
    calculation_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "birth_date": self.birth_date.isoformat(),
            "psychic_number": self.psychic_number.to_dict(),
            "destiny_number": self.destiny_number.to_dict(),
            "name_number": self.name_number.to_dict(),
            "chaldean_name": self.chaldean_name.to_dict(),
            "ruleset_version": self.ruleset_version,
            "calculation_hash": self.calculation_hash,
        }


def chaldean_name(full_name: str, *, field: str = "full_name") -> ChaldeanName:
    words = name_words(full_name, field)
    total = chaldean_total("".join(words))
    compound = next(step for step in reduction_steps(total) if step <= HIGHEST_COMPOUND)
    return ChaldeanName(name_words=words, total=total, compound=compound, number=digit_root(total))


def psychic_number(birth_date: date) -> int:
    return digit_root(birth_date.day)


def destiny_number(birth_date: date) -> int:
    # The digit root of the digits of DD, MM and YYYY is the digit root of day + month + year.
    return digit_root(birth_date.day + birth_date.month + birth_date.year)


def vedic_profile(full_name: str, birth_date: date) -> VedicProfile:
    name = chaldean_name(full_name)
    return VedicProfile(
        birth_date=birth_date,
        psychic_number=VedicNumber("psychic", psychic_number(birth_date)),
        destiny_number=VedicNumber("destiny", destiny_number(birth_date)),
        name_number=VedicNumber("name", name.number),
        chaldean_name=name,
        ruleset_version=RULESET_VERSION,
        calculation_hash=calculation_hash("vedic-profile", name=list(name.name_words),
                                          birth_date=birth_date.isoformat()),
    )


# Natural planetary relationships (naisargika maitri) as in classical Jyotisa; Rahu and Ketu follow
# the common modern assignment. Read as "how the first planet regards the second"; a planet is its
# own friend. Not symmetric (the Moon has no enemies, yet Mercury regards the Moon as one).
_FRIENDS = {
    "Sun": {"Moon", "Mars", "Jupiter"},
    "Moon": {"Sun", "Mercury"},
    "Mars": {"Sun", "Moon", "Jupiter"},
    "Mercury": {"Sun", "Venus"},
    "Jupiter": {"Sun", "Moon", "Mars"},
    "Venus": {"Mercury", "Saturn"},
    "Saturn": {"Mercury", "Venus"},
    "Rahu": {"Mercury", "Venus", "Saturn"},
    "Ketu": {"Mars", "Venus", "Saturn"},
}
_ENEMIES = {
    "Sun": {"Venus", "Saturn"},
    "Moon": set(),
    "Mars": {"Mercury"},
    "Mercury": {"Moon"},
    "Jupiter": {"Mercury", "Venus"},
    "Venus": {"Sun", "Moon"},
    "Saturn": {"Sun", "Moon", "Mars"},
    "Rahu": {"Sun", "Moon", "Mars"},
    "Ketu": {"Sun", "Moon"},
}


def planet_relation(of_number: int, towards_number: int) -> PlanetRelation:
    """How the planet of ``of_number`` regards the planet of ``towards_number`` (numbers 1-9)."""
    planet, other = planet_ruler(of_number).planet, planet_ruler(towards_number).planet
    if planet == other or other in _FRIENDS[planet]:
        return "friend"
    return "enemy" if other in _ENEMIES[planet] else "neutral"
