"""Who has a socket open on which match, across replicas (Redis): the push consumer does not notify a
person about a conversation they are looking at. Each socket refreshes its entry; a replica that dies
leaves entries that lapse after TTL_SECONDS."""
from __future__ import annotations

import time
from collections.abc import Iterable

from redis.exceptions import RedisError

from numeros_common.runtime import Runtime

TTL_SECONDS = 45.0


def _key(match_id: int, user_id: int) -> str:
    return f"chat:presence:{match_id}:{user_id}"


async def enter(runtime: Runtime, match_id: int, user_id: int, socket_id: str) -> None:
    key = _key(match_id, user_id)
    try:
        async with runtime.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {socket_id: time.time() + TTL_SECONDS})
            pipe.expire(key, int(TTL_SECONDS) + 1)
            await pipe.execute()
    except RedisError:
        pass  # at worst a push the person did not need


async def leave(runtime: Runtime, match_id: int, user_id: int, socket_id: str) -> None:
    try:
        await runtime.redis.zrem(_key(match_id, user_id), socket_id)
    except RedisError:
        pass  # lapses by itself


async def presence_of(runtime: Runtime, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bool]:
    """For each (match, person): a socket of theirs is open on it; one Redis round trip for all."""
    pairs = list(pairs)
    if not pairs:
        return {}
    now = time.time()
    async with runtime.redis.pipeline(transaction=False) as pipe:
        for match_id, user_id in pairs:
            pipe.zcount(_key(match_id, user_id), now, "+inf")
        counts = await pipe.execute()
    return {pair: count > 0 for pair, count in zip(pairs, counts)}
