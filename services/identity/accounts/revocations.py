"""Revoked sessions in Redis, a cache of the sessions table that every service's verifier reads.

Written before a revocation is answered (the cache may run ahead of the record, never behind it), and
rewritten whole from Postgres when identity starts, when the marker key is gone (a Redis that restarted
without its data) and after a write Redis missed. Until the marker is back, matching and chat refuse
tokens (503) and identity asks Postgres: no window in which a revoked token is taken.

Chosen over a store per service fed by ``identity.session.revoked``: the event arrives after the logout
has been answered, so a copy fed by it would accept a revoked token for a moment; the key is in Redis
before the answer. The event is for what a lookup cannot do: closing sockets that are already open."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from redis.exceptions import RedisError

from numeros_common.auth import REVOCATIONS_LOADED_KEY, revoked_session_key
from numeros_common.runtime import Runtime

from . import repository

log = logging.getLogger(__name__)
MARGIN_SECONDS = 60  # clock skew between the services that check a token's expiry


class RevocationCache:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.stale = True  # nothing written yet: sync at the first pass

    @property
    def _lifetime(self) -> dt.timedelta:
        """How long after its revocation a session's last access token may still be presented."""
        return dt.timedelta(seconds=self.runtime.settings.access_token_ttl_seconds + MARGIN_SECONDS)

    async def write(self, revoked: Iterable[tuple[uuid.UUID | str, dt.datetime]]) -> None:
        """Caches (session id, revoked at) pairs; a failure leaves the record to the next sync."""
        now = dt.datetime.now(dt.UTC)
        try:
            async with self.runtime.redis.pipeline(transaction=False) as pipe:
                for session_id, revoked_at in revoked:
                    ttl = int((revoked_at + self._lifetime - now).total_seconds())
                    if ttl > 0:
                        pipe.set(revoked_session_key(str(session_id)), "1", ex=ttl)
                await pipe.execute()
        except RedisError as exc:
            self.stale = True
            log.warning("revocations not cached; will rewrite them", extra={"error": repr(exc)})

    async def sync(self) -> int:
        """Rewrites every revocation whose tokens may still be presented, then the marker; the count."""
        self.stale = False
        async with self.runtime.sessions() as session:
            revoked = await repository.recent_revocations(session, dt.datetime.now(dt.UTC) - self._lifetime)
        await self.write(revoked)
        if self.stale:
            return 0
        await self.runtime.redis.set(REVOCATIONS_LOADED_KEY, "1")
        log.info("revoked sessions written to Redis", extra={"count": len(revoked)})
        return len(revoked)

    async def run(self) -> None:
        while True:
            try:
                if self.stale or not await self.runtime.redis.exists(REVOCATIONS_LOADED_KEY):
                    await self.sync()
            except Exception as exc:  # noqa: BLE001 - Redis or Postgres away: try again at the next tick
                self.stale = True
                log.warning("revocation sync failed; retrying", extra={"error": repr(exc)})
            await asyncio.sleep(self.runtime.settings.revocation_sync_seconds)

    async def revoked_in_record(self, session_id: str) -> bool:
        """The verifier's fallback: Postgres's answer when Redis cannot give one."""
        try:
            parsed = uuid.UUID(session_id)
        except ValueError:
            return False
        async with self.runtime.sessions() as session:
            return await repository.is_revoked(session, parsed)
