"""Messages as use-cases, on real Postgres, Redis and NATS, without HTTP: the row and its outbox event
commit together, the live frame goes out on the match's NATS subject naming its predecessor, a retried
send stores nothing twice, reading sets read_at and announces it, and a message that may not be sent
leaves no trace."""
from __future__ import annotations

import asyncio
import datetime as dt
import json

import nats
import pytest
from sqlalchemy import func, select

from numeros_common.errors import AppError
from numeros_common.events.schemas import MessageCreatedV1
from services.chat.database import outbox
from services.chat.matches.service import apply_match_event
from services.chat.messages import service
from services.chat.messages.live import live_subject
from services.chat.messages.tables import messages

from .helpers import fetch_all, match_created, match_removed, new_id

pytestmark = pytest.mark.asyncio


async def known_match(runtime, *, removed: bool = False) -> tuple[int, int, int]:
    match_id, a, b = new_id(), new_id(), new_id()
    async with runtime.sessions() as session, session.begin():
        await apply_match_event(session, match_created(match_id, (a, b)))
        if removed:
            await apply_match_event(session, match_removed(match_id, (a, b)))
    return match_id, a, b


async def count(runtime, table, *where) -> int:
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def events(app, subject: str, **data) -> list[dict]:
    query = select(outbox.c.envelope).where(outbox.c.subject == subject)
    for key, value in data.items():
        query = query.where(outbox.c.envelope["data"][key].astext == str(value))
    return [r["envelope"] for r in await fetch_all(app, query)]


@pytest.fixture
def runtime(client, monkeypatch):
    runtime = client.app.state.runtime
    monkeypatch.setattr(runtime.settings, "match_wait_seconds", 0.2)
    return runtime


async def test_a_sent_message_is_stored_announced_and_delivered_live(client, runtime, infra) -> None:
    match_id, alice, bob = await known_match(runtime)
    nc = await nats.connect(infra.nats_url)
    try:
        sub = await nc.subscribe(live_subject(match_id))
        await nc.flush()
        first = (await service.post_message(runtime, match_id=match_id, sender_id=alice,
                                            content="Hello " + "x" * 100)).message
        second = (await service.post_message(runtime, match_id=match_id, sender_id=bob, content="Hi")).message
        frames = [json.loads((await sub.next_msg(timeout=10)).data) for _ in range(2)]
    finally:
        await nc.close()
    assert (first["match_id"], first["sender_id"], first["read_at"]) == (match_id, alice, None)
    assert [(f["type"], f["message"]["id"], f["previous_id"]) for f in frames] == \
        [("message", first["id"], None), ("message", second["id"], first["id"])]
    assert frames[0]["message"]["content"] == "Hello " + "x" * 100
    (event,) = await events(client.app, "chat.message.created", message_id=first["id"])
    assert event["producer"] == "chat"
    data = event["data"]
    assert (data["match_id"], data["sender_id"], data["recipient_id"]) == (match_id, alice, bob)
    assert data["preview"] == ("Hello " + "x" * 100)[:80]
    # message_id and created_at come from the statement that stored the row
    assert dt.datetime.fromisoformat(data["created_at"]) == first["created_at"]
    assert data["created_at"].endswith("Z")
    assert MessageCreatedV1.model_validate(data).created_at == first["created_at"]


async def test_a_retried_send_returns_the_stored_message(client, runtime) -> None:
    match_id, alice, bob = await known_match(runtime)
    first = await service.post_message(runtime, match_id=match_id, sender_id=alice, content="once",
                                       client_message_id="c-1")
    again = await service.post_message(runtime, match_id=match_id, sender_id=alice, content="once",
                                       client_message_id="c-1")
    other = await service.post_message(runtime, match_id=match_id, sender_id=bob, content="mine",
                                       client_message_id="c-1")
    assert (first.created, again.created, other.created) == (True, False, True)
    assert again.message["id"] == first.message["id"] != other.message["id"]
    assert await count(runtime, messages, messages.c.match_id == match_id) == 2
    assert len(await events(client.app, "chat.message.created", match_id=match_id)) == 2


async def test_reading_sets_read_at_once_and_announces_it(client, runtime) -> None:
    match_id, alice, bob = await known_match(runtime)
    sent = [(await service.post_message(runtime, match_id=match_id, sender_id=alice, content=f"m{i}")).message
            for i in range(3)]
    mine = (await service.post_message(runtime, match_id=match_id, sender_id=bob, content="reply")).message
    assert [r["unread_count"] for r in await service.unread_counts(runtime, bob)] == [3]

    receipt = await service.mark_read(runtime, match_id=match_id, reader_id=bob, up_to=sent[1]["id"])
    assert (receipt.marked, receipt.up_to_message_id, receipt.unread_count) == (2, sent[1]["id"], 1)
    rows = {r["id"]: r for r in await fetch_all(client.app, select(messages).where(messages.c.match_id == match_id))}
    assert [rows[m["id"]]["read_at"] == receipt.read_at for m in sent] == [True, True, False]
    assert rows[mine["id"]]["read_at"] is None  # one's own messages are never "read" by oneself

    again = await service.mark_read(runtime, match_id=match_id, reader_id=bob, up_to=sent[1]["id"])
    assert again.marked == 0
    rest = await service.mark_read(runtime, match_id=match_id, reader_id=bob, up_to=None)
    assert (rest.marked, rest.up_to_message_id, rest.unread_count) == (1, sent[2]["id"], 0)
    announced = await events(client.app, "chat.message.read", match_id=match_id)
    assert sorted(e["data"]["up_to_message_id"] for e in announced) == [sent[1]["id"], sent[2]["id"]]
    assert {e["data"]["reader_id"] for e in announced} == {bob}
    assert await service.unread_counts(runtime, bob) == []


async def test_messages_that_may_not_be_sent_leave_no_trace(client, runtime) -> None:
    match_id, alice, _ = await known_match(runtime)
    ended, carol, _ = await known_match(runtime, removed=True)
    for target, sender in [(match_id, new_id()), (ended, carol), (new_id(), alice)]:
        with pytest.raises(AppError) as caught:
            await service.post_message(runtime, match_id=target, sender_id=sender, content="hi")
        assert (caught.value.status, caught.value.code) == (404, "MATCH_NOT_FOUND")
        assert await count(runtime, messages, messages.c.match_id == target) == 0
        assert await count(runtime, outbox, outbox.c.envelope["data"]["match_id"].astext == str(target)) == 0


async def test_pages_back_by_id_or_time_and_forward_by_id(client, runtime) -> None:
    match_id, alice, bob = await known_match(runtime)
    sent = [(await service.post_message(runtime, match_id=match_id, sender_id=(alice, bob)[i % 2],
                                        content=f"m{i}")).message for i in range(3)]
    page = await service.list_messages(runtime, match_id=match_id, user_id=bob, before=None, after=None, limit=2)
    assert [r["content"] for r in page.messages] == ["m2", "m1"] and page.next_before == sent[1]["id"]
    assert page.unread_count == 2  # m0 and m2; m1 is his own
    page = await service.list_messages(runtime, match_id=match_id, user_id=alice, before=page.next_before, after=None,
                                       limit=2)
    assert [r["content"] for r in page.messages] == ["m0"] and page.next_before is None
    by_time = await service.list_messages(runtime, match_id=match_id, user_id=alice, before=sent[2]["created_at"],
                                          after=None, limit=50)
    assert [r["content"] for r in by_time.messages] == ["m1", "m0"]
    forward = await service.list_messages(runtime, match_id=match_id, user_id=alice, before=None, after=sent[0]["id"],
                                          limit=1)
    assert [r["content"] for r in forward.messages] == ["m1"] and forward.next_after == sent[1]["id"]
    last = await service.list_messages(runtime, match_id=match_id, user_id=alice, before=None, after=forward.next_after,
                                       limit=1)
    assert [r["content"] for r in last.messages] == ["m2"] and last.next_after is None


async def test_concurrent_sends_commit_in_id_order(client, runtime) -> None:
    """The match row's lock orders a conversation's sends: ids follow commit order and created_at rises
    with the id, so neither cursor can skip a message that committed late."""
    match_id, alice, bob = await known_match(runtime)
    await asyncio.gather(*(service.post_message(runtime, match_id=match_id, sender_id=(alice, bob)[i % 2],
                                                content=f"c{i}") for i in range(20)))
    rows = await fetch_all(client.app, select(messages).where(messages.c.match_id == match_id).order_by(messages.c.id))
    assert [r["created_at"] for r in rows] == sorted(r["created_at"] for r in rows)
    assert len({r["created_at"] for r in rows}) == 20
