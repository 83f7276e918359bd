"""Forecast rules that need no I/O."""
from __future__ import annotations

import datetime as dt


def universal_day_number(day: dt.date) -> int:
    """The universal day number: every digit of YYYY-MM-DD added and reduced to 1-9."""
    total = sum(int(c) for c in day.strftime("%Y%m%d"))
    while total > 9:
        total = sum(int(c) for c in str(total))
    return total
