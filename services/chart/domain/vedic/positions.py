"""Sidereal positions, ascendant, house cusps and sunrise from Swiss Ephemeris.

How sidereal positions are made: each body is computed ONCE, tropical, geocentric and apparent,
by the Western engine's ``swiss.body_state`` (which refuses the Moshier fallback), and the
ayanamsa of the instant is subtracted. Swiss Ephemeris's own ``FLG_SIDEREAL`` does exactly that
subtraction (checked to 1e-12° in the tests); doing it ourselves lets one ayanamsa value serve
all nine grahas, the ascendant and the house cusps.

Process-wide state: Swiss Ephemeris keeps the sidereal mode globally. :func:`ayanamsa_degrees`
is the only place that touches it: it sets the mode it needs, reads the ayanamsa(s), and puts
the library default (Fagan-Bradley, mode 0) back before returning, even on error. Each worker
process runs one computation at a time, so nothing else can observe the mode in between. The
ephemeris path is never set here (``adapters.ephemeris.init_worker`` does, once per worker).

Rahu is the TRUE (osculating) lunar node, PyJHora's default and the Western engine's node;
Ketu is Rahu + 180°.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import swisseph as swe

from services.chart.domain.western.houses import compute_houses
from services.chart.domain.western.swiss import EphemerisUnavailable, body_states
from services.chart.domain.western.zodiac import normalize

# Our graha names -> the Western engine's body keys (the node is swe.TRUE_NODE there).
BODY_KEYS = {"Sun": "sun", "Moon": "moon", "Mars": "mars", "Mercury": "mercury", "Jupiter": "jupiter",
             "Venus": "venus", "Saturn": "saturn", "Rahu": "north_node"}

# Sunrise as Indian panchangas define it (and PyJHora): the centre of the Sun's disc on the
# geometric horizon, no refraction (Swiss Ephemeris BIT_HINDU_RISING).
SUNRISE_FLAGS = swe.CALC_RISE | swe.BIT_HINDU_RISING
_LIBRARY_DEFAULT_SID_MODE = swe.SIDM_FAGAN_BRADLEY


@dataclass(frozen=True)
class SiderealBody:
    longitude: float  # sidereal, [0, 360)
    speed: float  # degrees/day; negative = retrograde


def ayanamsa_degrees(swe_mode: int, jds_ut: Sequence[float]) -> list[float]:
    """The ayanamsa (with nutation, as FLG_SIDEREAL subtracts it) at each instant, for one mode."""
    swe.set_sid_mode(swe_mode, 0.0, 0.0)
    try:
        values = []
        for jd in jds_ut:
            try:
                flags, value = swe.get_ayanamsa_ex_ut(jd, swe.FLG_SWIEPH)
            except swe.Error as error:
                raise EphemerisUnavailable(f"Swiss Ephemeris cannot compute the ayanamsa: {str(error).strip()}") \
                    from error
            if not flags & swe.FLG_SWIEPH:
                raise EphemerisUnavailable("Swiss Ephemeris files not found: the ayanamsa fell back to Moshier")
            values.append(value)
        return values
    finally:
        swe.set_sid_mode(_LIBRARY_DEFAULT_SID_MODE, 0.0, 0.0)


def sidereal_bodies(jd_ut: float, ayanamsa: float, names: Sequence[str] = tuple(BODY_KEYS)) -> dict[str, SiderealBody]:
    """One calc_ut per body; Ketu is added opposite Rahu when Rahu is asked for."""
    states = body_states(jd_ut, tuple(BODY_KEYS[name] for name in names))
    out = {name: SiderealBody(normalize(state.longitude - ayanamsa), state.speed)
           for name, state in zip(names, states.values())}
    if "Rahu" in out:
        rahu = out["Rahu"]
        out["Ketu"] = SiderealBody(normalize(rahu.longitude + 180.0), rahu.speed)
    return out


@dataclass(frozen=True)
class SiderealHouses:
    ascendant: float
    cusps: tuple[float, ...]  # 12 sidereal cusps, house 1 first
    system_used: str  # whole_sign | placidus | equal
    fallback_reason: str | None


def sidereal_ascendant(jd_ut: float, latitude: float, longitude: float, ayanamsa: float) -> float:
    # Equal houses are defined at every latitude; their first cusp is the ascendant.
    return normalize(compute_houses(jd_ut, latitude, longitude, "equal").ascendant - ayanamsa)


def sidereal_houses(jd_ut: float, latitude: float, longitude: float, ayanamsa: float, system: str) -> SiderealHouses:
    """Whole Sign from the sidereal ascendant's sign; Placidus/Equal: tropical cusps - ayanamsa.

    Placidus is undefined inside the polar circles; there the Western engine falls back (to a
    tropical Whole Sign we cannot use), and we fall back to sidereal Whole Sign, saying so.
    """
    if system == "whole_sign":
        tropical = compute_houses(jd_ut, latitude, longitude, "equal")
        reason = None
    else:
        tropical = compute_houses(jd_ut, latitude, longitude, system)
        reason = tropical.fallback_reason
    asc = normalize(tropical.ascendant - ayanamsa)
    if system == "whole_sign" or tropical.system_used != system:
        first = (asc // 30.0) * 30.0
        cusps = tuple(normalize(first + 30.0 * i) for i in range(12))
        return SiderealHouses(asc, cusps, "whole_sign", reason)
    cusps = tuple(normalize(c - ayanamsa) for c in tropical.cusps)
    return SiderealHouses(asc, cusps, system, None)


def sunrise_after(jd_ut: float, latitude: float, longitude: float, altitude_m: float = 0.0) -> float | None:
    """The first sunrise after ``jd_ut`` (JD UT), or None where the Sun does not rise (polar day/night)."""
    try:
        result, times = swe.rise_trans(jd_ut, swe.SUN, SUNRISE_FLAGS, (longitude, latitude, altitude_m),
                                       0.0, 0.0, swe.FLG_SWIEPH)
    except swe.Error as error:
        raise EphemerisUnavailable(f"Swiss Ephemeris cannot compute sunrise: {str(error).strip()}") from error
    if result != 0 or times[0] <= 0.0:
        return None
    return times[0]
