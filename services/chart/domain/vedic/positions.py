"""Sidereal positions, ascendant and house cusps from Swiss Ephemeris.

How sidereal positions are made: each body is computed ONCE, tropical, geocentric and apparent,
by ``swiss.body_states`` (which refuses the Moshier fallback), and the
ayanamsa of the instant is subtracted. Swiss Ephemeris's own ``FLG_SIDEREAL`` does exactly that
subtraction (checked to 1e-12° in the tests); doing it ourselves lets one ayanamsa value serve
all nine grahas, the ascendant and the house cusps.

The ayanamsa of an instant and the sunrise come from ``swiss`` (which alone touches the library's
sidereal mode).

Rahu is the TRUE (osculating) lunar node, PyJHora's default and the Western engine's node;
Ketu is Rahu + 180°.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.chart.domain.constants import GRAHA_BODIES
from services.chart.domain.swiss import body_states
from services.chart.domain.western.houses import compute_houses
from services.chart.domain.western.zodiac import normalize


@dataclass(frozen=True)
class SiderealBody:
    longitude: float  # sidereal, [0, 360)
    speed: float  # degrees/day; negative = retrograde


def sidereal_bodies(jd_ut: float, ayanamsa: float,
                    names: Sequence[str] = tuple(GRAHA_BODIES)) -> dict[str, SiderealBody]:
    """One calc_ut per body; Ketu is added opposite Rahu when Rahu is asked for."""
    states = body_states(jd_ut, tuple(GRAHA_BODIES[name] for name in names))
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
