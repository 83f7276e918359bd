"""The Loopin bodies, field for field (its AuthResponse ``{success, message, data, token}``, its event
interest and profile bodies); numbers are normalised to E.164 on the way in."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from numeros_common.fields import NO_NUL, CalendarDate

from . import rules

def _e164(raw: str) -> str:
    """The rule's own wording in the 422 (no "Value error, " prefix)."""
    try:
        return rules.e164(raw)
    except ValueError as exc:
        raise PydanticCustomError("phone_number", str(exc)) from exc


PhoneNumber = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[+0-9 ()\-.]+$",
                                   description="With its country code, e.g. +916205829376 (spaces, dashes and "
                                               "brackets are ignored; a missing + is assumed). Answers carry it "
                                               "in E.164. A number outside every numbering plan is a 422 naming "
                                               "phone_number.",
                                   examples=["+916205829376"]),
                        AfterValidator(_e164)]
OtpCode = Annotated[str, Field(pattern=r"^[0-9]{4,8}$", description="The code from the SMS (4 digits unless the "
                                                                     "operator set another length)",
                               examples=["1097"])]


class PhoneNumberRequest(BaseModel):
    """Sign-up, and the phone half of /auth/login."""

    model_config = ConfigDict(title="PhoneLoginRequest")

    phone_number: PhoneNumber


class OTPVerificationRequest(BaseModel):


    phone_number: PhoneNumber
    otp_code: OtpCode


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


# The schema states the host rule the code enforces (an ASCII host name, optional port, then any non-space but
# NUL, which Postgres cannot store).
HttpsUrl = Annotated[str, Field(max_length=2048, pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\s\x00]*)?$"),
                     AfterValidator(rules.https_url)]


class CompleteProfileRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    phone_number: PhoneNumber = Field(description="The signed-in account's number")
    name: str = Field(min_length=3, max_length=100, pattern=rules.NAME_PATTERN,
                      description="Letters, spaces, hyphens and apostrophes; at least 3 characters")
    birth_date: CalendarDate = Field(description="YYYY-MM-DD; the user must be 18 or older")
    gender: Annotated[Literal["male", "female", "other"], BeforeValidator(_lower)] = Field(
        description="male, female or other (any case)")
    event_interests: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=rules.INTERESTS_MIN,
                                       max_length=rules.INTERESTS_MAX,
                                       description="1-5 different ids from GET /auth/event-interests",
                                       json_schema_extra={"uniqueItems": True})
    profile_pictures: list[HttpsUrl] = Field(min_length=rules.PICTURES_MIN, max_length=rules.PICTURES_MAX,
                                             description="1-6 https URLs")
    bio: str | None = Field(default=None, max_length=500, pattern=NO_NUL)
    location: str | None = Field(default=None, max_length=100, pattern=NO_NUL)

    @field_validator("event_interests")
    @classmethod
    def _each_once(cls, ids: list[int]) -> list[int]:
        if len(set(ids)) != len(ids):
            raise ValueError("each interest at most once")
        return ids


class AuthResponse(BaseModel):
    """Loopin's AuthResponse; a sign-in adds our refresh token and the access token's lifetime."""

    success: bool
    message: str
    data: dict | None = None
    token: str | None = Field(default=None, description="Access token (JWT); 'Authorization: Bearer <token>'")
    refresh_token: str | None = Field(default=None, description="For POST /auth/refresh (access tokens live "
                                                                "`expires_in` seconds)")
    expires_in: int | None = None


class CodeSentData(BaseModel):
    phone_number: str = Field(description="E.164")


class CodeSentResponse(BaseModel):
    success: Literal[True] = True
    message: str
    data: CodeSentData


class SignedInData(BaseModel):
    user_id: int
    phone_number: str
    needs_profile_completion: bool = Field(description="True until POST /auth/complete-profile succeeded")
    is_verified: bool


class LoginData(SignedInData):
    name: str = Field(description="Empty until the profile is completed")


class SignedInResponse(BaseModel):
    success: Literal[True] = True
    message: str
    token: str = Field(description="Access token (JWT); 'Authorization: Bearer <token>'")
    refresh_token: str = Field(description="For POST /auth/refresh")
    expires_in: int = Field(description="Seconds the access token lives")
    data: SignedInData


class LoginResponse(SignedInResponse):
    data: LoginData


class InterestItem(BaseModel):
    id: int
    name: str
    description: str


class InterestsResponse(BaseModel):
    success: Literal[True] = True
    message: str
    data: list[InterestItem]


class CompletedData(BaseModel):
    user_id: int
    profile_id: int
    name: str
    phone_number: str
    gender: Literal["male", "female", "other"]
    event_interests_count: int
    profile_pictures_count: int


class CompletedResponse(BaseModel):
    success: Literal[True] = True
    message: str
    data: CompletedData


class EventInterestResponse(BaseModel):
    id: int
    name: str
    description: str | None
    is_active: bool
    created_at: str
    updated_at: str


class UserProfileResponse(BaseModel):
    """Loopin's UserProfileResponse (strings empty until the profile is completed)."""

    id: int
    name: str
    phone_number: str
    gender: Literal["male", "female", "other"] | None
    bio: str | None
    location: str | None
    birth_date: str | None
    event_interests: list[EventInterestResponse]
    profile_pictures: list[str]
    is_verified: bool
    is_active: bool
    created_at: str
    updated_at: str


def iso(value: dt.datetime) -> str:
    return value.isoformat()
