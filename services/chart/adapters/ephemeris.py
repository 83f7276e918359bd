"""Swiss Ephemeris data files: are they present, and does pyswisseph really read them?

Without its files pyswisseph silently falls back to the less precise Moshier model, so a file
check alone proves nothing: each file is read once through a body it alone covers.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import swisseph as swe

REQUIRED_FILES = ("sepl_18.se1", "semo_18.se1", "seas_18.se1")
_J2000_UT = 2451545.0
# One body per required file: planets, the Moon, the main asteroids.
_PROBE_BODIES = {"sepl_18.se1": swe.SUN, "semo_18.se1": swe.MOON, "seas_18.se1": swe.CHIRON}


@dataclass(frozen=True)
class EphemerisStatus:
    available: bool
    path: str
    detail: str


def check_ephemeris(path: str | Path) -> EphemerisStatus:
    """Verify the required files exist in ``path`` and are read by Swiss Ephemeris.

    Sets the process-wide ephemeris path as a side effect.
    """
    directory = Path(path)
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        return EphemerisStatus(False, str(directory), f"missing files: {', '.join(missing)}")
    swe.set_ephe_path(str(directory))
    for file_name, body in _PROBE_BODIES.items():
        try:
            _, returned_flags = swe.calc_ut(_J2000_UT, body, swe.FLG_SWIEPH)
        except swe.Error as error:
            problem = str(error).strip()
        else:
            if returned_flags & swe.FLG_SWIEPH:
                continue
            problem = "Swiss Ephemeris fell back to the Moshier model"
        return EphemerisStatus(False, str(directory), f"{file_name} unreadable: {problem}")
    return EphemerisStatus(True, str(directory), "ok")


def init_worker(path: str | Path) -> None:
    """Point this (worker) process's Swiss Ephemeris at ``path``; its state is process-wide."""
    swe.set_ephe_path(str(path))
