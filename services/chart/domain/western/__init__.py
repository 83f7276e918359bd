"""Western astrology engine: pure functions over Swiss Ephemeris (whose path each worker sets once)."""
from services.chart.domain.aliases import DEFAULT_HOUSE_SYSTEM, HOUSE_SYSTEMS
from services.chart.domain.swiss import BODIES, EphemerisInfo, EphemerisUnavailable, ephemeris_info
from services.chart.domain.western.aspects import ASPECT_KINDS, Aspect, AspectKind, find_aspect
from services.chart.domain.western.chart import (
    AnglePosition,
    ChartRequest,
    NatalChart,
    PlanetPosition,
    SignOverDay,
    compute_natal_chart,
    compute_natal_charts,
)
from services.chart.domain.western.positions import NatalPositions, compute_natal_positions
from services.chart.domain.western.houses import FALLBACK_HOUSE_SYSTEM, Houses, compute_houses, house_of
from services.chart.domain.western.zodiac import ZODIAC_SIGNS, SignPosition, sign_position

__all__ = [
    "ASPECT_KINDS", "AnglePosition", "Aspect", "AspectKind", "BODIES", "ChartRequest", "DEFAULT_HOUSE_SYSTEM",
    "EphemerisInfo", "EphemerisUnavailable", "FALLBACK_HOUSE_SYSTEM", "HOUSE_SYSTEMS", "Houses", "NatalChart",
    "NatalPositions", "PlanetPosition", "SignOverDay", "SignPosition", "ZODIAC_SIGNS", "compute_houses",
    "compute_natal_chart", "compute_natal_charts", "compute_natal_positions", "ephemeris_info", "find_aspect",
    "house_of", "sign_position",
]
