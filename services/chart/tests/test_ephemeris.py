from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import pytest
import swisseph as swe

from services.chart.adapters.ephemeris import REQUIRED_FILES, check_ephemeris, init_worker
from services.chart.domain import swiss

# Years 1-3000 (and 1 BC for Human Design's design moment, 3001 for a late local date): 600-year files
# from 600 BC to 3600 AD, for planets, the Moon and the asteroids.
NEEDED = [f"{kind}{block}.se1" for kind in ("sepl", "semo", "seas")
          for block in ("m06", "_00", "_06", "_12", "_18", "_24", "_30")]


def test_real_files_are_available(ephe_dir):
    status = check_ephemeris(ephe_dir)
    assert status.available, status.detail


def test_empty_directory_is_unavailable(empty_ephe_dir):
    status = check_ephemeris(empty_ephe_dir)
    assert not status.available
    assert status.detail == "missing files: " + ", ".join(NEEDED)


def test_required_files_cover_years_1_to_3000():
    assert sorted(REQUIRED_FILES) == sorted(NEEDED)


def test_one_missing_file_is_named(ephe_dir, tmp_path):
    for name in NEEDED:
        if name != "semo_24.se1":
            shutil.copy(ephe_dir / name, tmp_path / name)
    status = check_ephemeris(tmp_path)
    assert (status.available, status.detail) == (False, "missing files: semo_24.se1")


def test_a_file_holding_another_period_is_unavailable(ephe_dir, tmp_path):
    # Every file is read at a date of its own period: a renamed file of another period is caught.
    for name in NEEDED:
        shutil.copy(ephe_dir / name, tmp_path / name)
    shutil.copy(ephe_dir / "sepl_06.se1", tmp_path / "sepl_00.se1")
    status = check_ephemeris(tmp_path)
    assert not status.available
    assert status.detail.startswith("sepl_00.se1 unreadable")


def test_files_that_cannot_be_read_are_unavailable(tmp_path):
    # Present but empty: only reading them through Swiss Ephemeris tells they are useless.
    for name in REQUIRED_FILES:
        (tmp_path / name).write_bytes(b"")
    status = check_ephemeris(tmp_path)
    assert not status.available
    assert "seplm06.se1 unreadable" in status.detail


def test_init_worker_makes_swiss_ephemeris_read_the_files(ephe_dir, empty_ephe_dir):
    init_worker(empty_ephe_dir)
    _, flags = swe.calc_ut(2451545.0, swe.SUN, swe.FLG_SWIEPH)
    assert flags & swe.FLG_MOSEPH  # nothing to read: Moshier fallback
    init_worker(ephe_dir)
    _, flags = swe.calc_ut(2451545.0, swe.SUN, swe.FLG_SWIEPH)
    assert flags & swe.FLG_SWIEPH


# --- the calendar: proleptic Gregorian for every date (ISO 8601), also before 1582 ----------------------
@pytest.mark.parametrize("day", [date(1, 1, 1), date(1582, 10, 4), date(1582, 10, 15), date(2000, 1, 1),
                                 date(3000, 12, 31)])
def test_julian_days_are_proleptic_gregorian(day):
    # Python's date ordinal is proleptic Gregorian (0001-01-01 is day 1); JD 1721425.5 is 0001-01-01 00:00
    # Gregorian (the Julian calendar's 0001-01-01 is JD 1721423.5).
    expected = day.toordinal() + 1721424.5
    assert swiss.julian_day(datetime(day.year, day.month, day.day, tzinfo=UTC)) == expected
    assert swiss.julian_day_of_date(day) == expected
    assert swiss.date_of(expected + 0.25) == day


@pytest.mark.parametrize(("jd", "text"), [
    (1721425.5, "0001-01-01"), (1721424.5, "0000-12-31"), (1721425.5 - 366, "0000-01-01"),
    (1721425.5 - 366 - 365, "-0001-01-01"), (2451545.0, "2000-01-01"),
])
def test_iso_dates_before_year_1_use_astronomical_years(jd, text):
    # Year 0 (1 BC) is a leap year in the proleptic Gregorian calendar: 366 days.
    assert swiss.iso_date(jd) == text


def test_iso_moments_to_the_millisecond_before_and_after_year_1():
    assert swiss.iso_moment_ms(1721425.5 - 0.25) == "0000-12-31T18:00:00.000Z"
    assert swiss.iso_moment_ms(2451545.0 + 0.0007 / 86400) == "2000-01-01T12:00:00.001Z"  # 0.7 ms rounds up
    assert swiss.iso_moment_ms(2451545.0) == "2000-01-01T12:00:00.000Z"
