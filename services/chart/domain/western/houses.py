"""House cusps, Ascendant and Midheaven, with a named fallback where a system breaks down.

Placidus and Koch are undefined inside the polar circles (Swiss Ephemeris raises), and at those
latitudes Regiomontanus and Campanus return cusps that run backwards through the zodiac. Either
way we fall back to **Whole Sign**: it is defined at every latitude, never yields degenerate
houses, and keeps the Ascendant's sign as the first house. The result says which system was
used and why.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from operator import lt

from services.chart.domain import swiss
from services.chart.domain.aliases import HOUSE_SYSTEMS, house_system_key
from services.chart.domain.swiss import EphemerisUnavailable
from services.chart.domain.western.zodiac import normalize

FALLBACK_HOUSE_SYSTEM = "whole_sign"


@dataclass(frozen=True)
class Houses:
    cusps: tuple[float, ...]  # 12 cusps, cusp 1 first
    ascendant: float
    midheaven: float
    system_requested: str
    system_used: str
    fallback_reason: str | None

    def house_of(self, longitude: float) -> int:
        return houses_of([longitude], self.cusps)[0]

    def houses_of(self, longitudes: Iterable[float]) -> list[int]:
        return houses_of(longitudes, self.cusps)


def display_name(key: str) -> str:
    return HOUSE_SYSTEMS[key]


def houses_of(longitudes: Iterable[float], cusps: tuple[float, ...]) -> list[int]:
    """1-12 for each longitude: the house whose cusp is the last one passed going forward.

    Everything is measured forward from cusp 1, modulo 360°, which undoes the wrap at 0° Aries
    (a house from 350° to 20° holds 355° and 5°); the cusps then ascend, so bisection finds the house.
    """
    first = cusps[0]
    offsets = [(cusp - first) % 360.0 for cusp in cusps]
    return [bisect_right(offsets, (longitude - first) % 360.0) for longitude in longitudes]


def house_of(longitude: float, cusps: tuple[float, ...]) -> int:
    return houses_of([longitude], cusps)[0]


def _in_zodiacal_order(cusps: tuple[float, ...]) -> bool:
    """Twelve forward arcs from cusp to cusp must add up to exactly one turn: going round the twelve,
    the longitude drops (passes 0° Aries) exactly once, as each drop adds a turn to the arcs' sum."""
    return sum(map(lt, cusps, cusps[-1:] + cusps[:-1])) == 1


def _swe_houses(jd_ut: float, latitude: float, longitude: float, key: str):
    cusps, ascmc = swiss.houses(jd_ut, latitude, longitude, key)
    if not (0.0 <= min(cusps) and max(cusps) < 360.0):  # Swiss Ephemeris normalises them already
        cusps = tuple([normalize(c) for c in cusps])
    return cusps, ascmc


def compute_houses(jd_ut: float, latitude: float, longitude: float, system: str | None = None) -> Houses:
    return houses_for_key(jd_ut, latitude, longitude, house_system_key(system))


def houses_for_key(jd_ut: float, latitude: float, longitude: float, requested: str) -> Houses:
    """``compute_houses`` for a house-system key already resolved (``house_system_key``)."""
    cusps, ascmc, used, reason = raw_houses(jd_ut, latitude, longitude, requested)
    return Houses(cusps, normalize(ascmc[0]), normalize(ascmc[1]), requested, used, reason)


def raw_houses(jd_ut: float, latitude: float, longitude: float, requested: str
               ) -> tuple[tuple[float, ...], tuple[float, ...], str, str | None]:
    """``houses_for_key`` without its object, for the batch of charts: (cusps, Swiss Ephemeris's
    ascmc with the Ascendant and Midheaven not yet normalised, the system used, the fallback reason)."""
    reason = None
    try:
        cusps, ascmc = _swe_houses(jd_ut, latitude, longitude, requested)
        if not _in_zodiacal_order(cusps):  # houses_of relies on it
            reason = (f"{display_name(requested)} cusps do not run in zodiacal order at latitude "
                      f"{latitude:.2f}° (inside the polar circle)")
    except swiss.Error:
        reason = f"{display_name(requested)} houses are undefined at latitude {latitude:.2f}° (inside the polar circle)"
    if reason is None:
        return cusps, ascmc, requested, None
    used = FALLBACK_HOUSE_SYSTEM
    reason += f"; {display_name(used)} used instead"
    try:
        cusps, ascmc = _swe_houses(jd_ut, latitude, longitude, used)
    except swiss.Error as error:  # Whole Sign fails only on broken input or library state
        raise EphemerisUnavailable(f"Swiss Ephemeris cannot compute houses: {str(error).strip()}") from error
    return cusps, ascmc, used, reason
