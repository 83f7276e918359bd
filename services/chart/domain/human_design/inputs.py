"""Human Design's input rules (the seed's fields, codes and messages) in front of the shared birth-time
resolution (``domain.birth_time``):

- ``birth_datetime`` is ISO 8601; one that carries its own UTC offset is taken as that instant,
  its local clock time re-read in ``birth_timezone`` (which also settles a repeated clock time).
- Zone names are checked against the installed tz database. The machine-dependent ``localtime``,
  the placeholder ``Factory`` and the POSIX-style abbreviation zones (``EST``, ``MST``, ``HST``,
  ``EST5EDT`` ...) are refused, as the seed asks ("America/New_York", not "EST").
- The supported dates are every chart type's (years 1-3000); the files also cover the design moment,
  about 88 days before birth, and an instant before 0001-01-01T00:00Z is INVALID_DATE.
"""
from __future__ import annotations

import functools
import math
import zoneinfo
from datetime import UTC, date, datetime, timedelta

from numeros_common.fields import REFUSED_ZONES
from services.chart.domain.birth_time import BirthLocation, ResolvedBirthTime, localize
from services.chart.domain.constants import FIRST_DATE as FIRST_BIRTH_DATE
from services.chart.domain.constants import LAST_DATE as LAST_BIRTH_DATE
from services.chart.domain.errors import InvalidInput
from services.chart.domain.human_design import errors

LATITUDE_LIMIT = 90
LONGITUDE_LIMIT = 180
NAME_LIMIT = 100



@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def resolve_zone(name: object) -> zoneinfo.ZoneInfo:
    """The IANA zone called ``name``, or INVALID_TIMEZONE."""
    if not isinstance(name, str) or name in REFUSED_ZONES or name not in _known_zones():
        raise errors.invalid_timezone(name)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise errors.invalid_timezone(name) from error


def parse_birth_datetime(value: object) -> datetime:
    """An ISO 8601 date-time string (or a ``datetime``) as a ``datetime``; INVALID_DATE otherwise."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise errors.invalid_datetime_format(value)


def resolve_birth_time(birth_datetime: object, birth_timezone: object) -> ResolvedBirthTime:
    """Validate the date-time, the supported date range and the zone, and find the instant."""
    parsed = parse_birth_datetime(birth_datetime)
    _check_range(parsed.date())
    zone = resolve_zone(birth_timezone)
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        try:
            in_zone = parsed.astimezone(zone)
        except OverflowError:  # an instant before 0001-01-01T00:00Z
            raise errors.date_out_of_range(parsed.isoformat(), FIRST_BIRTH_DATE.isoformat(),
                                           LAST_BIRTH_DATE.isoformat()) from None
        local, fold = in_zone.replace(tzinfo=None), in_zone.fold
        _check_range(local.date())
    else:
        local, fold = parsed.replace(tzinfo=None, fold=0), 0
    try:
        return localize(local, BirthLocation(zone.key, "explicit"), fold)
    except InvalidInput as error:  # before 0001-01-01T00:00Z
        raise errors.date_out_of_range(f"{local.isoformat()} ({error.reason})", FIRST_BIRTH_DATE.isoformat(),
                                       LAST_BIRTH_DATE.isoformat()) from None


def _check_range(day: date) -> None:
    if not FIRST_BIRTH_DATE <= day <= LAST_BIRTH_DATE:
        first, last = FIRST_BIRTH_DATE.isoformat(), LAST_BIRTH_DATE.isoformat()
        raise errors.date_out_of_range(day.isoformat(), first, last)


def validate_coordinate(field: str, value: object, limit: int) -> float:
    """A finite number within ±``limit``; INVALID_LOCATION naming ``field`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or abs(value) > limit:
        raise errors.invalid_coordinate(field, value, limit)
    return float(value)


def validate_name(name: object) -> str | None:
    """``None`` or the name stripped of outer whitespace (empty → ``None``), at most 100 characters."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise errors.name_not_text()
    stripped = name.strip()
    if len(stripped) > NAME_LIMIT:
        raise errors.name_too_long(len(stripped), NAME_LIMIT)
    return stripped or None


def format_utc(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ``, rounded to the millisecond; naive values are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    rounded = moment + timedelta(microseconds=500)
    rounded = rounded.replace(microsecond=rounded.microsecond // 1000 * 1000)
    return f"{rounded.year:04d}-{rounded:%m-%dT%H:%M:%S}.{rounded.microsecond // 1000:03d}Z"  # %Y: no zero padding

