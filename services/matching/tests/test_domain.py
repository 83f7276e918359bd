"""Pure discovery rules: ages, age-filter windows, scan cursors, the distance box, pair ordering."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.matching.discovery.rules import (MAX_ID, UNRANKED, InvalidCursor, Position, age_on, birth_date_window,
                                                bounding_box, decode_cursor, encode_cursor, years_before)
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


positions = st.builds(Position, st.one_of(st.integers(0, 100), st.just(UNRANKED)), st.integers(0, MAX_ID))


@given(positions)
def test_cursor_round_trip(position: Position) -> None:
    cursor = encode_cursor(position)
    assert len(cursor) == 12 and cursor.isascii() and "=" not in cursor
    assert decode_cursor(cursor) == position


@pytest.mark.parametrize("bad", [
    "", "!!!", "not base64", "YWJj", "1", "012",
    encode_cursor(Position(5, 12)) + "=",
    encode_cursor(Position(5, 12))[:-1],
    "ZQAAAAAAAAAB",  # score 101
    "/wAAAAAAAAAB",  # standard base64 alphabet, not base64url
    "AAAgAAAAAAAA",  # user id 2**53
    "A" * 100, "\u0661" * 12,
])
def test_decode_cursor_rejects_what_we_did_not_issue(bad: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(bad)


@given(st.text(max_size=40))
def test_decode_cursor_never_raises_anything_else(text: str) -> None:
    try:
        position = decode_cursor(text)
    except InvalidCursor:
        return
    assert encode_cursor(position) == text


def _great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Vincenty's formula on the sphere (atan2 form): independent of the haversine the code uses."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.hypot(math.cos(p2) * math.sin(dl),
                   math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.atan2(y, x)


def _in_box(box, latitude: float, longitude: float) -> bool:
    if not box.lat_min <= latitude <= box.lat_max:
        return False
    return box.lon_ranges is None or any(low <= longitude <= high for low, high in box.lon_ranges)


@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-180, 180), km=st.floats(0.1, 3000),
       bearing=st.floats(0, 360), share=st.floats(0, 0.999))
def test_the_bounding_box_holds_every_point_within_the_distance(lat, lon, km, bearing, share) -> None:
    """A point ``share`` of the way to the circle's edge, in any direction (the destination formula on the
    sphere), always lies in the box, antimeridian and poles included."""
    angular, theta, p1 = km * share / 6371.0088, math.radians(bearing), math.radians(lat)
    p2 = math.asin(math.sin(p1) * math.cos(angular) + math.cos(p1) * math.sin(angular) * math.cos(theta))
    l2 = math.radians(lon) + math.atan2(math.sin(theta) * math.sin(angular) * math.cos(p1),
                                        math.cos(angular) - math.sin(p1) * math.sin(p2))
    point = (math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180)
    assert _great_circle_km(lat, lon, *point) <= km * share + 1e-6
    assert _in_box(bounding_box(lat, lon, km), *point)


def test_bounding_box_cases() -> None:
    berlin = bounding_box(52.52, 13.405, 50)
    assert berlin.lon_ranges is not None and len(berlin.lon_ranges) == 1
    # 50 km is 0.4497° of latitude; the longitude half-width grows by 1/cos(latitude) (0.7383° here).
    assert berlin.lat_min == pytest.approx(52.52 - 0.44966, abs=1e-4)
    assert berlin.lon_ranges[0][1] - 13.405 == pytest.approx(0.7383, abs=1e-3)
    fiji = bounding_box(-17.7, 179.9, 100)
    assert fiji.lon_ranges is not None and len(fiji.lon_ranges) == 2 and fiji.lon_ranges[1][0] == -180.0
    assert bounding_box(89.9, 0.0, 100).lon_ranges is None  # the pole is inside: every longitude


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
