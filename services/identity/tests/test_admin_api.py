"""astro-mvp's admin API under /api/v1/admin on real Postgres, Redis and chart."""
import json

import pytest
from sqlalchemy import select

from numeros_common.auth import account_tier_key
from services.identity.vedic.tables import astro_snapshots

from .conftest import new_user_id
from .test_vedic_api import AS_OF, make_profile

pytestmark = pytest.mark.asyncio


async def test_admin_routes_refuse_non_admins(client, alice):
    for method, path in (("get", "/api/v1/admin/stats"), ("post", "/api/v1/admin/cache/reset/all"),
                         ("post", "/api/v1/admin/cache/reset/1"), ("delete", "/api/v1/admin/cache/reset/all")):
        assert (await getattr(client, method)(path, headers=alice)).status_code == 403, path
        assert (await getattr(client, method)(path)).status_code == 401, path


async def test_admin_stats_and_profile_cache_reset_forces_recompute(client, alice, admin):
    pid = (await make_profile(client, alice))["id"]
    compute = {"profile_id": pid, "as_of": AS_OF}
    first = (await client.post("/api/v1/astro/compute", json=compute, headers=alice)).json()
    assert (await client.post("/api/v1/astro/compute", json=compute, headers=alice)).json()["cached"] is True

    stats = await client.get("/api/v1/admin/stats", headers=admin)
    assert stats.status_code == 200
    body = stats.json()
    assert body["total_profiles"] >= 1 and body["total_calc_snapshots"] >= 1 and body["redis_status"] == "healthy"
    assert {"total_users", "total_predictions", "cache_hit_ratio", "admin_user"} <= set(body)
    assert body["compute_cache"]["redis_hits"] >= 1 and 0 < body["cache_hit_ratio"] <= 1

    reset = await client.post(f"/api/v1/admin/cache/reset/{pid}", headers=admin)
    assert reset.status_code == 200, reset.text
    assert reset.json()["cleared_keys"] >= 1 and reset.json()["invalidated_snapshots"] == 1
    again = (await client.post("/api/v1/astro/compute", json=compute, headers=alice)).json()
    assert again["cached"] is False and again["calc_snapshot_id"] != first["calc_snapshot_id"]
    assert again["input_hash"] == first["input_hash"]
    # The old snapshot stays readable (history, predictions), marked invalidated.
    old = (await client.get(f"/api/v1/astro/compute/{first['calc_snapshot_id']}", headers=alice)).json()
    assert old["invalidated"] is True
    assert (await client.delete("/api/v1/admin/cache/reset/999999999999", headers=admin)).status_code == 404


async def test_admin_reset_all(client, alice, admin):
    pid = (await make_profile(client, alice))["id"]
    compute = {"profile_id": pid, "as_of": AS_OF}
    first = (await client.post("/api/v1/astro/compute", json=compute, headers=alice)).json()
    reset = await client.delete("/api/v1/admin/cache/reset/all", headers=admin)
    assert reset.status_code == 200 and reset.json()["invalidated_snapshots"] >= 1
    async with client.app.state.runtime.sessions() as session:
        live = (await session.execute(select(astro_snapshots.c.id).where(
            astro_snapshots.c.invalidated_at.is_(None)))).all()
    assert live == []
    again = (await client.post("/api/v1/astro/compute", json=compute, headers=alice)).json()
    assert again["cached"] is False and again["calc_snapshot_id"] != first["calc_snapshot_id"]


async def test_admin_health_bodies_are_the_seeds(client):
    live = await client.get("/api/v1/admin/healthz")
    assert live.status_code == 200 and live.json()["status"] == "healthy"
    assert live.json()["timestamp"].endswith("Z")  # ISO 8601, as the seed's admin example
    ready = await client.get("/api/v1/admin/readyz")
    body = ready.json()
    assert {k: body[k] for k in ("database", "redis")} == {"database": "healthy", "redis": "healthy"}
    assert body["status"] == ("ready" if ready.status_code == 200 else "not_ready")
    assert {"postgres", "redis", "nats", "chart", "matching", "chat"} <= set(body["checks"])
    system = (await client.get("/system/readyz")).json()
    assert isinstance(system["timestamp"], float) and system["database"] == "healthy"


async def test_admin_sets_a_users_tier_and_limiters_see_it_at_once(client, alice, admin):
    registered = await client.post("/api/v1/auth/register", json={"email": f"t{new_user_id()}@example.com",
                                                                  "password": "SecurePass123"})
    user = registered.json()
    path = f"/api/v1/admin/users/{user['user']['id']}"
    assert (await client.patch(path, json={"tier": "premium"}, headers=alice)).status_code == 403
    bad = await client.patch(path, json={"tier": "gold"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "tier"
    missing = await client.patch("/api/v1/admin/users/9223372036854775807", json={"tier": "premium"}, headers=admin)
    assert (missing.status_code, missing.json()["error"]) == (404, "NOT_FOUND_ERROR")
    huge = await client.patch("/api/v1/admin/users/9223372036854775808", json={"tier": "premium"}, headers=admin)
    assert huge.status_code == 400

    reply = await client.patch(path, json={"tier": "premium"}, headers=admin)
    assert reply.status_code == 200 and reply.json()["tier"] == "premium"
    old_token = {"Authorization": f"Bearer {user['access_token']}"}
    me = await client.get("/api/v1/auth/me", headers=old_token)
    assert me.json()["tier"] == "premium"
    redis = client.app.state.runtime.redis
    assert await redis.get(account_tier_key(user["user"]["id"])) == b"premium"  # what limiters read


async def test_premium_users_get_500_numerology_requests_an_hour(make_identity_client, admin):
    async with make_identity_client(NUMEROS_RATE_LIMIT_NUMEROLOGY="100/hour",
                                    NUMEROS_RATE_LIMIT_NUMEROLOGY_PREMIUM="500/hour") as limited:
        registered = (await limited.post("/api/v1/auth/register", json={"email": f"p{new_user_id()}@example.com",
                                                                        "password": "SecurePass123"})).json()
        auth = {"Authorization": f"Bearer {registered['access_token']}"}
        body = {"full_name": "Ada Lovelace", "birth_date": "1815-12-10"}
        before = await limited.post("/api/v1/numerology/calculate", json=body, headers=auth)
        await limited.patch(f"/api/v1/admin/users/{registered['user']['id']}", json={"tier": "premium"},
                            headers=admin)
        after = await limited.post("/api/v1/numerology/calculate", json=body, headers=auth)
        renewed = (await limited.post("/api/v1/auth/login", json={"email": registered["user"]["email"],
                                                                  "password": "SecurePass123"})).json()
        compare = await limited.post("/api/v1/numerology/compare", json={
            "names": ["Ada Lovelace", "Ada King"], "birth_date": "1815-12-10", "system": "western"},
            headers={"Authorization": f"Bearer {renewed['access_token']}"})
    assert (before.status_code, before.headers["x-ratelimit-limit"], before.headers["x-ratelimit-remaining"]) == (
        200, "100", "99")
    # the admin's change applies to the old token at once (a tier's budget is counted on its own)
    assert (after.headers["x-ratelimit-limit"], after.headers["x-ratelimit-remaining"]) == ("500", "499")
    # another endpoint has its own budget; a new token carries the tier itself
    assert (compare.status_code, compare.headers["x-ratelimit-limit"],
            compare.headers["x-ratelimit-remaining"]) == (200, "500", "499"), compare.text
    reset = int(compare.headers["x-ratelimit-reset"])
    assert reset > 1_700_000_000  # an epoch time, not seconds-to-go


async def test_public_readiness_names_what_is_down_without_its_error_text(make_identity_client):
    """The gateway's /readyz (and the seed's /admin/readyz) say which component is down; the exception text and
    latencies are only in /system/readyz on identity's own port."""
    from devstack.processes import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: the check fails with httpx's ConnectError
    async with make_identity_client(NUMEROS_MATCHING_URL=dead, NUMEROS_CHAT_URL=dead) as client:
        await client.app.state.runtime.nats.wait_ready()
        public = await client.get("/system/public-readyz")
        seed = await client.get("/api/v1/admin/readyz")
        internal = await client.get("/system/readyz")
    assert (public.status_code, seed.status_code, internal.status_code) == (503, 503, 503)
    for body in (public.json(), seed.json()):
        assert (body["status"], body["database"], body["redis"]) == ("not_ready", "healthy", "healthy")
        assert body["down"] == ["matching", "chat"]
        assert body["checks"]["matching"] == {"ok": False} and body["checks"]["postgres"] == {"ok": True}
        assert "ConnectError" not in json.dumps(body) and "latency_ms" not in json.dumps(body)
    details = internal.json()
    assert details["down"] == ["matching", "chat"]
    assert details["checks"]["matching"]["error"].startswith("ConnectError")
    assert details["checks"]["postgres"]["latency_ms"] >= 0
