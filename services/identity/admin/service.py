"""Operators' use-cases: statistics, calculation-cache resets and whole-system readiness.

A reset deletes the Redis entries and marks the Postgres snapshots invalidated (``invalidated_at``):
the rows stay, so history and the predictions made from them survive, but they no longer answer a compute,
so the next compute asks chart again and stores a new snapshot. Reset-all also clears the cached
personalised forecasts (the stored universal forecasts are kept: they are a pure function of the date)."""
from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import account_tier_key
from numeros_common.health import run_checks
from numeros_common.runtime import Runtime

from ..accounts import repository as accounts_repository
from ..accounts import service as accounts_service
from ..forecast.service import PERSONAL_KEYS
from ..vedic import cache
from ..vedic import repository as vedic_repository
from ..vedic.service import not_found
from . import repository


async def admin_user(session: AsyncSession, user_id: int) -> str:
    """How the statistics name the admin asking: their email, or ``user:<id>``."""
    row = await accounts_repository.find_by_id(session, user_id)
    return row["email"] if row is not None else f"user:{user_id}"


async def stats(runtime: Runtime, session: AsyncSession) -> dict[str, Any]:
    counts = await repository.counts(session)
    try:
        await runtime.redis.ping()
        compute_cache = await cache.stats(runtime.redis)
        redis_status = "healthy"
    except Exception:  # noqa: BLE001 - the statistics still answer without Redis
        compute_cache, redis_status = None, "unhealthy"
    return {**counts, "redis_status": redis_status, "compute_cache": compute_cache,
            "cache_hit_ratio": compute_cache["hit_ratio"] if compute_cache else None}


async def reset_all(runtime: Runtime, session: AsyncSession) -> tuple[int, int]:
    """(Redis keys cleared, snapshots invalidated)."""
    invalidated = await vedic_repository.invalidate_snapshots(session)
    await session.commit()
    cleared = await cache.clear_all(runtime.redis)
    cleared += await cache.delete_matching(runtime.redis, PERSONAL_KEYS)
    return cleared, invalidated


async def reset_profile(runtime: Runtime, session: AsyncSession, profile_id: int) -> tuple[int, int]:
    """(Redis keys cleared, snapshots invalidated) for one profile, whoever owns it; 404 if there is none."""
    owner = await vedic_repository.profile_owner(session, profile_id)
    if owner is None:
        raise not_found("profile")
    invalidated = await vedic_repository.invalidate_snapshots(session, profile_id=profile_id)
    await session.commit()
    cleared = await cache.clear_profile(runtime.redis, profile_id, owner)
    return cleared, invalidated


async def is_admin(session: AsyncSession, user_id: int) -> bool:
    """Admin rights as stored now: a token's claim outlives a revoked right or a deactivation by up to its
    30 minutes, so the admin API asks the record."""
    row = await accounts_repository.find_by_id(session, user_id)
    return row is not None and row["is_admin"] and row["is_active"]


async def update_user(runtime: Runtime, session: AsyncSession, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Tier, admin rights, activity (see accounts.service.update_account). A tier is stored for the next
    token and announced to every limiter at once (until today's tokens expire)."""
    row = await accounts_service.update_account(runtime, session, user_id, changes)
    if "tier" in changes:
        await runtime.redis.set(account_tier_key(user_id), row["tier"],
                                ex=runtime.settings.access_token_ttl_seconds + 60)
    return {"id": row["id"], "email": row["email"], "tier": row["tier"], "is_active": row["is_active"],
            "is_admin": row["is_admin"]}


def _remote_readiness(client: httpx.AsyncClient, base_url: str):
    async def check() -> dict[str, Any]:
        reply = await client.get(f"{base_url}/readyz")
        body = reply.json()
        return {"ok": reply.status_code == 200, "checks": body.get("checks", {})}

    return check


async def system_readiness(runtime: Runtime) -> tuple[bool, dict[str, Any]]:
    """identity's own dependencies, the chart service, and the other HTTP services' own readiness reports."""
    settings = runtime.settings
    async with httpx.AsyncClient(timeout=2.0) as client:
        checks = runtime.readiness_checks()
        checks["matching"] = _remote_readiness(client, settings.matching_url)
        checks["chat"] = _remote_readiness(client, settings.chat_url)
        return await run_checks(checks, timeout=3.0)
