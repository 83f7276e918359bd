"""Accounts' request and response bodies (numeros-backend-rebuild seed, AuthResponse shape)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from ..calculations import check_birth_date
from ..profile.schemas import AstrologyData, BirthInput, NumerologyProfile, UserOut


class RegisterRequest(BirthInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(min_length=1, max_length=100,
                              description="Also the name the numerology is computed from")

    _birth_date = field_validator("birth_date")(classmethod(lambda cls, v: check_birth_date(v)))


class LoginRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class AuthResponse(BaseModel):
    token: str = Field(description="Access token (JWT, EdDSA); send as 'Authorization: Bearer <token>'")
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    user: UserOut
    numerology: NumerologyProfile
    astrology: AstrologyData | None = Field(
        description="The natal chart computed at registration (null only for accounts older than charts)")
