"""Admin (astro-mvp): statistics and calculation-cache resets. Only tokens with the ``is_admin`` claim;
anyone else gets 403. Both POST (ours) and DELETE (the seed's) reset the cache.

A reset deletes the Redis entries and marks the Postgres snapshots invalidated (``invalidated_at``):
the rows stay, so history and the predictions made from them survive, but they no longer answer a compute,
so the next compute asks chart again and stores a new snapshot. Reset-all also clears the cached
personalised forecasts (the stored universal forecasts are kept: they are a pure function of the date)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError

from ..adapters import astro_cache, astro_repo, users_repo

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
_RESPONSES = {401: {"description": "Missing or invalid token"}, 403: {"description": "Not an admin"}}


async def require_admin(principal: Principal = Depends(require_principal)) -> Principal:
    if not principal.is_admin:
        raise AppError(403, "FORBIDDEN", "Admins only.")
    return principal


async def _admin_user(session: AsyncSession, principal: Principal) -> str:
    row = await users_repo.find_by_id(session, principal.user_id)
    return row["email"] if row is not None else f"user:{principal.user_id}"


@router.get("/stats", summary="System statistics", responses=_RESPONSES)
async def stats(request: Request, principal: Principal = Depends(require_admin),
                session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    runtime = runtime_of(request)
    counts = await astro_repo.counts(session)
    try:
        await runtime.redis.ping()
        cache = await astro_cache.stats(runtime.redis)
        redis_status = "healthy"
    except Exception:  # noqa: BLE001 - the statistics still answer without Redis
        cache, redis_status = None, "unhealthy"
    return {**counts, "redis_status": redis_status, "compute_cache": cache,
            "cache_hit_ratio": cache["hit_ratio"] if cache else None,
            "admin_user": await _admin_user(session, principal)}


@router.api_route("/cache/reset/all", methods=["POST", "DELETE"], summary="Clear every calculation cache",
                  responses=_RESPONSES)
async def reset_all(request: Request, principal: Principal = Depends(require_admin),
                    session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    runtime = runtime_of(request)
    invalidated = await astro_repo.invalidate_snapshots(session)
    await session.commit()
    cleared = await astro_cache.clear_all(runtime.redis)
    cleared += await astro_cache.delete_matching(runtime.redis, "forecast:personal:*")
    return {"message": "All calculation caches cleared", "cleared_keys": cleared,
            "invalidated_snapshots": invalidated, "admin_user": await _admin_user(session, principal)}


@router.api_route("/cache/reset/{profile_id}", methods=["POST", "DELETE"],
                  summary="Clear one profile's calculation cache", responses={**_RESPONSES, 404: {
                      "description": "No such profile"}})
async def reset_profile(profile_id: int, request: Request, principal: Principal = Depends(require_admin),
                        session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    owner = await astro_repo.profile_owner(session, profile_id)
    if owner is None:
        raise AppError(404, "PROFILE_NOT_FOUND", "Profile not found.")
    invalidated = await astro_repo.invalidate_snapshots(session, profile_id=profile_id)
    await session.commit()
    cleared = await astro_cache.clear_profile(runtime_of(request).redis, profile_id, owner)
    return {"message": f"Cache cleared for profile {profile_id}", "cleared_keys": cleared,
            "invalidated_snapshots": invalidated, "admin_user": await _admin_user(session, principal)}
