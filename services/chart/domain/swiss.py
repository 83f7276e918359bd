"""The one module that calls Swiss Ephemeris (``swisseph``): positions, houses, ayanamsas, sunrise,
Julian days and the library's process-wide state.

The ephemeris path is process-wide state set once per worker (``adapters.ephemeris``); nothing
else sets it. Every position is checked to come from the Swiss Ephemeris files: without them the
library silently falls back to the less precise Moshier model, which we refuse.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from typing import NamedTuple

import numpy as np
import swisseph as swe

from services.chart.domain.constants import CHIRON_JD_RANGE, EPHEMERIS_SET, WESTERN_BODIES

Error = swe.Error  # what the library raises; callers that map it to their own errors catch this
VERSION: str = swe.version
FLG_SWIEPH = swe.FLG_SWIEPH
# Tropical, geocentric, apparent positions (no TRUEPOS/NOABERR/NONUT), with speeds for retrogrades.
CALC_FLAGS = swe.FLG_SWIEPH | swe.FLG_SPEED

_IDS = (swe.SUN, swe.MOON, swe.MERCURY, swe.VENUS, swe.MARS, swe.JUPITER, swe.SATURN, swe.URANUS, swe.NEPTUNE,
        swe.PLUTO, swe.TRUE_NODE, swe.CHIRON)
BODIES: dict[str, int] = dict(zip(WESTERN_BODIES, _IDS, strict=True))

# House-system keys (``domain.aliases``) -> Swiss Ephemeris codes.
HOUSE_CODES: dict[str, bytes] = {
    "placidus": b"P", "koch": b"K", "whole_sign": b"W", "equal": b"A", "porphyry": b"O", "regiomontanus": b"R",
    "campanus": b"C",
}
# Ayanamsa keys (``domain.aliases``) -> Swiss Ephemeris sidereal modes.
SIDEREAL_MODES: dict[str, int] = {
    "lahiri": swe.SIDM_LAHIRI, "raman": swe.SIDM_RAMAN, "krishnamurti": swe.SIDM_KRISHNAMURTI,
    "fagan_bradley": swe.SIDM_FAGAN_BRADLEY, "true_chitrapaksha": swe.SIDM_TRUE_CITRA,
}
_LIBRARY_DEFAULT_SID_MODE = swe.SIDM_FAGAN_BRADLEY
# Sunrise as Indian panchangas define it (and PyJHora): the centre of the Sun's disc on the
# geometric horizon, no refraction (Swiss Ephemeris BIT_HINDU_RISING).
SUNRISE_FLAGS = swe.CALC_RISE | swe.BIT_HINDU_RISING
_FILE_SLOTS = (0, 1, 2)  # planets, Moon, main asteroids (Chiron)
# One body per kind of data file (sepl, semo, seas), read to prove the file is really used. The asteroid
# files are probed with Ceres: Chiron is not defined over their whole span (``CHIRON_JD_RANGE``).
PROBE_BODIES = {"sepl": swe.SUN, "semo": swe.MOON, "seas": swe.CERES}
_CHIRON = BODIES["chiron"]
_CHIRON_FROM, _CHIRON_TO = CHIRON_JD_RANGE


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
    data_set: str = EPHEMERIS_SET

    def to_dict(self) -> dict:
        return {"source": self.source, "version": self.version, "data_set": self.data_set, "files": list(self.files)}


# --- Julian days -------------------------------------------------------------------------------

def julian_day(utc: datetime) -> float:
    """Julian day (UT) of an aware datetime; naive datetimes are rejected, not guessed."""
    if utc.tzinfo is None:
        raise ValueError("julian_day needs an aware datetime")
    return julian_day_of_fields(utc if utc.tzinfo is UTC else utc.astimezone(UTC))


def julian_day_of_fields(t: datetime) -> float:
    """Julian day (UT) of a datetime's clock fields read as UTC, whatever its tzinfo (the batch of
    charts keeps its UTC instants naive)."""
    hours = t.hour + t.minute / 60.0 + (t.second + t.microsecond / 1e6) / 3600.0
    return swe.julday(t.year, t.month, t.day, hours, swe.GREG_CAL)


def julian_day_of_gregorian(year: int, month: int, day: int) -> float:
    """Julian day (UT) of 00:00 UT on a proleptic Gregorian date, any year (0 is 1 BC)."""
    return swe.julday(year, month, day, 0.0, swe.GREG_CAL)


def julian_day_of_date(day: date) -> float:
    """Julian day (UT) of 00:00 UT on ``day``."""
    return swe.julday(day.year, day.month, day.day, 0.0, swe.GREG_CAL)


def moment_of(jd_ut: float) -> datetime:
    """The aware UTC datetime of a Julian day (UT), to the microsecond."""
    year, month, day, hours = swe.revjul(jd_ut, swe.GREG_CAL)
    return datetime(year, month, day, tzinfo=UTC) + timedelta(microseconds=round(hours * 3_600_000_000))


def date_of(jd_ut: float) -> date:
    """The UT calendar date a Julian day falls on."""
    year, month, day, _ = swe.revjul(jd_ut, swe.GREG_CAL)
    return date(year, month, day)


_GREGORIAN_CYCLE_DAYS = 146097  # 400 Gregorian years: the calendar repeats, weekdays included
_FIRST_DATETIME_JD = swe.julday(1, 1, 1, 0.0, swe.GREG_CAL)


def _shifted(jd_ut: float) -> tuple[float, int]:
    """``jd_ut`` moved forward by whole 400-year cycles into Python's years (1-9999), and the years moved."""
    cycles = 0 if jd_ut >= _FIRST_DATETIME_JD else int((_FIRST_DATETIME_JD - jd_ut) // _GREGORIAN_CYCLE_DAYS) + 1
    return jd_ut + cycles * _GREGORIAN_CYCLE_DAYS, cycles * 400


def _iso_year(year: int) -> str:
    """ISO 8601 (astronomical) year numbering: 0000 is 1 BC, -0001 is 2 BC."""
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


def iso_date(jd_ut: float, utc_offset_seconds: int = 0) -> str:
    """``YYYY-MM-DD`` of the calendar date a Julian day falls on at a UTC offset, also before year 1
    (a dasha that began before a birth in year 1)."""
    jd, years = _shifted(jd_ut + utc_offset_seconds / 86400.0)
    day = date_of(jd)
    return f"{_iso_year(day.year - years)}-{day:%m-%d}"


def iso_moment_ms(jd_ut: float) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` of a Julian day (UT), to the millisecond, also before year 1 (the
    design moment of a birth early in year 1)."""
    jd, years = _shifted(jd_ut)
    moment = moment_of(jd) + timedelta(microseconds=500)
    return f"{_iso_year(moment.year - years)}-{moment:%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


# --- positions ---------------------------------------------------------------------------------

def calc(jd_ut: float, body: str, flags: int = FLG_SWIEPH) -> tuple[tuple[float, ...], int]:
    """``swe.calc_ut`` for one body by its Western key: (values, returned flags); raises ``Error``."""
    return swe.calc_ut(jd_ut, BODIES[body], flags)


def body_state(jd_ut: float, name: str) -> BodyState:
    """One ``calc_ut`` call for one body, with the Moshier fallback turned into an error."""
    return body_states(jd_ut, (name,))[name]


def chiron_defined(jd_ut: float) -> bool:
    """Whether Swiss Ephemeris gives Chiron at ``jd_ut`` (675-4650 AD; its orbit is chaotic outside)."""
    return _CHIRON_FROM <= jd_ut <= _CHIRON_TO


_ALL_NAMES = tuple(BODIES)
_ALL_BODIES = tuple(BODIES.items())


def body_states(jd_ut: float, names: tuple[str, ...] = _ALL_NAMES) -> dict[str, BodyState]:
    """``body_state`` for each name, in order; Chiron is left out where it is not defined
    (``chiron_defined``). One tight loop without a Python call per body: the batch RPC runs it for
    thousands of charts, and every microsecond around ``calc_ut`` counts."""
    states = {}
    calc_ut, swieph, new_tuple = swe.calc_ut, swe.FLG_SWIEPH, tuple.__new__
    no_chiron = not _CHIRON_FROM <= jd_ut <= _CHIRON_TO
    for name, body in _ALL_BODIES if names is _ALL_NAMES else ((name, BODIES[name]) for name in names):
        if no_chiron and body == _CHIRON:
            continue
        try:
            values, returned_flags = calc_ut(jd_ut, body, CALC_FLAGS)
        except swe.Error as error:
            raise EphemerisUnavailable(f"Swiss Ephemeris cannot compute {name}: {str(error).strip()}") from error
        if not returned_flags & swieph:
            raise _fell_back(name)
        states[name] = new_tuple(BodyState, (values[0], values[1], values[3]))  # BodyState(...) minus a frame
    return states


_IDS_WITHOUT_CHIRON = tuple(body for body in _IDS if body != _CHIRON)
_CALC_FLAGS = (CALC_FLAGS,) * len(_IDS)
# Chiron where Swiss Ephemeris does not define it: NaN values, flagged as from the files (nothing was read).
_UNDEFINED_CHIRON = ((math.nan,) * 6, FLG_SWIEPH)


def raw_bodies(jd_ut: float) -> list[tuple[tuple[float, ...], int]]:
    """``calc_ut``'s raw answer for the twelve bodies at one instant, in BODIES order, Chiron as NaN
    where it is undefined: ``body_states`` for the batch of charts, with no Python frame per body.
    The Moshier check is left to ``check_raw_bodies``, once for the whole batch."""
    try:
        if _CHIRON_FROM <= jd_ut <= _CHIRON_TO:
            return list(map(swe.calc_ut, repeat(jd_ut), _IDS, _CALC_FLAGS))
        raw = list(map(swe.calc_ut, repeat(jd_ut), _IDS_WITHOUT_CHIRON, _CALC_FLAGS))
    except swe.Error:
        body_states(jd_ut)  # raises EphemerisUnavailable naming the body
        raise
    raw.append(_UNDEFINED_CHIRON)
    return raw


def check_raw_bodies(returned_flags: np.ndarray) -> None:
    """``body_states``'s Moshier check over (charts, 12) returned flags of ``raw_bodies``."""
    missing = np.flatnonzero((returned_flags & FLG_SWIEPH) == 0)
    if missing.size:
        raise _fell_back(_ALL_NAMES[missing[0] % len(_ALL_NAMES)])


def _fell_back(name: str) -> EphemerisUnavailable:
    return EphemerisUnavailable(
        f"Swiss Ephemeris files not found: {name} fell back to the Moshier model (set the ephemeris path)")


def houses(jd_ut: float, latitude: float, longitude: float, system: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(12 cusps, ascmc) for a house-system key; raises ``Error`` where the system is undefined."""
    cusps, ascmc = swe.houses_ex(jd_ut, latitude, longitude, HOUSE_CODES[system])
    return cusps[:12], ascmc


def ayanamsa_degrees(ayanamsa: str, jds_ut: Sequence[float]) -> list[float]:
    """The ayanamsa (with nutation, as FLG_SIDEREAL subtracts it) at each instant, for one ayanamsa key.

    Swiss Ephemeris keeps the sidereal mode globally: this is the only place that touches it. It
    sets the mode, reads the values and puts the library default (Fagan-Bradley, mode 0) back, even
    on error. Each worker runs one computation at a time, so nothing else observes the mode between.
    """
    swe.set_sid_mode(SIDEREAL_MODES[ayanamsa], 0.0, 0.0)
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


# --- the library's state -----------------------------------------------------------------------

def set_ephemeris_path(path: str) -> None:
    """Point this process's Swiss Ephemeris at ``path``; its state is process-wide."""
    swe.set_ephe_path(path)


def read_problem(kind: str, jd_ut: float) -> str | None:
    """Why the data file of ``kind`` (sepl, semo, seas) for ``jd_ut`` cannot be read, or None when it
    can and is the file Swiss Ephemeris opened."""
    try:
        _, returned_flags = swe.calc_ut(jd_ut, PROBE_BODIES[kind], swe.FLG_SWIEPH)
    except swe.Error as error:
        return str(error).strip()
    return None if returned_flags & swe.FLG_SWIEPH else "Swiss Ephemeris fell back to the Moshier model"


def file_in_use(kind: str) -> str | None:
    """The name of the data file of ``kind`` (sepl, semo, seas) Swiss Ephemeris read last."""
    path = swe.get_current_file_data(tuple(PROBE_BODIES).index(kind))[0]
    return path.rsplit("/", 1)[-1] if path else None


def ephemeris_info(jd_ut: float | None = None) -> EphemerisInfo:
    """Source, library version and the data files actually opened by the last computations; with
    ``jd_ut``, only those covering that instant (an asteroid file left open by an earlier chart is not
    named for a chart without Chiron)."""
    files = []
    for slot in _FILE_SLOTS:
        path, start, end, _ = swe.get_current_file_data(slot)
        if path and (jd_ut is None or start <= jd_ut <= end):
            files.append(path.rsplit("/", 1)[-1])
    return EphemerisInfo("Swiss Ephemeris", swe.version, tuple(files))
