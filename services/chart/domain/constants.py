"""What every chart type shares: the supported date range, the bodies and the signs."""
from __future__ import annotations

from datetime import date, timedelta

# The UT dates the installed Swiss Ephemeris files cover (end exclusive): sepl_18/semo_18/seas_18.
EPHEMERIS_COVERAGE = (date(1800, 1, 1), date(2400, 1, 1))
EPHEMERIS_FILES = ("sepl_18.se1", "semo_18.se1", "seas_18.se1")  # planets, Moon, main asteroids (Chiron)
EPHEMERIS_SERIES = EPHEMERIS_FILES[0].removesuffix(".se1")  # named in the Vedic ruleset's ephemeris version

# Local birth dates (and forecast days) every chart type accepts: a local date is at most 14 hours
# ahead of or 12 behind UT, so a day's margin at each end keeps the instant inside the files.
FIRST_DATE = EPHEMERIS_COVERAGE[0] + timedelta(days=1)
LAST_DATE = EPHEMERIS_COVERAGE[1] - timedelta(days=2)
# Human Design also needs the design moment, about 88 days (at most 92) before birth.
FIRST_HUMAN_DESIGN_DATE = EPHEMERIS_COVERAGE[0] + timedelta(days=90)

# The Western keys, in output order (DESIGN.md); the lunar node is the TRUE (osculating) node.
WESTERN_BODIES = ("sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto",
                  "north_node", "chiron")
# Human Design's names (DESIGN.md), in the seed's order; the South Node is opposite the North Node.
HUMAN_DESIGN_BODIES = ("Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune",
                       "Pluto", "North Node", "South Node", "Chiron")
# Vedic grahas -> the Western keys they are computed as (Ketu is Rahu + 180°).
GRAHA_BODIES = {"Sun": "sun", "Moon": "moon", "Mars": "mars", "Mercury": "mercury", "Jupiter": "jupiter",
                "Venus": "venus", "Saturn": "saturn", "Rahu": "north_node"}

ZODIAC_SIGNS = (
    "Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo",
    "Libra", "Scorpio", "Sagittarius", "Capricorn", "Aquarius", "Pisces",
)  # tropical and sidereal signs carry the same names
