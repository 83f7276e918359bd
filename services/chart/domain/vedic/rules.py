"""Rules over placements: signs, nakshatras, navamsa, dignity and graha drishti.

Everything here is a pure function of sidereal longitudes; no ephemeris calls.

Dignity (one per graha, first match wins), from D1 longitudes:
  exalted      in its exaltation sign (Moon only 0-3° Taurus, Mercury only 0-15° Virgo),
  mooltrikona  in its mooltrikona range (Sun Leo 0-20°, Moon Taurus 3-30°, Mars Aries 0-12°,
               Mercury Virgo 15-20°, Jupiter Sagittarius 0-10°, Venus Libra 0-15°, Saturn Aquarius 0-20°),
  own          in a sign it rules,
  debilitated  in the sign opposite its exaltation,
  friend / neutral / enemy  by natural friendship with the sign's lord (Rahu as Saturn, Ketu as Mars).
The sign-level dignity (:func:`sign_dignity`, used for D9 where degree ranges do not apply) is the
same with the degree ranges dropped: a graha in its exaltation sign is exalted, in its mooltrikona
sign (other than the exaltation sign) mooltrikona.

Graha drishti is sign based: a graha aspects every graha in the 7th sign from it, Mars also the
4th and 8th, Jupiter the 5th and 9th, Saturn the 3rd and 10th (all full aspects). Rahu and Ketu
cast the 7th only, and their always-present aspect on each other is left out. The strength of an
aspect is how exact it is by degree: ``1 - |separation - exact angle| / 30``, clamped to [0, 1],
so 1.0 is an exact aspect (180° for the 7th, 90° for Mars's 4th ...) and it falls linearly to 0
a whole sign away.
"""
from __future__ import annotations

from services.chart.domain.vedic.tables import (
    ASPECT_HOUSES,
    DEBILITATION,
    DEFAULT_ASPECT_HOUSES,
    DIGNITY_RANK,
    ENEMIES,
    EXALTATION,
    FRIENDS,
    MOOLTRIKONA,
    NAKSHATRA_SPAN,
    NAVAMSA_SPAN,
    NODE_PROXY,
    NODES,
    OWN_SIGNS,
    PADA_SPAN,
    SIGN_LORDS,
)


def sign_of(longitude: float) -> int:
    """0..11 for any longitude (also unwrapped ones below 0 or above 360)."""
    return int(longitude // 30.0) % 12


def degree_in_sign(longitude: float) -> float:
    return longitude % 30.0


def nakshatra_pada(longitude: float) -> tuple[int, int]:
    """(nakshatra index 0..26, pada 1..4); the same arithmetic as PyJHora's ``nakshatra_pada``."""
    lon = longitude % 360.0
    index = min(int(lon / NAKSHATRA_SPAN), 26)
    pada = min(int((lon % NAKSHATRA_SPAN) / PADA_SPAN), 3) + 1
    return index, pada


def navamsa_sign(longitude: float) -> int:
    """D9 sign by Parashara: the 108 navamsas run from Aries through the zodiac nine times a circle
    (so movable signs start from themselves, fixed from their 9th, dual from their 5th)."""
    return int((longitude % 360.0) / NAVAMSA_SPAN) % 12


def house_from(sign: int, reference_sign: int) -> int:
    """1..12: the sign's house counted from ``reference_sign`` (which is house 1)."""
    return (sign - reference_sign) % 12 + 1


def sade_sati_phase(saturn_sign: int, moon_sign: int) -> str:
    """Saturn transiting the 12th sign from the natal Moon: ``rising``; the Moon's sign: ``peak``;
    the 2nd: ``setting``; anywhere else ``none``."""
    return {11: "rising", 0: "peak", 1: "setting"}.get((saturn_sign - moon_sign) % 12, "none")


def relationship(planet: str, sign: int) -> str:
    """Natural friendship of ``planet`` with the lord of ``sign``: friend, neutral or enemy."""
    me = NODE_PROXY.get(planet, planet)
    lord = SIGN_LORDS[sign]
    if lord == me or lord in FRIENDS[me]:
        return "friend"
    if lord in ENEMIES[me]:
        return "enemy"
    return "neutral"


def _own_debilitated_or_related(planet: str, sign: int) -> str:
    """The dignities below exaltation and mooltrikona: own sign, debilitation, else the relationship."""
    if planet not in NODES and sign in OWN_SIGNS[planet]:
        return "own"
    if DEBILITATION[planet] == sign:
        return "debilitated"
    return relationship(planet, sign)


def sign_dignity(planet: str, sign: int) -> str:
    if EXALTATION[planet][0] == sign:
        return "exalted"
    if planet in MOOLTRIKONA and MOOLTRIKONA[planet][0] == sign:
        return "mooltrikona"
    return _own_debilitated_or_related(planet, sign)


def dignity(planet: str, longitude: float) -> str:
    sign, degree = sign_of(longitude), degree_in_sign(longitude)
    mt = MOOLTRIKONA.get(planet)
    in_mt = mt is not None and mt[0] == sign and mt[1] <= degree < mt[2]
    if EXALTATION[planet][0] == sign and not in_mt:
        if planet == "Mercury" and degree >= 15.0:  # Virgo 20-30°: Mercury's own sign
            return "own"
        return "exalted"
    if in_mt:
        return "mooltrikona"
    return _own_debilitated_or_related(planet, sign)


def better_in_d9(planet: str, d1_sign: int, d9_sign: int) -> bool:
    """Vargottama (same sign in D1 and D9) counts as better; otherwise a higher sign-level dignity
    rank in D9 than in D1 (exalted > mooltrikona > own > friend > neutral > enemy > debilitated)."""
    if d1_sign == d9_sign:
        return True
    return DIGNITY_RANK[sign_dignity(planet, d9_sign)] > DIGNITY_RANK[sign_dignity(planet, d1_sign)]


def aspect_houses(planet: str) -> tuple[int, ...]:
    return ASPECT_HOUSES.get(planet, DEFAULT_ASPECT_HOUSES)


def aspect_strength(from_longitude: float, to_longitude: float, house: int) -> float:
    separation = (to_longitude - from_longitude) % 360.0
    exact = (house - 1) * 30.0
    off = abs((separation - exact + 180.0) % 360.0 - 180.0)
    return max(0.0, min(1.0, 1.0 - off / 30.0))


def aspects_between(from_planet: str, from_longitude: float, to_planet: str, to_longitude: float) -> int | None:
    """The house (3, 4, 5, 7, 8, 9 or 10) by which ``from_planet`` aspects ``to_planet``, or None."""
    if from_planet == to_planet or (from_planet in NODES and to_planet in NODES):
        return None
    house = house_from(sign_of(to_longitude), sign_of(from_longitude))
    return house if house in aspect_houses(from_planet) else None


def graha_aspects(longitudes: dict[str, float]) -> list[tuple[str, str, int, float]]:
    """Every graha drishti among the given grahas: (from, to, house, strength), in input order."""
    signs = {p: sign_of(lon) for p, lon in longitudes.items()}
    out = []
    for planet, lon in longitudes.items():
        houses = aspect_houses(planet)
        for target, target_lon in longitudes.items():
            if target == planet or (planet in NODES and target in NODES):
                continue
            house = (signs[target] - signs[planet]) % 12 + 1
            if house in houses:
                out.append((planet, target, house, aspect_strength(lon, target_lon, house)))
    return out
