"""WebSocket /ws/chat/{match_id} through Starlette's TestClient (its lifespan runs the real consumers,
relay and live hub), with live delivery over real NATS and events published to real JetStream."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import nats
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from numeros_common.events.schemas import BlockCreatedV1, Envelope, SessionRevokedV1
from services.chat.messages import service
from services.chat.messages.tables import messages

from .helpers import auth, create_match, eventually, fetch_all, match_removed, match_row, new_id, publish


@pytest.fixture
def chat(chat_environment) -> Iterator[TestClient]:
    from services.chat.app import create_app

    with TestClient(create_app()) as client:
        client.app.state.runtime.settings.match_wait_seconds = 0.2
        yield client


@pytest.fixture
def session_token(jwt_keys):
    """A token for ``user_id`` in the session ``session_id`` (logout events name sessions)."""
    from numeros_common.settings import ServiceSettings
    from services.identity.accounts.tokens import issue_access_token

    defaults = ServiceSettings()

    def mint(user_id: int, session_id: str, ttl_seconds: int = 900) -> str:
        return issue_access_token(jwt_keys.private_pem, user_id=user_id, session_id=session_id, is_admin=False,
                                  now=dt.datetime.now(dt.UTC), ttl_seconds=ttl_seconds,
                                  issuer=defaults.jwt_issuer, audience=defaults.jwt_audience)

    return mint


def ws_url(match_id: int, slash: bool = False, **query: Any) -> str:
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/ws/chat/{match_id}{'/' if slash else ''}" + (f"?{tail}" if tail else "")


def receive(ws, timeout: float = 10.0) -> dict[str, Any]:
    """Next server frame, failing the test instead of hanging if none comes."""
    async def next_message():
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(next_message)
    ws._raise_on_close(message)
    return json.loads(message["text"])


def close_code(ws, timeout: float = 10.0) -> int:
    with pytest.raises(WebSocketDisconnect) as info:
        while True:
            receive(ws, timeout)
    return info.value.code


def new_match(chat: TestClient, infra) -> tuple[int, int, int]:
    return chat.portal.call(create_match, chat.app, infra.nats_url)


def connected(ws) -> dict[str, Any]:
    frame = receive(ws)
    assert frame["type"] == "connected", frame
    return frame


def post(chat: TestClient, match_id: int, token: str, content: str, **extra: Any) -> dict[str, Any]:
    reply = chat.post(f"/api/v1/matches/{match_id}/messages", json={"content": content, **extra}, headers=auth(token))
    assert reply.status_code in (200, 201), reply.text
    return reply.json()


def publish_event(chat: TestClient, infra, data) -> None:
    chat.portal.call(publish, infra.nats_url, Envelope.wrap("identity", data))


@pytest.mark.parametrize("scheme", ["Bearer", "Token"])
def test_participant_connects_with_the_authorization_header(chat, infra, mint_token, scheme):
    match_id, alice, _ = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id, slash=True), headers=auth(mint_token(alice), scheme)) as ws:
        assert connected(ws) == {"type": "connected", "match_id": match_id, "user_id": alice, "last_message_id": None}
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}


def test_a_token_in_the_url_is_refused(chat, infra, mint_token):
    match_id, alice, _ = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id, token=mint_token(alice))) as ws:
        assert close_code(ws) == 4401


def test_a_ticket_opens_one_socket_once(chat, infra, mint_token):
    match_id, alice, _ = new_match(chat, infra)
    issued = chat.post("/api/v1/ws/tickets", headers=auth(mint_token(alice)))
    assert issued.status_code == 201, issued.text
    assert issued.json()["expires_in"] == 30
    ticket = issued.json()["ticket"]
    with chat.websocket_connect(ws_url(match_id, ticket=ticket)) as ws:
        assert connected(ws)["user_id"] == alice
    with chat.websocket_connect(ws_url(match_id, ticket=ticket)) as ws:
        assert close_code(ws) == 4401
    assert chat.post("/api/v1/ws/tickets").status_code == 401


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-jwt"}])
def test_unauthenticated_socket_is_closed_4401(chat, infra, headers):
    with chat.websocket_connect(ws_url(1), headers=headers) as ws:
        assert close_code(ws) == 4401
    with chat.websocket_connect(ws_url(1, ticket="made-up")) as ws:
        assert close_code(ws) == 4401


def test_a_match_not_yours_unknown_or_removed_is_closed_4404(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)
    removed, carol, dave = new_match(chat, infra)

    async def remove():
        await publish(infra.nats_url, match_removed(removed, (carol, dave)))
        await eventually(lambda: _removed(chat.app, removed), what="removal")

    chat.portal.call(remove)
    for target, user in [(match_id, new_id()), (new_id(), alice), (removed, carol)]:
        with chat.websocket_connect(ws_url(target), headers=auth(mint_token(user))) as ws:
            assert close_code(ws) == 4404
    with chat.websocket_connect("/ws/chat/not-a-number", headers=auth(mint_token(alice))) as ws:
        assert close_code(ws) == 4404
    with chat.websocket_connect(ws_url(match_id, after="x"), headers=auth(mint_token(alice))) as ws:
        assert close_code(ws) == 4422


async def _removed(app, match_id):
    row = await match_row(app, match_id)
    return row is not None and row["removed_at"] is not None


def test_rest_message_reaches_the_other_participants_socket(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)
    open_before = REGISTRY.get_sample_value("numeros_websockets_open")
    with chat.websocket_connect(ws_url(match_id, slash=True), headers=auth(mint_token(bob))) as bob_ws:
        connected(bob_ws)
        assert REGISTRY.get_sample_value("numeros_websockets_open") == open_before + 1
        sent = post(chat, match_id, mint_token(alice), "Hi Bob!")
        assert receive(bob_ws) == {"type": "message", "message": sent, "previous_id": None}


def test_socket_send_is_acked_stored_delivered_to_both_and_announced(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)

    async def subscribe_events():
        nc = await nats.connect(infra.nats_url)
        return nc, await nc.subscribe("chat.message.created")

    nc, sub = chat.portal.call(subscribe_events)
    try:
        with chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(alice))) as alice_ws, \
                chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(bob))) as bob_ws:
            connected(alice_ws)
            connected(bob_ws)
            alice_ws.send_json({"type": "message", "content": "  over the socket  ", "client_message_id": "a-1"})
            to_bob = receive(bob_ws)
            message = to_bob["message"]
            assert message["content"] == "over the socket" and message["sender_id"] == alice
            assert message["match_id"] == match_id and message["client_message_id"] == "a-1"
            from_alice = [receive(alice_ws), receive(alice_ws)]
            assert sorted(f["type"] for f in from_alice) == ["ack", "message"]
            assert {"type": "ack", "client_message_id": "a-1", "message": message} in from_alice
            assert to_bob in from_alice

            # The same client id again (a retry after a lost ack): the same message, acked, not stored twice.
            alice_ws.send_json({"type": "message", "content": "over the socket", "client_message_id": "a-1"})
            assert receive(alice_ws) == {"type": "ack", "client_message_id": "a-1", "message": message}
            post(chat, match_id, mint_token(bob), "marker")
            assert receive(bob_ws)["message"]["content"] == "marker"  # nothing came in between

            stored = chat.portal.call(fetch_all, chat.app, select(messages).where(messages.c.match_id == match_id))
            assert [m["content"] for m in stored] == ["over the socket", "marker"]

            async def event_for(message_id: int):
                while True:
                    msg = await sub.next_msg(timeout=10)
                    envelope = json.loads(msg.data)
                    if envelope["data"]["message_id"] == message_id:
                        return envelope

            envelope = chat.portal.call(event_for, message["id"])
            assert envelope["data"]["recipient_id"] == bob and envelope["data"]["preview"] == "over the socket"
    finally:
        chat.portal.call(nc.close)


def test_typing_start_and_stop_reach_the_other_participant_only(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(alice))) as alice_ws, \
            chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(bob))) as bob_ws:
        connected(alice_ws)
        connected(bob_ws)
        alice_ws.send_json({"type": "typing"})
        assert receive(bob_ws) == {"type": "typing", "user_id": alice, "state": "start"}
        alice_ws.send_json({"type": "typing", "state": "stop"})
        assert receive(bob_ws) == {"type": "typing", "user_id": alice, "state": "stop"}
        # Alice does not get her own typing back: the next thing she sees is her own message.
        alice_ws.send_json({"type": "message", "content": "done typing"})
        assert receive(alice_ws)["type"] in ("message", "ack")
        assert receive(bob_ws)["message"]["content"] == "done typing"
    stored = chat.portal.call(fetch_all, chat.app, select(messages).where(messages.c.match_id == match_id))
    assert len(stored) == 1  # typing is never stored


def test_a_read_frame_sets_read_at_and_sends_a_receipt(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(alice))) as alice_ws, \
            chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(bob))) as bob_ws:
        connected(alice_ws)
        connected(bob_ws)
        sent = post(chat, match_id, mint_token(alice), "read me")
        assert receive(bob_ws)["message"]["id"] == sent["id"]
        assert receive(alice_ws)["message"]["id"] == sent["id"]
        bob_ws.send_json({"type": "read", "up_to_message_id": sent["id"]})
        receipt = receive(alice_ws)
        assert (receipt["type"], receipt["reader_id"], receipt["up_to_message_id"]) == ("read", bob, sent["id"])
        assert receive(bob_ws)["type"] == "read"  # the reader's other devices learn it too
    (row,) = chat.portal.call(fetch_all, chat.app, select(messages).where(messages.c.id == sent["id"]))
    assert row["read_at"] is not None and row["read_at"].isoformat() == receipt["read_at"]


def test_resume_after_a_reconnect_backfills_then_goes_live(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)
    alice_token, bob_token = mint_token(alice), mint_token(bob)
    with chat.websocket_connect(ws_url(match_id), headers=auth(bob_token)) as bob_ws:
        connected(bob_ws)
        seen = post(chat, match_id, alice_token, "seen")
        assert receive(bob_ws)["message"]["id"] == seen["id"]
    missed = [post(chat, match_id, alice_token, f"missed {i}") for i in range(3)]
    with chat.websocket_connect(ws_url(match_id, after=seen["id"]), headers=auth(bob_token)) as bob_ws:
        assert connected(bob_ws)["last_message_id"] == missed[-1]["id"]
        backfill = [receive(bob_ws) for _ in missed]
        assert [f["message"] for f in backfill] == missed
        assert [f["previous_id"] for f in backfill] == [seen["id"], missed[0]["id"], missed[1]["id"]]
        live = post(chat, match_id, alice_token, "live")
        assert receive(bob_ws) == {"type": "message", "message": live, "previous_id": missed[-1]["id"]}


def test_a_lost_live_frame_is_filled_from_the_database(chat, infra, mint_token, monkeypatch):
    """A frame that never arrives (its replica died before publishing it) is detected by the next frame's
    previous_id, and the socket fetches what it missed: each message once, in order."""
    match_id, alice, bob = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(bob))) as bob_ws:
        connected(bob_ws)
        hub = service.hub_of(chat.app.state.runtime)
        real_publish = hub.publish

        async def lose(match, payload):
            return None

        monkeypatch.setattr(hub, "publish", lose)
        lost = post(chat, match_id, mint_token(alice), "lost")
        monkeypatch.setattr(hub, "publish", real_publish)
        after = post(chat, match_id, mint_token(alice), "after")
        frames = [receive(bob_ws), receive(bob_ws)]
        assert [f["message"] for f in frames] == [lost, after]


@pytest.mark.parametrize("which", ["this session", "every session"])
def test_logout_closes_the_sessions_sockets(chat, infra, session_token, which):
    match_id, alice, bob = new_match(chat, infra)
    session, other = uuid.uuid4().hex, uuid.uuid4().hex
    with chat.websocket_connect(ws_url(match_id), headers=auth(session_token(alice, session))) as ws, \
            chat.websocket_connect(ws_url(match_id), headers=auth(session_token(alice, other))) as other_ws:
        connected(ws)
        connected(other_ws)
        publish_event(chat, infra, SessionRevokedV1(
            user_id=alice, session_id=session if which == "this session" else None, reason="logout",
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)))
        assert close_code(ws) == 4401
        if which == "this session":
            post(chat, match_id, session_token(bob, uuid.uuid4().hex), "still here?")
            assert receive(other_ws)["message"]["content"] == "still here?"
        else:
            assert close_code(other_ws) == 4401


@pytest.mark.parametrize("how", ["unmatch", "block"])
def test_an_unmatch_or_block_closes_the_conversation(chat, infra, mint_token, how):
    match_id, alice, bob = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(alice))) as ws:
        connected(ws)
        if how == "unmatch":
            chat.portal.call(publish, infra.nats_url, match_removed(match_id, (alice, bob)))
        else:
            publish_event(chat, infra, BlockCreatedV1(blocker_id=bob, blocked_id=alice, match_id=None))
        assert close_code(ws) == 4404
    chat.portal.call(eventually, lambda: _removed(chat.app, match_id), 45.0, "the read model's removal")


def test_the_socket_closes_when_its_token_expires(chat, infra, mint_token):
    match_id, alice, _ = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(alice, ttl_seconds=2))) as ws:
        connected(ws)
        assert close_code(ws) == 4401


@pytest.mark.parametrize("frame, fragment", [
    ("not json", "JSON"),
    ('{"type": "dance"}', "unknown"),
    ('{"type": "message", "content": "   "}', "content"),
    ('{"type": "message"}', "content"),
    ('[1]', "object"),
])
def test_malformed_frame_gets_an_error_and_the_socket_stays_open(chat, infra, mint_token, frame, fragment):
    match_id, alice, _ = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id), headers=auth(mint_token(alice))) as ws:
        connected(ws)
        ws.send_text(frame)
        error = receive(ws)
        assert error["type"] == "error" and error["code"] == "BAD_FRAME"
        assert fragment in error["message"]
        ws.send_bytes(b"\xff")
        assert receive(ws)["code"] == "BAD_FRAME"
        ws.send_json({"type": "message", "content": "still here"})
        assert {receive(ws)["type"], receive(ws)["type"]} == {"ack", "message"}


def test_two_replicas_deliver_through_nats(chat_environment, infra, mint_token):
    """Alice on one chat replica, Bob on another: delivery crosses replicas over NATS."""
    from services.chat.app import create_app

    with TestClient(create_app()) as replica_a, TestClient(create_app()) as replica_b:
        match_id, alice, bob = new_match(replica_a, infra)
        with replica_b.websocket_connect(ws_url(match_id), headers=auth(mint_token(bob))) as bob_ws:
            connected(bob_ws)
            with replica_a.websocket_connect(ws_url(match_id), headers=auth(mint_token(alice))) as alice_ws:
                connected(alice_ws)
                alice_ws.send_json({"type": "message", "content": "across replicas"})
                assert receive(bob_ws)["message"]["content"] == "across replicas"


class _Settings:
    ws_queue_frames = 8


class _Runtime:
    settings = _Settings()


def test_a_slow_consumer_is_disconnected_not_buffered():
    """The queue between the hub and one socket is bounded: past it the socket is ended (it resumes)."""
    from services.chat.messages.websocket import CLOSE_SLOW_CONSUMER, ChatSocket
    from numeros_common.auth import Principal

    async def scenario():
        socket = ChatSocket(_Runtime(), websocket=None, match={"match_id": 1, "user1_id": 2, "user2_id": 3},
                            principal=Principal(user_id=2, session_id="s", is_admin=False), after=None)
        for n in range(8):
            socket.offer({"type": "typing", "user_id": 3, "state": "start"}, "{}")
        assert socket.close_code == 1000 and socket.queue.qsize() == 8
        socket.offer({"type": "typing", "user_id": 3, "state": "start"}, "{}")
        return socket.close_code, socket.queue.qsize()

    assert asyncio.run(scenario()) == (CLOSE_SLOW_CONSUMER, 8)
