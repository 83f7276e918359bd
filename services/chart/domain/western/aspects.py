"""Major aspects with the seed's orbs, shared by natal charts and synastry.

conjunction 0° ±8, sextile 60° ±6, square 90° ±8, trine 120° ±8, opposition 180° ±8. The
windows do not overlap, so a pair of longitudes forms at most one aspect.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple

from services.chart.domain.western.zodiac import separation, signed_separation


@dataclass(frozen=True)
class AspectKind:
    name: str
    angle: float
    orb: float
    harmonious: bool  # the seed counts conjunction, sextile and trine as harmony; square, opposition as tension


ASPECT_KINDS: tuple[AspectKind, ...] = (
    AspectKind("conjunction", 0.0, 8.0, True),
    AspectKind("sextile", 60.0, 6.0, True),
    AspectKind("square", 90.0, 8.0, False),
    AspectKind("trine", 120.0, 8.0, True),
    AspectKind("opposition", 180.0, 8.0, False),
)


class Aspect(NamedTuple):
    """One aspect between two bodies (a NamedTuple: a chart finds ~20, so construction cost counts)."""

    planet1: str
    planet2: str
    aspect: str
    orb: float  # degrees from exact
    applying: bool | None = None  # None when speeds are unknown

    def to_dict(self) -> dict:
        planet1, planet2, aspect, orb, applying = self  # one unpacking: a chart writes ~20 of these
        if applying is None:
            return {"planet1": planet1, "planet2": planet2, "aspect": aspect, "orb": round(orb, 2)}
        return {"planet1": planet1, "planet2": planet2, "aspect": aspect, "orb": round(orb, 2), "applying": applying}


# Whole degree of separation (0-180) -> the only aspect whose window touches it; a chart checks 66
# pairs, so one table look-up per pair beats trying five aspects.
KIND_BY_DEGREE: tuple[AspectKind | None, ...] = tuple(
    next((k for k in ASPECT_KINDS if abs(d - k.angle) <= k.orb or abs(d + 1 - k.angle) <= k.orb), None)
    for d in range(181)
)


def find_aspect(longitude1: float, longitude2: float) -> tuple[AspectKind, float] | None:
    """The aspect two longitudes form and its orb, or None."""
    angle = separation(longitude1, longitude2)
    kind = KIND_BY_DEGREE[int(angle)]
    if kind is None:
        return None
    orb = abs(angle - kind.angle)
    return (kind, orb) if orb <= kind.orb else None


def is_applying(kind: AspectKind, longitude1: float, speed1: float, longitude2: float, speed2: float) -> bool:
    """True while the orb is shrinking (the aspect is still perfecting), from the current speeds.

    With s = lon2 - lon1 in [-180, 180) the orb is ||s| - angle|, so its rate is
    sign(|s| - angle) * sign(s) * (speed2 - speed1).
    """
    s = signed_separation(longitude1, longitude2)
    towards_exact = -1.0 if abs(s) < kind.angle else 1.0
    direction = -1.0 if s < 0 else 1.0
    return towards_exact * direction * (speed2 - speed1) < 0


def chart_aspects(positions: dict[str, tuple[float, float]]) -> tuple[Aspect, ...]:
    """Aspects between every pair of bodies of one chart; ``positions`` maps name -> (longitude, speed)."""
    found = []
    for (name1, (lon1, v1)), (name2, (lon2, v2)) in combinations(positions.items(), 2):
        angle = abs((lon2 - lon1 + 180.0) % 360.0 - 180.0)  # separation(), inlined: 66 pairs a chart
        kind = KIND_BY_DEGREE[int(angle)]
        if kind is not None and abs(angle - kind.angle) <= kind.orb:
            found.append(Aspect(name1, name2, kind.name, abs(angle - kind.angle),
                                is_applying(kind, lon1, v1, lon2, v2)))
    return tuple(found)
