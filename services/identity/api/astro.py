"""astro-mvp-vedic-api under ``/api/v1/astro``: birth profiles, Vedic calculation snapshots and
predictions. Every route needs a token; a user only ever sees their own rows (another user's id is a 404)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros.chart.v1 import chart_pb2
from numeros_common.auth import Principal, require_principal
from numeros_common.chart_client import birth_data
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..adapters import astro_cache, astro_repo
from ..adapters.chart import renamed, today_utc
from ..domain.predictions import PredictionEngine, PredictionRequest
from .astro_schemas import (ComputeRequest, ComputeResponse, PredictionOut, PredictionResponse,
                            ProfileCreate, ProfileHistory, ProfileList, ProfileOut, ProfileUpdate, QuestionRequest,
                            SnapshotOut)

router = APIRouter(prefix="/api/v1/astro", tags=["astro"])
_AUTH = {401: {"description": "Missing or invalid token"}}
_NOT_FOUND = {404: {"description": "Not found (or not yours)"}}
_INVALID = {422: {"description": "Invalid input naming the field"}}
# chart's field names -> ours
_CHART_FIELDS = {"birth_date": "dob", "dob": "dob", "birth_time": "tob", "timezone": "tz",
                 "latitude": "lat", "longitude": "lon", "ayanamsa": "ayanamsa", "house_system": "house_system",
                 "as_of": "as_of", "uncertainty_minutes": "uncertainty_minutes", "name": "name"}
PROFILE_FIELDS = ("name", "gender", "dob", "tob", "tz", "place", "lat", "lon", "altitude_m", "uncertainty_minutes",
                  "ayanamsa", "house_system")


def _route_limit(name: str, setting: str):
    """astro-mvp's per-user limit for one kind of route (compute 20/min, predictions 10/min)."""

    async def check(request: Request, principal: Principal = Depends(require_principal)) -> Principal:
        runtime = runtime_of(request)
        limit = getattr(runtime.settings, setting)
        decision = await runtime.limiter.hit(f"user:{principal.user_id}:{name}", limit)
        if not decision.allowed:
            raise AppError(429, "RATE_LIMITED", f"More than {limit} {name} requests a minute; slow down.",
                           headers=decision.headers())
        return principal

    return check


compute_limit = _route_limit("compute", "astro_compute_rate_per_minute")
predict_limit = _route_limit("predict", "astro_predict_rate_per_minute")


def _renamed(error: AppError) -> AppError:
    """chart's field (``birth.latitude``, ``as_of`` ...) as the profile field the user sent (``lat``)."""
    if error.field and error.field.startswith("birth."):
        error = AppError(error.status, error.code, error.message[len("birth."):] if error.message.startswith(
            "birth.") else error.message, field=error.field[len("birth."):], headers=error.headers)
    return renamed(error, _CHART_FIELDS)


def _profile_out(row: RowMapping) -> dict[str, Any]:
    return ProfileOut(**{k: row[k] for k in ProfileOut.model_fields}).model_dump(mode="json")


def _not_found(what: str) -> AppError:
    return AppError(404, f"{what.upper()}_NOT_FOUND", f"{what.capitalize()} not found.")


async def _owned_profile(session: AsyncSession, principal: Principal, profile_id: int) -> RowMapping:
    row = await astro_repo.get_profile(session, principal.user_id, profile_id)
    if row is None:
        raise _not_found("profile")
    return row


# --- profiles --------------------------------------------------------------------------------------


@router.post("/profiles", status_code=201, response_model=ProfileOut, summary="Create a birth profile",
             responses={**_AUTH, **_INVALID})
async def create_profile(body: ProfileCreate, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await astro_repo.create_profile(session, principal.user_id, body.model_dump())
    await session.commit()
    return JSONResponse(_profile_out(row), status_code=201)


@router.get("/profiles", response_model=ProfileList, summary="My birth profiles, paginated", responses=_AUTH)
async def list_profiles(page: int = Query(1, ge=1), per_page: int = Query(20, ge=1, le=100),
                        principal: Principal = Depends(require_principal),
                        session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    rows, total = await astro_repo.list_profiles(session, principal.user_id, page=page, per_page=per_page)
    return {"profiles": [_profile_out(r) for r in rows], "total": total, "page": page, "per_page": per_page}


@router.get("/profiles/{profile_id}", response_model=ProfileOut, summary="One birth profile",
            responses={**_AUTH, **_NOT_FOUND})
async def get_profile(profile_id: int, principal: Principal = Depends(require_principal),
                      session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    return _profile_out(await _owned_profile(session, principal, profile_id))


@router.patch("/profiles/{profile_id}", response_model=ProfileOut, summary="Update a birth profile (partial)",
              responses={**_AUTH, **_NOT_FOUND, **_INVALID})
async def update_profile(profile_id: int, body: ProfileUpdate, request: Request,
                         principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    nulls = [k for k, v in values.items() if v is None]
    if nulls:
        raise AppError(422, "VALIDATION_ERROR", f"{nulls[0]}: may not be null", field=nulls[0])
    if not values:
        return _profile_out(await _owned_profile(session, principal, profile_id))
    row = await astro_repo.update_profile(session, principal.user_id, profile_id, values)
    if row is None:
        raise _not_found("profile")
    await session.commit()
    return _profile_out(row)


@router.delete("/profiles/{profile_id}", summary="Delete a birth profile with its snapshots and predictions",
               responses={**_AUTH, **_NOT_FOUND})
async def delete_profile(profile_id: int, request: Request, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> dict[str, str]:
    if not await astro_repo.delete_profile(session, principal.user_id, profile_id):
        raise _not_found("profile")
    await session.commit()
    await astro_cache.clear_profile(runtime_of(request).redis, profile_id, principal.user_id)
    return {"message": "Profile deleted successfully"}


@router.get("/profiles/{profile_id}/history", response_model=ProfileHistory,
            summary="The profile's calculation snapshots and predictions, oldest first",
            responses={**_AUTH, **_NOT_FOUND})
async def profile_history(profile_id: int, principal: Principal = Depends(require_principal),
                          session: AsyncSession = Depends(db_session)) -> JSONResponse:
    await _owned_profile(session, principal, profile_id)
    entries = await astro_repo.history(session, principal.user_id, profile_id)
    body = ProfileHistory(profile_id=profile_id, history=entries, total=len(entries))
    return JSONResponse(body.model_dump(mode="json"))


# --- compute ---------------------------------------------------------------------------------------


async def compute_snapshot(runtime: Runtime, session: AsyncSession, user_id: int, birth: dict[str, Any], *,
                           profile_id: int | None, as_of: dt.date) -> tuple[dict[str, Any], bool]:
    """The snapshot summary for ``birth`` (profile fields) and whether it was already stored."""
    request = birth_data(birth["name"], birth["dob"], birth_time=birth["tob"], latitude=birth["lat"],
                         longitude=birth["lon"], timezone=birth["tz"])
    options = {"ayanamsa": birth["ayanamsa"], "house_system": birth["house_system"],
               "uncertainty_minutes": birth["uncertainty_minutes"]}
    digest = astro_cache.request_digest(chart_pb2.VedicRequest(
        birth=request, as_of=chart_pb2.Date(year=as_of.year, month=as_of.month, day=as_of.day),
        **options).SerializeToString(deterministic=True))
    key = astro_cache.snapshot_key(user_id, profile_id, digest)
    cached = await astro_cache.get(runtime.redis, key)
    if cached is not None:
        await astro_cache.count(runtime.redis, "redis_hits")
        return cached, True
    try:
        reply = await runtime.chart.vedic_snapshot(request, as_of=as_of, **options)
    except AppError as error:
        raise _renamed(error) from error
    row = await astro_repo.live_snapshot(session, user_id, reply.input_hash)
    was_stored = row is not None
    if row is None:
        document = json.loads(reply.document.json)
        meta = document.get("meta", {})
        row = await astro_repo.insert_snapshot(session, {
            "owner_user_id": user_id, "profile_id": profile_id, "input_hash": reply.input_hash,
            "ruleset_version": reply.document.ruleset_version or str(meta.get("ruleset_version", "")),
            "ephemeris_version": reply.ephemeris_version or str(meta.get("ephemeris_version", "")),
            "ayanamsa": str(meta.get("ayanamsa") or birth["ayanamsa"]),
            "house_system": str(meta.get("house_system") or birth["house_system"]),
            "as_of": as_of, "calc_timestamp": dt.datetime.now(dt.UTC), "data": document})
        if row is None:  # a concurrent compute stored it first
            row = await astro_repo.live_snapshot(session, user_id, reply.input_hash)
            was_stored = True
    if was_stored and profile_id is not None and row["profile_id"] is None:
        await astro_repo.claim_snapshot(session, row["id"], profile_id)
    await session.commit()
    assert row is not None
    summary = {"calc_snapshot_id": row["id"], "input_hash": row["input_hash"],
               "ruleset_version": row["ruleset_version"], "ephemeris_version": row["ephemeris_version"],
               "ayanamsa": row["ayanamsa"], "house_system": row["house_system"],
               "calc_timestamp": row["calc_timestamp"].isoformat().replace("+00:00", "Z"),
               "as_of": row["as_of"].isoformat(), "profile_id": row["profile_id"] or profile_id}
    await astro_cache.put(runtime.redis, key, summary)
    await astro_cache.count(runtime.redis, "db_hits" if was_stored else "misses")
    return summary, was_stored


COMPUTE_DESCRIPTION = """Vedic snapshot for `profile_id` or inline birth data (the profile fields; `name`, `gender`,
`dob`, `tob`, `tz`, `place`, `lat`, `lon` required inline). `ayanamsa`, `house_system` and `uncertainty_minutes`
given alongside `profile_id` override the profile's. `as_of` (default today, UTC) is the day dasha and transits are
read for. The same normalised input answers the stored snapshot with `cached: true`: chart's `input_hash` (normalised
input + ruleset + ephemeris version) is unique per user in Postgres, with Redis in front (24 h)."""


@router.post("/compute", response_model=ComputeResponse, summary="Compute (or fetch) a Vedic snapshot",
             description=COMPUTE_DESCRIPTION,
             responses={**_AUTH, **_NOT_FOUND, **_INVALID, 429: {"description": "More than 20 computes a minute"},
                        503: {"description": "Calculation service unavailable"}})
async def compute(body: ComputeRequest, request: Request, principal: Principal = Depends(compute_limit),
                  session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    sent = body.model_dump(exclude_unset=True, exclude={"profile_id", "as_of"})
    if body.profile_id is not None:
        profile = await _owned_profile(session, principal, body.profile_id)
        birth = {k: profile[k] for k in PROFILE_FIELDS}
        birth.update({k: v for k, v in sent.items() if k in ("ayanamsa", "house_system", "uncertainty_minutes")
                      and v is not None})
    else:
        try:
            birth = ProfileCreate.model_validate({k: v for k, v in sent.items() if v is not None}).model_dump()
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
    summary, cached = await compute_snapshot(runtime_of(request), session, principal.user_id, birth,
                                             profile_id=body.profile_id, as_of=body.as_of or today_utc())
    return {**summary, "cached": cached}


@router.get("/compute/{calc_snapshot_id}", response_model=SnapshotOut, summary="A calculation snapshot in full",
            responses={**_AUTH, **_NOT_FOUND})
async def get_snapshot(calc_snapshot_id: int, principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await astro_repo.get_snapshot(session, principal.user_id, calc_snapshot_id)
    if row is None:
        raise _not_found("snapshot")
    return JSONResponse({
        "id": row["id"], "input_hash": row["input_hash"], "ayanamsa": row["ayanamsa"],
        "house_system": row["house_system"], "ephemeris_version": row["ephemeris_version"],
        "ruleset_version": row["ruleset_version"], "created_at": row["created_at"].isoformat(),
        "profile_id": row["profile_id"], "as_of": row["as_of"].isoformat(),
        "invalidated": row["invalidated_at"] is not None, "data": row["data"]})


# --- predictions -----------------------------------------------------------------------------------


@router.post("/predict/question", response_model=PredictionResponse, summary="Ask a question about a profile",
             description="Answered by the configured prediction engine (NUMEROS_PREDICTION_ENGINE; default `rules`, "
                         "the deterministic numeros-rules-v1, named in `llm_model`) from the profile's snapshot for "
                         "today (computed if needed) or from `calc_snapshot_id`. Every evidence `calc_field` is a "
                         "path into that snapshot's `data`.",
             responses={**_AUTH, **_NOT_FOUND, **_INVALID, 429: {"description": "More than 10 questions a minute"}})
async def ask(body: QuestionRequest, request: Request, principal: Principal = Depends(predict_limit),
              session: AsyncSession = Depends(db_session)) -> JSONResponse:
    runtime = runtime_of(request)
    profile = await _owned_profile(session, principal, body.profile_id)
    if body.calc_snapshot_id is not None:
        snapshot_id = body.calc_snapshot_id
    else:
        summary, _ = await compute_snapshot(runtime, session, principal.user_id,
                                            {k: profile[k] for k in PROFILE_FIELDS},
                                            profile_id=profile["id"], as_of=today_utc())
        snapshot_id = summary["calc_snapshot_id"]
    snapshot = await astro_repo.get_snapshot(session, principal.user_id, snapshot_id)
    if snapshot is None:
        raise AppError(404, "SNAPSHOT_NOT_FOUND", "Snapshot not found.", field="calc_snapshot_id")
    engine: PredictionEngine = runtime.state["prediction_engine"]
    result = engine.predict(PredictionRequest(question=body.question, time_horizon_months=body.time_horizon_months,
                                              snapshot=snapshot["data"], as_of=snapshot["as_of"]))
    row = await astro_repo.insert_prediction(session, {
        "owner_user_id": principal.user_id, "profile_id": profile["id"], "snapshot_id": snapshot["id"],
        "question": body.question, "topic": result["topic"], "time_horizon_months": body.time_horizon_months,
        "result": result, "confidence_overall": result["confidence_overall"], "llm_model": engine.model})
    await session.commit()
    return JSONResponse({
        "prediction_id": row["id"], "topic": result["topic"], "answer": result["answer"],
        "confidence_overall": result["confidence_overall"], "sensitivity_notice": result.get("sensitivity_notice"),
        "calc_snapshot_id": snapshot["id"], "llm_model": engine.model, "created_at": row["created_at"].isoformat()})


@router.get("/predict/{prediction_id}", response_model=PredictionOut, summary="A stored prediction",
            responses={**_AUTH, **_NOT_FOUND})
async def get_prediction(prediction_id: int, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await astro_repo.get_prediction(session, principal.user_id, prediction_id)
    if row is None:
        raise _not_found("prediction")
    return JSONResponse({
        "id": row["id"], "question": row["question"], "topic": row["topic"], "result": row["result"],
        "confidence_overall": row["confidence_overall"], "llm_model": row["llm_model"],
        "created_at": row["created_at"].isoformat(), "calc_snapshot_id": row["snapshot_id"],
        "profile_id": row["profile_id"], "time_horizon_months": row["time_horizon_months"]})
