"""Swiss Ephemeris data files: are they present, and does pyswisseph really read them?

Without its files pyswisseph silently falls back to the less precise Moshier model, so a file
check alone proves nothing: each file is read once through a body it alone covers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.chart.domain import swiss
from services.chart.domain.constants import EPHEMERIS_FILES

REQUIRED_FILES = EPHEMERIS_FILES
_PROBE_JD = swiss.julian_day(datetime(2000, 1, 1, 12, tzinfo=UTC))  # J2000, inside every series
# One body per required file: planets, the Moon, the main asteroids.
_PROBE_BODIES = dict(zip(REQUIRED_FILES, swiss.PROBE_BODIES, strict=True))


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
    swiss.set_ephemeris_path(str(directory))
    for file_name, body in _PROBE_BODIES.items():
        problem = swiss.read_problem(body, _PROBE_JD)
        if problem is not None:
            return EphemerisStatus(False, str(directory), f"{file_name} unreadable: {problem}")
    return EphemerisStatus(True, str(directory), "ok")


def init_worker(path: str | Path) -> None:
    """Point this (worker) process's Swiss Ephemeris at ``path``; its state is process-wide."""
    swiss.set_ephemeris_path(str(path))
