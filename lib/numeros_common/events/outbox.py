"""Transactional outbox: an event is a row written in the same transaction as the change it
describes, so a crash can lose neither; a relay publishes rows to JetStream afterwards.
The row id travels as ``Nats-Msg-Id``, so a retry after a crash publishes at most once. The trace context of
the transaction that wrote the row is kept beside the envelope (``trace_context``) and travels as NATS
headers, so a consumer's span continues the request's trace although the relay publishes later."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (ARRAY, Column, ColumnElement, DateTime, FromClause, Index, Insert, Integer, MetaData, String,
                        Table, Text, Uuid, bindparam, func, literal, select, update)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from ..nats_link import NatsLink, cancel_requested
from ..wakeup import Wakeup
from ..tracing import current_carrier
from .schemas import Envelope, EventData

log = logging.getLogger(__name__)


DATA_KEY = "data"  # the envelope's key of the subject's data document
TRACE_CONTEXT_KEY = "trace_context"  # W3C headers (traceparent) beside the envelope in the outbox row


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox", metadata,
        Column("id", Uuid, primary_key=True),
        Column("subject", String(200), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Index("ix_outbox_unpublished", "created_at", postgresql_where="published_at IS NULL"),
    )


def inbox_table(metadata: MetaData) -> Table:
    """Event ids each durable consumer has applied: the idempotency record."""
    return Table(
        "inbox", metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def event_params(producer: str, data: EventData) -> dict[str, Any]:
    """The outbox row of an event, as the bind parameters of ``event_insert_from``."""
    return _outbox_row(producer, data)[1]


def _outbox_row(producer: str, data: EventData) -> tuple[Envelope, dict[str, Any]]:
    envelope = Envelope.wrap(producer, data)
    # The envelope model ignores the extra key when the relay reads the row back.
    stored = {**envelope.model_dump(mode="json"), TRACE_CONTEXT_KEY: current_carrier()}
    return envelope, {"outbox_id": envelope.id, "outbox_subject": envelope.subject, "outbox_envelope": stored}


async def add_event(session: AsyncSession, outbox: Table, producer: str, data: EventData) -> Envelope:
    envelope, row = _outbox_row(producer, data)
    await session.execute(outbox.insert().values(id=row["outbox_id"], subject=row["outbox_subject"],
                                                 envelope=row["outbox_envelope"]))
    return envelope


def event_insert_from(outbox: Table, event: type[EventData], source: FromClause,
                      filled: Mapping[str, ColumnElement[Any]]) -> Insert:
    """The outbox INSERT as one part of a larger statement (a CTE), for a change whose own statement makes
    some of the event's values (a new row's id): one event per row of ``source``, with the data fields named
    in ``filled`` taken from that row and the rest bound from ``event_params`` (whatever it holds for the
    filled fields is replaced). Built once, run with new parameters each time: the change and its event
    commit together in one round trip."""
    unknown = set(filled) - set(event.model_fields)
    assert not unknown, f"not fields of {event.__name__}: {sorted(unknown)}"
    envelope = bindparam("outbox_envelope", type_=JSONB)
    for name, value in filled.items():
        envelope = func.jsonb_set(envelope, literal([DATA_KEY, name], ARRAY(Text)), _json_value(value), type_=JSONB)
    return outbox.insert().from_select(
        ["id", "subject", "envelope"],
        select(bindparam("outbox_id", type_=Uuid), bindparam("outbox_subject", type_=String), envelope)
        .select_from(source))


def _json_value(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A column's value as JSON; a timestamp in UTC with a Z, as pydantic writes it (to_jsonb would use the
    session's time zone offset)."""
    if isinstance(value.type, DateTime) and value.type.timezone:
        value = func.to_char(func.timezone("UTC", value), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return func.to_jsonb(value, type_=JSONB)


class OutboxRelay:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table, nats: NatsLink,
                 poll_seconds: float = 0.5, batch: int = 100) -> None:
        self.service = nats.name  # the metrics' service label
        self.sessions = sessions
        self.outbox = outbox
        self.nats = nats
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wakeup = Wakeup()

    def wake(self) -> None:
        """Called after a commit that added events, so they go out now rather than at the next poll."""
        self._wakeup.wake()

    async def run(self) -> None:
        observed = float("-inf")
        while True:
            try:
                published = await self.publish_pending()
                # Once per poll interval, not on every wake-up: a busy service wakes the relay per commit.
                if time.monotonic() - observed >= self.poll_seconds:
                    await self.observe_backlog()
                    observed = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - the database may be restarting; retry on the next tick
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.exception("outbox relay pass failed")
                published = 0
            if published >= self.batch:
                continue
            await self._wakeup.wait(self.poll_seconds)

    async def publish_pending(self) -> int:
        js = self.nats.js
        if js is None:
            return 0
        async with self.sessions() as session, session.begin():
            rows = (await session.execute(
                select(self.outbox.c.id, self.outbox.c.subject, self.outbox.c.envelope)
                .where(self.outbox.c.published_at.is_(None))
                .order_by(self.outbox.c.created_at)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )).all()
            done = []
            for row in rows:
                headers = {**(row.envelope.get(TRACE_CONTEXT_KEY) or {}), "Nats-Msg-Id": str(row.id)}
                try:
                    await js.publish(row.subject, Envelope.model_validate(row.envelope).model_dump_json().encode(),
                                     headers=headers, timeout=3)
                except Exception as exc:  # noqa: BLE001 - keep the row for the next pass
                    log.warning("publish failed; will retry", extra={"subject": row.subject, "error": repr(exc)})
                    await session.execute(update(self.outbox).where(self.outbox.c.id == row.id)
                                          .values(attempts=self.outbox.c.attempts + 1))
                    break
                done.append(row.id)
            if done:  # one statement for the pass, in the transaction that holds the rows' locks
                await session.execute(update(self.outbox).where(self.outbox.c.id.in_(done))
                                      .values(published_at=dt.datetime.now(dt.UTC)))
            published = len(done)
        if published:
            OUTBOX_PUBLISHED.labels(self.service).inc(published)
            log.info("outbox published", extra={"count": published})
        return published

    async def observe_backlog(self) -> tuple[int, float]:
        """Set the backlog gauges: unpublished rows, and the age in seconds of the oldest (0 when none)."""
        async with self.sessions() as session:
            count, oldest = (await session.execute(
                select(func.count(), func.min(self.outbox.c.created_at)).where(self.outbox.c.published_at.is_(None))
            )).one()
        age = (dt.datetime.now(dt.UTC) - oldest).total_seconds() if oldest is not None else 0.0
        OUTBOX_BACKLOG.labels(self.service).set(count)
        OUTBOX_OLDEST_AGE.labels(self.service).set(max(age, 0.0))
        return count, age
