"""Western natal chart: tropical, geocentric, apparent positions from Swiss Ephemeris.

Chart levels, as the seed defines them:

1. date only — positions at **noon**: local noon when an explicit ``timezone`` is given, else
   12:00 UTC. The Moon moves ~13° a day, so the chart says whether its sign (and the Sun's) changes
   between the day's start and end.
2. date + location — local noon at the place's zone; same day check.
3. date + time — all planets, no houses; the time is on the explicit zone, else taken as UTC.
4. date + time + location — everything, with houses.

"Location" means coordinates, given or found by the gazetteer from ``birth_place``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import NamedTuple

from services.chart.domain.birth_time import BirthLocation, ResolvedBirthTime, localize, resolve_location
from services.chart.domain.constants import CHIRON_NOTE, FIRST_DATE, LAST_DATE
from services.chart.domain.errors import InvalidInput
from services.chart.domain.swiss import (
    BODIES,
    BodyState,
    EphemerisInfo,
    body_state,
    body_states,
    ephemeris_info,
    julian_day,
    julian_day_of_date,
)
from services.chart.domain.western.aspects import Aspect, chart_aspects
from services.chart.domain.western.houses import Houses, house_system_key, houses_for_key
from services.chart.domain.western.zodiac import SignPosition, sign_position, split_longitude

NOON = time(12, 0)

# The native app's AnglePosition {sign, degree, minute, longitude} is exactly a SignPosition.
AnglePosition = SignPosition


class PlanetPosition(NamedTuple):
    """A body in a chart (a NamedTuple: a chart makes twelve, so construction cost counts)."""

    planet: str
    sign: str
    degree: int
    minute: int
    longitude: float
    latitude: float
    speed: float  # degrees/day in longitude
    house: int | None
    is_retrograde: bool

    @classmethod
    def of(cls, planet: str, state: BodyState, house: int | None) -> PlanetPosition:
        lon, sign, degree, minute = split_longitude(state.longitude)
        return cls(planet, sign, degree, minute, lon, state.latitude, state.speed, house, state.speed < 0)

    def to_dict(self) -> dict:
        _, sign, degree, minute, longitude, _, speed, house, is_retrograde = self  # one unpacking, twelve a chart
        return {
            "sign": sign, "degree": degree, "minute": minute, "longitude": round(longitude, 4), "house": house,
            "is_retrograde": is_retrograde, "speed": round(speed, 4),
        }


@dataclass(frozen=True)
class SignOverDay:
    """A body's sign at the start and at the end of the birth day (for charts without a time)."""

    body: str
    at_day_start: str
    at_day_end: str

    @property
    def changes_sign(self) -> bool:
        return self.at_day_start != self.at_day_end

    def to_dict(self) -> dict:
        return {"at_day_start": self.at_day_start, "at_day_end": self.at_day_end, "changes_sign": self.changes_sign}


class ChartRequest(NamedTuple):
    """One chart's birth data (a NamedTuple: a batch builds thousands)."""

    birth_date: date
    birth_time: time | None = None
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = None
    birth_place: str | None = None
    house_system: str | None = None


@dataclass(frozen=True)
class NatalChart:
    chart_level: int
    time_known: bool
    birth: ResolvedBirthTime  # the instant used (noon when the time is unknown)
    planets: dict[str, PlanetPosition]  # the seed's twelve keys, in BODIES order
    houses: Houses | None  # level 4 only
    signs_over_day: tuple[SignOverDay, ...]  # sun and moon, levels 1-2 only
    ephemeris: EphemerisInfo

    @cached_property
    def aspects(self) -> tuple[Aspect, ...]:
        """Aspects between the chart's bodies, computed on first use (a third of a chart's cost)."""
        return chart_aspects({name: (p.longitude, p.speed) for name, p in self.planets.items()})

    @property
    def julian_day_ut(self) -> float:
        return julian_day(self.birth.utc)

    @cached_property
    def ascendant(self) -> AnglePosition | None:
        return sign_position(self.houses.ascendant) if self.houses else None

    @cached_property
    def midheaven(self) -> AnglePosition | None:
        return sign_position(self.houses.midheaven) if self.houses else None

    @property
    def moon_sign_changes(self) -> bool | None:
        """Whether the Moon changes sign during the birth day; None when the birth time is known."""
        moon = next((s for s in self.signs_over_day if s.body == "moon"), None)
        return moon.changes_sign if moon else None

    def longitudes(self, names: Sequence[str]) -> tuple[float, ...]:
        return tuple(self.planets[name].longitude for name in names)

    def to_dict(self) -> dict:
        data: dict = {
            "chart_level": self.chart_level,
            "planets": {name: position.to_dict() for name, position in self.planets.items()},
        }
        if self.houses is not None:
            data["angles"] = {"ascendant": self.ascendant.to_dict(), "midheaven": self.midheaven.to_dict()}
            data["houses"] = [round(cusp, 4) for cusp in self.houses.cusps]
            data["house_system"] = self.houses.system_requested
            data["house_system_used"] = self.houses.system_used
            data["house_system_fallback_reason"] = self.houses.fallback_reason
        data["aspects"] = [aspect.to_dict() for aspect in self.aspects]
        data["birth"] = {**self.birth.to_dict(), "time_known": self.time_known}
        if self.signs_over_day:
            data["moon_sign_changes"] = self.moon_sign_changes
            data["signs_over_day"] = {s.body: s.to_dict() for s in self.signs_over_day}
        data["ephemeris"] = self.ephemeris.to_dict()
        if len(self.planets) < len(BODIES):
            data["notes"] = [CHIRON_NOTE]
        return data


def compute_natal_chart(
    birth_date: date,
    birth_time: time | None = None,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    timezone: str | None = None,
    birth_place: str | None = None,
    house_system: str | None = None,
) -> NatalChart:
    """The natal chart for the given birth data; raises InvalidInput naming the bad field."""
    return _compute(_prepare(ChartRequest(
        birth_date, birth_time, latitude, longitude, timezone, birth_place, house_system)))


def compute_natal_charts(requests: Sequence[ChartRequest]) -> list[NatalChart | InvalidInput]:
    """Many charts in one call, in input order; a bad request yields its InvalidInput in its slot.

    Charts are computed in time order: Swiss Ephemeris keeps the last file segment it read, so
    neighbouring instants are cheaper (~30% on random birth dates).
    """
    results: list[NatalChart | InvalidInput | None] = [None] * len(requests)
    prepared = []
    for i, request in enumerate(requests):
        try:
            prepared.append((i, _prepare(request)))
        except InvalidInput as error:
            results[i] = error
    prepared.sort(key=lambda pair: pair[1].birth.utc)
    for i, item in prepared:
        results[i] = _compute(item)
    return results  # type: ignore[return-value]


class _Prepared(NamedTuple):  # a NamedTuple: built once per chart, a frozen dataclass costs 3x as much
    level: int
    time_known: bool
    birth: ResolvedBirthTime
    house_system: str


def checked_birth_date(value: object) -> date:
    """The birth date if the ephemeris covers it (the single chart and the batch check it alike)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput("birth_date", "must be a date")
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InvalidInput("birth_date", f"must be between {FIRST_DATE} and {LAST_DATE}")
    return value


def chart_level(has_coordinates: bool, time_known: bool) -> int:
    """The chart level (see the module docstring) for what the request gives."""
    return (2 if has_coordinates else 1) + (2 if time_known else 0)


def _prepare(request: ChartRequest) -> _Prepared:
    """Validate, resolve the zone and the instant; no ephemeris work yet."""
    checked_birth_date(request.birth_date)
    house_system = house_system_key(request.house_system)
    location = resolve_location(timezone=request.timezone, latitude=request.latitude,
                                longitude=request.longitude, birth_place=request.birth_place)
    time_known = request.birth_time is not None
    clock = request.birth_time if time_known else NOON
    if clock.tzinfo is not None:  # the clock is read on the zone resolved above, never on its own offset
        clock = clock.replace(tzinfo=None)
    level = chart_level(location.has_coordinates, time_known)
    return _Prepared(level, time_known, localize(datetime.combine(request.birth_date, clock), location), house_system)


def _compute(prepared: _Prepared) -> NatalChart:
    birth = prepared.birth
    jd = julian_day(birth.utc)
    states = body_states(jd)
    houses = None
    if prepared.level == 4:
        houses = houses_for_key(jd, birth.location.latitude, birth.location.longitude, prepared.house_system)
    in_houses = houses.houses_of(s.longitude for s in states.values()) if houses else [None] * len(states)
    planets = {name: PlanetPosition.of(name, state, house)
               for (name, state), house in zip(states.items(), in_houses)}
    signs_over_day = () if prepared.time_known else _signs_over_day(birth.local.date(), birth.location)
    return NatalChart(prepared.level, prepared.time_known, birth, planets, houses, signs_over_day,
                      ephemeris_info(jd))


def _signs_over_day(day: date, location: BirthLocation) -> tuple[SignOverDay, ...]:
    try:
        start = julian_day(localize(datetime.combine(day, time(0, 0)), location).utc)
    except InvalidInput:  # 0001-01-01 east of Greenwich starts before Python's first UTC instant
        start = julian_day_of_date(day) - localize(datetime.combine(day, NOON), location).utc_offset_seconds / 86400
    end = julian_day(localize(datetime.combine(day + timedelta(days=1), time(0, 0)), location).utc)
    return tuple(
        SignOverDay(body, sign_position(body_state(start, body).longitude).sign,
                    sign_position(body_state(end, body).longitude).sign)
        for body in ("sun", "moon")
    )


