"""Birth time as local clock time at the birth place -> the UTC instant, by the tz database: the one
resolution Western, Vedic and Human Design charts share.

Which zone: the explicit ``timezone`` if given, else the zone at ``latitude``/``longitude``
(timezonefinder, offline), else the zone of ``birth_place`` in the offline gazetteer. With none of
these the clock time is taken as UTC and the result says so (``zone_source = "assumed_utc"``).

How the clock time maps to an instant, by ``zoneinfo`` (the system's IANA tz database):

* Historical rules apply: war time, British double summer time, zone changes.
* Before a place adopted standard time, the tz database gives the local mean time of the zone's
  reference city (e.g. New York -4:56:02 "LMT"); we flag it (``local_mean_time``). It is the
  zone's LMT, not the birth place's own: the tz database has no finer data.
* A clock time that never happened (skipped by a DST change, or Samoa's lost 30 Dec 2011) is read
  with the offset in force *before* the change, and flagged ``nonexistent_time``.
* A clock time that happened twice (clocks turned back) is the *earlier* instant (unless the
  caller knows the fold, as Human Design does from an explicit UTC offset), flagged ``ambiguous_time``.

The gazetteer and the coordinate -> zone finder are data loaded from files once per worker
(``adapters.places``) and handed in with :func:`use_places`; this module reads no file.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.chart.domain.errors import InvalidInput
from services.chart.domain.gazetteer import Gazetteer, Place, PlaceLookup, lookup_place

ZoneSource = Literal["explicit", "coordinates", "gazetteer", "assumed_utc"]
_UTC = dt_timezone.utc


class BirthPlaceNotResolved(InvalidInput):
    """``birth_place`` matched no place, or several; ``lookup`` carries the candidates to show."""

    def __init__(self, lookup: PlaceLookup) -> None:
        if lookup.status == "ambiguous":
            names = "; ".join(f"{p.name} ({p.admin1 + ', ' if p.country_code == 'US' else ''}{p.country_code})"
                              for p in lookup.candidates)
            reason = f"matches several places: {names}; add the country (or US state)"
        else:
            reason = f"no place called {lookup.query!r} in the gazetteer; give latitude/longitude or timezone"
        super().__init__("birth_place", reason)
        self.args = (lookup,)  # so the error pickles back from a worker process
        self.lookup = lookup


@dataclass(frozen=True)
class BirthLocation:
    """Where the birth was, as far as we know it, and which zone's clock the birth time is on."""

    zone: str
    zone_source: ZoneSource
    latitude: float | None = None
    longitude: float | None = None
    place: Place | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class ResolvedBirthTime:
    local: datetime  # naive local clock time, as given
    location: BirthLocation
    utc: datetime  # aware, UTC
    utc_offset_seconds: int
    abbreviation: str  # the tz database's name for the offset: "BDST", "EWT", "LMT", ...
    nonexistent_time: bool = False
    ambiguous_time: bool = False
    dst_offset_seconds: int = 0  # the daylight-saving part of the offset the clock time was read with

    @property
    def local_mean_time(self) -> bool:
        return self.abbreviation == "LMT"

    @property
    def is_dst(self) -> bool:
        return self.dst_offset_seconds != 0

    @property
    def note(self) -> str | None:
        """A sentence for the user when the clock time was skipped or repeated."""
        if self.nonexistent_time:
            return (
                "This local time did not exist (clocks were set forward); it was read with the UTC offset in "
                "force before the change."
            )
        if self.ambiguous_time:
            return "This local time occurred twice (clocks were set back); the earlier instant was used."
        return None

    def to_dict(self) -> dict:
        place = self.location.place
        return {
            "local_datetime": self.local.isoformat(),
            "timezone": self.location.zone,
            "timezone_source": self.location.zone_source,
            "utc_offset": format_offset(self.utc_offset_seconds),
            "utc_offset_seconds": self.utc_offset_seconds,
            "abbreviation": self.abbreviation,
            "utc_datetime": self.utc.isoformat().replace("+00:00", "Z"),
            "nonexistent_time": self.nonexistent_time,
            "ambiguous_time": self.ambiguous_time,
            "local_mean_time": self.local_mean_time,
            "latitude": self.location.latitude,
            "longitude": self.location.longitude,
            "place": place.to_dict() if place else None,
        }


def format_offset(seconds: int) -> str:
    """+02:00, -04:56:02 (seconds only when the offset has them, as for local mean time)."""
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


@cache
def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput("timezone", f"unknown IANA time zone {name!r}") from error


@dataclass(frozen=True)
class Places:
    """What finds a birth place: the gazetteer's data and the coordinate -> IANA zone lookup
    (None over open sea)."""

    gazetteer: Gazetteer
    zone_at: Callable[[float, float], str | None]  # (latitude, longitude)


_places: Places | None = None


def use_places(places: Places) -> None:
    """Hand this process's loaded places to the resolution (``adapters.places`` does, once per worker)."""
    global _places
    _places = places


def _installed() -> Places:
    if _places is None:
        raise RuntimeError("no gazetteer loaded: call services.chart.adapters.places.load_places() first")
    return _places


def zone_at(latitude: float, longitude: float) -> str:
    name = _installed().zone_at(latitude, longitude)
    if name is None:  # open sea without a zone polygon: the nautical zone
        hours = round(longitude / 15.0)
        name = "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"
    return name


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise InvalidInput(missing, "latitude and longitude must be given together")
    if latitude is not None and not -90.0 <= latitude <= 90.0:
        raise InvalidInput("latitude", "must be between -90 and 90")
    if longitude is not None and not -180.0 <= longitude <= 180.0:
        raise InvalidInput("longitude", "must be between -180 and 180")


def resolve_location(
    *,
    timezone: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    birth_place: str | None = None,
) -> BirthLocation:
    """The zone (explicit > coordinates > gazetteer > assumed UTC) and the best coordinates known.

    Coordinates given win over the gazetteer. With an explicit zone and a place name, the place
    still supplies coordinates, and the zone may settle an ambiguous name (Paris + America/Chicago
    is Paris, Texas).
    """
    _check_coordinates(latitude, longitude)
    if timezone:
        zone_info(timezone)
    place = None
    if latitude is None and birth_place and birth_place.strip():
        lookup = lookup_place(_installed().gazetteer, birth_place)
        if timezone:
            lookup = lookup.narrowed_to_zone(zone_info(timezone).key)
        if lookup.place is None:
            raise BirthPlaceNotResolved(lookup)
        place = lookup.place
        latitude, longitude = place.latitude, place.longitude
    if timezone:
        return BirthLocation(zone_info(timezone).key, "explicit", latitude, longitude, place)
    if place is not None:
        return BirthLocation(place.timezone, "gazetteer", latitude, longitude, place)
    if latitude is not None:
        return BirthLocation(zone_at(latitude, longitude), "coordinates", latitude, longitude)
    return BirthLocation("UTC", "assumed_utc")


def localize(local: datetime, location: BirthLocation, fold: int = 0) -> ResolvedBirthTime:
    """Local clock time on ``location``'s zone -> UTC, with the gap and fold rules above; ``fold=1``
    picks the later instant of a repeated clock time."""
    if local.tzinfo is not None:
        raise ValueError("localize needs a naive local clock time")
    zone = zone_info(location.zone)
    earlier, utc, offset, nonexistent, ambiguous = zoned_instant(local, zone)
    chosen = earlier
    if ambiguous and fold:
        chosen = earlier.replace(fold=1)
        offset = chosen.utcoffset() or timedelta(0)
        utc = chosen.astimezone(_UTC)
    return ResolvedBirthTime(
        local=local,
        location=location,
        utc=utc,
        utc_offset_seconds=int(offset.total_seconds()),
        abbreviation=chosen.tzname() or "",
        nonexistent_time=nonexistent,
        ambiguous_time=ambiguous,
        dst_offset_seconds=int((chosen.dst() or timedelta(0)).total_seconds()),
    )


def zoned_instant(local: datetime, zone: ZoneInfo) -> tuple[datetime, datetime, timedelta, bool, bool]:
    """The core of ``localize`` at fold 0, without its result object (the batch of charts needs only
    these): (the aware clock time, the UTC instant, the offset, nonexistent, ambiguous)."""
    # fold=0 (the constructor's default) is, by PEP 495, the earlier instant in a fold and the
    # pre-transition offset in a gap. The positional constructor, not replace(tzinfo=...): replace
    # parses keywords, and a batch of thousands of charts notices.
    earlier = datetime(local.year, local.month, local.day, local.hour, local.minute, local.second,
                       local.microsecond, zone)
    offset = earlier.utcoffset() or timedelta(0)
    try:
        utc = earlier.astimezone(_UTC)
    except OverflowError:  # 0001-01-01 east of Greenwich: before Python's first instant
        raise InvalidInput("birth_date", f"{local.isoformat()} in {zone.key} is before 0001-01-01T00:00:00Z, "
                                         "the first supported instant") from None
    # Only a clock time in a gap or a fold reads with another offset at fold=1 (PEP 495). Then: both sides
    # have the same tzinfo, so != compares the wall-clock fields (fold ignored): does the instant read back
    # as the clock time given? If not, the time was skipped; else it was repeated.
    if earlier.replace(fold=1).utcoffset() == offset:
        return earlier, utc, offset, False, False
    nonexistent = utc.astimezone(zone) != earlier
    return earlier, utc, offset, nonexistent, not nonexistent


def naive_utc(local: datetime, local_fold1: datetime, zone: ZoneInfo) -> tuple[datetime, timedelta, bool, bool]:
    """``zoned_instant`` for the batch of charts: (the UTC instant as a naive datetime, the offset,
    nonexistent, ambiguous). The caller passes the naive clock time at fold 0 and at fold 1: the zone
    reads the offset off the clock fields alone, so no aware datetime is built, except for a clock
    time in a gap or a fold (the offsets at fold 0 and 1 differ), which goes through ``zoned_instant``."""
    offset = zone.utcoffset(local)
    if zone.utcoffset(local_fold1) == offset:
        try:
            return local - offset, offset, False, False
        except OverflowError:  # zoned_instant raises the InvalidInput
            pass
    _, utc, offset, nonexistent, ambiguous = zoned_instant(local, zone)
    return utc.replace(tzinfo=None), offset, nonexistent, ambiguous


def resolve_birth_time(local: datetime, *, timezone: str | None = None, latitude: float | None = None,
                       longitude: float | None = None, birth_place: str | None = None) -> ResolvedBirthTime:
    """The UTC instant of a local birth time; see the module docstring for the rules."""
    return localize(local, resolve_location(
        timezone=timezone, latitude=latitude, longitude=longitude, birth_place=birth_place))
