"""astro-mvp request and response bodies (the seed's Profiles, Calculations and Predictions)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain.astro import DEFAULT_AYANAMSA, DEFAULT_HOUSE_SYSTEM, ayanamsa_name, house_system_name

FIRST_DOB = dt.date(1800, 1, 2)  # the ephemeris files' range (chart checks the rest)
_TOB = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
REQUIRED_FIELDS = ("name", "gender", "dob", "tob", "tz", "place", "lat", "lon")


def _check_tob(value: str | None) -> str | None:
    if value is not None and not _TOB.match(value):
        raise ValueError("must be HH:MM or HH:MM:SS (24-hour)")
    return value


def _check_tz(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be a valid IANA time zone, e.g. 'America/New_York'") from exc
    return value


def _check_dob(value: dt.date | None) -> dt.date | None:
    if value is not None:
        if value < FIRST_DOB:
            raise ValueError(f"must be on or after {FIRST_DOB}")
        if value > dt.datetime.now(dt.UTC).date():
            raise ValueError("must not be in the future")
    return value


class _Fields(BaseModel):
    """Every profile field optional (PATCH); subclasses make the seed's required ones required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=50)
    gender: Literal["male", "female"] | None = None
    dob: dt.date | None = Field(default=None, description="YYYY-MM-DD")
    tob: str | None = Field(default=None, description="Local clock time, HH:MM or HH:MM:SS (24-hour)")
    tz: str | None = Field(default=None, description="IANA time zone, e.g. America/New_York")
    place: str | None = Field(default=None, min_length=1, max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    altitude_m: float | None = Field(default=None, ge=-500, le=10000)
    uncertainty_minutes: int | None = Field(default=None, ge=0, le=10)
    ayanamsa: str | None = Field(default=None, description="Lahiri (default), Raman, Krishnamurti, FaganBradley, "
                                                            "TrueChitrapaksha")
    house_system: str | None = Field(default=None, description="WholeSign (default), Placidus, Equal")

    _tob = field_validator("tob")(classmethod(lambda cls, v: _check_tob(v)))
    _tz = field_validator("tz")(classmethod(lambda cls, v: _check_tz(v)))
    _dob = field_validator("dob")(classmethod(lambda cls, v: _check_dob(v)))

    @field_validator("ayanamsa")
    @classmethod
    def _ayanamsa(cls, value: str | None) -> str | None:
        return None if value is None else ayanamsa_name(value)

    @field_validator("house_system")
    @classmethod
    def _house_system(cls, value: str | None) -> str | None:
        return None if value is None else house_system_name(value)


class ProfileCreate(_Fields):
    name: str = Field(min_length=1, max_length=50)
    gender: Literal["male", "female"]
    dob: dt.date
    tob: str
    tz: str
    place: str = Field(min_length=1, max_length=100)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    altitude_m: float = Field(default=0, ge=-500, le=10000)
    uncertainty_minutes: int = Field(default=0, ge=0, le=10)
    ayanamsa: str = DEFAULT_AYANAMSA
    house_system: str = DEFAULT_HOUSE_SYSTEM


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

    profile_id: int | None = Field(default=None, ge=1)
    as_of: dt.date | None = Field(default=None, description="The day dasha and transits are read for; "
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

    profile_id: int = Field(ge=1)
    question: str = Field(min_length=1, max_length=500)
    time_horizon_months: int = Field(default=12, ge=1, le=24)
    calc_snapshot_id: int | None = Field(default=None, ge=1, description="Answer from this snapshot of the "
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
