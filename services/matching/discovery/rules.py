"""Discovery rules that need no I/O: ages, birth-date windows for age filters, scan cursors, the
distance filter's bounding box, the public shape of a compatibility document."""
from __future__ import annotations

import base64
import datetime as dt
import math
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from numeros_common.ids import MAX_ID

# A scan cursor: 9 bytes in unpadded base64url (12 characters): the rank of the page's last profile
# (its score 0-100, or UNRANKED when the page was in user-id order) and its user id. The OpenAPI states
# the pattern; decoding also refuses scores and ids out of range.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{12}$"
_CURSOR = re.compile(CURSOR_PATTERN)
_CURSOR_LAYOUT = struct.Struct(">BQ")
UNRANKED = 255  # the cursor of a page in user-id order (no ranking: see discovery.service.scan)
MAX_SCORE = 100
EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last profile's score (UNRANKED in user-id order) and user id."""

    score: int
    user_id: int


@dataclass(frozen=True)
class Box:
    """The latitude / longitude ranges holding every point within some distance of a centre. A
    longitude range that crosses the antimeridian is given as two; none at all near a pole."""

    lat_min: float
    lat_max: float
    lon_ranges: tuple[tuple[float, float], ...] | None


class InvalidCursor(ValueError):
    """A scan cursor we did not issue (or that was altered)."""


def age_on(birth_date: dt.date, today: dt.date) -> int:
    """Completed years on ``today``; someone born on 29 February turns a year older on 1 March
    in common years."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def years_before(today: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February in a common year."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February -> common year
        return today.replace(year=today.year - years, day=28)


def birth_date_window(today: dt.date, age_min: int | None,
                      age_max: int | None) -> tuple[dt.date | None, dt.date | None]:
    """The birth dates whose age on ``today`` lies in [age_min, age_max], as
    (born_on_or_before, born_after); None means unbounded on that side."""
    born_on_or_before = years_before(today, age_min) if age_min is not None else None
    born_after = years_before(today, age_max + 1) if age_max is not None else None
    return born_on_or_before, born_after


def encode_cursor(position: Position) -> str:
    """Opaque scan cursor for the page after ``position`` (clients pass it back as is)."""
    if not (0 <= position.score <= MAX_SCORE or position.score == UNRANKED) or not 0 <= position.user_id <= MAX_ID:
        raise ValueError("position out of range")
    return base64.urlsafe_b64encode(_CURSOR_LAYOUT.pack(position.score, position.user_id)).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor carries; anything this API did not issue raises InvalidCursor."""
    if not _CURSOR.fullmatch(cursor):
        raise InvalidCursor("cursor is not one this API issued")
    position = Position(*_CURSOR_LAYOUT.unpack(base64.urlsafe_b64decode(cursor)))
    try:
        encode_cursor(position)  # the range checks
    except ValueError:
        raise InvalidCursor("cursor is not one this API issued") from None
    return position


def bounding_box(latitude: float, longitude: float, distance_km: float) -> Box:
    """Every point within ``distance_km`` (great-circle) of the centre lies in this box; the exact
    distance is checked afterwards. The longitude half-width is the circle's true extent,
    asin(sin(d/R) / cos(latitude)), not d / (R·cos(latitude)), which is too narrow away from the equator."""
    angular = distance_km / EARTH_RADIUS_KM
    lat_min, lat_max = latitude - math.degrees(angular), latitude + math.degrees(angular)
    if lat_min <= -90 or lat_max >= 90 or angular >= math.pi / 2:
        return Box(max(lat_min, -90.0), min(lat_max, 90.0), None)  # a pole inside: every longitude
    half_width = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(math.radians(latitude)))))
    low, high = longitude - half_width, longitude + half_width
    if low < -180:
        return Box(lat_min, lat_max, ((low + 360, 180.0), (-180.0, high)))
    if high > 180:
        return Box(lat_min, lat_max, ((low, 180.0), (-180.0, high - 360)))
    return Box(lat_min, lat_max, ((low, high),))


def shown_distance_km(distance_km: float) -> float:
    """Distances are shown to 0.1 km: close enough to plan a date, too coarse to locate anyone."""
    return round(distance_km, 1)


def compatibility_body(document: Mapping[str, Any]) -> dict[str, Any]:
    """The chart's EvaluateCompatibility document in our public shape: `astrology` always present (null
    without both charts) and `basis` saying what the scores rest on."""
    astrology = document.get("astrology")
    return {**document, "astrology": astrology, "highlights": document.get("highlights", []),
            "basis": "numerology+astrology" if astrology else "numerology"}
