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

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.engine import RowMapping

from numeros_common.fields import CalendarDate, LocalTime, TimeZoneName
from numeros_common.names import state_name_rule
from numeros_common.options import HOUSE_ALIASES, HOUSE_SYSTEMS, state_spellings

BIRTH_PLACE_DESCRIPTION = (
    "Free text, e.g. 'New York, USA'. With latitude/longitude or timezone given it is only a label. "
    "Given alone it is looked up in an offline gazetteer for the coordinates and time zone; a place it "
    "cannot find, or one that matches several places (listed in the message), is a 422 naming birth_place.")
TIMEZONE_DESCRIPTION = ("IANA time zone of the birth place, e.g. 'America/New_York'. Default: from the "
                        "coordinates, else from birth_place, else the birth time is read as UTC.")
HOUSE_SYSTEM_DESCRIPTION = ("placidus (default), koch, whole_sign, equal, porphyry, regiomontanus or campanus "
                            "(also the Swiss Ephemeris letters P, K, W, A/E, O, R, C).")


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
            raise ValueError(f"{missing}: latitude and longitude must be given together")
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
    house_system_used: str | None = Field(default=None, description="May differ from the one asked for above "
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
    photos: list[str]
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
    return UserOut(id=row["id"], email=row["email"], display_name=row["display_name"], birth_date=row["birth_date"],
                   birth_time=row["birth_time"], birth_place=row["birth_place"], latitude=row["birth_latitude"],
                   longitude=row["birth_longitude"], bio=row["bio"], photos=row["photos"], timezone=row["timezone"],
                   chart_level=row["chart_level"], sun_sign=row["sun_sign"], moon_sign=row["moon_sign"],
                   rising_sign=row["rising_sign"], is_verified=row["is_verified"], created_at=row["created_at"])


def profile_body(row: RowMapping) -> dict[str, Any]:
    """``{user, numerology, astrology}`` as JSON-ready data: the stored documents exactly as chart made
    them (so ``angles``/``houses`` are absent below chart level 4, never null)."""
    numerology = row["numerology_profile"] or (NumerologyCore(  # accounts older than migration 0002
        life_path=row["life_path"], soul_urge=row["soul_urge"], expression=row["expression"],
        personality=row["personality"]).model_dump() if row["life_path"] is not None else None)
    return {"user": user_out(row).model_dump(mode="json"), "numerology": numerology, "astrology": row["astrology"]}
