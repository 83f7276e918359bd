"""Input field types whose whole rule is in the OpenAPI document, so that every value the schema allows
is one the service accepts (the fuzz test in tests/fuzz checks both directions)."""
from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

# Every IANA zone name this machine's tz database has: the schema lists them, and only they validate.
# Not the machine-dependent, placeholder or POSIX-style abbreviation zones (the Human Design seed:
# "America/New_York", not "EST"); chart's Human Design engine refuses the same names.
REFUSED_ZONES = frozenset({"localtime", "Factory", "posixrules", "EST", "MST", "HST", "EST5EDT", "CST6CDT", "MST7MDT",
                           "PST8PDT", "CET", "EET", "MET", "WET"})


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Read from the tz database when first needed (importing this module reads no files)."""
    return tuple(sorted(zoneinfo.available_timezones() - REFUSED_ZONES))


def list_time_zones(schema: dict) -> None:
    """``json_schema_extra`` of a zone field: the names, as an enum."""
    schema["enum"] = list(time_zones())


@functools.cache
def _zone_names() -> frozenset[str]:
    """``time_zones`` as a set: a lookup per request, not a walk through ~600 names."""
    return frozenset(time_zones())


def _known_zone(value: str) -> str:
    if value not in _zone_names():
        raise ValueError("must be an IANA time zone name, e.g. 'America/New_York'")
    return value


TimeZoneName = Annotated[str, AfterValidator(_known_zone),
                         Field(json_schema_extra=list_time_zones, examples=["Europe/Berlin"],
                               description="IANA time zone name, e.g. America/New_York")]

# Characters pydantic's str_strip_whitespace removes (Unicode White_Space): a value of only these is blank.
_WHITESPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# Pattern: at least one character that is not whitespace, and no NUL anywhere (Postgres text cannot hold one).
NOT_BLANK = f"^[^\\x00]*[^{_WHITESPACE}\\x00][^\\x00]*$"
# Optional free text: anything but NUL; blank is allowed (and stored as absent).
NO_NUL = "^[^\\x00]*$"

# Local clock time, 24-hour HH:MM or HH:MM:SS (ASCII digits only).
CLOCK_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"

# A calendar date, YYYY-MM-DD, in every chart type's range (years 1 to 3000, proleptic Gregorian): the
# pattern admits exactly the valid dates (30-day months, 29 February of leap years only). Charts start at
# the instant 0001-01-01T00:00Z, so a local 1 January of year 1 east of Greenwich is still refused (a rule
# on date, time and zone together, which a schema cannot state).
_YEAR = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[12][0-9]{3}|3000)"
_MONTH_DAY = ("((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
              "|02-(0[1-9]|1[0-9]|2[0-8]))")
_LEAP_YEAR = "([0-2][0-9](0[48]|[2468][048]|[13579][26])|(0[48]|1[26]|2[048])00)"
CALENDAR_DATE = f"^({_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"
_DATE = re.compile(CALENDAR_DATE)

# Local clock time without a UTC offset: HH:MM, HH:MM:SS or HH:MM:SS.ffffff (24-hour).
LOCAL_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?$"
_TIME = re.compile(LOCAL_TIME)


def _text_matching(pattern: re.Pattern[str], what: str, parsed: type):
    """Text matching ``pattern`` (or a value parsed from such text before: a model validated again)."""
    def check(value: object) -> object:
        if type(value) is parsed and getattr(value, "tzinfo", None) is None:
            return value
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError(f"must be {what}")
        return value
    return check


CalendarDate = Annotated[dt.date,
                         BeforeValidator(_text_matching(_DATE, "a date YYYY-MM-DD in years 1 to 3000", dt.date)),
                         Field(json_schema_extra={"pattern": CALENDAR_DATE})]
# Not `format: time`, which is RFC 3339's and requires a UTC offset.
LocalTime = Annotated[dt.time, BeforeValidator(_text_matching(_TIME, "local clock time HH:MM[:SS[.ffffff]], "
                                                                       "without a UTC offset", dt.time)),
                      WithJsonSchema({"type": "string", "pattern": LOCAL_TIME})]

# A local date and time, ISO 8601 without a UTC offset (YYYY-MM-DDTHH:MM[:SS[.ffffff]]), years 1 to 3000.
LOCAL_DATETIME = f"^{CALENDAR_DATE[1:-1]}T{LOCAL_TIME[1:-1]}$"


def unset_is_absent(schema: dict[str, Any]) -> None:
    """A PATCH body's ``json_schema_extra``: no ``default: null`` on a field that may not be null (unset means
    absent, not null; pydantic does not validate the None default, so a null sent is refused)."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and "anyOf" not in prop:
            del prop["default"]


def _a_json_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return value


# An integer as JSON Schema has it: 23 and 23.0, never "23" or true (pydantic's strict mode refuses 23.0).
WholeNumber = Annotated[int, BeforeValidator(_a_json_number)]
