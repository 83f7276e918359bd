"""Core numbers (life path, expression, soul urge, personality, maturity, birth day): our own texts.

Each number has one general reading plus a one-line reading per role, because "8" as a soul urge
(what you long for) reads differently from "8" as a personality (how others first see you).
0 only occurs as a soul urge (a name with no vowels) or a personality (a name with no consonants).
"""
from __future__ import annotations

from typing import Any, Literal, get_args

from services.chart.domain.meanings._types import Meaning, readings, table

CoreRole = Literal["life_path", "expression", "soul_urge", "personality", "maturity", "birth_day"]

CORE_MEANINGS = table(
    Meaning(
        0, "The Open Field", ("openness", "potential", "flexibility"),
        "No letters of this kind appear in the name, so this number stays unwritten; the other numbers "
        "carry the reading instead.",
        ("free of fixed expectations", "adaptable"),
        ("harder to put into words", "may borrow traits from the people around you"),
    ),
    Meaning(
        1, "The Pioneer", ("independence", "initiative", "drive"),
        "Ones are starters: they pick a direction and move first, trusting their own judgement over the "
        "crowd's.",
        ("self-starting", "decisive", "courageous"),
        ("impatience", "stubbornness", "reluctance to ask for help"),
    ),
    Meaning(
        2, "The Partner", ("cooperation", "sensitivity", "balance"),
        "Twos notice what others miss and build bridges between people; they do their best work "
        "alongside someone.",
        ("tactful", "patient", "attentive listener"),
        ("over-sensitivity", "indecision", "losing yourself in other people's needs"),
    ),
    Meaning(
        3, "The Communicator", ("expression", "creativity", "joy"),
        "Threes turn feelings into words, art and laughter; they lift a room and need an outlet for "
        "everything they imagine.",
        ("articulate", "imaginative", "warm humour"),
        ("scattered energy", "avoiding difficult feelings", "over-promising"),
    ),
    Meaning(
        4, "The Builder", ("structure", "diligence", "reliability"),
        "Fours make ideas real through steady, methodical work; they value order, loyalty and things "
        "made to last.",
        ("dependable", "organised", "persistent"),
        ("rigidity", "overwork", "resistance to change"),
    ),
    Meaning(
        5, "The Adventurer", ("freedom", "change", "curiosity"),
        "Fives learn by living: travel, variety and new people keep them alive, and they adapt faster "
        "than anyone.",
        ("versatile", "quick-witted", "resourceful"),
        ("restlessness", "impulsiveness", "trouble with commitment"),
    ),
    Meaning(
        6, "The Nurturer", ("responsibility", "care", "harmony"),
        "Sixes feel at home when the people around them are looked after; family, beauty and fairness "
        "matter deeply to them.",
        ("caring", "responsible", "generous"),
        ("perfectionism", "interfering", "self-sacrifice"),
    ),
    Meaning(
        7, "The Seeker", ("analysis", "introspection", "wisdom"),
        "Sevens look beneath the surface; they need time alone to think and trust only what they have "
        "tested for themselves.",
        ("insightful", "thorough", "intuitive"),
        ("aloofness", "scepticism", "isolation"),
    ),
    Meaning(
        8, "The Executive", ("ambition", "authority", "abundance"),
        "Eights understand power and resources; they aim high, manage well and measure themselves by "
        "what they achieve.",
        ("strategic", "confident", "efficient"),
        ("workaholism", "need for control", "materialism"),
    ),
    Meaning(
        9, "The Humanitarian", ("compassion", "idealism", "completion"),
        "Nines think about the whole world; generous and broad-minded, they are happiest when they give "
        "something back.",
        ("compassionate", "tolerant", "creative"),
        ("difficulty letting go", "martyrdom", "ideals that drift from daily life"),
    ),
    Meaning(
        11, "The Intuitive", ("inspiration", "intuition", "vision"),
        "A master number resting on the 2: heightened sensitivity and insight that can uplift others "
        "once its nervous energy is grounded.",
        ("visionary", "inspiring", "perceptive"),
        ("nervous tension", "self-doubt", "impractical idealism"),
    ),
    Meaning(
        22, "The Master Builder", ("vision", "mastery", "achievement"),
        "A master number resting on the 4: the capacity to turn big dreams into lasting structures that "
        "serve many people.",
        ("practical visionary", "disciplined", "capable of large undertakings"),
        ("pressure of high expectations", "feeling overwhelmed", "rigidity"),
    ),
    Meaning(
        33, "The Master Teacher", ("compassion", "guidance", "service"),
        "A master number resting on the 6: love expressed as teaching, healing and care on a wide scale.",
        ("deeply compassionate", "nurturing", "uplifting"),
        ("self-sacrifice", "carrying everyone's burdens", "unrealistic standards"),
    ),
)

# What each number says in each role other than the life path (whose line is the general headline).
_ROLE_LINES: dict[int, dict[CoreRole, str]] = {
    0: {
        "expression": "No letters to read; look to the life path instead",
        "soul_urge": "No vowels in the name: inner motives show through the other numbers",
        "personality": "No consonants in the name: first impressions follow the other numbers",
        "maturity": "Later life follows the life path's lead",
        "birth_day": "No birth-day gift to read",
    },
    1: {
        "expression": "Talent for leading and starting new ventures",
        "soul_urge": "Longing to stand on your own and make your mark",
        "personality": "Comes across as confident and self-directed",
        "maturity": "Later life asks you to lead in your own name",
        "birth_day": "A gift for original ideas and getting things moving",
    },
    2: {
        "expression": "Talent for diplomacy and bringing people together",
        "soul_urge": "Longing for closeness, peace and a true partner",
        "personality": "Comes across as gentle, tactful and easy to approach",
        "maturity": "Later life rewards partnership and quiet influence",
        "birth_day": "A gift for reading moods and smoothing conflict",
    },
    3: {
        "expression": "Talent for words, art and entertaining others",
        "soul_urge": "Longing to create and to be heard",
        "personality": "Comes across as cheerful, witty and sociable",
        "maturity": "Later life opens up creative self-expression",
        "birth_day": "A gift for storytelling and lifting spirits",
    },
    4: {
        "expression": "Talent for organising and turning plans into results",
        "soul_urge": "Longing for security and a solid foundation",
        "personality": "Comes across as steady, practical and trustworthy",
        "maturity": "Later life brings the reward of patient effort",
        "birth_day": "A gift for method, detail and follow-through",
    },
    5: {
        "expression": "Talent for adapting, persuading and promoting",
        "soul_urge": "Longing for freedom and new experiences",
        "personality": "Comes across as lively, magnetic and adventurous",
        "maturity": "Later life brings variety, travel and fresh starts",
        "birth_day": "A gift for quick thinking and handling change",
    },
    6: {
        "expression": "Talent for caring, teaching and creating beauty",
        "soul_urge": "Longing for a loving home and harmony",
        "personality": "Comes across as warm, dependable and protective",
        "maturity": "Later life centres on family, community and service",
        "birth_day": "A gift for counselling and making people feel at home",
    },
    7: {
        "expression": "Talent for research, analysis and specialist knowledge",
        "soul_urge": "Longing for understanding and inner peace",
        "personality": "Comes across as reserved, thoughtful and a little mysterious",
        "maturity": "Later life deepens study, faith and reflection",
        "birth_day": "A gift for insight and getting to the truth",
    },
    8: {
        "expression": "Talent for leadership, business and managing resources",
        "soul_urge": "Longing for success, influence and recognition",
        "personality": "Comes across as capable, strong and authoritative",
        "maturity": "Later life brings authority and material reward",
        "birth_day": "A gift for organising people and money",
    },
    9: {
        "expression": "Talent for inspiring others and serving a larger cause",
        "soul_urge": "Longing to make the world a kinder place",
        "personality": "Comes across as warm-hearted, worldly and generous",
        "maturity": "Later life turns towards service and letting go",
        "birth_day": "A gift for empathy and seeing the bigger picture",
    },
    11: {
        "expression": "Talent for inspiring others with vision and insight",
        "soul_urge": "Longing for spiritual meaning and to uplift others",
        "personality": "Comes across as charismatic, sensitive and inspired",
        "maturity": "Later life calls you to share your insight widely",
        "birth_day": "A gift for intuition and inspiring people",
    },
    22: {
        "expression": "Talent for realising ambitious plans that serve many",
        "soul_urge": "Longing to build something of lasting value",
        "personality": "Comes across as capable, composed and quietly powerful",
        "maturity": "Later life offers the chance to build a legacy",
        "birth_day": "A gift for turning vision into practical plans",
    },
    33: {
        "expression": "Talent for teaching, healing and guiding others",
        "soul_urge": "Longing to heal and care for others",
        "personality": "Comes across as kind, wise and nurturing",
        "maturity": "Later life is devoted to teaching and guidance",
        "birth_day": "A gift for compassion and guidance",
    },
}


def core_meaning(number: int) -> Meaning:
    """The general reading of a core number (0-9, 11, 22, 33)."""
    return CORE_MEANINGS[number]


def core_role_line(number: int, role: CoreRole) -> str:
    """One line on what ``number`` means in ``role``; the life path uses the general headline."""
    if role == "life_path":
        return CORE_MEANINGS[number].headline
    return _ROLE_LINES[number][role]


# (summary, meaning as a dict) of every core number in every role, built once (see ``readings``).
_CORE_TEXTS: dict[tuple[int, CoreRole], tuple[str, dict[str, Any]]] = {
    (number, role): (core_role_line(number, role), reading)
    for number, reading in readings(CORE_MEANINGS).items() for role in get_args(CoreRole)
}


def core_texts(number: int, role: CoreRole) -> tuple[str, dict[str, Any]]:
    """``(core_role_line(number, role), core_meaning(number).to_dict())``, shared and read-only."""
    return _CORE_TEXTS[number, role]
