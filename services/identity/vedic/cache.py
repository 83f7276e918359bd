"""Redis in front of Postgres for calculation snapshots.

Key ``astro:snap:{user}:{profile id or "inline"}:{request digest}`` -> the compute summary (JSON), for
``SNAPSHOT_TTL_SECONDS``. The request digest is sha256 of the VedicRequest sent to chart (deterministic
serialisation), so an identical request skips chart altogether. A Redis miss asks chart, whose
``input_hash`` (normalised input + ruleset + ephemeris version) is the Postgres key: a second spelling
of the same input (``lahiri`` / ``Lahiri``) or an expired Redis entry still finds the stored snapshot.
The TTL bounds how long a chart upgrade (new ruleset or ephemeris) can go unnoticed by the Redis layer.
Counters ``stats:astro:compute:{redis_hits,db_hits,misses}`` feed the admin statistics."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from redis.asyncio import Redis

SNAPSHOT_TTL_SECONDS = 24 * 3600
PREFIX = "astro:snap:"
STATS = "stats:astro:compute:"
STAT_NAMES = ("redis_hits", "db_hits", "misses")


def request_digest(serialized: bytes) -> str:
    return hashlib.sha256(serialized).hexdigest()


def snapshot_key(user_id: int, profile_id: int | None, digest: str) -> str:
    return f"{PREFIX}{user_id}:{profile_id if profile_id is not None else 'inline'}:{digest}"


async def get(redis: Redis, key: str) -> dict[str, Any] | None:
    raw = await redis.get(key)
    return json.loads(raw) if raw else None


async def put(redis: Redis, key: str, summary: dict[str, Any]) -> None:
    await redis.set(key, json.dumps(summary, default=str), ex=SNAPSHOT_TTL_SECONDS)


async def count(redis: Redis, stat: str) -> None:
    await redis.incr(STATS + stat)


async def stats(redis: Redis) -> dict[str, Any]:
    values = await redis.mget([STATS + name for name in STAT_NAMES])
    numbers = {name: int(v or 0) for name, v in zip(STAT_NAMES, values)}
    total = sum(numbers.values())
    hits = numbers["redis_hits"] + numbers["db_hits"]
    return {**numbers, "computes": total, "hit_ratio": round(hits / total, 4) if total else None}


async def delete_matching(redis: Redis, pattern: str) -> int:
    """Deletes every key matching ``pattern`` (SCAN, never KEYS); returns how many."""
    cleared = 0
    batch: list[bytes] = []
    async for key in redis.scan_iter(match=pattern, count=500):
        batch.append(key)
        if len(batch) >= 500:
            cleared += await redis.delete(*batch)
            batch = []
    if batch:
        cleared += await redis.delete(*batch)
    return cleared


async def clear_profile(redis: Redis, profile_id: int, owner: int | None = None) -> int:
    """The profile's entries, and its owner's inline ones (an inline compute of the same birth may point
    at a snapshot the profile shares)."""
    cleared = await delete_matching(redis, f"{PREFIX}*:{profile_id}:*")
    if owner is not None:
        cleared += await delete_matching(redis, f"{PREFIX}{owner}:inline:*")
    return cleared


async def clear_owner(redis: Redis, owner: int) -> int:
    return await delete_matching(redis, f"{PREFIX}{owner}:*")


async def clear_all(redis: Redis) -> int:
    return await delete_matching(redis, f"{PREFIX}*")
