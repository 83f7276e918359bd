"""What a profile row of the read model says, without I/O."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from numeros_common.errors import AppError
from numeros_common.events.schemas import PublicProfile

PROFILE_PENDING = "PROFILE_PENDING"
NATAL_FIELDS = ("chart_level", "sun_sign", "moon_sign", "rising_sign", "key_longitudes")


def is_live(row: Mapping[str, Any] | None) -> bool:
    """A registered user who is not deleted (a tombstone has no display name)."""
    return row is not None and row["deleted_at"] is None and row["display_name"] is not None


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def natal_values(data: PublicProfile) -> dict[str, Any]:
    """The natal summary fields the event carries. A producer from before they existed sends none:
    a new profile then gets the column defaults (level 1, no chart) and an existing one keeps what it
    has, so an old identity replica cannot wipe a chart during a rolling deploy. Explicit nulls apply."""
    values = {"chart_level": data.chart_level, "sun_sign": data.sun_sign, "moon_sign": data.moon_sign,
              "rising_sign": data.rising_sign,
              "key_longitudes": data.key_longitudes.model_dump(mode="json") if data.key_longitudes else None}
    return {name: values[name] for name in NATAL_FIELDS if name in data.model_fields_set}


def profile_values(data: PublicProfile) -> dict[str, Any]:
    """The read model's columns for a registered / updated user."""
    return {"display_name": data.display_name, "birth_date": data.birth_date, "photos": list(data.photos),
            "bio": data.bio, "numerology": data.numerology.model_dump(mode="json"), **natal_values(data)}


def profile_pending() -> AppError:
    return AppError(409, PROFILE_PENDING, "Your profile is still being set up; try again in a moment.",
                    headers={"Retry-After": "1"})


def self_target(message: str) -> AppError:
    """Acting on oneself: a 409 (the body is valid, the pair is not), naming the field."""
    return AppError(409, "SELF_TARGET", message, field="target_user_id")


def require_live_pair(found: Mapping[int, Mapping[str, Any]], me: int, target: int) -> None:
    """Both people must exist here: the target (404 naming it), and the caller (409 while their
    profile is still on its way from identity, 404 once deleted)."""
    if not is_live(found.get(target)):
        raise AppError(404, "USER_NOT_FOUND", "No such user.", field="target_user_id")
    if me not in found:
        raise profile_pending()
    if not is_live(found[me]):
        raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")
