"""What every domain needs when it asks chart for a calculation: chart's field names turned into the
names of the public request that supplied them, and the one clock reading calculations default to."""
from __future__ import annotations

import datetime as dt
import re

from numeros_common.errors import AppError

_INDEX = re.compile(r"\[(\d+)\]")


def renamed(error: AppError, names: dict[str, str]) -> AppError:
    """``error`` with chart's field name replaced by ours (``names``; ``x[2]`` becomes ``x.2``)."""
    if not error.field:
        return error
    field = _INDEX.sub(r".\1", error.field)
    root, dot, rest = field.partition(".")
    field = names.get(root, root) + dot + rest
    if field == error.field:
        return error
    message = error.message
    if message.startswith(f"{error.field}:"):
        message = field + message[len(error.field):]
    return AppError(error.status, error.code, message, field=field, headers=error.headers)


def today_utc() -> dt.date:
    """The API edge's one clock reading for calculations: today's date in UTC."""
    return dt.datetime.now(dt.UTC).date()


def check_birth_date(value: dt.date | None) -> dt.date | None:
    """A registering user's own birth date has already happened (the range, years 1-3000, is the field's
    type: ``numeros_common.fields.CalendarDate``)."""
    if value is not None and value > today_utc():
        raise ValueError("must not be in the future")
    return value
