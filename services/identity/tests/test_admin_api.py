"""astro-mvp's admin API under /api/v1/admin on real Postgres, Redis and chart."""
import pytest
from sqlalchemy import select

from services.identity.vedic.tables import astro_snapshots

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
