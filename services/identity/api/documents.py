"""Models of the JSON documents chart computes and identity passes through unchanged.

They describe the documented fields for the OpenAPI document; ``extra="allow"`` keeps everything else
chart adds (meanings, the birth instant used, aspects, Human Design's type and centres ...). The routes
return chart's JSON as it is, so a field a model marks optional is absent, not null, when chart leaves
it out (``angles`` and ``houses`` below chart level 4).
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- numeros-backend-rebuild: the native app's AstrologyData ------------------------------------


class PlanetPosition(_Open):
    sign: str = Field(description="Aries ... Pisces (tropical)")
    degree: int = Field(ge=0, le=29)
    minute: int = Field(ge=0, le=59)
    longitude: float = Field(ge=0, lt=360, description="Ecliptic longitude, degrees")
    house: int | None = Field(description="1-12 at chart level 4, else null")
    is_retrograde: bool


class AnglePosition(_Open):
    sign: str
    degree: int = Field(ge=0, le=29)
    minute: int = Field(ge=0, le=59)
    longitude: float = Field(ge=0, lt=360)


class Angles(_Open):
    ascendant: AnglePosition
    midheaven: AnglePosition


class Planets(_Open):
    sun: PlanetPosition
    moon: PlanetPosition
    mercury: PlanetPosition
    venus: PlanetPosition
    mars: PlanetPosition
    jupiter: PlanetPosition
    saturn: PlanetPosition
    uranus: PlanetPosition
    neptune: PlanetPosition
    pluto: PlanetPosition
    north_node: PlanetPosition = Field(description="True node")
    chiron: PlanetPosition


class BirthInstant(_Open):
    """Which time zone and UTC instant the chart used (noon when the birth time is unknown)."""

    local_datetime: str
    timezone: str
    timezone_source: Literal["explicit", "coordinates", "gazetteer", "assumed_utc"]
    utc_offset: str
    utc_datetime: str
    nonexistent_time: bool = Field(description="The local time fell in a DST gap; read with the earlier offset")
    ambiguous_time: bool = Field(description="The local time occurred twice; the earlier instant was used")
    time_known: bool


class AstrologyData(_Open):
    chart_level: int = Field(ge=1, le=4, description="1 date, 2 date + place, 3 date + time, 4 all")
    planets: Planets
    angles: Angles | None = Field(default=None, description="Only at chart level 4 (absent below)")
    houses: list[float] | None = Field(default=None, min_length=12, max_length=12,
                                       description="Twelve cusp longitudes, house 1 first; only at chart level 4")
    house_system_used: str | None = Field(default=None, description="May differ from the one asked for above "
                                                                    "the polar circles (see house_system_fallback_reason)")
    birth: BirthInstant | None = None


class NumerologyProfile(_Open):
    """The native app's NumerologyData (the four core numbers) and the full Pythagorean profile."""

    life_path: int
    soul_urge: int
    expression: int
    personality: int
    core_numbers: dict[str, Any] | None = Field(default=None, description="Each number with its reduction and meaning")
    life_periods: dict[str, Any] | None = Field(default=None, description="Pinnacles and challenges with age ranges")
    calculation_hash: str | None = None
    ruleset_version: str | None = None


class CalculateResponse(_Open):
    """numeros-backend-rebuild ``POST /api/profile/calculate`` response."""

    numerology: NumerologyProfile
    astrology: AstrologyData
    chart_level: int = Field(ge=1, le=4)


# --- jioastro-numerology-api ------------------------------------------------------------------


class NumberWithMeaning(_Open):
    number: int
    meaning: str | None = None


class CoreNumber(NumberWithMeaning):
    is_master: bool | None = None
    karmic_debt: int | None = None


class WesternCoreNumbers(_Open):
    life_path: CoreNumber
    expression: CoreNumber
    soul_urge: CoreNumber
    personality: CoreNumber
    maturity: CoreNumber | None = None
    birth_day: CoreNumber | None = None


class WesternSection(_Open):
    system: Literal["western"]
    core_numbers: WesternCoreNumbers
    special_numbers: dict[str, list[int]]
    current_cycles: dict[str, NumberWithMeaning]
    life_periods: dict[str, list[dict[str, Any]]]
    calculation_hash: str
    calculated_at: str


class PlanetNumber(NumberWithMeaning):
    planet: str | None = None
    favorable_dates: list[int] | None = None
    favorable_colors: list[str] | None = None
    favorable_gems: list[str] | None = None
    favorable_days: list[str] | None = None


class VedicSection(_Open):
    system: Literal["vedic"]
    psychic_number: PlanetNumber
    destiny_number: PlanetNumber
    name_number: NumberWithMeaning
    calculation_hash: str
    calculated_at: str


class ChaldeanSection(_Open):
    system: Literal["chaldean"]
    calculation_hash: str
    calculated_at: str


class NumerologyCalculateResponse(_Open):
    """jioastro ``POST /calculate``: one section per system asked for (``both`` = western + vedic)."""

    system: Literal["western", "vedic", "chaldean", "both"]
    western: WesternSection | None = None
    vedic: VedicSection | None = None
    chaldean: ChaldeanSection | None = None
    calculation_hash: str
    calculated_at: str


class NameComparison(_Open):
    name: str
    western: dict[str, Any] | None = Field(default=None, description="{core_numbers: {...}} for system western")
    vedic: dict[str, Any] | None = None
    chaldean: dict[str, Any] | None = None


class Recommendation(_Open):
    best_name: str
    reason: str


class NumerologyCompareResponse(_Open):
    system: Literal["western", "vedic", "chaldean"]
    birth_date: str
    comparisons: list[NameComparison]
    recommendation: Recommendation


# --- human-design-chart-api ---------------------------------------------------------------------


class Activation(_Open):
    body: str = Field(description="Sun, Moon, Mercury, Venus, Mars, Jupiter, Saturn, Uranus, Neptune, Pluto, "
                                  "North Node, South Node, Chiron")
    ecliptic_longitude: float = Field(ge=0, lt=360)
    gate: int = Field(ge=1, le=64)
    line: int = Field(ge=1, le=6)
    gate_line: str = Field(pattern=r"^\d{1,2}\.[1-6]$", examples=["41.3"])
    calculation_timestamp: str
    julian_day: float
    source: str


class HumanDesignResponse(_Open):
    name: str | None
    personality_activations: list[Activation] = Field(min_length=13, max_length=13)
    design_activations: list[Activation] = Field(min_length=13, max_length=13)
    design_datetime: str = Field(description="When the Sun stood 88 degrees of arc before its birth position (UTC)")
    calculation_source: str
    calculated_at: str
    type: str | None = Field(default=None, description="Beyond the seed: Generator, Manifesting Generator, ...")
    authority: str | None = None
    profile: str | None = None
    defined_centers: list[str] | None = None


class HumanDesignErrorDetail(BaseModel):
    code: str = Field(description="INVALID_DATE, INVALID_TIMEZONE, INVALID_LOCATION, INVALID_NAME, "
                                  "INVALID_REQUEST (body not a JSON object), EPHEMERIS_UNAVAILABLE, "
                                  "CALCULATION_FAILED, SERVICE_UNAVAILABLE")
    message: str
    message_de: str
    field: str | None
    retry_after: int | None


class HumanDesignError(BaseModel):
    detail: HumanDesignErrorDetail
