"""Keeps the outbox and the inbox bounded: published outbox rows and inbox rows older than their
retention are deleted by a periodic job in every service.

Why the retention may not be shorter than JetStream's duplicate window (streams.py): a relay that crashed
between publishing a row and marking it re-publishes it, and inside the window JetStream drops that copy
by its Nats-Msg-Id; past the window only the consumers' inbox rows stop it from being applied twice. So the
inbox keeps its rows longer than the window (settings: ``inbox_retention_seconds``).

Safe with several replicas: each pass deletes at most ``batch`` rows per statement, picked with
``FOR UPDATE SKIP LOCKED`` in a short transaction of its own, so replicas share the work instead of
waiting on each other, and nothing holds locks that the relay or a consumer would wait for (the relay
locks only unpublished rows; consumers insert new inbox rows)."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..nats_link import cancel_requested

log = logging.getLogger(__name__)


@dataclass(kw_only=True, eq=False)
class EventCleanup:
    sessions: async_sessionmaker[AsyncSession]
    outbox: Table | None
    inbox: Table | None
    outbox_retention: dt.timedelta
    inbox_retention: dt.timedelta
    interval_seconds: float = 60.0
    batch: int = 1000

    async def run(self) -> None:
        """Every ``interval_seconds``; the first pass waits one interval, so consumers that were down with
        redeliveries pending meet their inbox rows before anything old is deleted."""
        while True:
            await asyncio.sleep(self.interval_seconds)
            try:
                await self.clean_once()
            except Exception as exc:  # noqa: BLE001 - the database may be restarting; try next time
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.warning("event cleanup failed; will retry", extra={"error": repr(exc)})

    async def clean_once(self, now: dt.datetime | None = None) -> tuple[int, int]:
        """(outbox rows, inbox rows) deleted."""
        now = now or dt.datetime.now(dt.UTC)
        outbox = inbox = 0
        if self.outbox is not None:
            c = self.outbox.c
            outbox = await self._delete(self.outbox, [c.id],
                                        c.published_at.is_not(None) & (c.published_at < now - self.outbox_retention))
        if self.inbox is not None:
            c = self.inbox.c
            inbox = await self._delete(self.inbox, [c.consumer, c.event_id],
                                       c.processed_at < now - self.inbox_retention)
        if outbox or inbox:
            log.info("event tables cleaned", extra={"outbox_deleted": outbox, "inbox_deleted": inbox})
        return outbox, inbox

    async def _delete(self, table: Table, key: list, condition) -> int:
        total = 0
        while True:
            picked = select(*key).where(condition).limit(self.batch).with_for_update(skip_locked=True)
            async with self.sessions() as session, session.begin():
                result = await session.execute(delete(table).where(tuple_(*key).in_(picked)))
            total += result.rowcount or 0
            if (result.rowcount or 0) < self.batch:
                return total
