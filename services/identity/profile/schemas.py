"""The dating profile's HTTP contract: birth input, the user as shown, and the models of the documents
chart computes (numerology profile, natal chart) that identity passes through unchanged.

The document models describe the documented fields for the OpenAPI document; ``extra="allow"`` keeps
everything else chart adds (meanings, the birth instant used, aspects ...). The routes return chart's JSON
as it is, so a field a model marks optional is absent, not null, when chart leaves it out (``angles`` and
``houses`` below chart level 4).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy.engine import RowMapping

from numeros_common.events.schemas import Gender
from numeros_common.fields import NO_NUL, NOT_BLANK, CalendarDate, LocalTime, TimeZoneName
from numeros_common.names import state_name_rule
from numeros_common.options import HOUSE_ALIASES, HOUSE_SYSTEMS, state_spellings

from ..calculations import check_birth_date
from .images import MAX_UPLOAD_BYTES
from .rules import MAX_PHOTOS, photo_urls, photo_view

BIRTH_PLACE_DESCRIPTION = (
    "Free text, e.g. 'New York, USA'. With latitude/longitude or timezone given it is only a label. "
    "Given alone it is looked up in an offline gazetteer for the coordinates and time zone; a place it "
    "cannot find, or one that matches several places (listed in the message), is a 422 naming birth_place.")
TIMEZONE_DESCRIPTION = ("IANA time zone of the birth place, e.g. 'America/New_York'. Default: from the "
                        "coordinates, else from birth_place, else the birth time is read as UTC.")
HOUSE_SYSTEM_DESCRIPTION = ("placidus (default), koch, whole_sign, equal, porphyry, regiomontanus or campanus "
                            "(also the Swiss Ephemeris letters P, K, W, A/E, O, R, C).")


def field_error(field: str, message: str, kind: str = "value_error") -> ValidationError:
    """A cross-field error located at ``field`` (so the 422 names it), not at the body."""
    return ValidationError.from_exception_data("body", [InitErrorDetails(
        type=PydanticCustomError(kind, message), loc=(field,), input=None)])


def _coordinates_together(schema: dict[str, Any]) -> None:
    """The schema states it too: both coordinates are numbers, or neither is given (absent or null)."""
    schema["anyOf"] = [{"required": ["latitude", "longitude"],
                        "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}}},
                       {"properties": {"latitude": {"type": "null"}, "longitude": {"type": "null"}}}]


class BirthInput(BaseModel):
    """Birth data as the user gives it; the birth time is local clock time at the birth place."""

    model_config = ConfigDict(json_schema_extra=_coordinates_together)

    birth_date: CalendarDate
    birth_time: LocalTime | None = Field(default=None, description="Local clock time at the birth place, HH:MM")
    birth_place: str | None = Field(default=None, max_length=200, description=BIRTH_PLACE_DESCRIPTION)
    latitude: float | None = Field(default=None, strict=True, ge=-90, le=90)
    longitude: float | None = Field(default=None, strict=True, ge=-180, le=180)
    timezone: TimeZoneName | None = Field(default=None, description=TIMEZONE_DESCRIPTION)
    house_system: str | None = Field(default=None, min_length=1, max_length=32, description=HOUSE_SYSTEM_DESCRIPTION,
                                     json_schema_extra=state_spellings(HOUSE_ALIASES, HOUSE_SYSTEMS))

    @model_validator(mode="after")
    def _coordinates_together(self):
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise field_error(missing, "latitude and longitude must be given together", "missing")
        return self


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- numeros-backend-rebuild: the native app's AstrologyData ------------------------------------


class PlanetPosition(_Open):
    sign: str = Field(description="Aries ... Pisces (tropical)")
    degree: int = Field(ge=0, le=29)
    minute: int = Field(ge=0, le=59)
    longitude: float = Field(ge=0, lt=360, description="Ecliptic longitude, degrees")
    house: int | None = Field(description="1-12 at chart level 4, else null")
    is_retrograde: bool


class AnglePosition(_Open):
    sign: str
    degree: int = Field(ge=0, le=29)
    minute: int = Field(ge=0, le=59)
    longitude: float = Field(ge=0, lt=360)


class Angles(_Open):
    ascendant: AnglePosition
    midheaven: AnglePosition


class Planets(_Open):
    sun: PlanetPosition
    moon: PlanetPosition
    mercury: PlanetPosition
    venus: PlanetPosition
    mars: PlanetPosition
    jupiter: PlanetPosition
    saturn: PlanetPosition
    uranus: PlanetPosition
    neptune: PlanetPosition
    pluto: PlanetPosition
    north_node: PlanetPosition = Field(description="True node")
    chiron: PlanetPosition | None = Field(default=None, description="Absent before 675 and after 4650 AD, where "
                                                                   "Swiss Ephemeris does not define Chiron (see "
                                                                   "the chart's notes)")


class BirthInstant(_Open):
    """Which time zone and UTC instant the chart used (noon when the birth time is unknown)."""

    local_datetime: str
    timezone: str
    timezone_source: Literal["explicit", "coordinates", "gazetteer", "assumed_utc"]
    utc_offset: str
    utc_datetime: str
    nonexistent_time: bool = Field(description="The local time fell in a DST gap; read with the earlier offset")
    ambiguous_time: bool = Field(description="The local time occurred twice; the earlier instant was used")
    time_known: bool


class AstrologyData(_Open):
    chart_level: int = Field(ge=1, le=4, description="1 date, 2 date + place, 3 date + time, 4 all")
    planets: Planets
    angles: Angles | None = Field(default=None, description="Only at chart level 4 (absent below)")
    houses: list[float] | None = Field(default=None, min_length=12, max_length=12,
                                       description="Twelve cusp longitudes, house 1 first; only at chart level 4")
    house_system_used: str | None = Field(default=None,
                                          description="May differ from the one asked for above "
                                                      "the polar circles (see house_system_fallback_reason)")
    birth: BirthInstant | None = None


class NumerologyProfile(_Open):
    """The native app's NumerologyData (the four core numbers) and the full Pythagorean profile."""

    life_path: int
    soul_urge: int
    expression: int
    personality: int
    core_numbers: dict[str, Any] | None = Field(default=None, description="Each number with its reduction and meaning")
    life_periods: dict[str, Any] | None = Field(default=None, description="Pinnacles and challenges with age ranges")
    calculation_hash: str | None = None
    ruleset_version: str | None = None


class CalculateResponse(_Open):
    """numeros-backend-rebuild ``POST /api/profile/calculate`` response."""

    numerology: NumerologyProfile
    astrology: AstrologyData
    chart_level: int = Field(ge=1, le=4)


class NumerologyCore(BaseModel):
    life_path: int
    soul_urge: int
    expression: int
    personality: int


class PhotoOut(BaseModel):
    id: str = Field(description="Random and unguessable; also in its URLs")
    url: str = Field(description="The display size (longer side at most 1080 px), a JPEG without metadata. "
                                 "Root-relative: on the API's host, no token needed")
    thumbnail_url: str = Field(description="The thumbnail (longer side at most 320 px)")
    width: int | None = Field(description="Of the display size, in pixels, upright; null for a picture linked by "
                                          "URL at Loopin's complete-profile (hosted elsewhere)")
    height: int | None


class LocationOut(BaseModel):
    latitude: float
    longitude: float
    place: str | None = Field(description="The place name it was resolved from, if given as a name")


class UserOut(BaseModel):
    id: int
    email: str | None = Field(description="Null for an account made by phone OTP")
    display_name: str | None = Field(description="Null for an account registered without a profile")
    birth_date: dt.date | None = Field(description="Null until the account has birth data")
    birth_time: LocalTime | None
    birth_place: str | None
    latitude: float | None
    longitude: float | None
    bio: str
    photos: list[str] = Field(description="Display-size photo URLs in the user's order (the seed's string list)")
    photo_details: list[PhotoOut] = Field(description="The same photos with their ids (to delete or reorder them) "
                                                      "and thumbnails")
    gender: Gender | None
    interested_in: list[Gender] = Field(description="Genders they want to meet; empty means everyone")
    location: LocationOut | None = Field(description="Where they are now (discovery's distances); null until given")
    timezone: str | None = Field(description="The IANA time zone the user gave (the zone used is in astrology.birth)")
    chart_level: int = Field(ge=0, le=4, description="0 without birth data, else 1-4 as in astrology")
    sun_sign: str | None
    moon_sign: str | None
    rising_sign: str | None = Field(description="Only at chart level 4")
    is_verified: bool
    created_at: dt.datetime


class MeResponse(BaseModel):
    user: UserOut
    numerology: NumerologyProfile | None = Field(description="Null until the account has birth data")
    astrology: AstrologyData | None


class CalculateInput(BirthInput):
    """numeros-backend-rebuild CalculateInput (anonymous preview before signing up)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, json_schema_extra=state_name_rule,
                      description="Latin letters, spaces, hyphens, apostrophes, dots (numerology reads it)")


def user_out(row: RowMapping) -> UserOut:
    location = (LocationOut(latitude=row["location_latitude"], longitude=row["location_longitude"],
                            place=row["location_place"]) if row["location_latitude"] is not None else None)
    return UserOut(id=row["id"], email=row["email"], display_name=row["display_name"], birth_date=row["birth_date"],
                   birth_time=row["birth_time"], birth_place=row["birth_place"], latitude=row["birth_latitude"],
                   longitude=row["birth_longitude"], bio=row["bio"], photos=photo_urls(row["photos"]),
                   photo_details=[PhotoOut(**photo_view(p)) for p in row["photos"]], gender=row["gender"],
                   interested_in=row["interested_in"], location=location, timezone=row["timezone"],
                   chart_level=row["chart_level"], sun_sign=row["sun_sign"], moon_sign=row["moon_sign"],
                   rising_sign=row["rising_sign"], is_verified=row["is_verified"], created_at=row["created_at"])


def profile_body(row: RowMapping) -> dict[str, Any]:
    """``{user, numerology, astrology}`` as JSON-ready data: the stored documents exactly as chart made
    them (so ``angles``/``houses`` are absent below chart level 4, never null)."""
    numerology = row["numerology_profile"] or (NumerologyCore(  # accounts older than migration 0002
        life_path=row["life_path"], soul_urge=row["soul_urge"], expression=row["expression"],
        personality=row["personality"]).model_dump() if row["life_path"] is not None else None)
    return {"user": user_out(row).model_dump(mode="json"), "numerology": numerology, "astrology": row["astrology"]}


# --- editing the profile -----------------------------------------------------------------------------

def _one_location_form(schema: dict[str, Any]) -> None:
    """The schema states it too: latitude and longitude together, or place alone."""
    schema["oneOf"] = [{"required": ["latitude", "longitude"]}, {"required": ["place"]}]
    schema["not"] = {"anyOf": [{"required": ["place", "latitude"]}, {"required": ["place", "longitude"]}]}


class LocationInput(BaseModel):
    """Where the user is now: coordinates, or a place name the offline gazetteer resolves (the city centre)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=_one_location_form)

    latitude: float = Field(default=None, strict=True, ge=-90, le=90)  # type: ignore[assignment]
    longitude: float = Field(default=None, strict=True, ge=-180, le=180)  # type: ignore[assignment]
    place: str = Field(default=None, min_length=1, max_length=200, pattern=NOT_BLANK,  # type: ignore[assignment]
                       description="e.g. 'Berlin' or 'Paris, France'; an unknown or ambiguous name is a 422 naming "
                                   "location.place that lists the candidates")

    @model_validator(mode="after")
    def _one_form(self):
        coordinates = (self.latitude is not None, self.longitude is not None)
        if self.place is not None and any(coordinates):
            raise ValueError("give either latitude and longitude or place, not both")
        if self.place is None and not all(coordinates):
            raise ValueError("give latitude and longitude together, or place")
        return self


class ProfileUpdate(BirthInput):
    """numeros-backend-rebuild ``PATCH /api/profile/me``: only the fields sent change. ``null`` clears an
    optional field (birth_time, birth_place, coordinates, timezone, house_system, gender, location)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Fields typed without null cannot be cleared (null is a 422 naming them); absent means unchanged.
    display_name: str = Field(default=None, min_length=1, max_length=100,  # type: ignore[assignment]
                              json_schema_extra=state_name_rule,
                              description="Also the name the numerology is computed from (recalculated)")
    birth_date: CalendarDate = Field(  # type: ignore[assignment]
        default=None, description="Changing any birth field recalculates numerology and chart. The birth location "
                                  "(birth_place, latitude/longitude, timezone) is replaced as a whole when any "
                                  "part of it is sent")
    bio: str = Field(default=None, max_length=500, pattern=NO_NUL,  # type: ignore[assignment]
                     description="At most 500 characters; \"\" clears it")
    gender: Gender | None = None
    interested_in: list[Gender] = Field(default=None, max_length=3,  # type: ignore[assignment]
                                        json_schema_extra={"uniqueItems": True},
                                        description="Genders they want to meet; [] means everyone")
    location: LocationInput | None = None
    photos: list[str] = Field(default=None, max_length=MAX_PHOTOS,  # type: ignore[assignment]
                              description="The photo order: each of the user's photos once, by id or by the URL the "
                                          "profile lists")

    _birth_date = field_validator("birth_date")(classmethod(lambda cls, v: check_birth_date(v)))

    @field_validator("interested_in")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("lists a gender more than once")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the request sent, as plain values (nulls included; ``location`` a dict)."""
        sent = {name: getattr(self, name) for name in self.model_fields_set}
        if sent.get("location") is not None:
            sent["location"] = sent["location"].model_dump()
        return sent


class PhotoOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    photo_ids: list[str] = Field(max_length=MAX_PHOTOS, description="Each of the user's photos exactly once, first "
                                                                    "shown first")


class PhotoList(BaseModel):
    photos: list[PhotoOut]


def _exactly_one_confirmation(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [{"required": ["password"]}, {"required": ["otp_code"]}]


class DeleteAccount(BaseModel):
    """Confirmation: the account's password, or (accounts without one: phone sign-in) a fresh one-time code."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_exactly_one_confirmation)

    password: str = Field(default=None, min_length=1, max_length=128)  # type: ignore[assignment]
    otp_code: str = Field(default=None, pattern="^[0-9]{4,8}$",  # type: ignore[assignment]
                          description="A fresh code sent by SMS to the account's own number (ask for one with "
                                      "`POST /auth/login` and `phone_number`); accounts without a phone number "
                                      "confirm with the password")

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.password is None) == (self.otp_code is None):
            raise field_error("password", "give the password, or otp_code for an account without one")
        return self


UPLOAD_DESCRIPTION = (f"Multipart form with one part `file`: a JPEG, PNG or WebP image of at most "
                      f"{MAX_UPLOAD_BYTES // 1_000_000} MB ({MAX_UPLOAD_BYTES} bytes). It is decoded to prove it is an "
                      f"image, turned upright by its EXIF orientation and stored without any metadata (no GPS "
                      f"position, camera or time) as a display size and a thumbnail. At most {MAX_PHOTOS} photos.")
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP"}}}}}}}
