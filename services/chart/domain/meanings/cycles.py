"""Personal and universal year, month and day numbers: our own texts.

A cycle number describes the weather of a period rather than a person, so the title is a theme
("New beginnings") that reads inside a sentence: "Year of new beginnings", "Day of new beginnings".
Strengths are what the period favours, challenges what it warns against.
"""
from __future__ import annotations

from typing import Literal

from services.chart.domain.meanings._types import Meaning, lowercase_first, table

CyclePeriod = Literal["personal_year", "personal_month", "personal_day", "universal_year", "universal_month",
                      "universal_day"]

_PERIOD_NAMES: dict[CyclePeriod, str] = {
    "personal_year": "Year",
    "personal_month": "Month",
    "personal_day": "Day",
    "universal_year": "Universal year",
    "universal_month": "Universal month",
    "universal_day": "Universal day",
}

CYCLE_MEANINGS = table(
    Meaning(
        1, "New beginnings", ("start", "initiative", "independence"),
        "A fresh cycle opens: start projects, take the first step and plant what you want to grow over "
        "the next nine years.",
        ("launching plans", "acting on your own judgement"), ("hesitating", "waiting for permission"),
    ),
    Meaning(
        2, "Patience and partnership", ("cooperation", "timing", "diplomacy"),
        "Growth slows down and happens below the surface; cooperate, listen and let things ripen.",
        ("teamwork", "close relationships"), ("forcing results", "taking small things personally"),
    ),
    Meaning(
        3, "Creative expression", ("joy", "communication", "social life"),
        "A lighter, more visible time: meet people, create, and say what you feel.",
        ("creative work", "socialising"), ("scattering your energy", "overspending"),
    ),
    Meaning(
        4, "Hard work and foundations", ("order", "effort", "planning"),
        "Organise, budget and build carefully; steady effort now pays off for years.",
        ("getting organised", "health routines"), ("cutting corners", "resenting the workload"),
    ),
    Meaning(
        5, "Change and freedom", ("movement", "variety", "surprise"),
        "Expect movement and the unexpected; stay flexible and try something new.",
        ("travel", "fresh experiences"), ("reckless choices", "restlessness"),
    ),
    Meaning(
        6, "Home and responsibility", ("family", "love", "duty"),
        "Relationships, home and commitments take centre stage; care for others and let them care for "
        "you.",
        ("deepening relationships", "making a home"), ("over-giving", "trying to fix everyone"),
    ),
    Meaning(
        7, "Reflection and study", ("rest", "insight", "solitude"),
        "Slow down, study and listen to your inner voice; answers come from within rather than from "
        "pushing.",
        ("learning", "rest and retreat"), ("isolation", "overthinking"),
    ),
    Meaning(
        8, "Power and achievement", ("ambition", "money", "recognition"),
        "Effort is rewarded: manage money well, step into authority and go after what you have earned.",
        ("career moves", "financial decisions"), ("greed", "burnout"),
    ),
    Meaning(
        9, "Completion and release", ("endings", "forgiveness", "generosity"),
        "Finish what is done, forgive, give back and clear space for the cycle that begins next.",
        ("closing chapters", "helping others"), ("clinging to the past", "starting big new projects"),
    ),
    Meaning(
        11, "Inspiration and insight", ("intuition", "illumination", "sensitivity"),
        "Intuition runs high; trust the flashes of insight and share them, while keeping your nerves "
        "steady.",
        ("spiritual growth", "inspiring others"), ("nervous strain", "doubting your intuition"),
    ),
    Meaning(
        22, "Building on a grand scale", ("vision", "mastery", "large projects"),
        "A rare chance to put big plans on solid ground; think large, then work methodically.",
        ("ambitious projects", "practical vision"), ("being overwhelmed", "perfectionism"),
    ),
    Meaning(
        33, "Compassionate service", ("healing", "teaching", "devotion"),
        "Caring for others brings the greatest growth; lead through kindness and example.",
        ("teaching", "healing work"), ("self-neglect", "carrying others' burdens"),
    ),
)


def cycle_meaning(number: int) -> Meaning:
    """The reading of a cycle number (1-9, 11, 22, 33)."""
    return CYCLE_MEANINGS[number]


def cycle_line(number: int, period: CyclePeriod) -> str:
    """``cycle_line(8, "personal_year")`` → ``"Year of power and achievement"``."""
    return f"{_PERIOD_NAMES[period]} of {lowercase_first(CYCLE_MEANINGS[number].title)}"
