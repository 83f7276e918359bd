"""Public request and response bodies (numeros-backend-rebuild seed, AuthResponse shape)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

EPHEMERIS_FIRST_DATE = dt.date(1800, 1, 1)  # our Swiss Ephemeris files cover 1800-2399


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    birth_time: dt.time | None = Field(default=None, description="Local clock time at the birth place, HH:MM")
    birth_place: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: dt.date) -> dt.date:
        if value < EPHEMERIS_FIRST_DATE:
            raise ValueError("must be on or after 1800-01-01")
        if value > dt.datetime.now(dt.UTC).date():
            raise ValueError("must not be in the future")
        return value

    @model_validator(mode="after")
    def _coordinates_together(self) -> "RegisterRequest":
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValueError(f"{missing}: latitude and longitude must be given together")
        return self


class LoginRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class NumerologyCore(BaseModel):
    life_path: int
    soul_urge: int
    expression: int
    personality: int


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    birth_date: dt.date
    birth_time: dt.time | None
    birth_place: str | None
    latitude: float | None
    longitude: float | None
    bio: str
    photos: list[str]
    chart_level: int
    is_verified: bool
    created_at: dt.datetime


class AuthResponse(BaseModel):
    token: str = Field(description="Access token (JWT, EdDSA); send as 'Authorization: Bearer <token>'")
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    user: UserOut
    numerology: NumerologyCore


class MeResponse(BaseModel):
    user: UserOut
    numerology: NumerologyCore
