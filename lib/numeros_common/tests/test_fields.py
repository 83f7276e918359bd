"""The field rules the OpenAPI document states allow exactly what the services accept."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from numeros_common.fields import CALENDAR_DATE, LOCAL_DATETIME, CalendarDate, LocalTime, WholeNumber
from numeros_common.ids import MAX_ID, ResourceId
from numeros_common.names import name_pattern, reading


NAME = re.compile(name_pattern())  # built once (about a quarter of a second), not inside a timed example


class Body(BaseModel):
    day: CalendarDate | None = None
    clock: LocalTime | None = None
    count: WholeNumber | None = None
    id: ResourceId | None = None


def is_supported_date(text: str) -> bool:
    try:
        return dt.date.fromisoformat(text) <= dt.date(3000, 12, 31) and len(text) == 10
    except ValueError:
        return False


@pytest.mark.parametrize("year", ["0000", "0001", "0004", "0100", "0400", "1900", "2000", "2024", "2100", "3000",
                                  "3001", "3004", "9999"])
def test_the_date_pattern_is_exactly_the_supported_calendar(year: str) -> None:
    for month in range(0, 14):
        for day in range(0, 33):
            text = f"{year}-{month:02d}-{day:02d}"
            assert (re.fullmatch(CALENDAR_DATE, text) is not None) == is_supported_date(text), text


@given(st.dates(dt.date(1, 1, 1), dt.date(3000, 12, 31)))
def test_every_supported_date_is_accepted(day: dt.date) -> None:
    assert Body(day=day.isoformat()).day == day
    assert re.fullmatch(LOCAL_DATETIME, f"{day.isoformat()}T12:30")


@pytest.mark.parametrize("bad", [{"day": 0}, {"day": "2001-02-29"}, {"day": "2000-01-01T00:00"},
                                 {"clock": "10:00Z"}, {"clock": "10:00+02:00"}, {"clock": 3600}, {"clock": "24:00"},
                                 {"count": "5"}, {"count": True}, {"count": 5.5},
                                 {"id": 0}, {"id": MAX_ID + 1}, {"id": 2**63}])
def test_what_the_schema_refuses_is_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        Body(**bad)


def test_json_integers_and_ids() -> None:
    assert Body(count=5.0, id=MAX_ID).model_dump(exclude_none=True) == {"count": 5, "id": MAX_ID}


def test_a_validated_body_validates_again() -> None:
    """Parsed values pass again (a model built from another's dump), text or not."""
    body = Body(day="2000-02-29", clock="10:30")
    assert Body(**body.model_dump()) == body


@given(st.text(alphabet="aeilpqsuvwxyzAEPW -_.*/!0é\x9c\u2013\u212a", max_size=14))
def test_the_spelling_pattern_is_what_chart_resolves(name: str) -> None:
    from numeros_common.options import HOUSE_ALIASES, VEDIC_HOUSE_SYSTEMS, spelling_pattern, squash
    allowed = re.fullmatch(spelling_pattern(HOUSE_ALIASES, VEDIC_HOUSE_SYSTEMS), name) is not None
    assert allowed == (HOUSE_ALIASES.get(squash(name)) in VEDIC_HOUSE_SYSTEMS)


@given(st.text(max_size=12) | st.text(alphabet="aZéÆß -'.\u0301\u00a0Ｊ0!ж", max_size=8))
def test_the_name_pattern_is_the_reading_rule(name: str) -> None:
    parts = [reading(c) for c in unicodedata.normalize("NFKD", name)]
    readable = None not in parts and any(p.strip() for p in parts if p is not None)
    assert (NAME.fullmatch(name) is not None) == readable
