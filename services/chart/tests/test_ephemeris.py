from __future__ import annotations

import swisseph as swe

from services.chart.adapters.ephemeris import REQUIRED_FILES, check_ephemeris, init_worker


def test_real_files_are_available(ephe_dir):
    status = check_ephemeris(ephe_dir)
    assert status.available, status.detail


def test_empty_directory_is_unavailable(empty_ephe_dir):
    status = check_ephemeris(empty_ephe_dir)
    assert not status.available
    assert status.detail == "missing files: sepl_18.se1, semo_18.se1, seas_18.se1"


def test_files_that_cannot_be_read_are_unavailable(tmp_path):
    # Present but empty: only reading them through Swiss Ephemeris tells they are useless.
    for name in REQUIRED_FILES:
        (tmp_path / name).write_bytes(b"")
    status = check_ephemeris(tmp_path)
    assert not status.available
    assert "sepl_18.se1 unreadable" in status.detail


def test_init_worker_makes_swiss_ephemeris_read_the_files(ephe_dir, empty_ephe_dir):
    init_worker(empty_ephe_dir)
    _, flags = swe.calc_ut(2451545.0, swe.SUN, swe.FLG_SWIEPH)
    assert flags & swe.FLG_MOSEPH  # nothing to read: Moshier fallback
    init_worker(ephe_dir)
    _, flags = swe.calc_ut(2451545.0, swe.SUN, swe.FLG_SWIEPH)
    assert flags & swe.FLG_SWIEPH
