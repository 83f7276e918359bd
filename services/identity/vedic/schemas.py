"""astro-mvp request and response bodies (the seed's Profiles, Calculations and Predictions)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from numeros_common.fields import CLOCK_TIME, NOT_BLANK, CalendarDate, TimeZoneName, WholeNumber, unset_is_absent
from numeros_common.ids import ResourceId
from numeros_common.options import AYANAMSA_ALIASES, AYANAMSAS, HOUSE_ALIASES, VEDIC_HOUSE_SYSTEMS, state_spellings


# chart owns the names it accepts and resolves them to its canonical ones (stored); these are the seed's defaults.
DEFAULT_AYANAMSA, DEFAULT_HOUSE_SYSTEM = "Lahiri", "WholeSign"
_AYANAMSA = state_spellings(AYANAMSA_ALIASES, AYANAMSAS)
_HOUSES = state_spellings(HOUSE_ALIASES, VEDIC_HOUSE_SYSTEMS)
TOB_DESCRIPTION = "Local clock time, HH:MM or HH:MM:SS (24-hour)"


def _profile_or_birth(schema: dict[str, Any]) -> None:
    """The compute body names a profile or carries the birth data: the schema states the either-or."""
    unset_is_absent(schema)
    schema["anyOf"] = [{"required": ["profile_id"]},
                       {"required": ["name", "gender", "dob", "tob", "tz", "place", "lat", "lon"]}]


class _Fields(BaseModel):
    """Every profile field optional (PATCH); subclasses make the seed's required ones required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=unset_is_absent)

    # Absent is not null: a field sent must have a value (the defaults are not validated, so None = unset).
    name: str = Field(default=None, min_length=1, max_length=50, pattern=NOT_BLANK)
    gender: Literal["male", "female"] = None
    dob: CalendarDate = None
    tob: str = Field(default=None, pattern=CLOCK_TIME, description=TOB_DESCRIPTION)
    tz: TimeZoneName = None
    place: str = Field(default=None, min_length=1, max_length=100, pattern=NOT_BLANK)
    lat: float = Field(default=None, strict=True, ge=-90, le=90)
    lon: float = Field(default=None, strict=True, ge=-180, le=180)
    altitude_m: float = Field(default=None, strict=True, ge=-500, le=10000)
    uncertainty_minutes: WholeNumber = Field(default=None, ge=0, le=10)
    ayanamsa: str = Field(default=None, min_length=1, max_length=32, pattern=NOT_BLANK, json_schema_extra=_AYANAMSA,
                                 description="Lahiri (default), Raman, Krishnamurti, FaganBradley, TrueChitrapaksha "
                                             "(in any spelling chart accepts; stored as its canonical name)")
    house_system: str = Field(default=None, min_length=1, max_length=32, pattern=NOT_BLANK, json_schema_extra=_HOUSES,
                                     description="WholeSign (default), Placidus, Equal (also W, P, E/A; stored as "
                                                 "the canonical name)")



class ProfileCreate(_Fields):
    name: str = Field(min_length=1, max_length=50, pattern=NOT_BLANK)
    gender: Literal["male", "female"]
    dob: CalendarDate
    tob: str = Field(pattern=CLOCK_TIME, description=TOB_DESCRIPTION)
    tz: TimeZoneName
    place: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK)
    lat: float = Field(strict=True, ge=-90, le=90)
    lon: float = Field(strict=True, ge=-180, le=180)
    altitude_m: float = Field(default=0, strict=True, ge=-500, le=10000)
    uncertainty_minutes: WholeNumber = Field(default=0, ge=0, le=10)
    ayanamsa: str = Field(default=DEFAULT_AYANAMSA, min_length=1, max_length=32, pattern=NOT_BLANK,
                          json_schema_extra=_AYANAMSA)
    house_system: str = Field(default=DEFAULT_HOUSE_SYSTEM, min_length=1, max_length=32, pattern=NOT_BLANK,
                              json_schema_extra=_HOUSES)


class ProfileUpdate(_Fields):
    """Only the fields sent change; none of them may be null."""


class ProfileOut(BaseModel):
    id: int
    name: str
    gender: str
    dob: dt.date
    tob: str
    tz: str
    place: str
    lat: float
    lon: float
    altitude_m: float
    uncertainty_minutes: int
    ayanamsa: str
    house_system: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProfileList(BaseModel):
    profiles: list[ProfileOut]
    total: int
    page: int
    per_page: int


class HistoryEntry(BaseModel):
    type: Literal["calc_snapshot", "prediction"]
    id: int
    created_at: dt.datetime
    metadata: dict[str, Any]


class ProfileHistory(BaseModel):
    profile_id: int
    history: list[HistoryEntry]
    total: int


class ComputeRequest(_Fields):
    """``profile_id``, or the birth data inline (the same fields as a profile). ``ayanamsa``,
    ``house_system`` and ``uncertainty_minutes`` given here override the profile's."""

    model_config = ConfigDict(json_schema_extra=_profile_or_birth)

    profile_id: ResourceId | None = None
    as_of: CalendarDate | None = Field(default=None, description="The day dasha and transits are read for; "
                                                            "default today (UTC)")


class ComputeResponse(BaseModel):
    calc_snapshot_id: int
    input_hash: str
    ruleset_version: str
    ephemeris_version: str
    ayanamsa: str
    house_system: str
    calc_timestamp: dt.datetime
    cached: bool
    as_of: dt.date
    profile_id: int | None


class SnapshotOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    input_hash: str
    ayanamsa: str
    house_system: str
    ephemeris_version: str
    ruleset_version: str
    created_at: dt.datetime
    data: dict[str, Any]


class QuestionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    profile_id: ResourceId
    question: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)
    time_horizon_months: WholeNumber = Field(default=12, ge=1, le=24)
    calc_snapshot_id: ResourceId | None = Field(default=None, description="Answer from this snapshot of the "
                                                                          "profile; default a snapshot for today")


class PredictionResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    prediction_id: int
    topic: str
    answer: dict[str, Any]
    confidence_overall: float
    sensitivity_notice: str | None
    calc_snapshot_id: int
    llm_model: str
    created_at: dt.datetime


class PredictionOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    question: str
    topic: str
    result: dict[str, Any]
    confidence_overall: float
    llm_model: str
    created_at: dt.datetime
