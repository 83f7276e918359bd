"""Body longitudes from the Swiss Ephemeris files and the design moment (88° of solar arc).

Positions are geocentric, apparent, tropical ecliptic longitudes of date, always asked for with
``FLG_SWIEPH``; a call answered by the Moshier fallback (no data file for that body or date) is an
EPHEMERIS_UNAVAILABLE error, never a silently less precise chart. This module never sets the
ephemeris path: the worker process does (``services.chart.adapters.ephemeris``).

North Node is the TRUE (osculating) node, as in "The Definitive Book of Human Design" p36-38 and
the Jovian Archive software; the South Node is exactly opposite. Earth is the Sun + 180°.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from services.chart.domain import swiss
from services.chart.domain.constants import HUMAN_DESIGN_BODIES
from services.chart.domain.human_design import errors

DESIGN_SOLAR_ARC_DEGREES = 88.0
MEAN_SUN_DEGREES_PER_DAY = 0.9856473563866
_SUN_FLAGS = swiss.CALC_FLAGS  # with speed: the design solver's derivative
SOLVER_TOLERANCE_DAYS = 1e-7  # 8.6 ms of time, ~1e-7° of solar arc
_MAX_NEWTON_STEPS = 12

SEED_BODIES = HUMAN_DESIGN_BODIES
# Seed body names -> the Western keys Swiss Ephemeris computes them as; the South Node is derived.
_KEYS: dict[str, str] = {name: "north_node" if name == "North Node" else name.lower()
                         for name in SEED_BODIES if name != "South Node"}
# The node's returned flags always claim SWIEPH (it is derived from the Moon's orbit); the Moon's
# own flag tells whether the lunar file was read.
_FLAG_UNCHECKED = frozenset({"north_node"})
_MISSING_FILE = re.compile(r"file '([^']+)' not found(?: in PATH '([^']*)')?", re.IGNORECASE)


def ephemeris_error(error: Exception) -> errors.HumanDesignError:
    """Map a Swiss Ephemeris exception to EPHEMERIS_UNAVAILABLE (missing file) or CALCULATION_FAILED."""
    text = str(error).strip()
    missing = _MISSING_FILE.search(text)
    if missing:
        return errors.ephemeris_unavailable(missing.group(1), missing.group(2) or None)
    return errors.calculation_failed(text)


def _calc(jd: float, body: str, flags: int = swiss.FLG_SWIEPH) -> tuple[float, ...]:
    try:
        values, returned = swiss.calc(jd, body, flags)
    except swiss.Error as error:
        raise ephemeris_error(error) from error
    if body not in _FLAG_UNCHECKED and not returned & swiss.FLG_SWIEPH:
        raise errors.ephemeris_unavailable()
    return values


def sun_longitude_and_speed(jd: float) -> tuple[float, float]:
    values = _calc(jd, "sun", _SUN_FLAGS)
    return values[0], values[3]


def body_longitudes(jd: float) -> dict[str, float]:
    """Longitude of each seed body at ``jd`` (without Chiron where it is undefined); the South Node is the
    North Node + 180°."""
    longitudes = {name: _calc(jd, key)[0] for name, key in _KEYS.items()
                  if key != "chiron" or swiss.chiron_defined(jd)}  # Chiron: 675-4650 AD only
    longitudes["South Node"] = (longitudes["North Node"] + 180.0) % 360.0
    return longitudes


@dataclass(frozen=True, slots=True)
class DesignMoment:
    julian_day: float
    sun_longitude: float
    target_longitude: float
    residual_degrees: float  # Sun longitude − target at ``julian_day``, wrapped to ±180°
    iterations: int
    method: str  # "newton" or "bisection"

    @property
    def datetime_utc(self) -> datetime:
        return swiss.moment_of(self.julian_day)


def _arc_error(jd: float, target: float) -> tuple[float, float, float]:
    longitude, speed = sun_longitude_and_speed(jd)
    return (longitude - target + 180.0) % 360.0 - 180.0, speed, longitude


def solve_design_moment(birth_jd: float, birth_sun_longitude: float) -> DesignMoment:
    """The instant before birth when the Sun stood exactly 88° of longitude behind its birth place.

    The Sun's geocentric longitude only increases, so the root between 80 and 100 days before
    birth is unique. Newton's method on the wrapped longitude difference, with the Sun's speed
    from the ephemeris as the derivative, starts from the mean-motion guess (88/0.9856 days back)
    and stops when a step is below ``SOLVER_TOLERANCE_DAYS``; it takes 3-4 steps (each step one
    ``swiss.calc`` call). Should it ever leave the bracket or fail to converge, bisection on the
    bracket [birth − 100 d, birth − 80 d] finishes the job.
    """
    target = (birth_sun_longitude - DESIGN_SOLAR_ARC_DEGREES) % 360.0
    low, high = birth_jd - 100.0, birth_jd - 80.0
    jd = birth_jd - DESIGN_SOLAR_ARC_DEGREES / MEAN_SUN_DEGREES_PER_DAY
    for step_count in range(1, _MAX_NEWTON_STEPS + 1):
        error, speed, _ = _arc_error(jd, target)
        if speed <= 0:
            break
        step = error / speed
        jd -= step
        if not low < jd < high:
            break
        if abs(step) < SOLVER_TOLERANCE_DAYS:
            residual, _, longitude = _arc_error(jd, target)
            return DesignMoment(jd, longitude, target, residual, step_count, "newton")
    return _bisect(low, high, target)


def _bisect(low: float, high: float, target: float) -> DesignMoment:
    iterations = 0
    while high - low > SOLVER_TOLERANCE_DAYS:
        iterations += 1
        middle = (low + high) / 2.0
        error, _, _ = _arc_error(middle, target)
        if error > 0:
            high = middle
        else:
            low = middle
    jd = (low + high) / 2.0
    residual, _, longitude = _arc_error(jd, target)
    return DesignMoment(jd, longitude, target, residual, iterations, "bisection")
