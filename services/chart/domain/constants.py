"""What every chart type shares: the supported date range, the bodies and the signs."""
from __future__ import annotations

from datetime import date

# The Swiss Ephemeris data set (Debian swe-basic-data + swe-standard-data, 5400 BC-5400 AD, installed by
# scripts/prepare-ephe or the image) and the local dates every chart type accepts (proleptic Gregorian,
# as ISO 8601). The files below cover those dates' instants (a local date is at most 14 hours ahead of or
# 12 behind UT, and Human Design's design moment is at most 92 days before birth), 1 BC to 3600 AD.
EPHEMERIS_PACKAGE = "swe-standard-data 4.0-20221111"  # in the Vedic ephemeris version (stored in 64 characters)
EPHEMERIS_SET = f"{EPHEMERIS_PACKAGE} (sepl/semo/seas 5400 BC-5400 AD)"
SUPPORTED_DATES = (date(1, 1, 1), date(3000, 12, 31))
EPHEMERIS_FILES = tuple(f"{kind}{block}.se1" for kind in ("sepl", "semo", "seas")  # planets, Moon, asteroids
                        for block in ("m06", "_00", "_06", "_12", "_18", "_24", "_30"))  # from 600 BC, 600 years each
FIRST_DATE, LAST_DATE = SUPPORTED_DATES
# Chiron's orbit is chaotic: Swiss Ephemeris gives it only between these UT instants (JD 1967601.5 and
# 3419437); outside them a chart reports it as unavailable instead of failing.
CHIRON_JD_RANGE = (1967601.5, 3419437.0)
CHIRON_NOTE = ("chiron omitted: Swiss Ephemeris defines Chiron only between 675 and 4650 AD "
               "(its orbit is chaotic outside)")

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
