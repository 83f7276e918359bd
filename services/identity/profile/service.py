"""The dating profile's use-cases: a person's numerology and natal chart from chart, the users columns
they fill, the signed-in user's stored profile and its edits (fields, photos), the event other services
learn a profile from, and deleting the account."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros.chart.v1 import chart_pb2
from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import (KeyLongitudes, Location, NumerologyCore, UserDeletedV1, UserRegisteredV1,
                                           UserUpdatedV1)
from numeros_common.runtime import Runtime

from ..accounts import repository as accounts_repository
from ..accounts import service as accounts_service
from ..accounts.passwords import verify_password
from ..calculations import renamed
from ..database import outbox
from ..phone import codes as phone_codes
from ..vedic import service as vedic_service
from . import images, repository, rules
from .storage import PhotoStorage

log = logging.getLogger(__name__)


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


async def signed_in_user(session: AsyncSession, user_id: int, *, lock: bool = False) -> RowMapping:
    """The signed-in user's row; 404 when the account no longer exists. ``lock``: locked until the
    transaction ends, so concurrent edits apply one after the other (the second sees the first's result)."""
    row = await (repository.lock_user(session, user_id) if lock else accounts_repository.find_by_id(session, user_id))
    if row is None:
        raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")
    return row


# --- the event other services learn a profile from ---------------------------------------------------


def has_profile(user: RowMapping) -> bool:
    """A dating profile exists once there is a name, a birth date and numerology (email-only accounts have
    none yet; the v1 event requires all three)."""
    return user["birth_date"] is not None and user["display_name"] is not None and user["life_path"] is not None


def public_profile(user: RowMapping) -> dict[str, Any]:
    """What matching and chat may know of the user (never email, password or exact birth place)."""
    location = (Location(latitude=user["location_latitude"], longitude=user["location_longitude"])
                if user["location_latitude"] is not None else None)
    return dict(
        user_id=user["id"], display_name=user["display_name"], birth_date=user["birth_date"],
        photos=rules.photo_urls(user["photos"]), bio=user["bio"],
        numerology=NumerologyCore(life_path=user["life_path"], soul_urge=user["soul_urge"],
                                  expression=user["expression"], personality=user["personality"]),
        chart_level=user["chart_level"], sun_sign=user["sun_sign"], moon_sign=user["moon_sign"],
        rising_sign=user["rising_sign"],
        key_longitudes=KeyLongitudes(**user["key_longitudes"]) if user["key_longitudes"] else None,
        gender=user["gender"], interested_in=user["interested_in"], location=location, active=user["is_active"],
        last_active_at=user["last_active"])


async def announce_profile(runtime: Runtime, session: AsyncSession, before: RowMapping | None,
                           after: RowMapping) -> None:
    """The profile's event, in the caller's transaction: ``identity.user.registered`` the first time the user
    has a profile (at registration, or when an email-only account gains one), ``updated`` after that."""
    if not has_profile(after):
        return
    first = before is None or not has_profile(before)
    event = (UserRegisteredV1 if first else UserUpdatedV1)(**public_profile(after))
    await add_event(session, outbox, runtime.settings.service_name, event)


# --- editing the profile -------------------------------------------------------------------------------


PLACE_LOOKUP_DATE = dt.date(2000, 1, 1)  # any date: only the place's coordinates are read


async def resolve_place(chart: ChartClient, place: str, field: str) -> tuple[float, float]:
    """The coordinates chart's gazetteer gives ``place`` (422 naming ``field`` when unknown or ambiguous,
    listing the candidates). Asked through the profile RPC, which resolves a birth place the same way."""
    try:
        reply = await chart.calculate_profile("Place", PLACE_LOOKUP_DATE, birth_place=place)
    except AppError as error:
        raise renamed(error, {"birth_place": field}) from error
    birth = json.loads(reply.document.json)["astrology"]["birth"]
    return birth["latitude"], birth["longitude"]


async def _profile_values(runtime: Runtime, user: RowMapping, changes: dict[str, Any]) -> dict[str, Any]:
    """The users columns an update sets: plain fields as given, the chart recalculated when the name or any
    birth field changes, the location resolved when given as a place name."""
    values = {name: changes[name] for name in ("bio", "gender", "interested_in") if name in changes}
    if "location" in changes:
        location = changes["location"]
        if location is None:
            values.update(location_latitude=None, location_longitude=None, location_place=None)
        elif location["place"] is not None:
            latitude, longitude = await resolve_place(runtime.chart, location["place"], "location.place")
            values.update(location_latitude=latitude, location_longitude=longitude, location_place=location["place"])
        else:
            values.update(location_latitude=location["latitude"], location_longitude=location["longitude"],
                          location_place=None)
    if "photos" in changes:
        values["photos"] = rules.reordered(user["photos"], changes["photos"], "photos")
    given = {name: changes[name] for name in rules.BIRTH_FIELDS if name in changes}
    if "display_name" not in changes and not given:
        return values
    name = changes.get("display_name", user["display_name"])
    birth = SimpleNamespace(**rules.merged_birth(rules.stored_birth(user), given))  # a Birth
    if birth.birth_date is None:
        if given:
            raise AppError(422, "VALIDATION_ERROR", f"birth_date: Field required with {', '.join(given)}",
                           field="birth_date")
        return {**values, "display_name": name}  # an account without a profile keeps a name for later
    if name is None:
        raise AppError(422, "VALIDATION_ERROR", "display_name: Field required with birth_date (the numerology is "
                                                "computed from it)", field="display_name")
    profile = await calculate_profile(runtime.chart, name, birth, name_field="display_name")
    return {**values, "display_name": name, "birth_date": birth.birth_date, "birth_time": birth.birth_time,
            "birth_place": birth.birth_place, "birth_latitude": birth.latitude, "birth_longitude": birth.longitude,
            **user_values(profile, birth.timezone)}


async def update_profile(runtime: Runtime, session: AsyncSession, user_id: int, changes: dict[str, Any]) -> RowMapping:
    """A partial update and its event in one transaction. Chart is asked before anything is written: when it
    is down the update fails whole (503)."""
    user = await signed_in_user(session, user_id, lock=True)
    values = await _profile_values(runtime, user, changes)
    updated = await repository.update_user(session, user_id, values) if values else user
    if values:
        await announce_profile(runtime, session, user, updated)
    await session.commit()
    runtime.relay.wake()
    return updated


# --- photos --------------------------------------------------------------------------------------------


def storage_of(runtime: Runtime) -> PhotoStorage:
    return runtime.state["photo_storage"]


async def _save_photos(runtime: Runtime, session: AsyncSession, user: RowMapping, photos: list[dict[str, Any]]) -> None:
    updated = await repository.update_user(session, user["id"], {"photos": photos})
    await announce_profile(runtime, session, user, updated)
    await session.commit()
    runtime.relay.wake()


async def upload_photo(runtime: Runtime, session: AsyncSession, user_id: int, data: bytes) -> dict[str, Any]:
    """Stores the photo's two sizes, then appends it to the profile. The files are written first: a crash in
    between leaves unreferenced files under random names, never a profile pointing at nothing."""
    prepared = await asyncio.to_thread(images.prepare, data)
    user = await signed_in_user(session, user_id, lock=True)
    rules.check_room(user["photos"])
    photo = {"id": rules.new_photo_id(), "width": prepared.width, "height": prepared.height}
    storage = storage_of(runtime)
    await storage.put(rules.photo_key(photo["id"], "display"), prepared.display)
    await storage.put(rules.photo_key(photo["id"], "thumbnail"), prepared.thumbnail)
    try:
        await _save_photos(runtime, session, user, [*user["photos"], photo])
    except BaseException:
        await storage.delete(rules.photo_keys(photo["id"]))
        raise
    return rules.photo_view(photo)


async def delete_photo(runtime: Runtime, session: AsyncSession, user_id: int, photo_id: str) -> None:
    """The photo leaves the profile (committed), then its files go, before the answer. A failed commit leaves
    the photo listed and its files in place. A file left behind (a crash or a storage failure after the
    commit) is harmless: its id is unguessable, no profile lists it, and ``photo_file`` serves only listed
    photos, so a 204 never leaves the photo served."""
    user = await signed_in_user(session, user_id, lock=True)
    if photo_id not in {p["id"] for p in user["photos"]}:
        raise rules.photo_not_found()
    await _save_photos(runtime, session, user, [p for p in user["photos"] if p["id"] != photo_id])
    await _delete_files(runtime, rules.photo_keys(photo_id))


async def _delete_files(runtime: Runtime, keys: list[str]) -> None:
    """After the commit that unlisted them: a failure only leaves files nobody is served (logged)."""
    try:
        await storage_of(runtime).delete(keys)
    except Exception:  # noqa: BLE001 - the deletion is done for the user; the storage keeps an unserved file
        log.exception("photo files not deleted; they stay unserved", extra={"keys": keys})


async def reorder_photos(runtime: Runtime, session: AsyncSession, user_id: int,
                         order: list[str]) -> list[dict[str, Any]]:
    user = await signed_in_user(session, user_id, lock=True)
    photos = rules.reordered(user["photos"], order, "photo_ids")
    await _save_photos(runtime, session, user, photos)
    return [rules.photo_view(p) for p in photos]


async def photo_file(runtime: Runtime, session: AsyncSession, photo_id: str, size: str) -> bytes:
    """A photo's bytes by its public id; 404 for anything else (an id that is not one included, or a photo no
    profile lists any more, whatever the storage still holds)."""
    try:
        key = rules.photo_key(photo_id, size)
    except ValueError:
        raise rules.photo_not_found() from None
    if not await repository.photo_listed(session, photo_id):
        raise rules.photo_not_found()
    data = await storage_of(runtime).get(key)
    if data is None:
        raise rules.photo_not_found()
    return data


# --- deleting the account ------------------------------------------------------------------------------


def wrong_password() -> AppError:
    return AppError(403, "INVALID_PASSWORD", "password: this is not the account's password.", field="password")


async def _spend_deletion_code(runtime: Runtime, session: AsyncSession, user: RowMapping, code: str) -> None:
    """A fresh code sent to the account's own number (``POST /auth/login`` with it) confirms the deletion."""
    if user["phone_number"] is None:
        raise AppError(422, "OTP_NOT_AVAILABLE", "otp_code: this account has no phone number; confirm with the "
                                                 "password.", field="otp_code")
    await phone_codes.spend_code(runtime, session, user["phone_number"], code)


async def delete_account(runtime: Runtime, session: AsyncSession, user_id: int, *, password: str | None,
                         otp_code: str | None) -> None:
    """The account and everything identity keeps of the person: Vedic profiles, the user row; every session
    revoked; ``identity.user.deleted`` (matching and chat erase their copies) in the same transaction; then
    the photo files (unserved from the commit on: see ``delete_photo``)."""
    user = await signed_in_user(session, user_id, lock=True)
    if otp_code is not None:
        await _spend_deletion_code(runtime, session, user, otp_code)
    elif not await asyncio.to_thread(verify_password, user["password_hash"], password or ""):
        raise wrong_password()
    await vedic_service.erase_owner(session, user_id)
    await accounts_service.revoke_all_sessions(runtime, session, user_id, "deleted")
    await repository.delete_user(session, user_id)
    await add_event(session, outbox, runtime.settings.service_name, UserDeletedV1(user_id=user_id))
    await session.commit()
    runtime.relay.wake()
    await _delete_files(runtime, [key for p in user["photos"] for key in rules.photo_keys(p["id"])])
    await vedic_service.forget_cached(runtime, user_id)
