"""Admin (astro-mvp): statistics, calculation-cache resets and accounts (tier, admin rights,
deactivation). Only admins: the token's ``is_admin`` claim and the account as stored now; anyone else gets 403.
Both POST (ours) and DELETE (the seed's) reset the cache. Public:
``/admin/healthz`` and ``/admin/readyz`` (the seed's bodies) and the whole-system readiness behind the
gateway's ``/readyz`` (``/system/public-readyz``: up or down per component); its details (error text,
latencies) at ``/system/readyz`` on identity's own port. Errors are astro-mvp's (``{"error": CODE, ...}``)."""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.routing import APIRoute
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError
from numeros_common.families import ASTRO_MVP_VEDIC, family_router
from numeros_common.health import liveness_body, readiness_body

from . import service

router = family_router("/api/v1/admin", ASTRO_MVP_VEDIC, tags=["admin"])
system_router = APIRouter(tags=["health"])
_RESPONSES = {401: {"description": "Missing or invalid token"}, 403: {"description": "Not an admin"}}


async def require_admin(principal: Principal = Depends(require_principal),
                        session: AsyncSession = Depends(db_session)) -> Principal:
    if not principal.is_admin or not await service.is_admin(session, principal.user_id):
        raise AppError(403, "FORBIDDEN", "Admins only.")
    return principal


@router.get("/stats", summary="System statistics", responses=_RESPONSES)
async def stats(request: Request, principal: Principal = Depends(require_admin),
                session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    body = await service.stats(runtime_of(request), session)
    return {**body, "admin_user": await service.admin_user(session, principal.user_id)}


def _method_free_id(route: APIRoute) -> str:
    """FastAPI's default id ends with whichever method a multi-method route's set yields first, which
    changes between runs; the merged OpenAPI document appends each operation's own method instead."""
    return re.sub(r"\W", "_", f"{route.name}{route.path_format}")


@router.api_route("/cache/reset/all", methods=["POST", "DELETE"], summary="Clear every calculation cache",
                  responses=_RESPONSES, generate_unique_id_function=_method_free_id)
async def reset_all(request: Request, principal: Principal = Depends(require_admin),
                    session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    cleared, invalidated = await service.reset_all(runtime_of(request), session)
    return {"message": "All calculation caches cleared", "cleared_keys": cleared,
            "invalidated_snapshots": invalidated, "admin_user": await service.admin_user(session, principal.user_id)}


@router.api_route("/cache/reset/{profile_id}", methods=["POST", "DELETE"],
                  summary="Clear one profile's calculation cache", responses={**_RESPONSES, 404: {
                      "description": "No such profile"}}, generate_unique_id_function=_method_free_id)
async def reset_profile(profile_id: int, request: Request, principal: Principal = Depends(require_admin),
                        session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    cleared, invalidated = await service.reset_profile(runtime_of(request), session, profile_id)
    return {"message": f"Cache cleared for profile {profile_id}", "cleared_keys": cleared,
            "invalidated_snapshots": invalidated, "admin_user": await service.admin_user(session, principal.user_id)}


class UserPatch(BaseModel):
    """Only the fields given change; at least one."""

    model_config = ConfigDict(extra="forbid")

    tier: Literal["standard", "premium"] | None = Field(default=None, description="Rate-limit tier (premium: "
                                                                                  "JioAstro's 500 an hour)")
    is_admin: bool | None = Field(default=None, description="Grant or revoke admin rights (effective at once)")
    is_active: bool | None = Field(default=None, description="false deactivates: every session ends and discovery "
                                                             "drops the person; true reactivates")

    @model_validator(mode="after")
    def _not_empty(self):
        if not self.model_dump(exclude_none=True):
            raise ValueError("give at least one of tier, is_admin, is_active")
        return self


@router.patch("/users/{user_id}", summary="Change an account: rate-limit tier, admin rights, active or not",
              responses={**_RESPONSES, 404: {"description": "No such user"}})
async def patch_user(user_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: UserPatch, request: Request,
                     _: Principal = Depends(require_admin),
                     session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    return await service.update_user(runtime_of(request), session, user_id, body.model_dump(exclude_none=True))


_NOT_READY = {503: {"description": "A dependency is down (`not_ready`)"}}


@router.get("/healthz", summary="Liveness (astro-mvp's body, ISO timestamp)")
async def admin_healthz() -> dict[str, Any]:
    return liveness_body(iso_timestamp=True)


@router.get("/readyz", summary="Readiness of the whole system (astro-mvp's body, ISO timestamp)", responses=_NOT_READY)
async def admin_readyz(request: Request) -> JSONResponse:
    ok, report = await service.system_readiness(runtime_of(request))
    return JSONResponse(readiness_body(ok, report, iso_timestamp=True, public=True), status_code=200 if ok else 503)


@system_router.get("/system/public-readyz", summary="Readiness of the whole system: which component is down",
                   responses=_NOT_READY)
async def public_readyz(request: Request) -> JSONResponse:
    """The gateway's ``/readyz``: up or down per component, no error text or latencies (``/system/readyz``)."""
    ok, report = await service.system_readiness(runtime_of(request))
    return JSONResponse(readiness_body(ok, report, public=True), status_code=200 if ok else 503)


@system_router.get("/system/readyz", summary="Readiness of the whole system with each check's error and latency "
                   "(identity's port only: the gateway does not route it)", responses=_NOT_READY)
async def system_readyz(request: Request) -> JSONResponse:
    ok, report = await service.system_readiness(runtime_of(request))
    return JSONResponse(readiness_body(ok, report), status_code=200 if ok else 503)
