"""jioastro-numerology-api under ``/api/v1/numerology``: calculate and compare (chart computes the seed's
bodies; they pass through), saved profiles and their name trials.

Authenticated, as the seed requires (our JWT); a user only ever sees their own profiles and trials (another
user's id is a 404, as an unknown one). Errors and limits are the JioAstro family's (``{"detail": ...}``, 100
requests an hour per endpoint, 500 premium)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.families import JIOASTRO_NUMEROLOGY, family_router
from numeros_common.ids import MAX_ID, resource_id
from numeros_common.responses import (CHART_UNAVAILABLE, INVALID, MALFORMED_BODY, NOT_YOURS, RATE_LIMITED,
                                      UNAUTHENTICATED)

from ..calculations import today_utc
from . import service
from .schemas import (NameTrial, NameTrialCreate, NameTrialUpdate, NumerologyCalculateRequest,
                      NumerologyCalculateResponse, NumerologyCompareRequest, NumerologyCompareResponse,
                      NumerologyProfile, NumerologyProfileCreate, NumerologyProfileSummary, NumerologyProfileUpdate)

router = family_router("/api/v1/numerology", JIOASTRO_NUMEROLOGY, tags=["numerology"], responses=RATE_LIMITED)
_ERRORS = {**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID, **CHART_UNAVAILABLE}


def _json(body: str) -> Response:
    return Response(body, media_type="application/json")


@router.post("/calculate", response_model=NumerologyCalculateResponse, summary="Calculate numerology without saving",
             description="Western (Pythagorean), Vedic and Chaldean numerology; `system` both = western + vedic. "
                         "Personal cycles are read for `as_of`, by default today's date in UTC; an `as_of` "
                         "before `birth_date` is refused (422 naming `as_of`).",
             operation_id="numerology_calculate", responses=_ERRORS)
async def calculate(body: NumerologyCalculateRequest, request: Request,
                    _: Principal = Depends(require_principal)) -> Response:
    return _json(await service.calculate(runtime_of(request).chart, body.full_name, body.birth_date,
                                         as_of=body.as_of or today_utc(), system=body.system,
                                         y_as_vowel=body.y_as_vowel or ""))


@router.post("/compare", response_model=NumerologyCompareResponse, summary="Compare 2-5 name variants side by side",
             operation_id="numerology_compare",
             responses={**_ERRORS, 400: {"description": "Not valid JSON, or fewer than 2 or more than 5 names"}})
async def compare(body: NumerologyCompareRequest, request: Request,
                  _: Principal = Depends(require_principal)) -> Response:
    return _json(await service.compare(runtime_of(request).chart, body.names, body.birth_date, system=body.system,
                                       y_as_vowel=body.y_as_vowel or ""))


# --- saved profiles ----------------------------------------------------------------------------------

# Not {profile_id}: that name is the linked birth profile's in the bodies (and null when none is linked).
ProfileId = Annotated[int, resource_id("A numerology profile id"), Path(alias="numerology_profile_id")]
TrialId = Annotated[int, resource_id("A name trial id")]
Limit = Annotated[int, Query(ge=1, le=100, description="At most this many (1-100)")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Skip this many")]
_BY_ID = {**UNAUTHENTICATED, **NOT_YOURS, **INVALID}
_WRITE = {**_BY_ID, **MALFORMED_BODY, **CHART_UNAVAILABLE}


def _column(value: Any) -> Any:
    """A column value as the seed writes it: times in UTC to the second with ``Z``, dates ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat() if isinstance(value, dt.date) else value


def _out(row: RowMapping, model: type[BaseModel]) -> dict[str, Any]:
    """The response body of a stored row: the model's fields, passed through (not validated again)."""
    return {name: _column(row[name]) for name in model.model_fields}


@router.post("/profiles", status_code=201, response_model=NumerologyProfile, summary="Calculate and save a profile",
             description="The `/calculate` body; the profile keeps the sections of its `system` (`western_data`, "
                         "`vedic_data`, `chaldean_data`; null for the others) and the western `cycles`. An `as_of` "
                         "before `birth_date` is refused (422 naming `as_of`).",
             operation_id="numerology_create_profile", responses={**_WRITE, 404: {
                 "description": "`profile_id` is not one of your birth profiles"}})
async def create_profile(body: NumerologyProfileCreate, request: Request,
                         principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> JSONResponse:
    values = body.model_dump(include={"full_name", "birth_date", "system", "common_name", "name_at_birth",
                                      "profile_id"})
    row = await service.create_profile(runtime_of(request).chart, session, principal.user_id,
                                       {**values, "y_as_vowel": body.y_as_vowel or "auto"},
                                       as_of=body.as_of or today_utc())
    return JSONResponse(_out(row, NumerologyProfile), status_code=201)


@router.get("/profiles", response_model=list[NumerologyProfileSummary], summary="My saved profiles, newest first",
            operation_id="numerology_list_profiles", responses={**UNAUTHENTICATED, **INVALID})
async def list_profiles(limit: Limit = 20, offset: Offset = 0, principal: Principal = Depends(require_principal),
                        session: AsyncSession = Depends(db_session)) -> JSONResponse:
    rows = await service.list_profiles(session, principal.user_id, limit=limit, offset=offset)
    return JSONResponse([_out(row, NumerologyProfileSummary) for row in rows])


@router.get("/profiles/{numerology_profile_id}", response_model=NumerologyProfile, summary="One saved profile",
            operation_id="numerology_get_profile", responses=_BY_ID)
async def get_profile(profile_id: ProfileId, principal: Principal = Depends(require_principal),
                      session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return JSONResponse(_out(await service.get_profile(session, principal.user_id, profile_id), NumerologyProfile))


@router.patch("/profiles/{numerology_profile_id}", response_model=NumerologyProfile,
              summary="Update a saved profile (partial)",
              description="`full_name`, `common_name`, `name_at_birth` (null or blank clears these two) and "
                          "`birth_date`. A new `full_name` or `birth_date` recalculates every number with the "
                          "profile's system and Y rule, cycles as of today (UTC) or `as_of`; sending `as_of` alone "
                          "recalculates too. An `as_of` (or today) before `birth_date` is refused (422 naming "
                          "`as_of`).",
              operation_id="numerology_update_profile", responses=_WRITE)
async def update_profile(profile_id: ProfileId, body: NumerologyProfileUpdate, request: Request,
                         principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> JSONResponse:
    values = body.model_dump(exclude_unset=True, exclude={"as_of"})
    row = await service.update_profile(runtime_of(request).chart, session, principal.user_id, profile_id, values,
                                       as_of=body.as_of, today=today_utc())
    return JSONResponse(_out(row, NumerologyProfile))


@router.delete("/profiles/{numerology_profile_id}", status_code=204, response_class=Response,
               summary="Delete a saved profile with its name trials", operation_id="numerology_delete_profile",
               responses=_BY_ID)
async def delete_profile(profile_id: ProfileId, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> Response:
    await service.delete_profile(session, principal.user_id, profile_id)
    return Response(status_code=204)


# --- name trials -------------------------------------------------------------------------------------


@router.post("/profiles/{numerology_profile_id}/name-trials", status_code=201, response_model=NameTrial,
             summary="Try an alternative name", operation_id="numerology_create_name_trial",
             description="The trial name's numbers in `system`, read with the profile's Y rule. "
                         "`is_preferred: true` unmarks the profile's previous preferred name.",
             responses=_WRITE)
async def create_trial(profile_id: ProfileId, body: NameTrialCreate, request: Request,
                       principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await service.create_trial(runtime_of(request).chart, session, principal.user_id, profile_id,
                                     trial_name=body.trial_name, system=body.system, notes=body.notes,
                                     is_preferred=body.is_preferred)
    return JSONResponse(_out(row, NameTrial), status_code=201)


@router.get("/profiles/{numerology_profile_id}/name-trials", response_model=list[NameTrial],
            summary="A profile's name trials, newest first", operation_id="numerology_list_name_trials",
            responses=_BY_ID)
async def list_trials(profile_id: ProfileId, limit: Limit = 100, offset: Offset = 0,
                      principal: Principal = Depends(require_principal),
                      session: AsyncSession = Depends(db_session)) -> JSONResponse:
    rows = await service.list_trials(session, principal.user_id, profile_id, limit=limit, offset=offset)
    return JSONResponse([_out(row, NameTrial) for row in rows])


@router.get("/profiles/{numerology_profile_id}/name-trials/{trial_id}", response_model=NameTrial,
            summary="One name trial", operation_id="numerology_get_name_trial", responses=_BY_ID)
async def get_trial(profile_id: ProfileId, trial_id: TrialId, principal: Principal = Depends(require_principal),
                    session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return JSONResponse(_out(await service.get_trial(session, principal.user_id, profile_id, trial_id), NameTrial))


@router.patch("/profiles/{numerology_profile_id}/name-trials/{trial_id}", response_model=NameTrial,
              summary="Update a name trial's notes or preferred status", operation_id="numerology_update_name_trial",
              responses={**_BY_ID, **MALFORMED_BODY})
async def update_trial(profile_id: ProfileId, trial_id: TrialId, body: NameTrialUpdate,
                       principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await service.update_trial(session, principal.user_id, profile_id, trial_id,
                                     body.model_dump(exclude_unset=True))
    return JSONResponse(_out(row, NameTrial))


@router.delete("/profiles/{numerology_profile_id}/name-trials/{trial_id}", status_code=204, response_class=Response,
               summary="Delete a name trial", operation_id="numerology_delete_name_trial", responses=_BY_ID)
async def delete_trial(profile_id: ProfileId, trial_id: TrialId, principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> Response:
    await service.delete_trial(session, principal.user_id, profile_id, trial_id)
    return Response(status_code=204)
