"""jioastro-numerology-api bodies: the requests, and models of the documents chart computes (passed
through unchanged; ``extra="allow"`` keeps what the models do not name)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from numeros_common.fields import NO_NUL, CalendarDate, unset_is_absent
from numeros_common.ids import ResourceId
from numeros_common.names import state_name_rule


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


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


YRule = Literal["auto", "always", "never"]
Y_RULE_DESCRIPTION = ("How Y counts in soul urge / personality: auto (default: a vowel when no other vowel "
                      "is next to it in the word), always or never.")
AS_OF_DESCRIPTION = ("The day personal cycles are read for. Default: today's date in UTC when the request "
                     "arrives (the only clock this API reads); pass it to make results reproducible.")


class NumerologyCalculateRequest(BaseModel):
    """jioastro-numerology-api ``POST /calculate`` body, plus the optional ``as_of`` and ``y_as_vowel``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    full_name: str = Field(min_length=1, max_length=200, json_schema_extra=state_name_rule,
                           description="Full name as on the birth certificate (Latin letters, spaces, hyphens, "
                                       "apostrophes, dots)")
    birth_date: CalendarDate = Field(description="YYYY-MM-DD")
    system: Literal["western", "vedic", "chaldean", "both"] = "both"
    common_name: str | None = Field(default=None, max_length=200,
                                    description="Accepted as in the seed; the calculation uses full_name only")
    name_at_birth: str | None = Field(default=None, max_length=200, description="As common_name")
    profile_id: uuid.UUID | None = Field(default=None, description="Accepted as in the seed; not used by calculate")
    as_of: CalendarDate | None = Field(default=None, description=AS_OF_DESCRIPTION)
    y_as_vowel: YRule | None = Field(default=None, description=Y_RULE_DESCRIPTION)


class NumerologyCompareRequest(BaseModel):
    """jioastro-numerology-api ``POST /compare`` body."""

    model_config = ConfigDict(str_strip_whitespace=True)

    names: list[Annotated[str, Field(min_length=1, max_length=200, json_schema_extra=state_name_rule)]] = Field(
        # Stated, not enforced by validation: the count is the service's 400, as the seed says.
        json_schema_extra={"minItems": 2, "maxItems": 5},
        description="2 to 5 names (fewer or more is a 400, as the seed says)")
    birth_date: CalendarDate = Field(description="Birth date for the life path, YYYY-MM-DD")
    system: Literal["western", "vedic", "chaldean"]
    y_as_vowel: YRule | None = Field(default=None, description=Y_RULE_DESCRIPTION)


# --- saved profiles and name trials ------------------------------------------------------------------

NAME_FIELD = {"min_length": 1, "max_length": 200, "json_schema_extra": state_name_rule}
TrialSystem = Literal["western", "vedic", "chaldean"]


def _text(max_length: int, description: str) -> Any:
    """Optional free text: blank (after trimming) is absent, NUL is refused (Postgres text cannot hold one)."""
    return Annotated[str | None, Field(max_length=max_length, pattern=NO_NUL, description=description),
                     AfterValidator(lambda value: value or None)]


OtherName = _text(200, "Kept with the profile; the numbers are read from full_name only. Blank = none")
Notes = _text(1000, "Why this name is being tried. Blank = none")


class NumerologyProfileCreate(NumerologyCalculateRequest):
    """jioastro ``POST /profiles``: the ``/calculate`` body; the profile keeps ``y_as_vowel`` for recalculations
    and name trials, and ``as_of`` only dates the cycles of this calculation."""

    common_name: OtherName = None
    name_at_birth: OtherName = None
    profile_id: ResourceId | None = Field(default=None, description="One of your birth profiles (`/astro/profiles`) "
                                                                    "to link; another user's is not found (404)")


class NumerologyProfileUpdate(BaseModel):
    """jioastro ``PATCH /profiles/{id}``: only the fields sent change. A new ``full_name`` or ``birth_date``
    recalculates every number (as does ``as_of``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=unset_is_absent)

    full_name: str = Field(default=None, **NAME_FIELD, description="Recalculates the numbers when it changes")
    common_name: OtherName = None
    name_at_birth: OtherName = None
    birth_date: CalendarDate = Field(default=None, description="Recalculates the numbers when it changes")
    as_of: CalendarDate = Field(default=None, description="Recalculate, with personal cycles read for this day "
                                                          "(a recalculation without it reads them for today, UTC)")


class NumerologyProfileSummary(BaseModel):
    """An entry of ``GET /profiles`` (newest first)."""

    id: int
    full_name: str
    birth_date: dt.date
    system: Literal["western", "vedic", "chaldean", "both"]
    created_at: str = Field(description="UTC, e.g. 2025-11-05T10:30:00Z")


class NumerologyProfile(NumerologyProfileSummary):
    """A saved profile: its inputs and the ``/calculate`` sections for its system (null for the others);
    ``cycles`` are the western section's current cycles on the day of ``calculated_at``."""

    user_id: int
    profile_id: int | None = Field(description="The linked birth profile, if any")
    common_name: str | None
    name_at_birth: str | None
    y_as_vowel: YRule
    western_data: WesternSection | None
    vedic_data: VedicSection | None
    chaldean_data: ChaldeanSection | None
    cycles: dict[str, NumberWithMeaning] | None
    calculation_hash: str
    calculated_at: str
    updated_at: str


class NameTrialCreate(BaseModel):
    """jioastro ``POST /profiles/{profile_id}/name-trials``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    trial_name: str = Field(**NAME_FIELD, description="The alternative name to test")
    system: TrialSystem
    notes: Notes = None
    is_preferred: bool = Field(default=False, strict=True,
                               description="The profile's preferred name (marking one unmarks the others)")


class NameTrialUpdate(BaseModel):
    """jioastro ``PATCH .../name-trials/{trial_id}``: notes (null or blank clears them) or preferred status."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=unset_is_absent)

    notes: Notes = None
    is_preferred: bool = Field(default=None, strict=True,
                               description="true makes this the profile's preferred name (unmarking the others)")


class NameTrial(BaseModel):
    """A name trial: ``calculated_values`` are the numbers the name decides in its system, in the shapes of
    ``/calculate`` (western: expression, soul_urge, personality; vedic and chaldean: name_number)."""

    id: int
    numerology_profile_id: int
    user_id: int
    trial_name: str
    system: TrialSystem
    calculated_values: dict[str, NumberWithMeaning]
    notes: str | None
    is_preferred: bool
    created_at: str = Field(description="UTC, e.g. 2025-11-05T10:30:00Z")
    updated_at: str
