"""jioastro-numerology-api bodies: the requests, and models of the documents chart computes (passed
through unchanged; ``extra="allow"`` keeps what the models do not name)."""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from numeros_common.fields import CalendarDate
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
