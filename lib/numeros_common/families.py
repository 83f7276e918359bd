"""API families: the sister product that owns a path prefix decides its error dialect and its rate limits.
A router declares its family once (``family_router``); nothing per handler."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter

from .dialects import ASTRO_MVP, ENVELOPE, HUMAN_DESIGN, JIOASTRO, Dialect
from .ratelimit import RatePolicy


@dataclass(frozen=True)
class Family:
    dialect: Dialect
    rate: RatePolicy


NUMEROS = Family(ENVELOPE, RatePolicy("default", "rate_limit_default"))
JIOASTRO_NUMEROLOGY = Family(JIOASTRO, RatePolicy("numerology", "rate_limit_numerology",
                                                  premium_setting="rate_limit_numerology_premium", per_endpoint=True))
# astro-mvp's compute and prediction endpoints are the ones that compute (reading a stored snapshot or
# prediction is a general request).
ASTRO_MVP_VEDIC = Family(ASTRO_MVP, RatePolicy("astro", "rate_limit_astro", routes={
    "POST /api/v1/astro/compute": "rate_limit_astro_compute",
    "POST /api/v1/astro/predict": "rate_limit_astro_predict"}))
HUMAN_DESIGN_CHART = Family(HUMAN_DESIGN, RatePolicy("human-design", "rate_limit_human_design", by_ip=True))


def family_router(prefix: str, family: Family, **kwargs: Any) -> APIRouter:
    """An APIRouter whose every error (its 404/405s, auth, validation, 429, 500) speaks ``family``'s dialect
    and whose requests count against ``family``'s limits; ``create_service_app`` reads the declaration."""
    router = APIRouter(prefix=prefix, **kwargs)
    router.family = family  # type: ignore[attr-defined]
    return router


def family_of(router: APIRouter) -> Family | None:
    return getattr(router, "family", None)


class FamilyMap:
    """Which family owns a path: the longest declared prefix containing it, else the project's own."""

    def __init__(self, prefixes: dict[str, Family]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[0]))

    def for_path(self, path: str) -> Family:
        for prefix, family in self.prefixes:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return family
        return NUMEROS
