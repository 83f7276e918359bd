"""Bounded, visible event plumbing on real Postgres and NATS: the cleanup deletes exactly the rows past
their retention, an event that keeps failing becomes a counted dead letter with its reason, and a replay
makes the fixed consumer apply it once while the other consumers of the subject skip it."""
import asyncio
import datetime as dt
import uuid

from nats.js.errors import NotFoundError
from prometheus_client import REGISTRY
from sqlalchemy import delete, func, select

from numeros_common.events import deadletter
from numeros_common.events.cleanup import EventCleanup
from numeros_common.events.consumer import DurableConsumer
from numeros_common.events.schemas import Envelope, UserDeletedV1
from numeros_common.nats_link import NatsLink
from numeros_common.serve import replay
from numeros_common.settings import ServiceSettings
from numeros_common.testing import eventually

from .test_events import db  # noqa: F401 - the same throwaway schema (outbox, inbox, effects)

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def ago(**delta) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


async def test_cleanup_deletes_exactly_the_rows_past_their_retention_even_run_twice_at_once(db):
    sessions, tables = db
    outbox_rows = {  # name: (created_at, published_at)
        "published-old-1": (ago(hours=2), ago(minutes=11)), "published-old-2": (ago(hours=2), ago(hours=1)),
        "published-old-3": (ago(days=3), ago(days=3)),
        "published-fresh": (ago(minutes=10), ago(minutes=9)),  # inside the 10-minute retention
        "unpublished-old": (ago(days=3), None),  # never deleted: the relay still owes it
    }
    ids = {name: uuid.uuid4() for name in outbox_rows}
    inbox_rows = {"applied-old": ago(days=2), "applied-almost-a-day": ago(hours=23)}
    event_ids = {name: uuid.uuid4() for name in inbox_rows}
    async with sessions() as session, session.begin():
        for name, (created, published) in outbox_rows.items():
            await session.execute(tables["outbox"].insert().values(
                id=ids[name], subject="identity.user.deleted", envelope={}, created_at=created, published_at=published))
        for name, processed in inbox_rows.items():
            await session.execute(tables["inbox"].insert().values(consumer="c", event_id=event_ids[name],
                                                                  processed_at=processed))

    def cleanup() -> EventCleanup:
        return EventCleanup(sessions=sessions, outbox=tables["outbox"], inbox=tables["inbox"],
                            outbox_retention=dt.timedelta(minutes=10), inbox_retention=dt.timedelta(days=1),
                            batch=2)  # smaller than the work, so a pass loops

    results = await asyncio.gather(cleanup().clean_once(NOW), cleanup().clean_once(NOW))
    assert (sum(r[0] for r in results), sum(r[1] for r in results)) == (3, 1)
    async with sessions() as session:
        left_outbox = set((await session.scalars(select(tables["outbox"].c.id))).all())
        left_inbox = set((await session.scalars(select(tables["inbox"].c.event_id))).all())
    assert left_outbox == {ids["published-fresh"], ids["unpublished-old"]}
    assert left_inbox == {event_ids["applied-almost-a-day"]}


def dead_letters_counted(consumer: str) -> float:
    return REGISTRY.get_sample_value("numeros_dead_letters_total", {"consumer": consumer}) or 0.0


async def test_an_event_that_keeps_failing_is_dead_lettered_counted_and_replayed_once(db, infra):
    sessions, tables = db
    link = NatsLink(infra.nats_url, "test-deadletter")
    link.start()
    js = await link.wait_ready()
    suffix = uuid.uuid4().hex[:6]
    failing_name, other_name = f"test-failing-{suffix}", f"test-other-{suffix}"
    user_id = int(uuid.uuid4().int % 10**12)
    fixed = False
    attempts: list[int] = []

    other_applied: list[int] = []

    async def failing_handler(session, envelope):
        if envelope.data["user_id"] != user_id:
            return  # another test's event on the shared stream
        attempts.append(1)
        if not fixed:
            raise RuntimeError("profile store rejected it")
        await session.execute(tables["effects"].insert().values(user_id=user_id))

    async def other_handler(session, envelope):
        if envelope.data["user_id"] == user_id:
            other_applied.append(user_id)  # never fails, so each call is one committed application

    failing = DurableConsumer(name=failing_name, subjects=["identity.user.deleted"], handler=failing_handler,
                              nats=link, sessions=sessions, inbox=tables["inbox"], max_deliver=3)
    other = DurableConsumer(name=other_name, subjects=["identity.user.deleted"], handler=other_handler,
                            nats=link, sessions=sessions, inbox=tables["inbox"])
    tasks = [asyncio.create_task(failing.run()), asyncio.create_task(other.run())]
    counted_before = dead_letters_counted(failing_name)
    envelope = Envelope.wrap("test", UserDeletedV1(user_id=user_id))
    payload = envelope.model_dump_json().encode()
    await js.publish("identity.user.deleted", payload, headers={"Nats-Msg-Id": str(envelope.id), "traceparent": "t-1"})
    dead_subject = deadletter.dead_letter_subject(failing_name, "identity.user.deleted")

    async def the_dead_letter():
        try:
            return await js.get_msg(deadletter.STREAM, subject=dead_subject)
        except NotFoundError:
            return None

    letter = await eventually(the_dead_letter, timeout=60, what="the event in the dead-letter stream")
    assert letter.data == payload
    assert letter.headers[deadletter.REASON_HEADER] == (
        "handler failed 3 times; last: RuntimeError('profile store rejected it')")
    assert (letter.headers[deadletter.SUBJECT_HEADER], letter.headers[deadletter.CONSUMER_HEADER],
            letter.headers[deadletter.DELIVERIES_HEADER], letter.headers["traceparent"]) == (
        "identity.user.deleted", failing_name, "3", "t-1")
    assert dead_letters_counted(failing_name) - counted_before == 1
    assert await deadletter.count_by_consumer(js, [failing_name, other_name]) == {failing_name: 1, other_name: 0}
    assert len(attempts) == 3

    async def applied() -> dict[str, int]:
        async with sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(tables["effects"])
                                          .where(tables["effects"].c.user_id == user_id))
        return {"failing": stored, "other": len(other_applied)}

    await eventually(lambda: _equals(applied, {"failing": 0, "other": 1}), timeout=30,
                     what="the other consumer to apply it")
    # The other consumer's inbox row is gone (as after a cleanup): the replay must still not reach it.
    async with sessions() as session, session.begin():
        await session.execute(delete(tables["inbox"]).where(tables["inbox"].c.consumer == other_name))

    fixed = True
    settings = ServiceSettings(service_name="test", nats_url=infra.nats_url)
    assert await replay(settings, ["--consumer", failing_name]) == 1
    await eventually(lambda: _equals(applied, {"failing": 1, "other": 1}), timeout=30,
                     what="the fixed consumer to apply it")
    replayed = await js.get_last_msg("IDENTITY", "identity.user.deleted")

    async def all_acked() -> bool:
        for name in (failing_name, other_name):
            info = await js.consumer_info("IDENTITY", f"{name}-identity_user_deleted")
            if info.ack_floor.stream_seq < replayed.seq or info.num_ack_pending:
                return False
        return True

    await eventually(all_acked, timeout=30, what="both consumers to ack the replayed event")
    assert await applied() == {"failing": 1, "other": 1}  # once by the fixed consumer, not again by the other
    assert await the_dead_letter() is None  # removed from the dead-letter stream after the replay
    assert dead_letters_counted(failing_name) - counted_before == 1
    assert await replay(settings, ["--consumer", failing_name]) == 0
    for task in tasks:
        task.cancel()
    await link.close()


async def _equals(probe, expected) -> bool:
    return await probe() == expected


async def test_a_fetch_that_runs_out_of_time_is_an_idle_stream_not_a_broken_subscription(db, infra, monkeypatch,
                                                                                          caplog):
    """nats-py 2.16 raises the bare ``asyncio.TimeoutError`` (not its own subclass) when a fetch's deadline runs
    out between its two pull requests, which happens on a loaded machine; that must not cost a warning, a second
    ``pull_subscribe`` and a one-second pause before the next event is consumed."""
    from nats.js.client import JetStreamContext

    sessions, tables = db
    link = NatsLink(infra.nats_url, "test-idle-fetch")
    link.start()
    js = await link.wait_ready()
    name = f"test-idle-{uuid.uuid4().hex[:6]}"
    user_id = int(uuid.uuid4().int % 10**12)
    applied: list[int] = []
    timeouts_raised: list[int] = []
    real_fetch = JetStreamContext.PullSubscription.fetch
    real_subscribe = JetStreamContext.pull_subscribe
    subscriptions: list[str] = []

    async def fetch(self, *args, **kwargs):
        if len(timeouts_raised) < 3:
            timeouts_raised.append(1)
            raise asyncio.TimeoutError  # what nats-py's _fetch_n raises when its deadline has passed
        return await real_fetch(self, *args, **kwargs)

    async def pull_subscribe(self, subject, *args, **kwargs):
        if kwargs.get("durable", "").startswith(name):
            subscriptions.append(subject)
        return await real_subscribe(self, subject, *args, **kwargs)

    monkeypatch.setattr(JetStreamContext.PullSubscription, "fetch", fetch)
    monkeypatch.setattr(JetStreamContext, "pull_subscribe", pull_subscribe)

    async def handler(session, envelope):
        if envelope.data["user_id"] == user_id:
            applied.append(user_id)

    consumer = DurableConsumer(name=name, subjects=["identity.user.deleted"], handler=handler, nats=link,
                               sessions=sessions, inbox=tables["inbox"])
    caplog.set_level("WARNING", logger="numeros_common.events.consumer")
    task = asyncio.create_task(consumer.run())
    envelope = Envelope.wrap("test", UserDeletedV1(user_id=user_id))
    await js.publish("identity.user.deleted", envelope.model_dump_json().encode(),
                     headers={"Nats-Msg-Id": str(envelope.id)})
    async def applied_ids() -> list[int]:
        return applied

    await eventually(lambda: _equals(applied_ids, [user_id]), timeout=30, what="the event to be applied")
    task.cancel()
    await link.close()
    assert len(timeouts_raised) == 3
    assert subscriptions == ["identity.user.deleted"]  # subscribed once: the timeouts did not re-create it
    assert [r.getMessage() for r in caplog.records if r.name == "numeros_common.events.consumer"] == []
