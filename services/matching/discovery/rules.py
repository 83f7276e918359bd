"""Discovery rules that need no I/O: ages, birth-date windows for age filters, scan cursors, the
public shape of a compatibility document."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from typing import Any

MAX_ID = 2**63 - 1  # Postgres bigint


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


def encode_cursor(last_id: int) -> str:
    """Opaque scan cursor: base64url (no padding) of the last user id returned."""
    if not 0 <= last_id <= MAX_ID:
        raise ValueError("id out of range")
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The user id a cursor from ``encode_cursor`` carries; anything else raises InvalidCursor."""
    if not cursor or len(cursor) > 32:
        raise InvalidCursor("cursor is not one this API issued")
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        text = raw.decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("cursor is not one this API issued") from exc
    if not text.isdigit() or not text.isascii():
        raise InvalidCursor("cursor is not one this API issued")
    value = int(text)
    if value > MAX_ID or encode_cursor(value) != cursor:  # canonical form only
        raise InvalidCursor("cursor is not one this API issued")
    return value


def compatibility_body(document: Mapping[str, Any]) -> dict[str, Any]:
    """The chart's EvaluateCompatibility document in our public shape: `astrology` always present (null
    without both charts) and `basis` saying what the scores rest on."""
    astrology = document.get("astrology")
    return {**document, "astrology": astrology, "highlights": document.get("highlights", []),
            "basis": "numerology+astrology" if astrology else "numerology"}
