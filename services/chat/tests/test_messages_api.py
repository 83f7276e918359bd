"""REST messaging, the matches read model and the push consumer, on real Postgres, Redis and NATS."""
from __future__ import annotations

import asyncio
import json
import time

import asyncpg
import nats
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event, select

from services.chat.database import inbox
from services.chat.matches import repository as matches_repository
from services.chat.push.tables import push_notifications

from .helpers import auth, create_match, eventually, fetch_all, match_created, match_removed, match_row, new_id, publish

pytestmark = pytest.mark.asyncio


def url(match_id: int) -> str:
    return f"/api/v1/matches/{match_id}/messages"


async def push_rows(app, event_id=None, user_id=None):
    query = select(push_notifications)
    if event_id is not None:
        query = query.where(push_notifications.c.event_id == event_id)
    if user_id is not None:
        query = query.where(push_notifications.c.user_id == user_id)
    return await fetch_all(app, query.order_by(push_notifications.c.id))


@pytest.mark.asyncio
async def test_participants_post_and_read_newest_first(client, infra, mint_token):
    match_id, alice, bob = await create_match(client.app, infra.nats_url)
    first = await client.post(url(match_id), json={"content": "  Hey! Our numbers align perfectly 💫  "},
                              headers=auth(mint_token(alice)))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["content"] == "Hey! Our numbers align perfectly 💫"
    assert body["match_id"] == match_id and body["sender_id"] == alice and body["read_at"] is None
    assert set(body) == {"id", "match_id", "sender_id", "content", "created_at", "read_at", "client_message_id"}

    # The mobile client's trailing slash and "Token" scheme work too.
    reply = await client.post(url(match_id) + "/", json={"content": "Hi Alice"}, headers=auth(mint_token(bob), "Token"))
    assert reply.status_code == 201, reply.text

    for reader in (alice, bob):
        page = await client.get(url(match_id), headers=auth(mint_token(reader)))
        assert page.status_code == 200, page.text
        data = page.json()
        assert [m["content"] for m in data["messages"]] == ["Hi Alice", "Hey! Our numbers align perfectly 💫"]
        assert data["next_before"] is None
    assert page.headers["x-ratelimit-limit"]


async def _terminate_chat_connections(database_url: str) -> list[int]:
    """What a Postgres restart does to every pooled connection: the server ends them."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        pids = [r["pid"] for r in await conn.fetch(
            "SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")]

        async def gone() -> bool:
            return not await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids)

        await eventually(gone, what="the terminated backends to exit")
    finally:
        await conn.close()
    return pids


@pytest.mark.asyncio
async def test_a_send_after_postgres_ended_every_connection_is_stored(client, infra, mint_token, monkeypatch):
    """No pool pre-ping: a pooled connection the server closed is replaced at checkout, so the sender never
    sees it (with or without a client id: the checkout comes before the statement). The relay and the push
    consumer are let finish first, so that the sends are the first to use the pool after the connections end."""
    runtime = client.app.state.runtime
    monkeypatch.setattr(runtime.relay, "poll_seconds", 3600)  # passes only when a commit wakes it
    match_id, alice, bob = await create_match(client.app, infra.nats_url)
    engine = runtime.engine.sync_engine
    lost: list[str] = []

    def record(context) -> None:
        if context.is_disconnect:
            lost.append(context.statement or "")

    async def send_after_the_connections_end(body: dict, sender: int) -> None:
        async def pushed() -> bool:  # the push consumer has handled the previous message (to the sender)
            rows = await push_rows(client.app, user_id=sender)
            return any(r["kind"] == "message" and r["match_id"] == match_id for r in rows)

        await eventually(pushed, what="the push decision on the previous message")
        assert await _terminate_chat_connections(runtime.settings.database_url)
        event.listen(engine, "handle_error", record)
        try:
            reply = await client.post(url(match_id), json=body, headers=auth(mint_token(sender)))
        finally:
            event.remove(engine, "handle_error", record)
        assert reply.status_code == 201, reply.text

    assert (await client.post(url(match_id), json={"content": "before"},
                              headers=auth(mint_token(alice)))).status_code == 201
    await send_after_the_connections_end({"content": "after"}, bob)
    await send_after_the_connections_end({"content": "after, keyed", "client_message_id": "k-1"}, alice)
    assert lost == []  # replaced at checkout, not found dead by a statement
    page = await client.get(url(match_id), headers=auth(mint_token(alice)))
    assert [m["content"] for m in page.json()["messages"]] == ["after, keyed", "after", "before"]


@pytest.mark.asyncio
async def test_paging_with_before(client, infra, mint_token):
    match_id, alice, bob = await create_match(client.app, infra.nats_url)
    token = mint_token(alice)
    for n in range(5):
        assert (await client.post(url(match_id), json={"content": f"m{n}"}, headers=auth(token))).status_code == 201

    seen: list[str] = []
    before = None
    pages = 0
    while True:
        params = {"limit": 2} | ({"before": before} if before else {})
        data = (await client.get(url(match_id), params=params, headers=auth(mint_token(bob)))).json()
        pages += 1
        seen += [m["content"] for m in data["messages"]]
        ids = [m["id"] for m in data["messages"]]
        assert ids == sorted(ids, reverse=True)
        before = data["next_before"]
        if before is None:
            break
        assert before == ids[-1]
    assert seen == ["m4", "m3", "m2", "m1", "m0"]
    assert pages == 3

    exact = (await client.get(url(match_id), params={"limit": 5}, headers=auth(token))).json()
    assert len(exact["messages"]) == 5 and exact["next_before"] is None


@pytest.mark.asyncio
@pytest.mark.parametrize("params, field", [({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
                                           ({"before": "x"}, "before"), ({"before": 0}, "before")])
async def test_bad_paging_parameters_are_422(client, infra, mint_token, params, field):
    match_id, alice, _ = await create_match(client.app, infra.nats_url)
    reply = await client.get(url(match_id), params=params, headers=auth(mint_token(alice)))
    assert reply.status_code == 422
    assert reply.json()["error"]["fields"][0]["field"] == field


@pytest.mark.asyncio
async def test_someone_elses_unknown_and_removed_matches_answer_alike(client, infra, mint_token, monkeypatch):
    """Same body, and the same statements against the database the same number of times: the response time
    cannot tell them apart either (bench/chat_timing.py compares the latency distributions)."""
    monkeypatch.setattr(client.app.state.runtime.settings, "match_wait_seconds", 0.3)
    ours, alice, bob = await create_match(client.app, infra.nats_url)
    await client.post(url(ours), json={"content": "private"}, headers=auth(mint_token(alice)))
    removed, carol, dave = await create_match(client.app, infra.nats_url)
    await publish(infra.nats_url, match_removed(removed, (carol, dave)))
    await eventually(lambda: _removed(client.app, removed), what="match removal in the read model")
    engine = client.app.state.runtime.engine.sync_engine
    cases = {"someone else's": (ours, new_id()), "unknown": (new_id(), alice), "removed": (removed, carol)}
    seen = {}
    for name, (match_id, user) in cases.items():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany, statements=statements):
            if "chat.outbox" not in statement and "chat.inbox" not in statement:  # the relay's and consumers' own
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            answers = [await client.get(url(match_id), headers=auth(mint_token(user))),
                       await client.post(url(match_id), json={"content": "hi"}, headers=auth(mint_token(user))),
                       await client.post(url(match_id) + "/read", headers=auth(mint_token(user)))]
        finally:
            event.remove(engine, "before_cursor_execute", record)
        bodies = [(a.status_code, a.json()["error"]["code"], a.json()["error"]["message"]) for a in answers]
        seen[name] = (bodies, sorted(set(statements)))
    assert seen["unknown"][0] == [(404, "MATCH_NOT_FOUND", "No such match.")] * 3
    assert seen["someone else's"] == seen["unknown"] == seen["removed"]
    assert len(seen["unknown"][1]) == 1  # one query shape: the participant filter, polled until the deadline


@pytest.mark.asyncio
async def test_message_right_after_match_waits_for_the_event(client, infra, mint_token, monkeypatch):
    """The client opens the chat straight from "It's a match!": chat may not have the match yet."""
    match_id, alice, bob = new_id(), new_id(), new_id()
    looked_up = asyncio.Event()
    find_conversation = matches_repository.find_conversation

    async def observed_find_conversation(session, wanted, user, **kwargs):
        row = await find_conversation(session, wanted, user, **kwargs)
        if wanted == match_id and row is None:
            looked_up.set()  # the request has looked and is now waiting for the match
        return row

    monkeypatch.setattr(matches_repository, "find_conversation", observed_find_conversation)
    post = asyncio.create_task(client.post(url(match_id), json={"content": "quick!"}, headers=auth(mint_token(alice))))
    await asyncio.wait_for(looked_up.wait(), 10)
    await publish(infra.nats_url, match_created(match_id, (alice, bob)))
    reply = await post
    assert reply.status_code == 201, reply.text


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/api/v1/matches/1/messages", "/api/v1/matches/1/messages/"])
async def test_no_token_is_401(client, path):
    for reply in (await client.get(path), await client.post(path, json={"content": "hi"})):
        assert reply.status_code == 401
        assert reply.json()["error"]["code"] == "UNAUTHENTICATED"
    bad = await client.get(path, headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "INVALID_TOKEN"


@pytest.mark.asyncio
@pytest.mark.parametrize("body", [{"content": ""}, {"content": "   \n"}, {}, {"content": None}, {"content": 42},
                                  {"content": "x" * 2001}, {"content": "nul\u0000byte"}])
async def test_bad_content_is_422_naming_content(client, infra, mint_token, body):
    match_id, alice, _ = await create_match(client.app, infra.nats_url)
    reply = await client.post(url(match_id), json=body, headers=auth(mint_token(alice)))
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["fields"][0]["field"] == "content"


@pytest.mark.asyncio
async def test_lone_surrogate_and_bad_json_are_4xx(client, infra, mint_token):
    match_id, alice, _ = await create_match(client.app, infra.nats_url)
    headers = {**auth(mint_token(alice)), "Content-Type": "application/json"}
    surrogate = await client.post(url(match_id), content=b'{"content": "a\\ud800b"}', headers=headers)
    assert surrogate.status_code == 422 and surrogate.json()["error"]["fields"][0]["field"] == "content"
    broken = await client.post(url(match_id), content=b'{"content": ', headers=headers)
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "MALFORMED_JSON"


@pytest.mark.asyncio
@pytest.mark.parametrize("match_id", ["abc", "0", str(2**53), str(2**63)])
async def test_bad_match_id_is_422(client, mint_token, match_id):
    reply = await client.get(f"/api/v1/matches/{match_id}/messages", headers=auth(mint_token(new_id())))
    assert reply.status_code == 422
    assert reply.json()["error"]["fields"][0]["field"] == "match_id"


@pytest.mark.asyncio
async def test_a_removed_match_is_not_found(client, infra, mint_token, monkeypatch):
    monkeypatch.setattr(client.app.state.runtime.settings, "match_wait_seconds", 0.2)
    match_id, alice, bob = await create_match(client.app, infra.nats_url)
    assert (await client.post(url(match_id), json={"content": "bye?"},
                              headers=auth(mint_token(alice)))).status_code == 201
    await publish(infra.nats_url, match_removed(match_id, (alice, bob)))
    await eventually(lambda: _removed(client.app, match_id), what="match removal in the read model")
    for reply in (await client.post(url(match_id), json={"content": "still there?"}, headers=auth(mint_token(bob))),
                  await client.get(url(match_id), headers=auth(mint_token(bob)))):
        assert reply.status_code == 404
        assert reply.json()["error"]["code"] == "MATCH_NOT_FOUND"


async def _removed(app, match_id):
    row = await match_row(app, match_id)
    return row is not None and row["removed_at"] is not None


@pytest.mark.asyncio
async def test_removal_before_creation_still_ends_removed(client, infra):
    """The two subjects are consumed independently, so they may apply in either order."""
    match_id, users = new_id(), (new_id(), new_id())
    await publish(infra.nats_url, match_removed(match_id, users))
    await eventually(lambda: match_row(client.app, match_id), what="removed match row")
    created = match_created(match_id, users)
    await publish(infra.nats_url, created)
    await eventually(lambda: fetch_all(client.app, select(inbox).where(inbox.c.event_id == created.id,
                                                                      inbox.c.consumer == "chat-matches")),
                     what="the creation event applied")
    row = await match_row(client.app, match_id)
    assert row["removed_at"] is not None and (row["user1_id"], row["user2_id"]) == users


@pytest.mark.asyncio
async def test_message_created_event_is_published_on_nats(client, infra, mint_token):
    match_id, alice, bob = await create_match(client.app, infra.nats_url)
    nc = await nats.connect(infra.nats_url)
    try:
        sub = await nc.subscribe("chat.message.created")
        text = "x" * 100
        reply = await client.post(url(match_id), json={"content": text}, headers=auth(mint_token(alice)))
        assert reply.status_code == 201
        message_id = reply.json()["id"]
        deadline = time.monotonic() + 10
        while True:
            msg = await sub.next_msg(timeout=max(0.1, deadline - time.monotonic()))
            envelope = json.loads(msg.data)
            if envelope["data"]["message_id"] == message_id:
                break
        assert envelope["subject"] == "chat.message.created" and envelope["producer"] == "chat"
        assert envelope["schema_version"] == 1
        data = envelope["data"]
        assert data["match_id"] == match_id and data["sender_id"] == alice and data["recipient_id"] == bob
        assert data["preview"] == "x" * 80
        assert msg.headers and msg.headers.get("Nats-Msg-Id") == envelope["id"]
    finally:
        await nc.close()


@pytest.mark.asyncio
async def test_push_notifications_for_match_and_message(client, infra, mint_token):
    match_id, alice, bob = await create_match(client.app, infra.nats_url)
    match_pushes = await eventually(lambda: _rows_for_users(client.app, (alice, bob), "match", 2),
                                    what="match push notifications")
    assert {p["user_id"] for p in match_pushes} == {alice, bob}
    assert all(p["title"] == "It's a match!" for p in match_pushes)

    await client.post(url(match_id), json={"content": "Hello Bob, how are you?"}, headers=auth(mint_token(alice)))
    message_pushes = await eventually(lambda: _rows_for_users(client.app, (alice, bob), "message", 1),
                                      what="message push notification")
    assert message_pushes[0]["user_id"] == bob  # the recipient, never the sender
    assert message_pushes[0]["body"] == "Hello Bob, how are you?"


async def _rows_for_users(app, users, kind, expected):
    rows = [r for r in await fetch_all(app, select(push_notifications).where(push_notifications.c.user_id.in_(users)))
            if r["kind"] == kind]
    return rows if len(rows) >= expected else None


@pytest.mark.asyncio
async def test_redelivered_event_does_not_duplicate_pushes(client, infra):
    sent = {"kind": "match"}
    sent_before = REGISTRY.get_sample_value("numeros_push_sent_total", sent) or 0
    users = (new_id(), new_id())
    envelope = match_created(new_id(), users)
    await publish(infra.nats_url, envelope)
    await eventually(lambda: _count(client.app, envelope.id, 2), what="first delivery's pushes")

    # The same event again under another Nats-Msg-Id, so JetStream's duplicate window lets it through.
    await publish(infra.nats_url, envelope, msg_id=f"redelivery-{envelope.id}")
    # A later event on the same subject: once it is applied, the redelivery before it was handled too.
    sentinel = match_created(new_id(), (new_id(), new_id()))
    await publish(infra.nats_url, sentinel)
    await eventually(lambda: _count(client.app, sentinel.id, 2), what="sentinel pushes")
    assert len(await push_rows(client.app, event_id=envelope.id)) == 2
    processed = await fetch_all(client.app, select(inbox).where(inbox.c.event_id == envelope.id))
    assert sorted(r["consumer"] for r in processed) == ["chat-matches", "chat-push"]
    # Two pushes per event for two events: the redelivery sent nothing.
    assert REGISTRY.get_sample_value("numeros_push_sent_total", sent) - sent_before == 4


async def _count(app, event_id, expected):
    return len(await push_rows(app, event_id=event_id)) >= expected


@pytest.mark.asyncio
async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json()["status"] == "healthy"
    ready = await eventually(lambda: _ready(client), what="readiness")
    assert set(ready["checks"]) >= {"postgres", "redis", "nats"}


async def _ready(client):
    reply = await client.get("/readyz")
    return reply.json() if reply.status_code == 200 else None
