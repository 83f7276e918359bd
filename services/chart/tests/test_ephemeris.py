from __future__ import annotations

import shutil

import swisseph as swe

from services.chart.adapters.ephemeris import REQUIRED_FILES, check_ephemeris, init_worker

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
