"""Input field types whose whole rule is in the OpenAPI document, so that every value the schema allows
is one the service accepts (the fuzz test in tests/fuzz checks both directions)."""
from __future__ import annotations

import zoneinfo
from typing import Annotated

from pydantic import AfterValidator, Field

# Every IANA zone name this machine's tz database has: the schema lists them, and only they validate.
# Not the machine-dependent, placeholder or POSIX-style abbreviation zones (the Human Design seed:
# "America/New_York", not "EST"); chart's Human Design engine refuses the same names.
REFUSED_ZONES = frozenset({"localtime", "Factory", "posixrules", "EST", "MST", "HST", "EST5EDT", "CST6CDT", "MST7MDT",
                           "PST8PDT", "CET", "EET", "MET", "WET"})
TIME_ZONES = tuple(sorted(zoneinfo.available_timezones() - REFUSED_ZONES))
_ZONES = frozenset(TIME_ZONES)


def _known_zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("must be an IANA time zone name, e.g. 'America/New_York'")
    return value


TimeZoneName = Annotated[str, AfterValidator(_known_zone),
                         Field(json_schema_extra={"enum": list(TIME_ZONES)}, examples=["Europe/Berlin"],
                               description="IANA time zone name, e.g. America/New_York")]

# Characters pydantic's str_strip_whitespace removes (Unicode White_Space): a value of only these is blank.
_WHITESPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NOT_BLANK = f"[^{_WHITESPACE}]"  # pattern: at least one character that is not whitespace

# Local clock time, 24-hour HH:MM or HH:MM:SS (ASCII digits only).
CLOCK_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
