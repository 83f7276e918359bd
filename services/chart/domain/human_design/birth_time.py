"""Local birth clock time → UTC instant, with the IANA zone's historical rules (``zoneinfo``).

- A local time that never existed (a spring-forward gap) is read with the offset in force before
  the change (PEP 495 ``fold=0``) and flagged ``nonexistent_local_time``.
- A local time that occurred twice (a fall-back fold) is read as the earlier instant (``fold=0``)
  and flagged ``ambiguous_local_time``.
- Before standard time zones the tz database's local mean time (LMT) of the zone applies.
- A ``birth_datetime`` that carries its own UTC offset is taken as that instant; its local clock
  time is then re-read in ``birth_timezone``.

Zone names are checked against the installed tz database. The machine-dependent ``localtime``,
the placeholder ``Factory`` and the POSIX-style abbreviation zones (``EST``, ``MST``, ``HST``,
``EST5EDT`` ...) are refused, as the seed asks ("America/New_York", not "EST").
"""
from __future__ import annotations

import functools
import math
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from services.chart.domain.human_design import errors

FIRST_BIRTH_DATE = date(1800, 4, 1)
LAST_BIRTH_DATE = date(2399, 12, 30)
# The files sepl_18/semo_18/seas_18 cover 1800-01-01 to 2400-01-01 (UT). The design moment lies up
# to 92 days before birth, and a local date can be up to 14 hours ahead of or 12 behind UTC; the
# first and last supported local dates keep both moments inside the files with a day to spare.
LATITUDE_LIMIT = 90
LONGITUDE_LIMIT = 180
NAME_LIMIT = 100

_REFUSED_ZONES = frozenset(
    {"localtime", "Factory", "posixrules", "EST", "MST", "HST", "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT",
     "CET", "EET", "MET", "WET"}
)  # fmt: skip


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def resolve_zone(name: object) -> zoneinfo.ZoneInfo:
    """The IANA zone called ``name``, or INVALID_TIMEZONE."""
    if not isinstance(name, str) or name in _REFUSED_ZONES or name not in _known_zones():
        raise errors.invalid_timezone(name)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise errors.invalid_timezone(name) from error


@dataclass(frozen=True, slots=True)
class BirthTime:
    """The birth instant and how it was obtained from the local clock time."""

    local_datetime: datetime  # naive wall-clock time in ``timezone``
    timezone: str
    utc_datetime: datetime  # aware, UTC
    utc_offset: timedelta
    dst_offset: timedelta
    nonexistent_local_time: bool = False
    ambiguous_local_time: bool = False

    @property
    def is_dst(self) -> bool:
        return self.dst_offset != timedelta(0)

    @property
    def note(self) -> str | None:
        if self.nonexistent_local_time:
            return (
                "This local time did not exist (clocks were set forward); it was read with the UTC offset in "
                "force before the change."
            )
        if self.ambiguous_local_time:
            return "This local time occurred twice (clocks were set back); the earlier instant was used."
        return None


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


def resolve_birth_time(birth_datetime: object, birth_timezone: object) -> BirthTime:
    """Validate the date-time, the supported date range and the zone, and find the instant."""
    parsed = parse_birth_datetime(birth_datetime)
    _check_range(parsed.date())
    zone = resolve_zone(birth_timezone)
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        in_zone = parsed.astimezone(zone)
        local, fold = in_zone.replace(tzinfo=None), in_zone.fold
        _check_range(local.date())
    else:
        local, fold = parsed.replace(tzinfo=None, fold=0), 0
    return _to_utc(local, zone, fold)


def _check_range(day: date) -> None:
    if not FIRST_BIRTH_DATE <= day <= LAST_BIRTH_DATE:
        first, last = FIRST_BIRTH_DATE.isoformat(), LAST_BIRTH_DATE.isoformat()
        raise errors.date_out_of_range(day.isoformat(), first, last)


def _to_utc(local: datetime, zone: zoneinfo.ZoneInfo, fold: int) -> BirthTime:
    earlier = local.replace(tzinfo=zone, fold=0)
    later = local.replace(tzinfo=zone, fold=1)
    nonexistent = ambiguous = False
    chosen = local.replace(tzinfo=zone, fold=fold)
    if earlier.utcoffset() != later.utcoffset():
        round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip == local:
            ambiguous = True  # keep ``fold`` (0 = the earlier instant unless an explicit offset said otherwise)
        else:
            nonexistent, chosen = True, earlier  # fold=0: the offset before the change
    utc = chosen.astimezone(UTC)
    return BirthTime(
        local_datetime=local,
        timezone=zone.key,
        utc_datetime=utc,
        utc_offset=_offset(chosen.utcoffset()),
        dst_offset=_offset(chosen.dst()),
        nonexistent_local_time=nonexistent,
        ambiguous_local_time=ambiguous,
    )


def _offset(value: timedelta | None) -> timedelta:
    return value if value is not None else timedelta(0)


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
    return f"{rounded:%Y-%m-%dT%H:%M:%S}.{rounded.microsecond // 1000:03d}Z"


def format_offset(offset: timedelta) -> str:
    """``+HH:MM`` (``+HH:MM:SS`` for local mean time offsets with seconds)."""
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")
