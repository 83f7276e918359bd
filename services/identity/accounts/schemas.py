"""Accounts' request and response bodies: the numeros-backend-rebuild AuthResponse and astro-mvp's token
response in one body (``token`` and ``access_token`` carry the same JWT), astro-mvp's /auth/me fields at the
top level beside the Numeros client's ``{user, numerology, astrology}``."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator, model_validator

from numeros_common.fields import CalendarDate
from numeros_common.names import state_name_rule

from ..calculations import check_birth_date
from ..profile.schemas import AstrologyData, BirthInput, NumerologyProfile, UserOut, field_error


NEW_PASSWORD = Field(min_length=8, max_length=128)  # every password an account is given


class RegisterRequest(BirthInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    password: str = NEW_PASSWORD
    display_name: str | None = Field(default=None, min_length=1, max_length=100, json_schema_extra=state_name_rule,
                                     description="Also the name the numerology is computed from; required with "
                                                 "birth_date")
    birth_date: CalendarDate | None = Field(  # type: ignore[assignment]
        default=None, description="Optional (astro-mvp registers with email and password alone): without it the "
                                  "account has no dating profile or chart yet")

    _birth_date = field_validator("birth_date")(classmethod(lambda cls, v: check_birth_date(v)))

    @model_validator(mode="after")
    def _profile_together(self):
        """A profile needs a name and a birth date; birth details without a date are a mistake, not ignored."""
        if self.birth_date is not None and self.display_name is None:
            raise _required("display_name", "birth_date (the numerology is computed from it)")
        given = [f for f in ("birth_time", "birth_place", "latitude", "timezone", "house_system")
                 if getattr(self, f) is not None]
        if self.birth_date is None and given:
            raise _required("birth_date", ", ".join(given))
        return self


def _required(field: str, with_: str) -> ValidationError:
    return field_error(field, f"Field required with {with_}", "missing")


class LoginRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class AuthResponse(BaseModel):
    access_token: str = Field(description="Access token (JWT, EdDSA); send as 'Authorization: Bearer <token>' "
                                          "(astro-mvp's name)")
    token: str = Field(description="The same access token (the Numeros client's name)")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token lives (default 1800)")
    refresh_token: str
    user: UserOut
    numerology: NumerologyProfile | None = Field(description="Null until the account has birth data")
    astrology: AstrologyData | None = Field(
        description="The natal chart computed at registration (null without birth data, or for accounts older "
                    "than charts)")


class MeResponse(BaseModel):
    """astro-mvp's GET /auth/me fields, then the Numeros client's profile."""

    id: int
    email: str | None = Field(description="Null for an account made by phone OTP")
    is_active: bool
    is_admin: bool
    created_at: dt.datetime
    tier: Literal["standard", "premium"] = Field(description="Rate-limit tier (premium: 500 numerology "
                                                             "requests an hour per endpoint)")
    user: UserOut
    numerology: NumerologyProfile | None
    astrology: AstrologyData | None


class LogoutResponse(BaseModel):
    message: Literal["Logged out successfully"] = "Logged out successfully"


class PasswordChangeRequest(BaseModel):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = NEW_PASSWORD


class PasswordForgotRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr


class PasswordResetRequest(BaseModel):
    token: str = Field(min_length=10, max_length=200, description="The token from the reset mail")
    new_password: str = NEW_PASSWORD


class MessageResponse(BaseModel):
    message: str
