"""The dating profile's rules, without I/O: photo ids, keys and URLs, the order a user gives their photos,
and which stored birth data a partial update keeps."""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from numeros_common.errors import AppError

MAX_PHOTOS = 6
PHOTO_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 16 random bytes, URL-safe base64 without padding
MEDIA_PREFIX = "/api/v1/media/photos"
SIZE_FILES = {"display": "display.jpg", "thumbnail": "thumbnail.jpg"}
# The birth location is one thing: a new place, new coordinates or a new zone replaces all of it, so a
# stored zone or label never outlives the place it belonged to.
BIRTH_LOCATION = ("birth_place", "latitude", "longitude", "timezone")
BIRTH_FIELDS = ("birth_date", "birth_time", *BIRTH_LOCATION, "house_system")


def new_photo_id() -> str:
    """Unguessable (128 bits): the photo's URL is public, and knowing it is what lets one see the photo."""
    return secrets.token_urlsafe(16)


def photo_key(photo_id: str, size: str) -> str:
    if not PHOTO_ID.match(photo_id) or size not in SIZE_FILES:
        raise ValueError(f"not a photo key: {photo_id!r}/{size!r}")
    return f"{photo_id}/{SIZE_FILES[size]}"


def photo_keys(photo_id: str) -> list[str]:
    return [photo_key(photo_id, size) for size in SIZE_FILES]


def photo_url(photo_id: str, size: str = "display") -> str:
    """Root-relative: served by identity through the gateway, on whatever host the app talks to."""
    return f"{MEDIA_PREFIX}/{photo_id}/{size}"


def photo_view(photo: Mapping[str, Any]) -> dict[str, Any]:
    """An uploaded photo, or a picture linked by URL at Loopin's complete-profile (``url``: hosted elsewhere,
    one size, dimensions unknown)."""
    if "url" in photo:
        return {"id": photo["id"], "url": photo["url"], "thumbnail_url": photo["url"], "width": None, "height": None}
    return {"id": photo["id"], "url": photo_url(photo["id"]), "thumbnail_url": photo_url(photo["id"], "thumbnail"),
            "width": photo["width"], "height": photo["height"]}


def photo_urls(photos: Sequence[Mapping[str, Any]]) -> list[str]:
    return [photo_view(p)["url"] for p in photos]


def linked_pictures(photos: Sequence[Mapping[str, Any]], urls: Sequence[str]) -> list[dict[str, Any]]:
    """The uploaded photos kept, the linked pictures replaced by ``urls`` (Loopin's complete-profile sends the
    whole list); 422 naming ``profile_pictures`` past the six a profile may have."""
    uploaded = [p for p in photos if "url" not in p]
    if len(uploaded) + len(urls) > MAX_PHOTOS:
        raise AppError(422, "VALIDATION_ERROR", f"profile_pictures: with {len(uploaded)} uploaded photos a profile "
                       f"has room for {MAX_PHOTOS - len(uploaded)} more", field="profile_pictures")
    return uploaded + [{"id": new_photo_id(), "url": url} for url in urls]


def linked_urls(photos: Sequence[Mapping[str, Any]]) -> list[str]:
    return [p["url"] for p in photos if "url" in p]


def photo_not_found(field: str | None = None) -> AppError:
    """Unknown and someone else's photo alike: never reveal that a photo exists."""
    return AppError(404, "PHOTO_NOT_FOUND", "No such photo.", field=field)


def check_room(photos: Sequence[Mapping[str, Any]]) -> None:
    if len(photos) >= MAX_PHOTOS:
        raise AppError(409, "TOO_MANY_PHOTOS", f"file: a profile has at most {MAX_PHOTOS} photos; delete one first.",
                       field="file")


def photo_reference(item: str) -> str:
    """A photo id, also when the app sends back the URL the profile lists (the seed's ``photos: [...]``)."""
    if item.startswith(MEDIA_PREFIX + "/"):
        return item[len(MEDIA_PREFIX) + 1:].split("/", 1)[0]
    return item


def reordered(photos: Sequence[Mapping[str, Any]], order: Sequence[str], field: str) -> list[dict[str, Any]]:
    """The user's photos in the order given: each of them exactly once (ids or their URLs)."""
    ids = [photo_reference(item) for item in order]
    by_id = {p["id"]: p for p in photos}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise photo_not_found(field)
    if len(set(ids)) != len(ids):
        raise AppError(422, "VALIDATION_ERROR", f"{field}: lists a photo more than once", field=field)
    if len(ids) != len(photos):
        raise AppError(422, "VALIDATION_ERROR", f"{field}: must list each of your {len(photos)} photos once",
                       field=field)
    return [dict(by_id[i]) for i in ids]


def merged_birth(stored: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The birth data after an update: ``given`` (fields the request set, nulls included) over ``stored``,
    with the birth location replaced as a whole when any part of it is given."""
    merged = {name: stored.get(name) for name in BIRTH_FIELDS}
    if any(name in given for name in BIRTH_LOCATION):
        merged.update(dict.fromkeys(BIRTH_LOCATION))
    merged.update({name: value for name, value in given.items() if name in BIRTH_FIELDS})
    return merged


def stored_birth(user: Mapping[str, Any]) -> dict[str, Any]:
    """The birth data a user row holds, under the request's names; the house system is the one asked for
    when the chart was made (chart keeps it in the document at level 4)."""
    astrology = user["astrology"] or {}
    return {"birth_date": user["birth_date"], "birth_time": user["birth_time"], "birth_place": user["birth_place"],
            "latitude": user["birth_latitude"], "longitude": user["birth_longitude"], "timezone": user["timezone"],
            "house_system": astrology.get("house_system")}
