"""Discovery's request and response bodies (numeros-backend-rebuild seed: ScanResponse, CompatibilityResponse)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from numeros_common.ids import ResourceId
from numeros_common.responses import INVALID, MALFORMED_BODY, UNAUTHENTICATED

from .rules import CURSOR_PATTERN, decode_cursor

# OpenAPI error responses of the routes that act on another user (evaluate, resonance).
PAIR_ERRORS = {**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID,
               404: {"description": "The target (or the caller) does not exist or was deleted"},
               409: {"description": "The target is the caller (SELF_TARGET), or the caller's profile has not "
                                    "reached this service yet (PROFILE_PENDING; retry)"}}


class ScanFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    age_min: int | None = Field(default=None, ge=18, le=120, description="Youngest age to show, in years")
    age_max: int | None = Field(default=None, ge=18, le=120,
                                description="Oldest age to show, in years (below `age_min`: nobody matches)")
    distance_km: float | None = Field(
        default=None, gt=0, le=20040,
        description="Greatest great-circle distance from the caller, in km. Needs the caller's location: "
                    "without it the filter is listed in `ignored_filters` and not applied.")


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=10, ge=1, le=50, description="Profiles per page")
    cursor: str | None = Field(default=None, pattern=CURSOR_PATTERN,
                               description="`next_cursor` from the previous page, as it came (opaque); omit for "
                                           "the first page")
    filters: ScanFilters | None = None
    # The mobile client sends its filters object as the whole body; these are merged into `filters`.
    age_min: int | None = Field(default=None, ge=18, le=120, description="As `filters.age_min` (mobile client)")
    age_max: int | None = Field(default=None, ge=18, le=120, description="As `filters.age_max` (mobile client)")
    distance_km: float | None = Field(default=None, gt=0, le=20040,
                                      description="As `filters.distance_km` (mobile client)")

    @field_validator("cursor")
    @classmethod
    def _issued_cursor(cls, cursor: str | None) -> str | None:
        """A cursor of the right shape whose score or id is out of range was not issued by us: 422."""
        if cursor is not None:
            decode_cursor(cursor)
        return cursor

    @model_validator(mode="after")
    def _merge_top_level_filters(self) -> "ScanRequest":
        """Top-level filters join `filters`; a filter given in both places takes the `filters` value."""
        top_level = {k: getattr(self, k) for k in ScanFilters.model_fields if getattr(self, k) is not None}
        if top_level:
            nested = self.filters.model_dump(exclude_none=True) if self.filters else {}
            self.filters = ScanFilters(**(top_level | nested))
        return self


class Numerology(BaseModel):
    life_path: int
    soul_urge: int
    expression: int
    personality: int


Basis = Literal["numerology", "numerology+astrology"]
BASIS_DESCRIPTION = ("What the scores rest on: `numerology+astrology` when both people's charts are known, "
                     "else `numerology` (then `astrology_score` is 0 and `overall_score` equals "
                     "`numerology_score`)")


class Astrology(BaseModel):
    chart_level: int = Field(description="1-4 as in the seed: 1 = date only (noon chart) ... 4 = exact time and "
                                         "place (houses, rising sign)")
    sun_sign: str | None = Field(description="Null until the user's chart is known")
    moon_sign: str | None = Field(description="Null until the user's chart is known")
    rising_sign: str | None = Field(description="Null below chart level 4")


class ScanCompatibility(BaseModel):
    overall_score: int = Field(ge=0, le=100)
    numerology_score: int = Field(ge=0, le=100)
    astrology_score: int = Field(ge=0, le=100, description="0 when `basis` is `numerology`")
    highlights: list[str] = Field(description='At most one in scan, e.g. "Your Moons are in harmony"; '
                                              "the full list is in `POST /scan/evaluate`")
    basis: Basis = Field(description=BASIS_DESCRIPTION)


class ScanProfile(BaseModel):
    id: int
    display_name: str
    age: int
    photos: list[str]
    bio: str
    distance_km: float | None = Field(description="From the caller, to 0.1 km; null unless both locations are known")
    compatibility: ScanCompatibility | None = Field(
        description="The caller's compatibility with this person; null when `compatibility_unavailable` is set")
    numerology: Numerology
    astrology: Astrology


class ScanResponse(BaseModel):
    profiles: list[ScanProfile]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
    ignored_filters: list[str] = Field(
        default_factory=list, description="Filters that were sent but cannot be applied: `distance_km` while the "
                                          "caller's location is unknown")
    compatibility_unavailable: str | None = Field(
        default=None,
        description="Null when every profile carries `compatibility`. Otherwise why none does: `PROFILE_PENDING` "
                    "(the caller's own profile has not reached this service yet), `PROFILE_DELETED`, "
                    "`CHART_UNAVAILABLE` (the calculation service is down or too slow) or `CHART_ERROR` (it "
                    "failed). Scores are never guessed.")


class EvaluateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_user_id: ResourceId


class NumerologyCompatibility(BaseModel):
    life_path_harmony: int = Field(ge=0, le=100)
    soul_connection: int = Field(ge=0, le=100, description="Soul urge numbers")
    expression_sync: int = Field(ge=0, le=100)
    personality_match: int = Field(ge=0, le=100)
    challenges: list[str]
    strengths: list[str]
    numerology_score: int = Field(ge=0, le=100, description="The four weighted into one score")


class SynastryAspect(BaseModel):
    planet1: str = Field(description="The caller's planet")
    planet2: str = Field(description="The other person's planet")
    aspect: str = Field(description="conjunction, sextile, square, trine or opposition")
    orb: float


class AstrologyCompatibility(BaseModel):
    aspects: list[SynastryAspect]
    harmony_score: int = Field(ge=0, le=100)
    tension_score: int = Field(ge=0, le=100)
    interpretation: str
    astrology_score: int = Field(ge=0, le=100)
    highlights: list[str]
    challenges: list[str]


class CompatibilityResponse(BaseModel):
    """The seed's CompatibilityResponse, read from the caller's side ("Your Venus and their Mars ...")."""

    overall_score: int = Field(ge=0, le=100)
    numerology: NumerologyCompatibility
    astrology: AstrologyCompatibility | None = Field(
        description="Synastry of the key planets (Sun, Moon, Mercury, Venus, Mars); null unless both charts are "
                    "known, and then `overall_score` is the numerology score")
    highlights: list[str] = Field(description="The strongest harmonious aspects (at most 3)")
    basis: Basis = Field(description=BASIS_DESCRIPTION)
