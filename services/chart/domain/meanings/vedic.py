"""Vedic (Indian) numerology: the ruling planet of each number 1-9 and what it favours. Our own texts.

The planets follow the usual Indian assignment (1 Sun, 2 Moon, 3 Jupiter, 4 Rahu, 5 Mercury,
6 Venus, 7 Ketu, 8 Saturn, 9 Mars). Days, colours and gems are the ones most often associated
with each planet; favourable dates are derived, not listed (every day of the month that reduces
to the number), see ``favourable_dates``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.chart.domain.meanings._types import Meaning, table


@dataclass(frozen=True, slots=True)
class PlanetRuler:
    number: int
    planet: str
    traits: str  # the one-line reading responses show, e.g. "Charming, artistic, fond of comfort"
    meaning: Meaning
    favourable_days: tuple[str, ...]
    favourable_colours: tuple[str, ...]
    favourable_gems: tuple[str, ...]

    @property
    def favourable_dates(self) -> tuple[int, ...]:
        return favourable_dates(self.number)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "planet": self.planet,
            "traits": self.traits,
            "meaning": self.meaning.to_dict(),
            "favourable_dates": list(self.favourable_dates),
            "favourable_days": list(self.favourable_days),
            "favourable_colours": list(self.favourable_colours),
            "favourable_gems": list(self.favourable_gems),
        }


def favourable_dates(number: int) -> tuple[int, ...]:
    """Days of the month (1-31) whose digits reduce to ``number``: 6 → (6, 15, 24)."""
    return tuple(day for day in range(1, 32) if (day - 1) % 9 + 1 == number)


_RULERS = (
    PlanetRuler(
        1, "Sun", "Confident, ambitious, a natural leader",
        Meaning(1, "Sun: the leader", ("confidence", "ambition", "vitality"),
                "Ruled by the Sun: self-assured and warm, drawn to positions where they can lead and shine.",
                ("leadership", "willpower", "generosity"), ("pride", "bossiness", "needing recognition")),
        ("Sunday",), ("gold", "orange", "yellow"), ("ruby",),
    ),
    PlanetRuler(
        2, "Moon", "Gentle, imaginative, emotionally attuned",
        Meaning(2, "Moon: the dreamer", ("sensitivity", "imagination", "care"),
                "Ruled by the Moon: intuitive and caring, with moods that rise and fall like the tides.",
                ("empathy", "imagination", "diplomacy"), ("moodiness", "indecision", "over-sensitivity")),
        ("Monday",), ("white", "cream", "silver"), ("pearl", "moonstone"),
    ),
    PlanetRuler(
        3, "Jupiter", "Wise, disciplined, generous and optimistic",
        Meaning(3, "Jupiter: the teacher", ("wisdom", "growth", "optimism"),
                "Ruled by Jupiter: principled and expansive, happiest learning, teaching and guiding.",
                ("good judgement", "generosity", "discipline"), ("preachiness", "overconfidence", "excess")),
        ("Thursday",), ("yellow", "saffron", "purple"), ("yellow sapphire", "topaz"),
    ),
    PlanetRuler(
        4, "Rahu", "Unconventional, independent, drawn to the unusual",
        Meaning(4, "Rahu: the rebel", ("originality", "ambition", "unpredictability"),
                "Ruled by Rahu: original and restless, questioning rules and drawn to what is new or "
                "foreign.",
                ("inventiveness", "independent thinking", "resilience"),
                ("sudden ups and downs", "rebelliousness", "worldly cravings")),
        ("Saturday",), ("grey", "black"), ("hessonite",),
    ),
    PlanetRuler(
        5, "Mercury", "Quick-witted, versatile, good with words and trade",
        Meaning(5, "Mercury: the messenger", ("intellect", "communication", "commerce"),
                "Ruled by Mercury: bright, talkative and adaptable, with a head for business and ideas.",
                ("quick learning", "eloquence", "adaptability"), ("nervousness", "restlessness", "cunning")),
        ("Wednesday",), ("green", "light green"), ("emerald",),
    ),
    PlanetRuler(
        6, "Venus", "Charming, artistic, fond of comfort and beauty",
        Meaning(6, "Venus: the artist", ("love", "beauty", "comfort"),
                "Ruled by Venus: affectionate and artistic, with a taste for beauty, harmony and the good "
                "life.",
                ("charm", "artistic sense", "loyalty in love"), ("indulgence", "vanity", "avoiding conflict")),
        ("Friday",), ("white", "light blue", "pink"), ("diamond", "white sapphire"),
    ),
    PlanetRuler(
        7, "Ketu", "Intuitive, spiritual, detached and searching",
        Meaning(7, "Ketu: the mystic", ("spirituality", "detachment", "intuition"),
                "Ruled by Ketu: inward-looking and intuitive, more interested in meaning than in "
                "possessions.",
                ("insight", "research", "spiritual depth"), ("aloofness", "confusion", "restless searching")),
        ("Monday",), ("light green", "smoky grey"), ("cat's eye",),
    ),
    PlanetRuler(
        8, "Saturn", "Patient, serious, rewarded through persistence",
        Meaning(8, "Saturn: the worker", ("discipline", "endurance", "justice"),
                "Ruled by Saturn: serious and hard-working, meeting delays early and lasting success later.",
                ("perseverance", "responsibility", "fairness"), ("pessimism", "loneliness", "delays")),
        ("Saturday",), ("dark blue", "black"), ("blue sapphire", "amethyst"),
    ),
    PlanetRuler(
        9, "Mars", "Energetic, courageous, protective and direct",
        Meaning(9, "Mars: the warrior", ("courage", "energy", "action"),
                "Ruled by Mars: brave and energetic, quick to act and to defend people they care about.",
                ("courage", "drive", "protectiveness"), ("temper", "impatience", "recklessness")),
        ("Tuesday",), ("red", "coral", "crimson"), ("red coral",),
    ),
)

PLANET_RULERS = {ruler.number: ruler for ruler in _RULERS}
PLANET_MEANINGS = table(*(ruler.meaning for ruler in _RULERS))


def planet_ruler(number: int) -> PlanetRuler:
    """Ruling planet, reading and favourable days/colours/gems of a Vedic number 1-9."""
    return PLANET_RULERS[number]
