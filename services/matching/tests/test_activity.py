"""Each match's conversation activity, fed by chat.message.created / chat.message.read published on
the real CHAT stream: last message, unread count, newest activity first, replays applied once."""
from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from numeros_common.events.schemas import Envelope, MessageCreatedV1, MessageReadV1

from .conftest import Harness


def message(match_id: int, sender: int, recipient: int, text: str, message_id: int | None = None) -> Envelope:
    return Envelope.wrap("chat", MessageCreatedV1(
        message_id=message_id or random.randint(10**12, 2**53), match_id=match_id, sender_id=sender,
        recipient_id=recipient, preview=text, created_at=dt.datetime.now(dt.UTC)))


async def matches_of(harness: Harness, user_id: int) -> list[dict]:
    reply = await harness.client.get("/api/v1/matches", headers=harness.auth(user_id))
    assert reply.status_code == 200
    return reply.json()["matches"]


@pytest.mark.asyncio
async def test_last_message_unread_count_and_activity_order(harness: Harness) -> None:
    me, older, newer = await harness.register_many(3)
    ids = {}
    for other in (older, newer):
        await harness.resonate(me, other)
        ids[other] = (await harness.resonate(other, me)).json()["match"]["id"]
    assert [m["other_user"]["id"] for m in await matches_of(harness, me)] == [newer, older]

    # A message in the older match makes it the most recent activity.
    first = message(ids[older], older, me, "Hi there")
    second = message(ids[older], older, me, "Are you around?", first.data["message_id"] + 1)
    for envelope in (first, second):
        await harness.publish(envelope)
    await harness.publish(second, msg_id=str(uuid.uuid4()))  # a replay past JetStream's de-duplication

    async def older_first():
        listed = await matches_of(harness, me)
        return listed if listed[0]["other_user"]["id"] == older and listed[0]["unread_count"] == 2 else None

    listed = await harness.wait_for(older_first, "the messages in the match list")
    top = listed[0]
    assert top["last_message"] == {"id": second.data["message_id"], "sender_id": older,
                                   "preview": "Are you around?", "created_at": second.data["created_at"]}
    assert top["last_activity_at"] == second.data["created_at"]
    assert listed[1]["unread_count"] == 0 and listed[1]["last_message"] is None
    # The sender has nothing unread.
    theirs = [m for m in await matches_of(harness, older) if m["id"] == ids[older]][0]
    assert theirs["unread_count"] == 0 and theirs["last_message"]["id"] == second.data["message_id"]
    detail = (await harness.client.get(f"/api/v1/matches/{ids[older]}", headers=harness.auth(me))).json()
    assert [m["id"] for m in detail["messages"]] == [second.data["message_id"], first.data["message_id"]]
    assert detail["unread_count"] == 2

    # Reading up to the first message leaves one unread; a stale read mark does not move it back.
    for up_to in (first.data["message_id"], first.data["message_id"] - 1):
        await harness.publish(Envelope.wrap("chat", MessageReadV1(match_id=ids[older], reader_id=me,
                                                                  up_to_message_id=up_to)))

    async def one_unread():
        return [m for m in await matches_of(harness, me) if m["id"] == ids[older]][0]["unread_count"] == 1

    await harness.wait_for(one_unread, "the read mark")
    await harness.publish(Envelope.wrap("chat", MessageReadV1(match_id=ids[older], reader_id=me,
                                                              up_to_message_id=second.data["message_id"])))

    async def none_unread():
        return [m for m in await matches_of(harness, me) if m["id"] == ids[older]][0]["unread_count"] == 0

    await harness.wait_for(none_unread, "everything read")
