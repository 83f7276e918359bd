"""Durable JetStream pull consumers whose handlers run at most once per event: the handler's writes
and the inbox row commit together, and the message is acked only after that commit. An event whose
handler still fails at its last delivery, or that cannot be parsed, becomes a dead letter (deadletter.py)."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry.trace import Span, SpanKind
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..metrics import CONSUMER_ACK_PENDING, CONSUMER_LAG
from ..nats_link import NatsLink, cancel_requested
from ..tracing import continued_span
from .deadletter import REPLAY_FOR_HEADER, dead_letter
from .schemas import Envelope
from .streams import stream_for

log = logging.getLogger(__name__)

LAG_INTERVAL_SECONDS = 1.0
Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@runtime_checkable
class BatchHooks(Protocol):
    """What a handler may add to see a transaction's events together: ``prepare`` before their handler
    calls (one read for all of them), ``finish`` after the last, still in the transaction (one write for all).
    Called around a single event too, so the handler has one way of working."""

    async def prepare(self, session: AsyncSession, envelopes: list[Envelope]) -> None: ...
    async def finish(self, session: AsyncSession) -> None: ...


@dataclass(kw_only=True, eq=False)
class DurableConsumer:
    name: str
    subjects: list[str]
    handler: Handler
    nats: NatsLink
    sessions: async_sessionmaker[AsyncSession]
    inbox: Table
    max_deliver: int = 50
    # One transaction (inbox rows and handlers) per fetched batch instead of per event: for busy streams
    # whose handlers are quick database work. If anything in the batch fails, each event goes again alone.
    batched: bool = False

    async def run(self) -> None:
        await asyncio.gather(*(self._run_subject(s) for s in self.subjects))

    async def _run_subject(self, subject: str) -> None:
        durable = f"{self.name}-{subject.replace('.', '_').replace('>', 'all').replace('*', 'any')}"
        while not self.nats.closing:
            try:
                js = await self.nats.wait_ready()
                sub = await js.pull_subscribe(
                    subject, durable=durable, stream=stream_for(subject),
                    # JetStream may deliver a few more times than we try, so a failed dead-lettering
                    # on the last attempt is retried rather than dropped.
                    config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                                          ack_wait=30, max_deliver=self.max_deliver + 5))
                log.info("consumer subscribed", extra={"durable": durable, "subject": subject})
                observed = float("-inf")
                while not self.nats.closing:
                    # At most once a second: a busy stream returns small batches, each fetch a loop here.
                    if time.monotonic() - observed >= LAG_INTERVAL_SECONDS:
                        await self._observe_lag(sub, durable)
                        observed = time.monotonic()
                    try:
                        msgs = await sub.fetch(batch=50, timeout=1)
                    except asyncio.TimeoutError:
                        # An idle stream. nats-py raises its own TimeoutError (a subclass) or, when its deadline
                        # runs out between the two pull requests of a fetch, the bare asyncio one: both mean
                        # "nothing yet", not a broken subscription to warn about and re-create.
                        if cancel_requested():
                            raise asyncio.CancelledError from None
                        continue
                    if self.batched and len(msgs) > 1:
                        await self._handle_batch(msgs)
                    else:
                        for msg in msgs:
                            await self._traced(msg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS restarting; subscribe again
                if cancel_requested() or self.nats.closing:
                    raise asyncio.CancelledError from exc
                log.warning("consumer loop error; retrying", extra={"durable": durable, "error": repr(exc)})
                await asyncio.sleep(1)

    @staticmethod
    async def _observe_lag(sub, durable: str) -> None:
        """Consumer lag from JetStream: messages not yet delivered (num_pending) and delivered but unacked."""
        try:
            info = await sub.consumer_info()
        except Exception:  # noqa: BLE001 - a metric must not stop consuming; the fetch reports real trouble
            return
        CONSUMER_LAG.labels(durable).set(info.num_pending or 0)
        CONSUMER_ACK_PENDING.labels(durable).set(info.num_ack_pending or 0)

    async def _traced(self, msg: Msg) -> None:
        """``_handle`` in a span continuing the producer's trace (its traceparent rides in the message headers),
        so the handler's log lines carry the producing request's id."""
        with self._span(msg):
            await self._handle(msg)

    def _span(self, msg: Msg) -> AbstractContextManager[Span]:
        """A consumer span continuing the producer's trace (its traceparent rides in the message headers)."""
        return continued_span(f"consume {msg.subject}", msg.headers, kind=SpanKind.CONSUMER,
                              attributes={"messaging.system": "nats", "messaging.destination.name": msg.subject,
                                          "numeros.consumer": self.name})

    async def _handle(self, msg: Msg) -> None:
        replay_for = (msg.headers or {}).get(REPLAY_FOR_HEADER)
        if replay_for is not None and replay_for != self.name:
            await msg.ack()  # another consumer's dead letter, replayed: this one applied it long ago
            return
        try:
            envelope = Envelope.model_validate_json(msg.data)
        except ValidationError as exc:
            await self._give_up(msg, f"malformed event: {exc.errors()[0].get('msg', 'invalid')}")
            return
        try:
            async with self.sessions() as session, session.begin():
                first_time = (await session.execute(
                    insert(self.inbox).values(consumer=self.name, event_id=envelope.id)
                    .on_conflict_do_nothing().returning(self.inbox.c.event_id)
                )).first()
                if first_time is not None:
                    await self._apply(session, [(msg, envelope)], traced=False)
        except Exception as exc:  # noqa: BLE001 - redeliver later
            attempt = msg.metadata.num_delivered if msg.metadata else 1
            log.exception("event handler failed", extra={"consumer": self.name, "event_id": str(envelope.id),
                                                         "attempt": attempt})
            if attempt >= self.max_deliver:
                await self._give_up(msg, f"handler failed {attempt} times; last: {exc!r}")
            else:
                await msg.nak(delay=min(2 ** attempt, 60))
            return
        await msg.ack()

    async def _handle_batch(self, msgs: list[Msg]) -> None:
        """The plain events of a fetch in one transaction, acked after its commit; a replayed dead letter, an
        unparsable event, or any failure inside the transaction take the one-by-one path of ``_traced``."""
        plain: list[tuple[Msg, Envelope]] = []
        alone: list[Msg] = []
        for msg in msgs:
            try:
                if (msg.headers or {}).get(REPLAY_FOR_HEADER) is not None:
                    raise ValueError("replayed dead letter")
                plain.append((msg, Envelope.model_validate_json(msg.data)))
            except (ValidationError, ValueError):
                alone.append(msg)
        if plain:
            try:
                async with self.sessions() as session, session.begin():
                    fresh = set((await session.execute(
                        insert(self.inbox).values([{"consumer": self.name, "event_id": e.id} for _, e in plain])
                        .on_conflict_do_nothing().returning(self.inbox.c.event_id)
                    )).scalars())
                    applied = []
                    for msg, envelope in plain:
                        if envelope.id in fresh:
                            fresh.discard(envelope.id)  # the same event twice in one fetch: applied once
                            applied.append((msg, envelope))
                    await self._apply(session, applied, traced=True)
            except Exception as exc:  # noqa: BLE001 - nothing of the batch committed: one by one
                log.warning("batch failed; handling its events one by one",
                            extra={"consumer": self.name, "events": len(plain), "error": repr(exc)})
                alone = msgs
            else:
                for msg, _ in plain:
                    await msg.ack()
        for msg in alone:
            await self._traced(msg)

    async def _apply(self, session: AsyncSession, events: list[tuple[Msg, Envelope]], *, traced: bool) -> None:
        """The handler on each event, in order; ``traced``: each in a span continuing its producer's trace
        (a single event's span is already open)."""
        hooks = self.handler if isinstance(self.handler, BatchHooks) else None
        if hooks is not None:
            await hooks.prepare(session, [envelope for _, envelope in events])
        for msg, envelope in events:
            if not traced:
                await self.handler(session, envelope)
                continue
            with self._span(msg):
                await self.handler(session, envelope)
        if hooks is not None:
            await hooks.finish(session)

    async def _give_up(self, msg: Msg, reason: str) -> None:
        """Into the dead-letter stream, then off this consumer; if that fails, try again on redelivery."""
        try:
            js = self.nats.js
            if js is None:
                raise ConnectionError("NATS is not connected")
            await dead_letter(js, msg, self.name, reason)
        except Exception as exc:  # noqa: BLE001
            log.warning("dead-lettering failed; will retry", extra={"consumer": self.name, "error": repr(exc)})
            await msg.nak(delay=5)
            return
        await msg.term()
