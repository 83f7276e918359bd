"""Sending a message as a use-case, on real Postgres and Redis, without HTTP or NATS: the row and its
chat.message.created outbox row commit together, the live frame goes out on the match's channel,
and a message that may not be sent leaves no trace."""
from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from numeros_common.errors import AppError
from services.chat.database import outbox
from services.chat.matches.service import apply_match_event
from services.chat.messages import service
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


async def next_message(pubsub) -> dict:
    while True:  # subscription confirmations come back as None
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
        if message is not None:
            return message


async def count(runtime, table, *where) -> int:
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_a_sent_message_is_stored_announced_and_delivered_live(client) -> None:
    runtime = client.app.state.runtime
    match_id, alice, bob = await known_match(runtime)
    pubsub = runtime.redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(service.live_channel(match_id))
    try:
        row = await service.post_message(runtime, match_id=match_id, sender_id=alice, content="Hello " + "x" * 100)
        live = await asyncio.wait_for(next_message(pubsub), 10)
    finally:
        await pubsub.aclose()
    assert (row["match_id"], row["sender_id"], row["read_at"]) == (match_id, alice, None)
    frame = json.loads(live["data"])
    assert frame["type"] == "message" and frame["message"]["id"] == row["id"]
    assert frame["message"]["content"] == "Hello " + "x" * 100
    (event,) = await fetch_all(client.app, select(outbox.c.envelope).where(
        outbox.c.subject == "chat.message.created",
        outbox.c.envelope["data"]["message_id"].as_integer() == row["id"]))
    assert event["envelope"]["producer"] == "chat"
    data = event["envelope"]["data"]
    assert (data["match_id"], data["sender_id"], data["recipient_id"]) == (match_id, alice, bob)
    assert data["preview"] == ("Hello " + "x" * 100)[:80]


async def test_messages_that_may_not_be_sent_leave_no_trace(client) -> None:
    runtime = client.app.state.runtime
    match_id, alice, _ = await known_match(runtime)
    ended, carol, _ = await known_match(runtime, removed=True)
    for target, sender, status, code in [(match_id, new_id(), 404, "MATCH_NOT_FOUND"),
                                         (ended, carol, 409, "MATCH_REMOVED")]:
        with pytest.raises(AppError) as caught:
            await service.post_message(runtime, match_id=target, sender_id=sender, content="hi")
        assert (caught.value.status, caught.value.code) == (status, code)
        assert await count(runtime, messages, messages.c.match_id == target) == 0
        assert await count(runtime, outbox, outbox.c.envelope["data"]["match_id"].astext == str(target)) == 0


async def test_list_pages_newest_first(client) -> None:
    runtime = client.app.state.runtime
    match_id, alice, bob = await known_match(runtime)
    sent = [await service.post_message(runtime, match_id=match_id, sender_id=(alice, bob)[i % 2], content=f"m{i}")
            for i in range(3)]
    page, next_before = await service.list_messages(runtime, match_id=match_id, user_id=bob, before=None, limit=2)
    assert [r["content"] for r in page] == ["m2", "m1"] and next_before == sent[1]["id"]
    page, next_before = await service.list_messages(runtime, match_id=match_id, user_id=alice, before=next_before,
                                                    limit=2)
    assert [r["content"] for r in page] == ["m0"] and next_before is None
