"""Signs of the tropical zodiac and angle arithmetic on the ecliptic."""
from __future__ import annotations

import math
from dataclasses import dataclass

from services.chart.domain.constants import ZODIAC_SIGNS


@dataclass(frozen=True)
class SignPosition:
    """A longitude as the app shows it: sign, whole degrees and whole minutes (truncated, not rounded,
    so 29°59.9' stays in its sign)."""

    sign: str
    degree: int
    minute: int
    longitude: float

    def to_dict(self) -> dict:
        return {"sign": self.sign, "degree": self.degree, "minute": self.minute, "longitude": round(self.longitude, 4)}


_MINUTES_PER_SIGN = 30 * 60


def normalize(longitude: float) -> float:
    """Reduce to [0, 360); ``% 360`` alone can return 360.0 for tiny negative inputs."""
    value = longitude % 360.0
    return 0.0 if value >= 360.0 else value


def sign_index(longitude: float) -> int:
    return int(normalize(longitude) // 30.0)


def split_longitude(longitude: float) -> tuple[float, str, int, int]:
    """(normalized longitude, sign, whole degrees in the sign, whole arc minutes)."""
    lon = normalize(longitude)
    index = int(lon // 30.0)
    # Floating error must not carry 29°59.99999' over the sign boundary.
    arc_minutes = math.floor((lon - index * 30.0) * 60.0 + 1e-9)
    if arc_minutes >= _MINUTES_PER_SIGN:
        arc_minutes = _MINUTES_PER_SIGN - 1
    return lon, ZODIAC_SIGNS[index], arc_minutes // 60, arc_minutes % 60


def sign_position(longitude: float) -> SignPosition:
    lon, sign, degree, minute = split_longitude(longitude)
    return SignPosition(sign, degree, minute, lon)


def separation(a: float, b: float) -> float:
    """Shortest angle between two longitudes, in [0, 180]."""
    return abs((b - a + 180.0) % 360.0 - 180.0)


def signed_separation(a: float, b: float) -> float:
    """``b - a`` reduced to [-180, 180): positive when ``b`` is ahead of ``a`` in zodiacal order."""
    return (b - a + 180.0) % 360.0 - 180.0
