"""The daily forecast (numeros-backend-rebuild's DailyForecast): pure, "today" is passed in.

``daily_forecast(day, natal)`` returns one JSON-ready document:

* ``universal_day_number`` and ``numerology``: the universal year, month and day numbers of the
  date (``numerology.universal_cycles``), each with its meaning and the colours of its ruling
  planet (Vedic numerology table; a master number 11/22/33 takes the colours of 2/4/6).
* ``moon``: the tropical Moon sign at 00:00 and at 23:59 UTC, whether it changes that day and, if
  so, the ingress instant (UTC, to the minute); the phase at 12:00 UTC (elongation Moon − Sun,
  illuminated fraction) and the principal phase (new, first quarter, full, last quarter) that
  falls inside the day, if any.
* ``transits``: tropical positions at 12:00 UTC of Sun … Pluto and the true node; the slow
  planets' (Jupiter … Pluto) signs; the planets retrograde at noon; stations (speed changes sign
  during the day); sign ingresses during the day (Sun … Pluto); and the major aspects between
  transiting planets (Sun … Pluto; the Moon forms one every few hours, so it is left out) that
  become exact during the UTC day, with the instant.
* ``personal`` (only with ``natal``): the personal year, month and day numbers (calendar-year rule,
  see ``numerology.cycles``) with meanings and colours, and the transits to the natal chart:
  aspects of the transiting Sun … Pluto at 12:00 UTC to the natal Sun … Pluto (and the Ascendant
  and Midheaven when the birth time and place are known) within ``TRANSIT_ORB`` degrees, closest
  first, each saying whether it is applying.

The day is the UTC calendar day: a forecast is stored once per date for everyone.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from math import cos, radians
from typing import Any

from services.chart.domain.constants import FIRST_DATE, LAST_DATE
from services.chart.domain.errors import InvalidInput
from services.chart.domain.meanings import planet_ruler
from services.chart.domain.numerology import CycleNumber, personal_cycles, universal_cycles
from services.chart.domain.swiss import BodyState, body_states, julian_day, moment_of
from services.chart.domain.western.aspects import ASPECT_KINDS, is_applying
from services.chart.domain.western.chart import ChartRequest, compute_natal_chart
from services.chart.domain.western.zodiac import ZODIAC_SIGNS, separation, sign_index, split_longitude

FORECAST_RULESET_VERSION = "forecast-1.0.0"

PLANETS = ("sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto")
TRANSIT_BODIES = (*PLANETS, "north_node")
SLOW_PLANETS = ("jupiter", "saturn", "uranus", "neptune", "pluto")
ASPECTING = tuple(p for p in PLANETS if p != "moon")  # Sun ... Pluto without the Moon
RETROGRADE_CAPABLE = ("mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto")
TRANSIT_ORB = 3.0  # degrees, transits to the natal chart
PHASES = ((0.0, "new_moon"), (90.0, "first_quarter"), (180.0, "full_moon"), (270.0, "last_quarter"))


def _colours(number: int) -> dict[str, Any]:
    root = (number - 1) % 9 + 1
    ruler = planet_ruler(root)
    return {"planet": ruler.planet, "colours": list(ruler.favourable_colours)}


def _cycle(cycle: CycleNumber) -> dict[str, Any]:
    return {**cycle.to_dict(), **_colours(cycle.number)}


def _utc(day: date, hours: float = 0.0) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc) + timedelta(hours=hours)


def _iso_minute(moment: datetime) -> str:
    return moment.replace(second=0, microsecond=0).isoformat().replace("+00:00", "Z")


def _unwrapped_delta(start: float, end: float) -> float:
    """How far a point moved from ``start`` to ``end`` in a day (less than 180° either way)."""
    return (end - start + 180.0) % 360.0 - 180.0


def _crossing(value0: float, value1: float, target: float) -> float | None:
    """Fraction of the day at which a linearly moving ``value0`` → ``value1`` (unwrapped) passes
    ``target`` modulo 360, or None."""
    lo, hi = min(value0, value1), max(value0, value1)
    k = -((-(lo - target)) // 360.0)  # ceil((lo - target) / 360)
    hit = target + 360.0 * k
    if hit > hi or value0 == value1:
        return None
    return (hit - value0) / (value1 - value0)


def _moon_ingress(jd0: float, start_sign: int) -> float:
    """JD (UT) within the day at which the Moon leaves ``start_sign`` (bisection, ~1 s)."""
    lo, hi = jd0, jd0 + 1.0
    for _ in range(17):
        mid = (lo + hi) / 2.0
        if sign_index(body_states(mid, ("moon",))["moon"].longitude) == start_sign:
            lo = mid
        else:
            hi = mid
    return hi


def _position(state: BodyState) -> dict[str, Any]:
    lon, sign, degree, minute = split_longitude(state.longitude)
    return {"sign": sign, "degree": degree, "minute": minute, "longitude": round(lon, 4),
            "speed": round(state.speed, 4), "is_retrograde": state.speed < 0}


def _moon(day: date, jd0: float, start: dict[str, BodyState], noon: dict[str, BodyState],
          end: dict[str, BodyState]) -> dict[str, Any]:
    late = body_states(julian_day(_utc(day, 23 + 59 / 60)), ("moon",))["moon"]
    sign0, sign1 = sign_index(start["moon"].longitude), sign_index(late.longitude)
    ingress = None
    if sign0 != sign_index(end["moon"].longitude):
        ingress = _iso_minute(moment_of(_moon_ingress(jd0, sign0)))
    elongation = (noon["moon"].longitude - noon["sun"].longitude) % 360.0
    e0 = (start["moon"].longitude - start["sun"].longitude) % 360.0
    e1 = e0 + _unwrapped_delta(e0, (end["moon"].longitude - end["sun"].longitude) % 360.0)
    principal = None
    for angle, name in PHASES:
        fraction = _crossing(e0, e1, angle)
        if fraction is not None:
            principal = {"phase": name, "exact_utc": _iso_minute(_utc(day, fraction * 24.0))}
    return {
        "sign_at_start": ZODIAC_SIGNS[sign0], "sign_at_end": ZODIAC_SIGNS[sign1],
        "changes_sign": sign0 != sign1, "ingress_utc": ingress,
        "sign_times": {"start": "00:00Z", "end": "23:59Z"},
        "phase": {"name": _phase_name(elongation), "elongation": round(elongation, 2),
                  "illumination": round((1 - cos(radians(elongation))) / 2, 3), "waxing": elongation < 180.0,
                  "at": "12:00Z"},
        "principal_phase_today": principal,
    }


def _phase_name(elongation: float) -> str:
    names = ("new_moon", "waxing_crescent", "first_quarter", "waxing_gibbous", "full_moon", "waning_gibbous",
             "last_quarter", "waning_crescent")
    return names[int(((elongation + 22.5) % 360.0) // 45.0)]


def _transit_aspects(day: date, start: dict[str, BodyState], end: dict[str, BodyState]) -> list[dict[str, Any]]:
    found = []
    for i, p1 in enumerate(ASPECTING):
        for p2 in ASPECTING[i + 1:]:
            d0 = (start[p2].longitude - start[p1].longitude) % 360.0
            d1 = d0 + _unwrapped_delta(d0, (end[p2].longitude - end[p1].longitude) % 360.0)
            for kind in ASPECT_KINDS:
                targets = {kind.angle % 360.0, (360.0 - kind.angle) % 360.0}
                hits = [f for f in (_crossing(d0, d1, t) for t in targets) if f is not None]
                if hits:
                    found.append({"planet1": p1, "planet2": p2, "aspect": kind.name,
                                  "exact_utc": _iso_minute(_utc(day, min(hits) * 24.0))})
    return sorted(found, key=lambda a: a["exact_utc"])


def _transits(start: dict[str, BodyState], noon: dict[str, BodyState], end: dict[str, BodyState],
              day: date) -> dict[str, Any]:
    stations = [{"planet": p, "station": "retrograde" if end[p].speed < 0 else "direct"}
                for p in RETROGRADE_CAPABLE if (start[p].speed < 0) != (end[p].speed < 0)]
    ingresses = [{"planet": p, "from": ZODIAC_SIGNS[sign_index(start[p].longitude)],
                  "to": ZODIAC_SIGNS[sign_index(end[p].longitude)]}
                 for p in ASPECTING if sign_index(start[p].longitude) != sign_index(end[p].longitude)]
    return {
        "at": "12:00Z",
        "positions": {name: _position(state) for name, state in noon.items()},
        "slow_planets": {p: ZODIAC_SIGNS[sign_index(noon[p].longitude)] for p in SLOW_PLANETS},
        "retrograde": [p for p in RETROGRADE_CAPABLE if noon[p].speed < 0],
        "stations": stations,
        "ingresses": ingresses,
        "aspects": _transit_aspects(day, start, end),
        "aspects_rule": "major aspects (conjunction, sextile, square, trine, opposition) between Sun ... Pluto "
                        "that become exact during the UTC day; the Moon is left out",
    }


def _personal(day: date, natal: ChartRequest, noon: dict[str, BodyState]) -> dict[str, Any]:
    cycles = personal_cycles(natal.birth_date, day)
    chart = compute_natal_chart(natal.birth_date, natal.birth_time, latitude=natal.latitude,
                                longitude=natal.longitude, timezone=natal.timezone, birth_place=natal.birth_place,
                                house_system=natal.house_system)
    points = {name: (chart.planets[name].longitude, chart.planets[name].speed) for name in PLANETS}
    if chart.houses is not None:
        points["ascendant"] = (chart.houses.ascendant, 0.0)
        points["midheaven"] = (chart.houses.midheaven, 0.0)
    aspects = []
    for transiting in ASPECTING:
        t = noon[transiting]
        for natal_point, (longitude, _speed) in points.items():
            angle = separation(t.longitude, longitude)
            for kind in ASPECT_KINDS:
                orb = abs(angle - kind.angle)
                if orb <= TRANSIT_ORB:
                    aspects.append({
                        "transiting": transiting, "natal": natal_point, "aspect": kind.name, "orb": round(orb, 2),
                        "applying": is_applying(kind, t.longitude, t.speed, longitude, 0.0),
                        "harmonious": kind.harmonious,
                        "transit_house": chart.houses.house_of(t.longitude) if chart.houses is not None else None,
                    })
    aspects.sort(key=lambda a: a["orb"])
    return {
        "personal_year": _cycle(cycles.personal_year),
        "personal_month": _cycle(cycles.personal_month),
        "personal_day": _cycle(cycles.personal_day),
        "personal_day_number": cycles.personal_day.number,
        "natal_chart_level": chart.chart_level,
        "natal_moon_uncertain": bool(chart.moon_sign_changes),
        "transits_to_natal": aspects,
        "transits_rule": f"transiting Sun ... Pluto at 12:00Z to natal Sun ... Pluto (and Ascendant/Midheaven "
                         f"at chart level 4) within {TRANSIT_ORB:g} degrees; applying = orb shrinking",
    }


def daily_forecast(day: date, natal: ChartRequest | None = None) -> dict[str, Any]:
    """The forecast of one UTC day, personalised when ``natal`` birth data is given.

    Raises ``InvalidInput`` ("date", or the natal field) and ``EphemerisUnavailable``."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InvalidInput("date", f"must be between {FIRST_DATE} and {LAST_DATE} (the range of the ephemeris files)")
    jd0 = julian_day(_utc(day))
    start = body_states(jd0, TRANSIT_BODIES)
    noon = body_states(jd0 + 0.5, TRANSIT_BODIES)
    end = body_states(jd0 + 1.0, TRANSIT_BODIES)
    universal = universal_cycles(day)
    document: dict[str, Any] = {
        "date": day.isoformat(),
        "universal_day_number": universal.universal_day.number,
        "numerology": {
            "universal_year": _cycle(universal.universal_year),
            "universal_month": _cycle(universal.universal_month),
            "universal_day": _cycle(universal.universal_day),
        },
        "colors": _colours(universal.universal_day.number)["colours"],
        "moon": _moon(day, jd0, start, noon, end),
        "transits": _transits(start, noon, end, day),
        "zodiac": "tropical, geocentric, apparent; true node",
        "day_basis": "UTC calendar day",
        "personalized": natal is not None,
        "ruleset_version": FORECAST_RULESET_VERSION,
    }
    if natal is not None:
        document["personal"] = _personal(day, natal, noon)
    return document
