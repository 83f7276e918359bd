"""Pinnacles (1-9, 11, 22, 33) and challenges (0-8): our own texts.

A pinnacle is a long stretch of life coloured by one number, so it carries that number's general
strengths and challenges (from the core table) with its own title and description. A challenge is
a lesson rather than a trait, so it has its own strengths (what mastering it gives) and challenges
(how it shows up).
"""
from __future__ import annotations

from typing import Any

from services.chart.domain.meanings._types import Meaning, readings, table
from services.chart.domain.meanings.core import CORE_MEANINGS

# Age stretches in the order pinnacles and challenges follow each other.
PERIOD_NAMES = ("Early years", "Middle years", "Later middle years", "Final years")

_PINNACLE_TEXTS = {
    1: ("Independence and self-reliance",
        "A time to stand on your own feet, take the lead and learn to trust your own decisions."),
    2: ("Cooperation and patience",
        "Progress comes through partnership, tact and timing rather than force."),
    3: ("Creativity and self-expression",
        "A sociable, expressive period that rewards creative work and friendships."),
    4: ("Hard work and building foundations",
        "Steady, disciplined effort lays the ground for everything that follows."),
    5: ("Freedom, travel and change",
        "Movement, variety and new experiences; flexibility is the key skill."),
    6: ("Family, home and responsibility",
        "Love, family and community duties take a central place."),
    7: ("Study, reflection and inner growth",
        "A quieter stretch for learning, specialising and finding faith in yourself."),
    8: ("Achievement, authority and material success",
        "Ambition and good management bring recognition and financial reward."),
    9: ("Compassion, service and completion",
        "A broadening period of giving, letting go and serving something larger."),
    11: ("Inspiration and spiritual insight",
         "Heightened intuition; a period to inspire others and develop your inner life."),
    22: ("Building on a large scale",
         "The chance to realise an ambitious, practical vision that outlasts you."),
    33: ("Teaching, healing and service",
         "Care and guidance for others become your life's main work."),
}

PINNACLE_MEANINGS = table(*(
    Meaning(number, title, CORE_MEANINGS[number].keywords, description, CORE_MEANINGS[number].strengths,
            CORE_MEANINGS[number].challenges)
    for number, (title, description) in _PINNACLE_TEXTS.items()
))

CHALLENGE_MEANINGS = table(
    Meaning(
        0, "Free choice", ("choice", "awareness", "all lessons open"),
        "No single obstacle stands out: every lesson is open to you, and the task is to choose your own "
        "path and own it.",
        ("freedom to grow in any direction",), ("drifting without direction", "not knowing what to work on"),
    ),
    Meaning(
        1, "Standing on your own", ("self-assertion", "confidence", "will"),
        "Learn to assert yourself without dominating, and to trust your own judgement.",
        ("healthy self-confidence",), ("self-doubt", "over-compensating with stubbornness"),
    ),
    Meaning(
        2, "Sensitivity", ("feelings", "boundaries", "cooperation"),
        "Learn to hold your ground kindly; not every slight is meant, and not every need is yours to meet.",
        ("deep empathy with firm boundaries",), ("taking things personally", "fear of conflict"),
    ),
    Meaning(
        3, "Self-expression", ("voice", "openness", "focus"),
        "Learn to share your feelings openly instead of hiding them or scattering your energy.",
        ("authentic expression",), ("shyness or superficial chatter", "unfinished creative work"),
    ),
    Meaning(
        4, "Discipline and order", ("routine", "patience", "structure"),
        "Learn steady routines and patience without becoming rigid or giving up.",
        ("reliable habits",), ("disorganisation", "rigid thinking"),
    ),
    Meaning(
        5, "Freedom and restraint", ("moderation", "commitment", "change"),
        "Learn to use freedom responsibly; avoid excess and the urge to escape whenever things get hard.",
        ("adaptability with staying power",), ("impulsiveness", "fear of being tied down"),
    ),
    Meaning(
        6, "Responsibility and perfectionism", ("care", "acceptance", "balance"),
        "Learn to care without controlling, and to accept imperfection in yourself and others.",
        ("generous, realistic care",), ("perfectionism", "meddling in others' lives"),
    ),
    Meaning(
        7, "Trust and faith", ("openness", "belief", "connection"),
        "Learn to open up and trust people and life; suspicion and isolation hold you back.",
        ("grounded inner faith",), ("cynicism", "withdrawing from people"),
    ),
    Meaning(
        8, "Money and power", ("balance", "authority", "values"),
        "Learn a balanced relationship with money, status and control: neither chase them nor fear them.",
        ("wise use of power",), ("materialism or fear of success", "power struggles"),
    ),
)


def pinnacle_meaning(number: int) -> Meaning:
    """The reading of a pinnacle number (1-9, 11, 22, 33)."""
    return PINNACLE_MEANINGS[number]


def challenge_meaning(number: int) -> Meaning:
    """The reading of a challenge number (0-8)."""
    return CHALLENGE_MEANINGS[number]


def pinnacle_line(number: int, position: int) -> str:
    """``pinnacle_line(2, 1)`` → ``"Early years: Cooperation and patience"`` (position 1-4)."""
    return f"{PERIOD_NAMES[position - 1]}: {PINNACLE_MEANINGS[number].title}"


def challenge_line(number: int, position: int) -> str:
    """``challenge_line(4, 1)`` → ``"Early years challenge: Discipline and order"`` (position 1-4)."""
    return f"{PERIOD_NAMES[position - 1]} challenge: {CHALLENGE_MEANINGS[number].title}"


# (summary, meaning as a dict) of every pinnacle and challenge number at every position, built once (see
# ``readings``).
_PERIOD_TEXTS: dict[tuple[str, int, int], tuple[str, dict[str, Any]]] = {
    **{("pinnacle", number, position): (pinnacle_line(number, position), reading)
       for number, reading in readings(PINNACLE_MEANINGS).items() for position in range(1, len(PERIOD_NAMES) + 1)},
    **{("challenge", number, position): (challenge_line(number, position), reading)
       for number, reading in readings(CHALLENGE_MEANINGS).items() for position in range(1, len(PERIOD_NAMES) + 1)},
}


def period_texts(kind: str, number: int, position: int) -> tuple[str, dict[str, Any]]:
    """A ``kind`` ("pinnacle" or "challenge") period's summary line and meaning as a dict, shared and
    read-only: what ``pinnacle_line``/``challenge_line`` and ``*_meaning(number).to_dict()`` give."""
    return _PERIOD_TEXTS[kind, number, position]
