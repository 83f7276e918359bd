"""astro-mvp-vedic-api under ``/api/v1/astro``: birth profiles, Vedic calculation snapshots and
predictions. Every route needs a token; a user only ever sees their own rows (another user's id is a 404).
Errors and limits are the astro-mvp family's (``{"error": CODE, ...}``; 100/min, compute 20/min, predictions
10/min per user)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.families import ASTRO_MVP_VEDIC, family_router
from numeros_common.ids import resource_id
from numeros_common.responses import ASTRO_INVALID, CHART_UNAVAILABLE, NOT_YOURS, RATE_LIMITED, UNAUTHENTICATED

from ..calculations import today_utc
from . import service
from .schemas import (ComputeRequest, ComputeResponse, PredictionOut, PredictionResponse, ProfileCreate,
                      ProfileHistory, ProfileList, ProfileOut, ProfileUpdate, QuestionRequest, SnapshotOut)

router = family_router("/api/v1/astro", ASTRO_MVP_VEDIC, tags=["astro"], responses={**RATE_LIMITED, **UNAUTHENTICATED})
# astro-mvp answers invalid input (malformed JSON included) with its 400 VALIDATION_ERROR.
_BODY = ASTRO_INVALID
# A path id that is not a positive integer within the id range is a 400; one that is, but is not the
# caller's, a 404.
_BY_ID = {**NOT_YOURS, **ASTRO_INVALID}
ProfileId = Annotated[int, resource_id("A birth profile id")]
SnapshotId = Annotated[int, resource_id("A calculation snapshot id")]
PredictionId = Annotated[int, resource_id("A prediction id")]


def _profile_out(row: RowMapping) -> dict[str, Any]:
    return ProfileOut(**{k: row[k] for k in ProfileOut.model_fields}).model_dump(mode="json")


def _row_json(row: RowMapping, *fields: str) -> dict[str, Any]:
    """``fields`` of ``row`` in order (``ours=its`` renames one) as JSON-ready values."""
    body = {}
    for field in fields:
        ours, _, its = field.partition("=")
        value = row[its or ours]
        body[ours] = value.isoformat() if hasattr(value, "isoformat") else value
    return body


# --- profiles --------------------------------------------------------------------------------------


@router.post("/profiles", status_code=201, response_model=ProfileOut, summary="Create a birth profile",
             operation_id="astro_create_profile", responses=_BODY)
async def create_profile(body: ProfileCreate, request: Request, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await service.create_profile(runtime_of(request), session, principal.user_id, body.model_dump())
    return JSONResponse(_profile_out(row), status_code=201)


@router.get("/profiles", response_model=ProfileList, summary="My birth profiles, paginated",
            operation_id="astro_list_profiles", responses=ASTRO_INVALID)
async def list_profiles(page: int = Query(1, ge=1, le=1_000_000), per_page: int = Query(20, ge=1, le=100),
                        principal: Principal = Depends(require_principal),
                        session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    rows, total = await service.list_profiles(session, principal.user_id, page=page, per_page=per_page)
    return {"profiles": [_profile_out(r) for r in rows], "total": total, "page": page, "per_page": per_page}


@router.get("/profiles/{profile_id}", response_model=ProfileOut, summary="One birth profile",
            operation_id="astro_get_profile", responses=_BY_ID)
async def get_profile(profile_id: ProfileId, principal: Principal = Depends(require_principal),
                      session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    return _profile_out(await service.get_profile(session, principal.user_id, profile_id))


@router.patch("/profiles/{profile_id}", response_model=ProfileOut, summary="Update a birth profile (partial)",
              operation_id="astro_update_profile", responses={**_BY_ID, **_BODY})
async def update_profile(profile_id: ProfileId, body: ProfileUpdate, request: Request,
                         principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    return _profile_out(await service.update_profile(runtime_of(request), session, principal.user_id, profile_id,
                                                     values))


@router.delete("/profiles/{profile_id}", summary="Delete a birth profile with its snapshots and predictions",
               operation_id="astro_delete_profile", responses=_BY_ID)
async def delete_profile(profile_id: ProfileId, request: Request, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> dict[str, str]:
    await service.delete_profile(runtime_of(request), session, principal.user_id, profile_id)
    return {"message": "Profile deleted successfully"}


@router.get("/profiles/{profile_id}/history", response_model=ProfileHistory,
            summary="The profile's calculation snapshots and predictions, oldest first",
            operation_id="astro_profile_history", responses=_BY_ID)
async def profile_history(profile_id: ProfileId, principal: Principal = Depends(require_principal),
                          session: AsyncSession = Depends(db_session)) -> JSONResponse:
    entries = await service.profile_history(session, principal.user_id, profile_id)
    body = ProfileHistory(profile_id=profile_id, history=entries, total=len(entries))
    return JSONResponse(body.model_dump(mode="json"))


# --- compute ---------------------------------------------------------------------------------------


def _inline_birth(sent: dict[str, Any]) -> dict[str, Any]:
    """Inline birth data, checked as a new profile would be (errors name the field under ``body``)."""
    try:
        return ProfileCreate.model_validate({k: v for k, v in sent.items() if v is not None}).model_dump()
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc


COMPUTE_DESCRIPTION = """Vedic snapshot for `profile_id` or inline birth data (the profile fields; `name`, `gender`,
`dob`, `tob`, `tz`, `place`, `lat`, `lon` required inline). `ayanamsa`, `house_system` and `uncertainty_minutes`
given alongside `profile_id` override the profile's. `as_of` (default today, UTC) is the day dasha and transits are
read for; a `dob` after `as_of` is refused (400 naming `dob`). The same normalised input answers the stored
snapshot with `cached: true`: chart's `input_hash` (normalised input + ruleset + ephemeris version) is unique per
user in Postgres, with Redis in front (24 h)."""


@router.post("/compute", response_model=ComputeResponse, summary="Compute (or fetch) a Vedic snapshot",
             description=COMPUTE_DESCRIPTION, operation_id="astro_compute",
             responses={**NOT_YOURS, **_BODY, **CHART_UNAVAILABLE,
                        429: {"description": "More than 20 computes a minute (or the general limit)"}})
async def compute(body: ComputeRequest, request: Request, principal: Principal = Depends(require_principal),
                  session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    sent = body.model_dump(exclude_unset=True, exclude={"profile_id", "as_of"})
    options = {k: v for k, v in sent.items() if k in service.OPTIONS and v is not None}
    birth = None if body.profile_id is not None else _inline_birth(sent)
    summary, cached = await service.compute(runtime_of(request), session, principal.user_id,
                                            as_of=body.as_of or today_utc(), profile_id=body.profile_id,
                                            options=options, birth=birth)
    return {**summary, "cached": cached}


@router.get("/compute/{calc_snapshot_id:int}", response_model=SnapshotOut, summary="A calculation snapshot in full",
            operation_id="astro_get_snapshot", responses=_BY_ID)
async def get_snapshot(calc_snapshot_id: SnapshotId, principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await service.get_snapshot(session, principal.user_id, calc_snapshot_id)
    return JSONResponse({**_row_json(row, "id", "input_hash", "ayanamsa", "house_system", "ephemeris_version",
                                     "ruleset_version", "created_at", "profile_id", "as_of"),
                         "invalidated": row["invalidated_at"] is not None, "data": row["data"]})


# --- predictions -----------------------------------------------------------------------------------


@router.post("/predict/question", response_model=PredictionResponse, summary="Ask a question about a profile",
             description="Answered by the configured prediction engine (NUMEROS_PREDICTION_ENGINE; default `rules`, "
                         "the deterministic numeros-rules-v1, named in `llm_model`) from the profile's snapshot for "
                         "today (computed if needed) or from `calc_snapshot_id`. Every evidence `calc_field` is a "
                         "path into that snapshot's `data`.",
             operation_id="astro_ask_question",
             responses={**NOT_YOURS, **_BODY, **CHART_UNAVAILABLE,
                        429: {"description": "More than 10 questions a minute (or the general limit)"}})
async def ask(body: QuestionRequest, request: Request, principal: Principal = Depends(require_principal),
              session: AsyncSession = Depends(db_session)) -> JSONResponse:
    runtime = runtime_of(request)
    prediction = await service.ask(runtime, session, runtime.state["prediction_engine"], principal.user_id,
                                   profile_id=body.profile_id, question=body.question,
                                   time_horizon_months=body.time_horizon_months, snapshot_id=body.calc_snapshot_id,
                                   today=today_utc())
    result = prediction.result
    return JSONResponse({
        "prediction_id": prediction.row["id"], "topic": result["topic"], "answer": result["answer"],
        "confidence_overall": result["confidence_overall"], "sensitivity_notice": result.get("sensitivity_notice"),
        **_row_json(prediction.row, "calc_snapshot_id=snapshot_id", "llm_model", "created_at")})


# `:int` keeps GET /predict/question from reaching this route: it is a 405 (only POST there), not a 422.
@router.get("/predict/{prediction_id:int}", response_model=PredictionOut, summary="A stored prediction",
            operation_id="astro_get_prediction", responses=_BY_ID)
async def get_prediction(prediction_id: PredictionId, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await service.get_prediction(session, principal.user_id, prediction_id)
    return JSONResponse(_row_json(row, "id", "question", "topic", "result", "confidence_overall", "llm_model",
                                  "created_at", "calc_snapshot_id=snapshot_id", "profile_id", "time_horizon_months"))
