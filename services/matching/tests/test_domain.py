"""Pure discovery rules: ages, age-filter windows, scan cursors, pair ordering."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.matching.discovery.rules import (MAX_ID, InvalidCursor, age_on, birth_date_window, decode_cursor,
                                                encode_cursor, years_before)
from services.matching.matches.rules import ordered_pair, pair_lock_key

dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2300, 12, 31))


@pytest.mark.parametrize(("birth", "today", "age"), [
    (dt.date(2000, 6, 15), dt.date(2025, 6, 14), 24),
    (dt.date(2000, 6, 15), dt.date(2025, 6, 15), 25),
    (dt.date(2000, 6, 15), dt.date(2025, 6, 16), 25),
    (dt.date(2000, 2, 29), dt.date(2018, 2, 28), 17),  # leapling: a year older on 1 March in common years
    (dt.date(2000, 2, 29), dt.date(2018, 3, 1), 18),
    (dt.date(2000, 2, 29), dt.date(2024, 2, 29), 24),
    (dt.date(2000, 1, 1), dt.date(2000, 1, 1), 0),
])
def test_age_on(birth: dt.date, today: dt.date, age: int) -> None:
    assert age_on(birth, today) == age


def test_years_before_maps_29_february_to_28() -> None:
    assert years_before(dt.date(2024, 2, 29), 18) == dt.date(2006, 2, 28)
    assert years_before(dt.date(2024, 2, 29), 4) == dt.date(2020, 2, 29)
    assert years_before(dt.date(2025, 7, 1), 30) == dt.date(1995, 7, 1)


@given(birth=dates, today=dates, age_min=st.integers(18, 120), span=st.integers(0, 102))
def test_birth_date_window_agrees_with_age(birth: dt.date, today: dt.date, age_min: int, span: int) -> None:
    age_max = min(120, age_min + span)
    if today.year - 121 < 1:
        return
    born_on_or_before, born_after = birth_date_window(today, age_min, age_max)
    in_window = born_after < birth <= born_on_or_before
    assert in_window == (age_min <= age_on(birth, today) <= age_max)


def test_birth_date_window_open_sides() -> None:
    today = dt.date(2025, 3, 10)
    assert birth_date_window(today, None, None) == (None, None)
    assert birth_date_window(today, 25, None) == (dt.date(2000, 3, 10), None)
    assert birth_date_window(today, None, 35) == (None, dt.date(1989, 3, 10))


@given(st.integers(0, MAX_ID))
def test_cursor_round_trip(last_id: int) -> None:
    cursor = encode_cursor(last_id)
    assert cursor.isascii() and cursor.isdigit()
    assert decode_cursor(cursor) == last_id


@pytest.mark.parametrize("bad", [
    "", "!!!", "not base64", "YWJj",  # not digits
    encode_cursor(12) + "=",
    "012",  # leading zero, not canonical
    "-1", "+1", " 1", "1 ", "1.0", "1\n",
    "1" * 20,  # beyond 19 digits
    "\u0661",  # ARABIC-INDIC DIGIT ONE: a digit, but not ASCII
    "A" * 100,
])
def test_decode_cursor_rejects_what_we_did_not_issue(bad: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(bad)


@given(st.text(max_size=40))
def test_decode_cursor_never_raises_anything_else(text: str) -> None:
    try:
        value = decode_cursor(text)
    except InvalidCursor:
        return
    assert encode_cursor(value) == text or (value == MAX_ID and int(text) > MAX_ID)


def test_a_cursor_past_every_id_is_the_end() -> None:
    assert decode_cursor(str(2**63)) == decode_cursor("9" * 19) == MAX_ID


def test_ordered_pair() -> None:
    assert ordered_pair(5, 3) == (3, 5)
    assert ordered_pair(3, 5) == (3, 5)
    with pytest.raises(ValueError):
        ordered_pair(4, 4)


@given(st.integers(1, MAX_ID), st.integers(1, MAX_ID))
def test_pair_lock_key_is_symmetric_and_bigint(a: int, b: int) -> None:
    if a == b:
        return
    key = pair_lock_key(a, b)
    assert key == pair_lock_key(b, a)
    assert -(2**63) <= key < 2**63


def test_scan_accepts_the_mobile_clients_top_level_filters():
    from services.matching.discovery.schemas import ScanFilters, ScanRequest

    flat = ScanRequest.model_validate({"age_min": 25, "age_max": 35, "limit": 5})
    nested = ScanRequest.model_validate({"filters": {"age_min": 25, "age_max": 35}, "limit": 5})
    assert flat.filters == nested.filters == ScanFilters(age_min=25, age_max=35)
    both = ScanRequest.model_validate({"age_min": 20, "age_max": 40, "filters": {"age_min": 30}})
    assert both.filters == ScanFilters(age_min=30, age_max=40)  # the `filters` value wins
