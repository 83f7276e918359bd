"""Discovery rules that need no I/O: ages, birth-date windows for age filters, scan cursors, the
public shape of a compatibility document."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from numeros_common.ids import MAX_ID

# A scan cursor: the decimal last user id of a page, canonical (no leading zero). The OpenAPI states
# the pattern, so every cursor the schema allows is one we accept; one past every id is the end.
CURSOR_PATTERN = r"^(0|[1-9][0-9]{0,18})$"
_CURSOR = re.compile(CURSOR_PATTERN)


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
    """Opaque scan cursor for the page after ``last_id`` (its decimal digits: clients pass it back as is)."""
    if not 0 <= last_id <= MAX_ID:
        raise ValueError("id out of range")
    return str(last_id)


def decode_cursor(cursor: str) -> int:
    """The last user id a cursor carries; past the largest id (up to 19 digits) is the end of the list.
    Anything that does not match ``CURSOR_PATTERN`` raises InvalidCursor."""
    if not _CURSOR.fullmatch(cursor):
        raise InvalidCursor("cursor is not one this API issued")
    return min(int(cursor), MAX_ID)


def compatibility_body(document: Mapping[str, Any]) -> dict[str, Any]:
    """The chart's EvaluateCompatibility document in our public shape: `astrology` always present (null
    without both charts) and `basis` saying what the scores rest on."""
    astrology = document.get("astrology")
    return {**document, "astrology": astrology, "highlights": document.get("highlights", []),
            "basis": "numerology+astrology" if astrology else "numerology"}
