"""What a profile row of the read model says, without I/O."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from numeros_common.errors import AppError
from numeros_common.events.schemas import PublicProfile

PROFILE_PENDING = "PROFILE_PENDING"
NATAL_FIELDS = ("chart_level", "sun_sign", "moon_sign", "rising_sign", "key_longitudes")
DISCOVERY_FIELDS = ("gender", "interested_in", "location", "active", "last_active_at")
# What a pair's compatibility score depends on: when any of these change, rankings must follow.
SCORING_COLUMNS = ("numerology", "chart_level", "key_longitudes")


def is_live(row: Mapping[str, Any] | None) -> bool:
    """A registered user who is not deleted (a tombstone has no display name)."""
    return row is not None and row["deleted_at"] is None and row["display_name"] is not None


def is_discoverable(row: Mapping[str, Any] | None) -> bool:
    """Live and not deactivated or banned: someone others may see and act on."""
    return is_live(row) and bool(row["active"])


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


def discovery_values(data: PublicProfile) -> dict[str, Any]:
    """Who they are, whom they want to meet, where and whether they can be found, as the event carries
    them; absent fields (an older producer) leave what we hold, as ``natal_values`` does."""
    location = data.location
    values = {"gender": data.gender, "interested_in": sorted(set(data.interested_in)),
              "location": {"latitude": location.latitude if location else None,
                           "longitude": location.longitude if location else None},
              "active": data.active, "last_active_at": data.last_active_at}
    chosen = {name: values[name] for name in DISCOVERY_FIELDS if name in data.model_fields_set}
    return {**chosen.pop("location", {}), **chosen}


def profile_values(data: PublicProfile) -> dict[str, Any]:
    """The read model's columns for a registered / updated user."""
    return {"display_name": data.display_name, "birth_date": data.birth_date, "photos": list(data.photos),
            "bio": data.bio, "numerology": data.numerology.model_dump(mode="json"), **natal_values(data),
            **discovery_values(data)}


def scoring_inputs(row: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """What compatibility is computed from, comparable between two versions of a profile."""
    return None if row is None else tuple(row[name] for name in SCORING_COLUMNS)


def profile_pending() -> AppError:
    return AppError(409, PROFILE_PENDING, "Your profile is still being set up; try again in a moment.",
                    headers={"Retry-After": "1"})


def self_target(message: str) -> AppError:
    """Acting on oneself: a 409 (the body is valid, the pair is not), naming the field."""
    return AppError(409, "SELF_TARGET", message, field="target_user_id")


def require_live_pair(found: Mapping[int, Mapping[str, Any]], me: int, target: int, *, blocked: bool = False) -> None:
    """Both people must exist here: the target (404 naming it, also when deactivated or when either
    has blocked the other: a block hides people as if they did not exist), and the caller (409 while
    their profile is still on its way from identity, 404 once deleted or deactivated)."""
    if blocked or not is_discoverable(found.get(target)):
        raise AppError(404, "USER_NOT_FOUND", "No such user.", field="target_user_id")
    if me not in found:
        raise profile_pending()
    if not is_discoverable(found[me]):
        raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")
