"""The lean batch behind CalculateNatalCharts: many natal charts as numpy columns.

The same charts as ``compute_natal_charts`` (the same validation in the same order, zones, instants,
positions and houses, computed in time order) without the per-chart objects: no chart builds a
``ResolvedBirthTime``, ``BodyState`` or ``Houses``, each distinct place is resolved once per batch,
and Swiss Ephemeris's answers go into flat arrays read as columns at the end. A batch spends most of
its time inside Swiss Ephemeris; this keeps the Python around it small.
"""
from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from operator import itemgetter

import numpy as np

from services.chart.domain.birth_time import naive_utc, resolve_location, zone_info
from services.chart.domain.errors import InvalidInput
from services.chart.domain.swiss import (
    BODIES,
    EphemerisInfo,
    check_raw_bodies,
    ephemeris_info,
    julian_day_of_fields,
    raw_bodies,
)
from services.chart.domain.western.chart import NOON, ChartRequest, chart_level, checked_birth_date
from services.chart.domain.western.houses import house_system_key, raw_houses


@dataclass(frozen=True)
class NatalPositions:
    """Many charts as columns (row i is request i): what ``compute_natal_positions`` returns.

    Rows of charts in error, and the house columns of charts below level 4, are zeros / empty."""

    errors: list[InvalidInput | None]
    chart_level: np.ndarray  # (n,) int32; 0 in error
    julian_day_ut: np.ndarray  # (n,) float64
    timezone: list[str]
    utc_offset_seconds: np.ndarray  # (n,) int32
    nonexistent_time: np.ndarray  # (n,) bool
    ambiguous_time: np.ndarray  # (n,) bool
    longitudes: np.ndarray  # (n, 12) float64, BODIES order, [0, 360); NaN for Chiron where undefined
    speeds: np.ndarray  # (n, 12) float64, degrees/day; negative = retrograde
    cusps: np.ndarray  # (n, 12) float64
    ascendant: np.ndarray  # (n,) float64
    midheaven: np.ndarray  # (n,) float64
    house_system_used: list[str]
    ephemeris: EphemerisInfo


def compute_natal_positions(requests: Sequence[ChartRequest | InvalidInput]) -> NatalPositions:
    """The charts of ``requests`` as columns. A bad request leaves its InvalidInput in ``errors``; a
    request the caller could not even build (e.g. an unparseable time) may be passed as its
    InvalidInput, which is kept in its slot."""
    n = len(requests)
    errors: list[InvalidInput | None] = [None] * n
    timezone = [""] * n
    house_system_used = [""] * n
    rows = _instants(requests, errors, timezone)
    rows.sort(key=itemgetter(0))  # time order: Swiss Ephemeris reuses the file segment it read last
    # Swiss Ephemeris's answers go straight into flat C arrays and their tuples die at once: keeping a
    # thousand charts' tuples alive until the end cost ~16% of the time (the allocator and the caches).
    values, flags, house_rows, cusps_flat, angles_flat = array("d"), array("q"), [], array("d"), array("d")
    add_values, add_flags, add_cusps, add_angles = values.extend, flags.extend, cusps_flat.extend, angles_flat.extend
    for jd, i, _, _, _, _, latitude, longitude, house_system in rows:
        raw = raw_bodies(jd)
        deque(map(add_values, map(_FIRST, raw)), 0)
        add_flags(map(_SECOND, raw))
        if house_system is not None:  # level 4
            cusps, ascmc, house_system_used[i], _ = raw_houses(jd, latitude, longitude, house_system)
            house_rows.append(i)
            add_cusps(cusps)
            add_angles(ascmc[:2])
    level = np.zeros(n, dtype=np.int32)
    jd = np.zeros(n, dtype=np.float64)
    offset = np.zeros(n, dtype=np.int32)
    nonexistent = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    longitudes = np.zeros((n, len(BODIES)), dtype=np.float64)
    speeds = np.zeros((n, len(BODIES)), dtype=np.float64)
    cusps = np.zeros((n, 12), dtype=np.float64)
    ascendant = np.zeros(n, dtype=np.float64)
    midheaven = np.zeros(n, dtype=np.float64)
    if rows:
        jd_, index, level_, offset_, nonexistent_, ambiguous_, *_ = zip(*rows)
        index = list(index)
        level[index], jd[index], offset[index] = level_, jd_, offset_
        nonexistent[index], ambiguous[index] = nonexistent_, ambiguous_
        check_raw_bodies(np.frombuffer(flags, dtype=np.int64))
        raw_values = np.frombuffer(values, dtype=np.float64).reshape(len(rows), len(BODIES), 6)
        longitudes[index] = _normalized(raw_values[:, :, 0])
        speeds[index] = raw_values[:, :, 3]
    if house_rows:
        cusps[house_rows] = np.frombuffer(cusps_flat, dtype=np.float64).reshape(len(house_rows), 12)
        angles = _normalized(np.frombuffer(angles_flat, dtype=np.float64).reshape(len(house_rows), 2))
        ascendant[house_rows], midheaven[house_rows] = angles[:, 0], angles[:, 1]
    return NatalPositions(errors, level, jd, timezone, offset, nonexistent, ambiguous, longitudes, speeds,
                          cusps, ascendant, midheaven, house_system_used, ephemeris_info())


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _instants(requests: Sequence[ChartRequest | InvalidInput], errors: list, timezone: list[str]) -> list[tuple]:
    """Validate each request and find its instant (``chart._prepare``'s rules, in its order); one row
    per valid request: (Julian day, index, level, UTC offset seconds, nonexistent, ambiguous,
    latitude, longitude, house-system key at level 4 else None). Errors go to ``errors[index]``."""
    rows = []
    places: dict[tuple, tuple] = {}  # (timezone, latitude, longitude, birth_place) -> resolved, once per batch
    house_systems: dict[str | None, str] = {}
    folds: dict[time, tuple[time, time]] = {}  # naive clock times (equal whatever their fold)
    noon = _folds(NOON)
    offsets: dict[timedelta, int] = {}
    for i, request in enumerate(requests):
        if isinstance(request, InvalidInput):
            errors[i] = request
            continue
        try:
            birth_date = checked_birth_date(request.birth_date)
            house_system = house_systems.get(request.house_system)
            if house_system is None:
                house_system = house_systems[request.house_system] = house_system_key(request.house_system)
            key = (request.timezone, request.latitude, request.longitude, request.birth_place)
            place = places.get(key)
            if place is None:
                location = resolve_location(timezone=request.timezone, latitude=request.latitude,
                                            longitude=request.longitude, birth_place=request.birth_place)
                place = places[key] = (location.zone, zone_info(location.zone), location.has_coordinates,
                                       location.latitude, location.longitude)
            zone, info, has_coordinates, latitude, longitude = place
            if request.latitude is not None:  # the request's own floats (a key of 0.0 also finds -0.0)
                latitude, longitude = request.latitude, request.longitude
            clock = request.birth_time
            time_known = clock is not None
            # The clock at fold 0 and at fold 1 (tz-aware clocks are read on the zone resolved above,
            # never on their own offset), built once per distinct clock time.
            if not time_known:
                clocks = noon
            elif clock.tzinfo is None:
                clocks = folds.get(clock)
                if clocks is None:
                    clocks = folds[clock] = _folds(clock)
            else:
                clocks = _folds(clock.replace(tzinfo=None))
            utc, offset, nonexistent, ambiguous = naive_utc(
                datetime.combine(birth_date, clocks[0]), datetime.combine(birth_date, clocks[1]), info)
        except InvalidInput as error:
            errors[i] = error
            continue
        level = chart_level(has_coordinates, time_known)
        timezone[i] = zone
        seconds = offsets.get(offset)
        if seconds is None:
            seconds = offsets[offset] = int(offset.total_seconds())
        rows.append((julian_day_of_fields(utc), i, level, seconds, nonexistent, ambiguous,
                     latitude, longitude, house_system if level == 4 else None))
    return rows


def _folds(clock: time) -> tuple[time, time]:
    return clock.replace(fold=0), clock.replace(fold=1)


def _normalized(longitudes: np.ndarray) -> np.ndarray:
    """``zodiac.normalize`` on an array: [0, 360), never 360.0."""
    values = np.mod(longitudes, 360.0)
    values[values >= 360.0] = 0.0
    return values
