"""Scan at 100,000 people in one dense city, through the gateway of a whole local stack.

    python bench/scan.py [--people 100000] [--viewers 5] [--requests 60] [--sample 300]

1. Starts the system as ``make run`` does (free ports, limits off), computes a pool of real people with
   the chart service (numerology by CalculateNumerology, natal summaries by CalculateNatalCharts) and
   fills matching's read model with ``--people`` people in Berlin (within 20 km), each a pool person's
   numbers with their own age, gender, preferences and location (written straight into the read model:
   publishing 100,000 events would measure the consumer, not scan).
2. For each viewer: the first scan (it builds the viewer's ranking: the cold cost, reported apart), then
   ``--requests`` first pages and ``--requests`` later pages (page 10, by cursor) with distance_km=20 and
   the viewer's preferences: p50 / p95 wall time per request.
3. Anchor, in the same run: the same ranking computed naively, one chart call (ScoreCandidates with one
   candidate) per candidate, for ``--sample`` candidates, extrapolated to every eligible candidate; the
   sample's scores are checked against the ranking's.
4. Freshness: one new person published as identity.user.registered; the time until every viewer's
   ranking holds them (and so ranks them in scan).
Prints numbers; docs/benchmarks.md keeps them with the machine's load.
"""
from __future__ import annotations

import _chart_service  # noqa: F401  (sys.path)

import argparse
import asyncio
import datetime as dt
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import nats

from devstack.demo import CITIES, make_people, near
from devstack.stack import HIGH_RATE_LIMITS, Ports, Stack
from numeros.chart.v1 import chart_pb2
from numeros_common.chart_client import ChartClient
from numeros_common.events.schemas import Envelope, Location, UserRegisteredV1
from services.identity.accounts.tokens import issue_access_token
from services.matching.compatibility import person

CITY = CITIES["Berlin"]
FIRST_ID = 5_000_000_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"{label:<34} n={len(ms):<4} p50 {percentile(ms, 0.5):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms"


async def fill_read_model(db: asyncpg.Connection, pool: list[UserRegisteredV1], count: int,
                          rng: random.Random) -> list[tuple]:
    """``count`` people in the city, each with a pool person's numbers; returns the rows written."""
    import json

    rows = []
    today = dt.date.today()
    for i in range(count):
        base = pool[i % len(pool)]
        gender = rng.choices(("female", "male", "non_binary"), weights=(47, 47, 6))[0]
        wants = rng.choices([["male"] if gender != "male" else ["female"], [], ["female", "male"]],
                            weights=(75, 15, 10))[0]
        lat, lon = near(rng, CITY, 20)
        key = base.key_longitudes.model_dump() if base.key_longitudes else None
        rows.append((FIRST_ID + i, base.display_name, today - dt.timedelta(days=rng.randint(18 * 366, 55 * 365)),
                     json.dumps(base.photos), base.bio, json.dumps(base.numerology.model_dump()), base.chart_level,
                     base.sun_sign, base.moon_sign, base.rising_sign, json.dumps(key) if key else None, gender,
                     wants, lat, lon, True, dt.datetime.now(dt.UTC), dt.datetime.now(dt.UTC)))
    await db.copy_records_to_table(
        "profiles", schema_name="matching", records=rows,
        columns=["user_id", "display_name", "birth_date", "photos", "bio", "numerology", "chart_level", "sun_sign",
                 "moon_sign", "rising_sign", "key_longitudes", "gender", "interested_in", "latitude", "longitude",
                 "active", "updated_at", "last_active_at"])
    await db.execute("ANALYZE matching.profiles")
    return rows


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(11)
    root = Path(tempfile.mkdtemp(prefix="numeros-bench-scan-"))
    stack = Stack(root=root, ports=Ports.free(), chart_workers=2,
                  env={**HIGH_RATE_LIMITS, "NUMEROS_RATE_LIMITS": "off", "NUMEROS_LOG_LEVEL": "WARNING"})
    stack.start()
    try:
        await measure(args, stack, rng)
    finally:
        stack.stop()


async def measure(args: argparse.Namespace, stack: Stack, rng: random.Random) -> None:
    started = time.monotonic()
    pool = await make_people(stack.chart_addr, args.pool, seed=3, first_id=1,
                             cities=["Berlin"], spread_km=20)
    print(f"pool of {len(pool)} chart-computed people in {time.monotonic() - started:.1f} s")
    db = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
    started = time.monotonic()
    people = await fill_read_model(db, pool, args.people, rng)
    print(f"{len(people)} people in the read model in {time.monotonic() - started:.1f} s")
    load = os.getloadavg()
    print(f"machine load (1/5/15 min): {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores")

    private = (stack.secrets / "jwt_private.pem").read_text()
    viewers = [people[i * 997 % len(people)] for i in range(args.viewers)]
    client = httpx.AsyncClient(base_url=stack.gateway_url, timeout=120)
    filters = {"filters": {"distance_km": 20}}

    def auth(user_id: int) -> dict[str, str]:
        token = issue_access_token(private, user_id=user_id, session_id=uuid.uuid4().hex, is_admin=False,
                                   now=dt.datetime.now(dt.UTC), ttl_seconds=3600, issuer="numeros-identity",
                                   audience="numeros")
        return {"Authorization": f"Bearer {token}"}

    async def timed(body: dict, headers: dict) -> tuple[float, dict]:
        t0 = time.perf_counter()
        reply = await client.post("/api/v1/scan", json=body, headers=headers)
        elapsed = time.perf_counter() - t0
        assert reply.status_code == 200, reply.text
        return elapsed, reply.json()

    cold, first_pages, later_pages = [], [], []
    for viewer in viewers:
        headers = auth(viewer[0])
        elapsed, page = await timed({**filters, "limit": 20}, headers)
        cold.append(elapsed)
        assert page["compatibility_unavailable"] is None, page["compatibility_unavailable"]
        body = {**filters, "limit": 20}
        for _ in range(9):  # the cursor of page 10
            body["cursor"] = (await timed(body, headers))[1]["next_cursor"]
        for _ in range(args.requests):
            first_pages.append((await timed({**filters, "limit": 20}, headers))[0])
            later_pages.append((await timed(body, headers))[0])
    print(summary("first scan (builds the ranking)", cold))
    print(summary("first page (20 profiles)", first_pages))
    print(summary("page 10 by cursor (20 profiles)", later_pages))

    # Anchor: one chart call per candidate, for a sample of the first viewer's candidates.
    viewer = viewers[0]
    eligible = await db.fetchval("SELECT count(*) FROM matching.scan_scores WHERE viewer_id = $1", viewer[0])
    sample = rng.sample([p for p in people if p[0] != viewer[0]], args.sample)
    chart = ChartClient(stack.chart_addr, deadline_seconds=30)
    import json

    def as_row(p: tuple) -> dict:
        return {"user_id": p[0], "numerology": json.loads(p[5]), "chart_level": p[6],
                "key_longitudes": json.loads(p[10]) if p[10] else None}

    subject = person(as_row(viewer))
    stored = dict(await db.fetch("SELECT candidate_id, score FROM matching.scan_scores WHERE viewer_id = $1 AND "
                                 "candidate_id = ANY($2)", viewer[0], [p[0] for p in sample]))
    t0 = time.perf_counter()
    mismatches = 0
    for p in sample:
        row = as_row(p)
        candidate = person(row)
        request = chart_pb2.ScoreCandidatesRequest(
            subject=subject, candidate_ids=[p[0]], life_path=[candidate.life_path], expression=[candidate.expression],
            soul_urge=[candidate.soul_urge], personality=[candidate.personality], chart_level=[candidate.chart_level])
        if subject.HasField("key_longitudes") and candidate.HasField("key_longitudes"):
            k = candidate.key_longitudes
            request.key_longitudes.extend([k.sun, k.moon, k.mercury, k.venus, k.mars])
        reply = await chart.call(chart.stub.ScoreCandidates, request)
        mismatches += reply.overall_score[0] != stored.get(p[0])
    per_call = (time.perf_counter() - t0) / len(sample)
    await chart.close()
    naive = per_call * eligible
    print(f"naive anchor: {per_call * 1000:.2f} ms per candidate (one chart call each, {len(sample)} sampled); "
          f"{eligible} candidates -> {naive:.1f} s per ranking; sample scores differing from the ranking: {mismatches}")
    print(f"ratio naive ranking / page p95: {naive / percentile(later_pages, 0.95):,.0f}x")

    # Freshness: a newcomer, published as identity publishes it, until every viewer's ranking holds them.
    base = pool[0]
    newcomer = base.model_copy(update={"user_id": FIRST_ID + args.people + 1, "gender": "female",
                                       "location": Location(latitude=CITY[0], longitude=CITY[1])})
    nc = await nats.connect(stack.nats.url)
    envelope = Envelope.wrap("identity", UserRegisteredV1.model_validate(newcomer.model_dump()))
    t0 = time.perf_counter()
    await nc.jetstream().publish(envelope.subject, envelope.model_dump_json().encode(),
                                 headers={"Nats-Msg-Id": str(envelope.id)})
    while await db.fetchval("SELECT count(*) FROM matching.scan_scores WHERE candidate_id = $1 AND viewer_id = "
                            "ANY($2)", newcomer.user_id, [v[0] for v in viewers]) < len(viewers):
        await asyncio.sleep(0.01)
    print(f"a newcomer in all {len(viewers)} viewers' rankings {time.perf_counter() - t0:.2f} s after the event")
    await nc.close()
    await client.aclose()
    await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=2000)
    parser.add_argument("--viewers", type=int, default=5)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--sample", type=int, default=300)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
