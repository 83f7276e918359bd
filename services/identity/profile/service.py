"""The dating profile's use-cases: a person's numerology and natal chart from chart, the users columns
they fill, and the signed-in user's stored profile."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros.chart.v1 import chart_pb2
from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError

from ..accounts import repository as accounts_repository
from ..calculations import renamed


class Birth(Protocol):
    """Birth data as the user gave it (the request bodies have these attributes)."""

    birth_date: dt.date
    birth_time: dt.time | None
    birth_place: str | None
    latitude: float | None
    longitude: float | None
    timezone: str | None
    house_system: str | None


@dataclass(frozen=True)
class Profile:
    """What chart computed for one person: typed summary, and the documents as JSON text and dict."""

    reply: chart_pb2.CalculateProfileResponse
    document_json: str

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.document_json)

    @property
    def key_longitudes(self) -> dict[str, float]:
        k = self.reply.key_longitudes
        return {"sun": k.sun, "moon": k.moon, "mercury": k.mercury, "venus": k.venus, "mars": k.mars}


async def calculate_profile(chart: ChartClient, name: str, birth: Birth, *, name_field: str) -> Profile:
    """Numerology + natal chart for ``name`` and ``birth``.

    ``birth_place`` decides the location only when it is all we have. With coordinates it is a label
    (not sent); with an explicit time zone it is tried for coordinates (chart level 4) and, if the
    gazetteer cannot place it in that zone, dropped (the zone alone gives chart level 3). Alone, an
    unknown or ambiguous place is a 422 naming birth_place whose message lists the candidates.
    ``house_system`` goes to chart as given: chart owns the names it accepts.
    """
    names = {"full_name": name_field, "name": name_field}
    place = None if birth.latitude is not None else birth.birth_place

    async def call(birth_place: str | None) -> chart_pb2.CalculateProfileResponse:
        return await chart.calculate_profile(
            name, birth.birth_date, birth_time=birth.birth_time, birth_place=birth_place, latitude=birth.latitude,
            longitude=birth.longitude, timezone=birth.timezone, house_system=birth.house_system)

    try:
        try:
            reply = await call(place)
        except AppError as error:
            if not (error.field == "birth_place" and error.status == 422 and birth.timezone and place):
                raise
            reply = await call(None)  # the zone was given: the place is only a label
    except AppError as error:
        raise renamed(error, names) from error
    return Profile(reply, reply.document.json)


def user_values(profile: Profile, timezone: str | None) -> dict[str, Any]:
    """The users columns a computed profile fills."""
    reply = profile.reply
    document = profile.document
    numerology = document["numerology"]
    return {
        "life_path": reply.life_path, "expression": reply.expression, "soul_urge": reply.soul_urge,
        "personality": reply.personality,
        "numerology": {"ruleset_version": numerology.get("ruleset_version", reply.document.ruleset_version),
                       "calculation_hash": numerology.get("calculation_hash"),
                       "karmic_debts": list(numerology.get("karmic_debts", []))},
        "numerology_profile": numerology, "astrology": document["astrology"], "chart_level": reply.chart_level,
        "sun_sign": reply.sun_sign or None, "moon_sign": reply.moon_sign or None,
        "rising_sign": reply.rising_sign or None, "key_longitudes": profile.key_longitudes, "timezone": timezone,
    }


async def signed_in_user(session: AsyncSession, user_id: int) -> RowMapping:
    """The signed-in user's row; 404 when the account no longer exists."""
    row = await accounts_repository.find_by_id(session, user_id)
    if row is None:
        raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")
    return row
