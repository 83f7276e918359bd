"""Vedic use-cases (astro-mvp): birth profiles, calculation snapshots and predictions. Every read and write
is scoped to its owner: another user's row is a 404, as if it did not exist.

Snapshots are cached twice: Redis in front (``cache``; keyed by the exact request sent to chart) and
Postgres behind (keyed by chart's ``input_hash``: normalised input + ruleset + ephemeris version, unique
per owner among live snapshots). A profile's compute that finds an inline snapshot of the same input
claims it for the profile's history. Ayanamsa and house-system names belong to chart: before a profile
is written and before a compute looks anything up, chart resolves them to its canonical names (what is
stored and returned), and its refusal is a 422 naming our field."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros.chart.v1 import chart_pb2
from numeros_common.chart_client import birth_data, grpc_date
from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..calculations import renamed
from . import cache, repository
from .predictions import PredictionEngine, PredictionRequest

PROFILE_FIELDS = ("name", "gender", "dob", "tob", "tz", "place", "lat", "lon", "altitude_m", "uncertainty_minutes",
                  "ayanamsa", "house_system")
# Calculation options a compute for a profile may override.
OPTIONS = ("ayanamsa", "house_system", "uncertainty_minutes")
# Option names chart resolves to its canonical spelling.
OPTION_NAMES = ("ayanamsa", "house_system")
# chart's field names -> ours
_CHART_FIELDS = {"birth_date": "dob", "dob": "dob", "birth_time": "tob", "timezone": "tz",
                 "latitude": "lat", "longitude": "lon", "ayanamsa": "ayanamsa", "house_system": "house_system",
                 "as_of": "as_of", "uncertainty_minutes": "uncertainty_minutes", "name": "name"}


def _renamed(error: AppError) -> AppError:
    """chart's field (``birth.latitude``, ``as_of`` ...) as the profile field the user sent (``lat``)."""
    if error.field and error.field.startswith("birth."):
        error = AppError(error.status, error.code, error.message[len("birth."):] if error.message.startswith(
            "birth.") else error.message, field=error.field[len("birth."):], headers=error.headers)
    return renamed(error, _CHART_FIELDS)


async def canonical_names(runtime: Runtime, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the ayanamsa and house system it has in chart's canonical spelling (``whole_sign`` and
    ``W`` become ``WholeSign``); an unknown name is a 422 naming the field, before anything is written."""
    asked = {name: values[name] for name in OPTION_NAMES if values.get(name)}
    if not asked:
        return values
    try:
        reply = await runtime.chart.resolve_options(family=chart_pb2.CHART_FAMILY_VEDIC, **asked)
    except AppError as error:
        raise _renamed(error) from error
    return {**values, **{name: getattr(reply, name) for name in asked}}


def not_found(what: str, field: str | None = None) -> AppError:
    return AppError(404, f"{what.upper()}_NOT_FOUND", f"{what.capitalize()} not found.", field=field)


# --- profiles --------------------------------------------------------------------------------------


async def create_profile(runtime: Runtime, session: AsyncSession, owner: int, values: dict[str, Any]) -> RowMapping:
    row = await repository.create_profile(session, owner, await canonical_names(runtime, values))
    await session.commit()
    return row


async def list_profiles(session: AsyncSession, owner: int, *, page: int,
                        per_page: int) -> tuple[list[RowMapping], int]:
    return await repository.list_profiles(session, owner, page=page, per_page=per_page)


async def get_profile(session: AsyncSession, owner: int, profile_id: int) -> RowMapping:
    row = await repository.get_profile(session, owner, profile_id)
    if row is None:
        raise not_found("profile")
    return row


async def update_profile(runtime: Runtime, session: AsyncSession, owner: int, profile_id: int,
                         values: dict[str, Any]) -> RowMapping:
    """Only the fields in ``values`` change; none of them may be None."""
    nulls = [k for k, v in values.items() if v is None]
    if nulls:
        raise AppError(422, "VALIDATION_ERROR", f"{nulls[0]}: may not be null", field=nulls[0])
    if not values:
        return await get_profile(session, owner, profile_id)
    values = await canonical_names(runtime, values)
    row = await repository.update_profile(session, owner, profile_id, values)
    if row is None:
        raise not_found("profile")
    await session.commit()
    return row


async def delete_profile(runtime: Runtime, session: AsyncSession, owner: int, profile_id: int) -> None:
    """The profile with its snapshots and predictions, and its Redis entries."""
    if not await repository.delete_profile(session, owner, profile_id):
        raise not_found("profile")
    await session.commit()
    await cache.clear_profile(runtime.redis, profile_id, owner)


async def erase_owner(session: AsyncSession, owner: int) -> None:
    """A deleted account's Vedic data, in the caller's transaction (its cache entries: ``forget_cached``)."""
    await repository.delete_owned(session, owner)


async def forget_cached(runtime: Runtime, owner: int) -> None:
    await cache.clear_owner(runtime.redis, owner)


async def profile_history(session: AsyncSession, owner: int, profile_id: int) -> list[dict[str, Any]]:
    await get_profile(session, owner, profile_id)
    return await repository.history(session, owner, profile_id)


# --- snapshots -------------------------------------------------------------------------------------


async def compute_snapshot(runtime: Runtime, session: AsyncSession, owner: int, birth: dict[str, Any], *,
                           profile_id: int | None, as_of: dt.date) -> tuple[dict[str, Any], bool]:
    """The snapshot summary for ``birth`` (profile fields) and whether it was already stored."""
    request = birth_data(birth["name"], birth["dob"], birth_time=birth["tob"], latitude=birth["lat"],
                         longitude=birth["lon"], timezone=birth["tz"])
    options = {name: birth[name] for name in OPTIONS}
    digest = cache.request_digest(chart_pb2.VedicRequest(birth=request, as_of=grpc_date(as_of), **options)
                                  .SerializeToString(deterministic=True))
    key = cache.snapshot_key(owner, profile_id, digest)
    cached = await cache.get(runtime.redis, key)
    if cached is not None:
        await cache.count(runtime.redis, "redis_hits")
        return cached, True
    try:
        reply = await runtime.chart.vedic_snapshot(request, as_of=as_of, **options)
    except AppError as error:
        raise _renamed(error) from error
    row = await repository.live_snapshot(session, owner, reply.input_hash)
    was_stored = row is not None
    if row is None:
        document = json.loads(reply.document.json)
        meta = document.get("meta", {})
        row = await repository.insert_snapshot(session, {
            "owner_user_id": owner, "profile_id": profile_id, "input_hash": reply.input_hash,
            "ruleset_version": reply.document.ruleset_version or str(meta.get("ruleset_version", "")),
            "ephemeris_version": reply.ephemeris_version or str(meta.get("ephemeris_version", "")),
            "ayanamsa": str(meta.get("ayanamsa") or birth["ayanamsa"]),
            "house_system": str(meta.get("house_system") or birth["house_system"]),
            "as_of": as_of, "calc_timestamp": dt.datetime.now(dt.UTC), "data": document})
        if row is None:  # a concurrent compute stored it first
            row = await repository.live_snapshot(session, owner, reply.input_hash)
            was_stored = True
    if was_stored and profile_id is not None and row["profile_id"] is None:
        await repository.claim_snapshot(session, row["id"], profile_id)
    await session.commit()
    assert row is not None
    summary = {"calc_snapshot_id": row["id"], "input_hash": row["input_hash"],
               "ruleset_version": row["ruleset_version"], "ephemeris_version": row["ephemeris_version"],
               "ayanamsa": row["ayanamsa"], "house_system": row["house_system"],
               "calc_timestamp": row["calc_timestamp"].isoformat().replace("+00:00", "Z"),
               "as_of": row["as_of"].isoformat(), "profile_id": row["profile_id"] or profile_id}
    await cache.put(runtime.redis, key, summary)
    await cache.count(runtime.redis, "db_hits" if was_stored else "misses")
    return summary, was_stored


async def compute(runtime: Runtime, session: AsyncSession, owner: int, *, as_of: dt.date,
                  profile_id: int | None = None, options: dict[str, Any] | None = None,
                  birth: dict[str, Any] | None = None) -> tuple[dict[str, Any], bool]:
    """A snapshot for the owner's profile ``profile_id`` (``options`` overriding its ayanamsa, house system
    or uncertainty) or for ``birth`` given inline (the profile fields). Names are resolved first: an unknown
    one is a 422 naming the field, whether or not the profile exists."""
    if profile_id is not None:
        options = await canonical_names(runtime, options or {})
        profile = await get_profile(session, owner, profile_id)
        birth = {**{k: profile[k] for k in PROFILE_FIELDS}, **(options or {})}
    else:
        assert birth is not None
        birth = await canonical_names(runtime, birth)
    return await compute_snapshot(runtime, session, owner, birth, profile_id=profile_id, as_of=as_of)


async def get_snapshot(session: AsyncSession, owner: int, snapshot_id: int) -> RowMapping:
    row = await repository.get_snapshot(session, owner, snapshot_id)
    if row is None:
        raise not_found("snapshot")
    return row


# --- predictions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    row: RowMapping  # as stored
    result: dict[str, Any]  # the engine's answer, as it made it


async def ask(runtime: Runtime, session: AsyncSession, engine: PredictionEngine, owner: int, *, profile_id: int,
              question: str, time_horizon_months: int, snapshot_id: int | None, today: dt.date) -> Prediction:
    """The engine's answer from snapshot ``snapshot_id`` of the profile, or from one for ``today``
    (computed if needed), stored with the question."""
    profile = await get_profile(session, owner, profile_id)
    if snapshot_id is None:
        summary, _ = await compute_snapshot(runtime, session, owner, {k: profile[k] for k in PROFILE_FIELDS},
                                            profile_id=profile["id"], as_of=today)
        snapshot_id = summary["calc_snapshot_id"]
    snapshot = await repository.get_snapshot(session, owner, snapshot_id)
    if snapshot is None:
        raise not_found("snapshot", field="calc_snapshot_id")
    result = engine.predict(PredictionRequest(question=question, time_horizon_months=time_horizon_months,
                                              snapshot=snapshot["data"], as_of=snapshot["as_of"]))
    row = await repository.insert_prediction(session, {
        "owner_user_id": owner, "profile_id": profile["id"], "snapshot_id": snapshot["id"],
        "question": question, "topic": result["topic"], "time_horizon_months": time_horizon_months,
        "result": result, "confidence_overall": result["confidence_overall"], "llm_model": engine.model})
    await session.commit()
    return Prediction(row, result)


async def get_prediction(session: AsyncSession, owner: int, prediction_id: int) -> RowMapping:
    row = await repository.get_prediction(session, owner, prediction_id)
    if row is None:
        raise not_found("prediction")
    return row
