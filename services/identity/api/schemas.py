"""Public request and response bodies (numeros-backend-rebuild seed, AuthResponse shape)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from .documents import AstrologyData, NumerologyProfile

EPHEMERIS_FIRST_DATE = dt.date(1800, 1, 2)  # our Swiss Ephemeris files cover 1800-2399 (chart's first date)
BIRTH_PLACE_DESCRIPTION = (
    "Free text, e.g. 'New York, USA'. With latitude/longitude or timezone given it is only a label. "
    "Given alone it is looked up in an offline gazetteer for the coordinates and time zone; a place it "
    "cannot find, or one that matches several places (listed in the message), is a 422 naming birth_place.")
TIMEZONE_DESCRIPTION = ("IANA time zone of the birth place, e.g. 'America/New_York'. Default: from the "
                        "coordinates, else from birth_place, else the birth time is read as UTC.")
HOUSE_SYSTEM_DESCRIPTION = ("placidus (default), koch, whole_sign, equal, porphyry, regiomontanus or campanus "
                            "(also the Swiss Ephemeris letters P, K, W, A/E, O, R, C).")


class BirthInput(BaseModel):
    """Birth data as the user gives it; the birth time is local clock time at the birth place."""

    birth_date: dt.date
    birth_time: dt.time | None = Field(default=None, description="Local clock time at the birth place, HH:MM")
    birth_place: str | None = Field(default=None, max_length=200, description=BIRTH_PLACE_DESCRIPTION)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    timezone: str | None = Field(default=None, min_length=1, max_length=64, description=TIMEZONE_DESCRIPTION)
    house_system: str | None = Field(default=None, min_length=1, max_length=32, description=HOUSE_SYSTEM_DESCRIPTION)

    @field_validator("birth_time")
    @classmethod
    def _local_clock_time(cls, value: dt.time | None) -> dt.time | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("must be local clock time without a UTC offset (give timezone instead)")
        return value

    @model_validator(mode="after")
    def _coordinates_together(self):
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValueError(f"{missing}: latitude and longitude must be given together")
        return self


class RegisterRequest(BirthInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(min_length=1, max_length=100,
                              description="Also the name the numerology is computed from")

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: dt.date) -> dt.date:
        if value < EPHEMERIS_FIRST_DATE:
            raise ValueError(f"must be on or after {EPHEMERIS_FIRST_DATE}")
        if value > dt.datetime.now(dt.UTC).date():
            raise ValueError("must not be in the future")
        return value


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
    timezone: str | None = Field(description="The IANA time zone the user gave (the zone used is in astrology.birth)")
    chart_level: int
    sun_sign: str | None
    moon_sign: str | None
    rising_sign: str | None = Field(description="Only at chart level 4")
    is_verified: bool
    created_at: dt.datetime


class AuthResponse(BaseModel):
    token: str = Field(description="Access token (JWT, EdDSA); send as 'Authorization: Bearer <token>'")
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    user: UserOut
    numerology: NumerologyProfile
    astrology: AstrologyData | None = Field(
        description="The natal chart computed at registration (null only for accounts older than charts)")


class MeResponse(BaseModel):
    user: UserOut
    numerology: NumerologyProfile
    astrology: AstrologyData | None


# --- calculations (issue 3: public API over chart) ----------------------------------------------

YRule = Literal["auto", "always", "never"]
Y_RULE_DESCRIPTION = ("How Y counts in soul urge / personality: auto (default: a vowel when no other vowel "
                      "is next to it in the word), always or never.")
AS_OF_DESCRIPTION = ("The day personal cycles are read for. Default: today's date in UTC when the request "
                     "arrives (the only clock this API reads); pass it to make results reproducible.")


class CalculateInput(BirthInput):
    """numeros-backend-rebuild CalculateInput (anonymous preview before signing up)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)


class NumerologyCalculateRequest(BaseModel):
    """jioastro-numerology-api ``POST /calculate`` body, plus the optional ``as_of`` and ``y_as_vowel``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    full_name: str = Field(min_length=1, max_length=200, description="Full name as on the birth certificate")
    birth_date: dt.date = Field(description="YYYY-MM-DD")
    system: Literal["western", "vedic", "chaldean", "both"] = "both"
    common_name: str | None = Field(default=None, max_length=200,
                                    description="Accepted as in the seed; the calculation uses full_name only")
    name_at_birth: str | None = Field(default=None, max_length=200, description="As common_name")
    profile_id: uuid.UUID | None = Field(default=None, description="Accepted as in the seed; not used by calculate")
    as_of: dt.date | None = Field(default=None, description=AS_OF_DESCRIPTION)
    y_as_vowel: YRule | None = Field(default=None, description=Y_RULE_DESCRIPTION)


class NumerologyCompareRequest(BaseModel):
    """jioastro-numerology-api ``POST /compare`` body."""

    model_config = ConfigDict(str_strip_whitespace=True)

    names: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        description="2 to 5 names (fewer or more is a 400, as the seed says)")
    birth_date: dt.date = Field(description="Birth date for the life path, YYYY-MM-DD")
    system: Literal["western", "vedic", "chaldean"]
    y_as_vowel: YRule | None = Field(default=None, description=Y_RULE_DESCRIPTION)


class HumanDesignRequest(BaseModel):
    """human-design-chart-api ``POST /api/calculate-chart`` body. Types are checked here; values (date range,
    zone name, coordinate ranges, name length) by the engine, which words the seed's bilingual errors."""

    birth_datetime: str = Field(description="Local birth date and time, ISO 8601, e.g. 1990-05-15T14:30:00",
                                examples=["1990-05-15T14:30:00"])
    birth_timezone: str = Field(description="IANA time zone, e.g. Europe/Berlin (not EST)",
                                examples=["Europe/Berlin"])
    birth_latitude: float = Field(allow_inf_nan=False, json_schema_extra={"minimum": -90, "maximum": 90},
                                  examples=[52.52])
    birth_longitude: float = Field(allow_inf_nan=False, json_schema_extra={"minimum": -180, "maximum": 180},
                                   examples=[13.405])
    name: str | None = Field(default=None, json_schema_extra={"maxLength": 100}, examples=["John Doe"])
