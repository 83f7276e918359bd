"""Admin (astro-mvp): statistics and calculation-cache resets. Only tokens with the ``is_admin`` claim;
anyone else gets 403. Both POST (ours) and DELETE (the seed's) reset the cache. Also the public
whole-system readiness (``/system/readyz``)."""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError

from . import service

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
system_router = APIRouter(tags=["health"])
_RESPONSES = {401: {"description": "Missing or invalid token"}, 403: {"description": "Not an admin"}}


async def require_admin(principal: Principal = Depends(require_principal)) -> Principal:
    if not principal.is_admin:
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


@system_router.get("/system/readyz", summary="Readiness of the whole system, dependency by dependency")
async def system_readyz(request: Request) -> JSONResponse:
    ok, report = await service.system_readiness(runtime_of(request))
    return JSONResponse({"status": "ready" if ok else "unready", "checks": report}, status_code=200 if ok else 503)
