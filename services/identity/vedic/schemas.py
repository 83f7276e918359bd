"""astro-mvp request and response bodies (the seed's Profiles, Calculations and Predictions)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..calculations import check_birth_date

# chart owns the names it accepts and resolves them to its canonical ones (stored); these are the seed's defaults.
DEFAULT_AYANAMSA, DEFAULT_HOUSE_SYSTEM = "Lahiri", "WholeSign"
_TOB = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


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
    ayanamsa: str | None = Field(default=None, min_length=1, max_length=32,
                                 description="Lahiri (default), Raman, Krishnamurti, FaganBradley, TrueChitrapaksha "
                                             "(in any spelling chart accepts; stored as its canonical name)")
    house_system: str | None = Field(default=None, min_length=1, max_length=32,
                                     description="WholeSign (default), Placidus, Equal (also W, P, E/A; stored as "
                                                 "the canonical name)")

    _tob = field_validator("tob")(classmethod(lambda cls, v: _check_tob(v)))
    _tz = field_validator("tz")(classmethod(lambda cls, v: _check_tz(v)))
    _dob = field_validator("dob")(classmethod(lambda cls, v: check_birth_date(v)))


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
    ayanamsa: str = Field(default=DEFAULT_AYANAMSA, min_length=1, max_length=32)
    house_system: str = Field(default=DEFAULT_HOUSE_SYSTEM, min_length=1, max_length=32)


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
