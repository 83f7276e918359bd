"""human-design-chart-api bodies: the request, the chart chart computes (passed through unchanged) and the
seed's error body."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from numeros_common.fields import LOCAL_DATETIME, list_time_zones


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


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


ACTIVATIONS = ("One per body in the seed's order; Chiron is left out (12) where Swiss Ephemeris does not define it, "
               "before 675 and after 4650 AD")


class HumanDesignResponse(_Open):
    name: str | None
    personality_activations: list[Activation] = Field(min_length=12, max_length=13, description=ACTIVATIONS)
    design_activations: list[Activation] = Field(min_length=12, max_length=13, description=ACTIVATIONS)
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


class HumanDesignRequest(BaseModel):
    """human-design-chart-api ``POST /api/calculate-chart`` body. Types are checked here; values (date range,
    zone name, coordinate ranges, name length) by the engine, which words the seed's bilingual errors."""

    birth_datetime: str = Field(description="Local birth date and time, ISO 8601, e.g. 1990-05-15T14:30:00",
                                json_schema_extra={"pattern": LOCAL_DATETIME},
                                examples=["1990-05-15T14:30:00"])
    # The engine checks the name (worded as the seed's error); the schema lists the names it accepts.
    birth_timezone: str = Field(json_schema_extra=list_time_zones, examples=["Europe/Berlin"],
                                description="IANA time zone, e.g. Europe/Berlin (not EST)")
    # Strict: a number, not a numeric string (the engine checks the range, worded as the seed's error).
    birth_latitude: float = Field(strict=True, allow_inf_nan=False, json_schema_extra={"minimum": -90, "maximum": 90},
                                  examples=[52.52])
    birth_longitude: float = Field(strict=True, allow_inf_nan=False,
                                   json_schema_extra={"minimum": -180, "maximum": 180}, examples=[13.405])
    name: str | None = Field(default=None, json_schema_extra={"maxLength": 100}, examples=["John Doe"])
