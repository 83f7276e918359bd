"""The one place that calls Swiss Ephemeris for body positions.

The ephemeris path is process-wide state set once per worker (``adapters.ephemeris.init_worker``);
nothing here sets it. Every position is checked to come from the Swiss Ephemeris files: without
them the library silently falls back to the less precise Moshier model, which we refuse.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple

import swisseph as swe

# Tropical, geocentric, apparent positions (no TRUEPOS/NOABERR/NONUT), with speeds for retrogrades.
CALC_FLAGS = swe.FLG_SWIEPH | swe.FLG_SPEED

# The seed's twelve keys, in output order; the lunar node is the TRUE (osculating) node.
BODIES: dict[str, int] = {
    "sun": swe.SUN,
    "moon": swe.MOON,
    "mercury": swe.MERCURY,
    "venus": swe.VENUS,
    "mars": swe.MARS,
    "jupiter": swe.JUPITER,
    "saturn": swe.SATURN,
    "uranus": swe.URANUS,
    "neptune": swe.NEPTUNE,
    "pluto": swe.PLUTO,
    "north_node": swe.TRUE_NODE,
    "chiron": swe.CHIRON,
}

# sepl_18/semo_18/seas_18 cover 1800-01-01 .. 2399-12-31 (JD UT; the files run a little wider).
FIRST_SUPPORTED_JD = swe.julday(1800, 1, 1, 0.0)
LAST_SUPPORTED_JD = swe.julday(2400, 1, 1, 0.0)
_FILE_SLOTS = (0, 1, 2)  # planets, Moon, main asteroids (Chiron)


class EphemerisUnavailable(RuntimeError):
    """Swiss Ephemeris files are missing or unreadable; the API answers EPHEMERIS_UNAVAILABLE."""


class BodyState(NamedTuple):
    """Raw ephemeris output (a NamedTuple: a chart makes twelve, so construction cost counts)."""

    longitude: float
    latitude: float
    speed: float  # degrees per day in longitude; negative means retrograde


@dataclass(frozen=True)
class EphemerisInfo:
    source: str
    version: str
    files: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"source": self.source, "version": self.version, "files": list(self.files)}


def julian_day_ut(utc: datetime) -> float:
    """Julian day (UT) of an aware datetime; naive datetimes are rejected, not guessed."""
    if utc.tzinfo is None:
        raise ValueError("julian_day_ut needs an aware datetime")
    t = utc if utc.tzinfo is timezone.utc else utc.astimezone(timezone.utc)
    hours = t.hour + t.minute / 60.0 + (t.second + t.microsecond / 1e6) / 3600.0
    return swe.julday(t.year, t.month, t.day, hours, swe.GREG_CAL)


def body_state(jd_ut: float, name: str) -> BodyState:
    """One ``calc_ut`` call for one body, with the Moshier fallback turned into an error."""
    return body_states(jd_ut, (name,))[name]


_ALL_NAMES = tuple(BODIES)
_ALL_BODIES = tuple(BODIES.items())


def body_states(jd_ut: float, names: tuple[str, ...] = _ALL_NAMES) -> dict[str, BodyState]:
    """``body_state`` for each name, in order. One tight loop without a Python call per body: the
    batch RPC runs it for thousands of charts, and every microsecond around ``calc_ut`` counts."""
    states = {}
    calc_ut, swieph, new_tuple = swe.calc_ut, swe.FLG_SWIEPH, tuple.__new__
    for name, body in _ALL_BODIES if names is _ALL_NAMES else ((name, BODIES[name]) for name in names):
        try:
            values, returned_flags = calc_ut(jd_ut, body, CALC_FLAGS)
        except swe.Error as error:
            raise EphemerisUnavailable(f"Swiss Ephemeris cannot compute {name}: {str(error).strip()}") from error
        if not returned_flags & swieph:
            raise EphemerisUnavailable(
                f"Swiss Ephemeris files not found: {name} fell back to the Moshier model (set the ephemeris path)"
            )
        states[name] = new_tuple(BodyState, (values[0], values[1], values[3]))  # BodyState(...) minus a frame
    return states


def ephemeris_info() -> EphemerisInfo:
    """Source, library version and the data files actually opened by the last computations."""
    files = []
    for slot in _FILE_SLOTS:
        path = swe.get_current_file_data(slot)[0]
        if path:
            files.append(path.rsplit("/", 1)[-1])
    return EphemerisInfo("Swiss Ephemeris", swe.version, tuple(files))
