"""Swiss Ephemeris data files: are they present, and does pyswisseph really read them?

Without its files pyswisseph silently falls back to the less precise Moshier model, so a file
check alone proves nothing: each file is read once through a body it alone covers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from services.chart.domain import swiss
from services.chart.domain.constants import EPHEMERIS_FILES

REQUIRED_FILES = EPHEMERIS_FILES
_BLOCK = re.compile(r"^(sepl|semo|seas)(m|_)(\d\d)\.se1$")


def _probe(file_name: str) -> tuple[str, float]:
    """(kind, JD UT) at which Swiss Ephemeris must read ``file_name``: the middle of its 600 years
    (``sepl_18`` covers 1800-2399, ``seplm06`` 600-1 BC)."""
    kind, sign, hundreds = _BLOCK.match(file_name).groups()  # type: ignore[union-attr]
    first_year = int(hundreds) * 100 * (-1 if sign == "m" else 1)
    return kind, swiss.julian_day_of_gregorian(first_year + 300, 1, 1)


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
    for file_name in REQUIRED_FILES:
        kind, jd = _probe(file_name)
        problem = swiss.read_problem(kind, jd)
        if problem is None and swiss.file_in_use(kind) != file_name:
            problem = f"Swiss Ephemeris read {swiss.file_in_use(kind)} instead"
        if problem is not None:
            return EphemerisStatus(False, str(directory), f"{file_name} unreadable: {problem}")
    return EphemerisStatus(True, str(directory), "ok")


def init_worker(path: str | Path) -> None:
    """Point this (worker) process's Swiss Ephemeris at ``path``; its state is process-wide."""
    swiss.set_ephemeris_path(str(path))
