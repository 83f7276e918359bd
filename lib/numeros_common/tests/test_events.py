"""Outbox relay and durable consumers on real Postgres and NATS JetStream."""
import asyncio
import uuid

import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry import trace
from opentelemetry.trace import format_trace_id
from prometheus_client import REGISTRY
from sqlalchemy import BigInteger, Column, MetaData, Table, func, select, text

from numeros_common.db import make_engine, make_session_factory
from numeros_common.events.consumer import DurableConsumer
from numeros_common.events.outbox import OutboxRelay, add_event, inbox_table, outbox_table
from numeros_common.events.schemas import Envelope, UserDeletedV1
from numeros_common.logging import request_id_var
from numeros_common.nats_link import NatsLink
from numeros_common.testing import captured_spans, eventually, stream_events
from numeros_common.tracing import tracer


@pytest.fixture
async def db(infra):
    schema = f"t_{uuid.uuid4().hex[:8]}"
    metadata = MetaData(schema=schema)
    tables = {"outbox": outbox_table(metadata), "inbox": inbox_table(metadata),
              "effects": Table("effects", metadata, Column("user_id", BigInteger))}
    engine = make_engine(infra.database_url)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine), tables
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


async def test_relay_publishes_each_outbox_row_once_even_when_run_twice(db, infra):
    sessions, tables = db
    link = NatsLink(infra.nats_url, "test")
    link.start()
    await link.wait_ready()
    user_id = int(uuid.uuid4().int % 10**12)
    async with sessions() as session:
        envelope = await add_event(session, tables["outbox"], "test", UserDeletedV1(user_id=user_id))
        await session.commit()
    relay = OutboxRelay(sessions, tables["outbox"], link)
    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0
    # A crash after publishing but before marking the row: the row is published again, JetStream
    # drops the duplicate because the Nats-Msg-Id is the row id.
    async with sessions() as session:
        await session.execute(tables["outbox"].update().values(published_at=None))
        await session.commit()
    assert await relay.publish_pending() == 1
    js = await link.wait_ready()
    events = [e for e in await stream_events(js, "identity.user.deleted") if e.data["user_id"] == user_id]
    assert [e.id for e in events] == [envelope.id]
    await link.close()


async def test_consumer_applies_each_event_once_and_retries_failures(db, infra):
    sessions, tables = db
    link = NatsLink(infra.nats_url, "test-consumer")
    link.start()
    js = await link.wait_ready()
    attempts: list[int] = []
    user_id = int(uuid.uuid4().int % 10**12)

    async def handler(session, envelope):
        attempts.append(envelope.data["user_id"])
        if attempts.count(user_id) == 1 and envelope.data["user_id"] == user_id:
            raise RuntimeError("transient failure")  # first delivery fails, redelivery succeeds
        await session.execute(tables["effects"].insert().values(user_id=envelope.data["user_id"]))

    consumer = DurableConsumer(name=f"test-{uuid.uuid4().hex[:6]}", subjects=["identity.user.deleted"],
                               handler=handler, nats=link, sessions=sessions, inbox=tables["inbox"])
    task = asyncio.create_task(consumer.run())
    envelope = Envelope.wrap("test", UserDeletedV1(user_id=user_id))
    for msg_id in ("a", "b"):  # the same event twice, past JetStream's de-duplication
        last = await js.publish("identity.user.deleted", envelope.model_dump_json().encode(),
                                headers={"Nats-Msg-Id": f"{envelope.id}-{msg_id}"})
    durable = f"{consumer.name}-identity_user_deleted"

    async def both_handled() -> bool:
        """Acked up to the duplicate: the failed delivery, its redelivery and the duplicate are all done."""
        try:
            info = await js.consumer_info(last.stream, durable)
        except NotFoundError:  # the consumer has not subscribed yet
            return False
        return info.ack_floor.stream_seq >= last.seq and info.num_ack_pending == 0

    await eventually(both_handled, timeout=30, what="the consumer to ack both copies")
    async with sessions() as session:
        effects = await session.scalar(select(func.count()).select_from(tables["effects"])
                                       .where(tables["effects"].c.user_id == user_id))
    assert effects == 1
    assert attempts.count(user_id) == 2  # failed once, applied once, the duplicate skipped by the inbox
    task.cancel()
    await link.close()


async def test_an_events_trace_runs_from_the_writing_request_to_the_consumer_and_the_backlog_is_measured(db, infra):
    """The outbox row keeps the writer's traceparent; the relay sends it as NATS headers (later, outside any
    request); the consumer's span is a child of the writer's span and its log lines carry the same id."""
    spans = captured_spans()
    sessions, tables = db
    link = NatsLink(infra.nats_url, f"trace-{uuid.uuid4().hex[:6]}")
    link.start()
    await link.wait_ready()
    relay = OutboxRelay(sessions, tables["outbox"], link)
    user_id = int(uuid.uuid4().int % 10**12)
    with tracer().start_as_current_span("register") as writer:
        async with sessions() as session:
            await add_event(session, tables["outbox"], "test", UserDeletedV1(user_id=user_id))
            await session.commit()
    backlog = {"service": link.name}
    assert (await relay.observe_backlog())[0] == 1
    assert REGISTRY.get_sample_value("numeros_outbox_backlog", backlog) == 1
    assert REGISTRY.get_sample_value("numeros_outbox_oldest_age_seconds", backlog) > 0
    assert await relay.publish_pending() == 1
    assert await relay.observe_backlog() == (0, 0.0)
    assert REGISTRY.get_sample_value("numeros_outbox_backlog", backlog) == 0
    assert REGISTRY.get_sample_value("numeros_outbox_oldest_age_seconds", backlog) == 0

    seen: dict[int, tuple[str | None, trace.SpanContext]] = {}

    async def handler(session, envelope):
        seen[envelope.data["user_id"]] = (request_id_var.get(), trace.get_current_span().get_span_context())

    consumer = DurableConsumer(name=f"test-{uuid.uuid4().hex[:6]}", subjects=["identity.user.deleted"],
                               handler=handler, nats=link, sessions=sessions, inbox=tables["inbox"])
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _return(user_id in seen), what="the consumer to handle the event")
        durable = {"consumer": f"{consumer.name}-identity_user_deleted"}
        await eventually(lambda: _return(REGISTRY.get_sample_value("numeros_consumer_pending_messages", durable) == 0),
                         what="the consumer's lag gauge to reach 0")
    finally:
        task.cancel()
        await link.close()
    request_id, context = seen[user_id]
    writer_context = writer.get_span_context()
    assert context.trace_id == writer_context.trace_id
    assert request_id == format_trace_id(writer_context.trace_id)
    (consumed,) = [s for s in spans.get_finished_spans() if s.context.span_id == context.span_id]
    assert consumed.name == "consume identity.user.deleted"
    assert consumed.parent.span_id == writer_context.span_id


async def _return(value):
    return value


async def test_a_batched_consumer_commits_a_fetch_at_once_and_falls_back_to_one_by_one(db, infra):
    """``batched=True``: a fetch is one transaction (its inbox rows share a commit time); a failure inside it
    rolls the whole batch back and every event is handled alone, the failing one retried later."""
    sessions, tables = db
    link = NatsLink(infra.nats_url, "test-batched")
    link.start()
    js = await link.wait_ready()
    failing: dict[int, int] = {}  # user id -> failures still to come
    attempts: list[int] = []

    async def handler(session, envelope):
        user_id = envelope.data["user_id"]
        attempts.append(user_id)
        if failing.get(user_id, 0) > 0:
            failing[user_id] -= 1
            raise RuntimeError("transient failure")
        await session.execute(tables["effects"].insert().values(user_id=user_id))

    consumer = DurableConsumer(name=f"test-{uuid.uuid4().hex[:6]}", subjects=["identity.user.deleted"],
                               handler=handler, nats=link, sessions=sessions, inbox=tables["inbox"], batched=True)
    sub = await js.pull_subscribe("identity.user.deleted", durable=f"{consumer.name}-probe",
                                  config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, ack_wait=30))

    async def fetch_batch(users: list[int], duplicate_first: bool) -> list:
        envelopes = [Envelope.wrap("test", UserDeletedV1(user_id=u)) for u in users]
        for n, envelope in enumerate([*envelopes, *envelopes[:1]] if duplicate_first else envelopes):
            await js.publish("identity.user.deleted", envelope.model_dump_json().encode(),
                             headers={"Nats-Msg-Id": f"{envelope.id}-{n}"})
        msgs = []
        while len(msgs) < len(envelopes) + duplicate_first:
            msgs += await sub.fetch(batch=10, timeout=5)
        return msgs

    async def effects(users: list[int]) -> list[int]:
        async with sessions() as session:
            return list((await session.execute(select(tables["effects"].c.user_id).where(
                tables["effects"].c.user_id.in_(users)).order_by(tables["effects"].c.user_id))).scalars())

    base = int(uuid.uuid4().int % 10**12)
    together = [base, base + 1, base + 2]
    await consumer._handle_batch(await fetch_batch(together, duplicate_first=True))
    assert await effects(together) == together  # the duplicate applied nothing
    async with sessions() as session:
        committed = set((await session.execute(select(tables["inbox"].c.processed_at).where(
            tables["inbox"].c.consumer == consumer.name))).scalars())
    assert len(committed) == 1  # one transaction
    assert attempts == together

    attempts.clear()
    apart = [base + 10, base + 11, base + 12]
    failing[apart[1]] = 2  # in the batch, and again alone
    await consumer._handle_batch(await fetch_batch(apart, duplicate_first=False))
    assert await effects(apart) == [apart[0], apart[2]]  # the failing one waits for its redelivery
    assert attempts == [apart[0], apart[1], apart[0], apart[1], apart[2]]  # batch, then one by one
    await link.close()


async def test_a_handlers_batch_hooks_run_around_the_events_of_each_transaction(db, infra):
    """``prepare`` sees a transaction's fresh events before their handler calls and ``finish`` runs after them,
    inside the transaction (here: the writes are deferred to it); a single event gets the same calls."""
    sessions, tables = db
    link = NatsLink(infra.nats_url, "test-hooks")
    link.start()
    js = await link.wait_ready()

    class Deferred:
        def __init__(self) -> None:
            self.calls: list[tuple] = []

        async def prepare(self, session, envelopes) -> None:
            self.calls.append(("prepare", [e.data["user_id"] for e in envelopes]))
            session.info["rows"] = []

        async def __call__(self, session, envelope) -> None:
            self.calls.append(("handle", envelope.data["user_id"]))
            session.info["rows"].append({"user_id": envelope.data["user_id"]})

        async def finish(self, session) -> None:
            self.calls.append(("finish",))
            await session.execute(tables["effects"].insert().values(session.info.pop("rows")))

    handler = Deferred()
    consumer = DurableConsumer(name=f"test-{uuid.uuid4().hex[:6]}", subjects=["identity.user.deleted"],
                               handler=handler, nats=link, sessions=sessions, inbox=tables["inbox"], batched=True)
    sub = await js.pull_subscribe("identity.user.deleted", durable=f"{consumer.name}-probe",
                                  config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, ack_wait=30))
    base = int(uuid.uuid4().int % 10**12)
    users = [base, base + 1, base + 2, base + 3]
    envelopes = [Envelope.wrap("test", UserDeletedV1(user_id=u)) for u in users]
    for n, envelope in enumerate([*envelopes, envelopes[0]]):  # the first one twice
        await js.publish("identity.user.deleted", envelope.model_dump_json().encode(),
                         headers={"Nats-Msg-Id": f"{envelope.id}-{n}"})
    msgs = []
    while len(msgs) < 5:
        msgs += await sub.fetch(batch=10, timeout=5)

    await consumer._handle_batch([msgs[0], msgs[1], msgs[2], msgs[4]])
    await consumer._traced(msgs[3])
    assert handler.calls == [("prepare", users[:3]), ("handle", users[0]), ("handle", users[1]), ("handle", users[2]),
                             ("finish",), ("prepare", [users[3]]), ("handle", users[3]), ("finish",)]
    async with sessions() as session:
        stored = list((await session.execute(select(tables["effects"].c.user_id).where(
            tables["effects"].c.user_id.in_(users)).order_by(tables["effects"].c.user_id))).scalars())
    assert stored == users
    await link.close()
