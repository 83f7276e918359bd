"""Public request and response bodies (numeros-backend-rebuild seed: ScanResponse, resonance, matches)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ..domain.discovery import MAX_ID, InvalidCursor, decode_cursor



class ScanFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    age_min: int | None = Field(default=None, ge=18, le=120, description="Youngest age to show, in years")
    age_max: int | None = Field(default=None, ge=18, le=120, description="Oldest age to show, in years")
    distance_km: float | None = Field(
        default=None, gt=0,
        description="Accepted but not applied yet: we hold no current location. When sent, the response "
                    "lists it in `ignored_filters`.")

    @field_validator("age_max")
    @classmethod
    def _not_below_age_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        age_min = info.data.get("age_min")
        if value is not None and age_min is not None and value < age_min:
            raise ValueError("must be greater than or equal to age_min")
        return value


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=10, ge=1, le=50, description="Profiles per page")
    cursor: str | None = Field(default=None, max_length=64,
                               description="`next_cursor` from the previous page; omit for the first page")
    filters: ScanFilters | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_top_level_filters(cls, data: object) -> object:
        """The mobile client sends its filters object as the whole body ({age_min, age_max, ...})."""
        if isinstance(data, dict) and "filters" not in data:
            top_level = {k: data[k] for k in ScanFilters.model_fields if k in data}
            if top_level:
                data = {k: v for k, v in data.items() if k not in top_level} | {"filters": top_level}
        return data

    @field_validator("cursor")
    @classmethod
    def _cursor_we_issued(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                decode_cursor(value)
            except InvalidCursor as exc:
                raise ValueError(str(exc)) from exc
        return value


class Numerology(BaseModel):
    life_path: int
    soul_urge: int
    expression: int
    personality: int


class ScanProfile(BaseModel):
    id: int
    display_name: str
    age: int
    photos: list[str]
    numerology: Numerology


class ScanResponse(BaseModel):
    profiles: list[ScanProfile]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
    ignored_filters: list[str] = Field(
        default_factory=list, description="Filters that were sent but cannot be applied yet (`distance_km`)")


class ResonanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_user_id: int = Field(ge=1, le=MAX_ID)
    action: Literal["resonate", "decline"]


class OtherUser(BaseModel):
    id: int
    display_name: str
    photos: list[str]
    age: int


class MatchOut(BaseModel):
    id: int
    user_ids: list[int] = Field(min_length=2, max_length=2, description="Both participants, ascending")
    other_user: OtherUser
    created_at: dt.datetime


class ResonanceResponse(BaseModel):
    is_match: bool = Field(description="Whether the two users are matched after this call")
    match: MatchOut | None = Field(description="The pair's match when `is_match` is true, else null")


class MatchesResponse(BaseModel):
    matches: list[MatchOut] = Field(description="The caller's live matches, newest first")


class MatchDetail(MatchOut):
    compatibility_data: dict | None = Field(
        default=None, description="Compatibility breakdown; null until compatibility scoring ships")
    messages_url: str = Field(description="The conversation, served by the chat service")
