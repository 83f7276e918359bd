"""Classical tables of the Vedic engine: names, lordships, dignities, friendships, aspects, dasha years,
Ashtakavarga. Pure data; indices are 0-based (sign 0 = Aries, nakshatra 0 = Ashwini).

Spellings follow DESIGN.md "Shared conventions".
"""
from __future__ import annotations

from services.chart.domain.western.zodiac import ZODIAC_SIGNS

SIGNS = ZODIAC_SIGNS  # sidereal signs carry the same names

# The nine grahas in the classical order (Sun .. Saturn, Rahu, Ketu).
GRAHAS = ("Sun", "Moon", "Mars", "Mercury", "Jupiter", "Venus", "Saturn", "Rahu", "Ketu")
SEVEN_GRAHAS = GRAHAS[:7]  # the seven that own signs and give Ashtakavarga bindus
NODES = ("Rahu", "Ketu")

NAKSHATRAS = (
    "Ashwini", "Bharani", "Krittika", "Rohini", "Mrigashira", "Ardra", "Punarvasu", "Pushya", "Ashlesha",
    "Magha", "Purva Phalguni", "Uttara Phalguni", "Hasta", "Chitra", "Swati", "Vishakha", "Anuradha",
    "Jyeshtha", "Mula", "Purva Ashadha", "Uttara Ashadha", "Shravana", "Dhanishta", "Shatabhisha",
    "Purva Bhadrapada", "Uttara Bhadrapada", "Revati",
)
NAKSHATRA_SPAN = 360.0 / 27.0  # 13°20'
PADA_SPAN = 360.0 / 108.0  # 3°20'
NAVAMSA_SPAN = 30.0 / 9.0  # 3°20'

YOGAS = (
    "Vishkambha", "Priti", "Ayushman", "Saubhagya", "Shobhana", "Atiganda", "Sukarma", "Dhriti", "Shula",
    "Ganda", "Vriddhi", "Dhruva", "Vyaghata", "Harshana", "Vajra", "Siddhi", "Vyatipata", "Variyana",
    "Parigha", "Shiva", "Siddha", "Sadhya", "Shubha", "Shukla", "Brahma", "Indra", "Vaidhriti",
)
# 60 half-tithis: Kimstughna (fixed) first, the seven movable karanas eight times, then three fixed.
MOVABLE_KARANAS = ("Bava", "Balava", "Kaulava", "Taitila", "Gara", "Vanija", "Vishti")
KARANAS = ("Kimstughna",) + MOVABLE_KARANAS * 8 + ("Shakuni", "Chatushpada", "Naga")
assert len(KARANAS) == 60

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # date.weekday()

SIGN_LORDS = ("Mars", "Venus", "Mercury", "Moon", "Sun", "Mercury",
              "Venus", "Mars", "Jupiter", "Saturn", "Saturn", "Jupiter")

# Vimshottari: nakshatra n is ruled by DASHA_LORDS[n % 9]; the mahadasha years add up to 120.
DASHA_LORDS = ("Ketu", "Venus", "Sun", "Moon", "Mars", "Rahu", "Jupiter", "Saturn", "Mercury")
DASHA_YEARS = {"Ketu": 7, "Venus": 20, "Sun": 6, "Moon": 10, "Mars": 7, "Rahu": 18, "Jupiter": 16,
               "Saturn": 19, "Mercury": 17}
DASHA_CYCLE_YEARS = 120
assert sum(DASHA_YEARS.values()) == DASHA_CYCLE_YEARS

# --- Dignities (BPHS ch. 3) -------------------------------------------------------------------
# Exaltation sign (deep exaltation degree for reference); debilitation is the opposite sign.
# Nodes: Rahu exalted in Taurus, Ketu in Scorpio (the commonest reading; schools differ).
EXALTATION = {"Sun": (0, 10.0), "Moon": (1, 3.0), "Mars": (9, 28.0), "Mercury": (5, 15.0),
              "Jupiter": (3, 5.0), "Venus": (11, 27.0), "Saturn": (6, 20.0), "Rahu": (1, 20.0),
              "Ketu": (7, 20.0)}
DEBILITATION = {planet: (sign + 6) % 12 for planet, (sign, _) in EXALTATION.items()}
# Mooltrikona: (sign, from degree, to degree). Moon: Taurus 0-3° is exaltation, 3-30° mooltrikona;
# Mercury: Virgo 0-15° exaltation, 15-20° mooltrikona, 20-30° own sign.
MOOLTRIKONA = {"Sun": (4, 0.0, 20.0), "Moon": (1, 3.0, 30.0), "Mars": (0, 0.0, 12.0),
               "Mercury": (5, 15.0, 20.0), "Jupiter": (8, 0.0, 10.0), "Venus": (6, 0.0, 15.0),
               "Saturn": (10, 0.0, 20.0)}
OWN_SIGNS = {planet: tuple(i for i, lord in enumerate(SIGN_LORDS) if lord == planet) for planet in SEVEN_GRAHAS}

# Natural (naisargika) friendships, BPHS ch. 3. Nodes behave like Saturn (Rahu) and Mars (Ketu).
FRIENDS = {
    "Sun": ("Moon", "Mars", "Jupiter"),
    "Moon": ("Sun", "Mercury"),
    "Mars": ("Sun", "Moon", "Jupiter"),
    "Mercury": ("Sun", "Venus"),
    "Jupiter": ("Sun", "Moon", "Mars"),
    "Venus": ("Mercury", "Saturn"),
    "Saturn": ("Mercury", "Venus"),
}
ENEMIES = {
    "Sun": ("Venus", "Saturn"),
    "Moon": (),
    "Mars": ("Mercury",),
    "Mercury": ("Moon",),
    "Jupiter": ("Mercury", "Venus"),
    "Venus": ("Sun", "Moon"),
    "Saturn": ("Sun", "Moon", "Mars"),
}
NODE_PROXY = {"Rahu": "Saturn", "Ketu": "Mars"}

NATURAL_BENEFICS = ("Jupiter", "Venus", "Mercury", "Moon")
NATURAL_MALEFICS = ("Sun", "Mars", "Saturn", "Rahu", "Ketu")

# Dignity -> strength on the engine's 0..1 scale (used by yogas and bhava bala), and the sign-level
# rank used to compare D1 with D9.
DIGNITY_STRENGTH = {"exalted": 1.0, "mooltrikona": 0.85, "own": 0.75, "friend": 0.6, "neutral": 0.5,
                    "enemy": 0.35, "debilitated": 0.1}
DIGNITY_RANK = {"exalted": 6, "mooltrikona": 5, "own": 4, "friend": 3, "neutral": 2, "enemy": 1,
                "debilitated": 0}

# --- Graha drishti: houses counted from the aspecting graha (1 = its own sign) -----------------
ASPECT_HOUSES = {"Mars": (4, 7, 8), "Jupiter": (5, 7, 9), "Saturn": (3, 7, 10)}
DEFAULT_ASPECT_HOUSES = (7,)
ORDINALS = {3: "3rd", 4: "4th", 5: "5th", 7: "7th", 8: "8th", 9: "9th", 10: "10th"}

KENDRAS = (1, 4, 7, 10)
TRIKONAS = (1, 5, 9)

# --- Ashtakavarga ---------------------------------------------------------------------------
# Bhinnashtakavarga: for each of the seven grahas, the houses (counted from each contributor:
# Sun, Moon, Mars, Mercury, Jupiter, Venus, Saturn, Lagna) that receive a bindu. These are the
# Parashari tables as P.V.R. Narasimha Rao gives them ("Vedic Astrology: An Integrated Approach",
# ch. 12) and Jagannatha Hora / PyJHora use. Other translations of BPHS differ in four rows
# (Moon's from the Moon, Mars and Jupiter; Venus's from Mars); the totals, and so the
# Sarvashtakavarga total of 337, are the same.
ASHTAKAVARGA_CONTRIBUTORS = ("Sun", "Moon", "Mars", "Mercury", "Jupiter", "Venus", "Saturn", "Lagna")
BHINNASHTAKAVARGA = {
    "Sun": ((1, 2, 4, 7, 8, 9, 10, 11), (3, 6, 10, 11), (1, 2, 4, 7, 8, 9, 10, 11), (3, 5, 6, 9, 10, 11, 12),
            (5, 6, 9, 11), (6, 7, 12), (1, 2, 4, 7, 8, 9, 10, 11), (3, 4, 6, 10, 11, 12)),
    "Moon": ((3, 6, 7, 8, 10, 11), (1, 3, 6, 7, 9, 10, 11), (2, 3, 5, 6, 10, 11), (1, 3, 4, 5, 7, 8, 10, 11),
             (1, 2, 4, 7, 8, 10, 11), (3, 4, 5, 7, 9, 10, 11), (3, 5, 6, 11), (3, 6, 10, 11)),
    "Mars": ((3, 5, 6, 10, 11), (3, 6, 11), (1, 2, 4, 7, 8, 10, 11), (3, 5, 6, 11), (6, 10, 11, 12),
             (6, 8, 11, 12), (1, 4, 7, 8, 9, 10, 11), (1, 3, 6, 10, 11)),
    "Mercury": ((5, 6, 9, 11, 12), (2, 4, 6, 8, 10, 11), (1, 2, 4, 7, 8, 9, 10, 11), (1, 3, 5, 6, 9, 10, 11, 12),
                (6, 8, 11, 12), (1, 2, 3, 4, 5, 8, 9, 11), (1, 2, 4, 7, 8, 9, 10, 11), (1, 2, 4, 6, 8, 10, 11)),
    "Jupiter": ((1, 2, 3, 4, 7, 8, 9, 10, 11), (2, 5, 7, 9, 11), (1, 2, 4, 7, 8, 10, 11),
                (1, 2, 4, 5, 6, 9, 10, 11), (1, 2, 3, 4, 7, 8, 10, 11), (2, 5, 6, 9, 10, 11), (3, 5, 6, 12),
                (1, 2, 4, 5, 6, 7, 9, 10, 11)),
    "Venus": ((8, 11, 12), (1, 2, 3, 4, 5, 8, 9, 11, 12), (3, 4, 6, 9, 11, 12), (3, 5, 6, 9, 11),
              (5, 8, 9, 10, 11), (1, 2, 3, 4, 5, 8, 9, 10, 11), (3, 4, 5, 8, 9, 10, 11), (1, 2, 3, 4, 5, 8, 9, 11)),
    "Saturn": ((1, 2, 4, 7, 8, 10, 11), (3, 6, 11), (3, 5, 6, 10, 11, 12), (6, 8, 9, 10, 11, 12), (5, 6, 11, 12),
               (6, 11, 12), (3, 5, 6, 11), (1, 3, 4, 6, 10, 11)),
}
BAV_TOTALS = {"Sun": 48, "Moon": 49, "Mars": 39, "Mercury": 54, "Jupiter": 56, "Venus": 52, "Saturn": 39}
SAV_TOTAL = 337
assert all(sum(len(h) for h in rows) == BAV_TOTALS[p] for p, rows in BHINNASHTAKAVARGA.items())
assert sum(BAV_TOTALS.values()) == SAV_TOTAL
