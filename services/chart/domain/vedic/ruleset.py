"""Ruleset version and the input hash that identifies a snapshot.

``input_hash`` = sha256 over the normalised input, the ruleset version and the ephemeris version,
serialised as canonical JSON (sorted keys, no spaces). Bump ``RULESET_VERSION`` whenever any rule
or table of this package changes a result; a new version makes every cached snapshot miss.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime

from services.chart.domain.aliases import ayanamsa_key, vedic_house_system_key
from services.chart.domain.constants import EPHEMERIS_PACKAGE
from services.chart.domain.swiss import VERSION as SWISSEPH_VERSION

RULESET_VERSION = "1.0.0"


def ephemeris_version() -> str:
    """Library version and data set, e.g. ``"swisseph 2.10.03 swe-standard-data 4.0-20221111"``."""
    return f"swisseph {SWISSEPH_VERSION} {EPHEMERIS_PACKAGE}"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def normalize_input(
    *,
    local: datetime | str,
    timezone: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    birth_place: str | None = None,
    altitude_m: float | None = 0.0,
    ayanamsa: str | None = None,
    house_system: str | None = None,
    uncertainty_minutes: int = 0,
    as_of: date | str,
) -> dict:
    """The inputs that decide a snapshot, in one canonical form.

    ``local`` is the birth's local clock time (``datetime`` or ISO text; seconds kept, sub-seconds
    dropped); coordinates are rounded to 1e-6° (~0.1 m); the place name counts only when no
    coordinates are given (otherwise they decide everything); names of ayanamsa and house system
    are reduced to their keys, so ``"Lahiri"`` and ``"lahiri"`` hash alike.
    """
    moment = datetime.fromisoformat(local) if isinstance(local, str) else local
    if moment.tzinfo is not None:
        raise ValueError("normalize_input needs the naive local clock time")
    day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    has_coordinates = latitude is not None and longitude is not None
    place = None if has_coordinates or not birth_place else " ".join(birth_place.lower().split())
    return {
        "local": moment.replace(microsecond=0).isoformat(),
        "timezone": timezone or None,
        "latitude": _round(latitude, 6),
        "longitude": _round(longitude, 6),
        "birth_place": place,
        "altitude_m": _round(altitude_m or 0.0, 1),
        "ayanamsa": ayanamsa_key(ayanamsa),
        "house_system": vedic_house_system_key(house_system),
        "uncertainty_minutes": int(uncertainty_minutes),
        "as_of": day.isoformat(),
    }


def input_hash(normalized: Mapping, *, ruleset_version: str = RULESET_VERSION,
               ephemeris: str | None = None) -> str:
    document = {"input": dict(normalized), "ruleset_version": ruleset_version,
                "ephemeris_version": ephemeris if ephemeris is not None else ephemeris_version()}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
