"""WebSocket /ws/chat/{match_id} through Starlette's TestClient (its lifespan runs the real
consumers and relay), with delivery through the real Redis pub/sub and events on real NATS."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import nats
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from services.chat.messages.tables import messages

from .helpers import auth, create_match, fetch_all, new_id


@pytest.fixture
def chat(chat_environment) -> Iterator[TestClient]:
    from services.chat.app import create_app

    with TestClient(create_app()) as client:
        yield client


def ws_url(match_id: int, token: str | None = None, slash: bool = False) -> str:
    return f"/ws/chat/{match_id}{'/' if slash else ''}" + (f"?token={token}" if token else "")


def receive(ws, timeout: float = 10.0) -> dict[str, Any]:
    """Next server frame, failing the test instead of hanging if none comes."""
    async def next_message():
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(next_message)
    ws._raise_on_close(message)
    return json.loads(message["text"])


def receive_until(ws, predicate, timeout: float = 10.0) -> dict[str, Any]:
    while True:
        frame = receive(ws, timeout)
        if predicate(frame):
            return frame


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


@pytest.mark.parametrize("how", ["header", "query", "token-scheme"])
def test_participant_connects_with_header_or_query_token(chat, infra, mint_token, how):
    match_id, alice, _ = new_match(chat, infra)
    token = mint_token(alice)
    if how == "query":
        ctx = chat.websocket_connect(ws_url(match_id, token, slash=True))
    else:
        ctx = chat.websocket_connect(ws_url(match_id), headers=auth(token, "Token" if how == "token-scheme" else "Bearer"))
    with ctx as ws:
        assert connected(ws) == {"type": "connected", "match_id": match_id, "user_id": alice}
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}


@pytest.mark.parametrize("token", [None, "not-a-jwt"])
def test_unauthenticated_socket_is_closed_4401(chat, infra, token):
    with chat.websocket_connect(ws_url(1, token)) as ws:
        assert close_code(ws) == 4401


def test_non_participant_socket_is_closed_4404(chat, infra, mint_token):
    match_id, _, _ = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id, mint_token(new_id()))) as ws:
        assert close_code(ws) == 4404
    with chat.websocket_connect("/ws/chat/not-a-number", headers=auth(mint_token(new_id()))) as ws:
        assert close_code(ws) == 4404


def test_rest_message_reaches_the_other_participants_socket(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)
    open_before = REGISTRY.get_sample_value("numeros_websockets_open")
    with chat.websocket_connect(ws_url(match_id, mint_token(bob), slash=True)) as bob_ws:
        connected(bob_ws)
        assert REGISTRY.get_sample_value("numeros_websockets_open") == open_before + 1
        reply = chat.post(f"/api/v1/matches/{match_id}/messages", json={"content": "Hi Bob!"},
                          headers=auth(mint_token(alice)))
        assert reply.status_code == 201, reply.text
        frame = receive(bob_ws)
        assert frame == {"type": "message", "message": reply.json()}


def test_socket_message_is_stored_delivered_to_both_and_announced(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)

    async def subscribe_events():
        nc = await nats.connect(infra.nats_url)
        return nc, await nc.subscribe("chat.message.created")

    nc, sub = chat.portal.call(subscribe_events)
    try:
        with chat.websocket_connect(ws_url(match_id, mint_token(alice))) as alice_ws, \
                chat.websocket_connect(ws_url(match_id, mint_token(bob))) as bob_ws:
            connected(alice_ws)
            connected(bob_ws)
            alice_ws.send_json({"type": "message", "content": "  over the socket  "})
            to_bob = receive(bob_ws)
            echo = receive(alice_ws)
            assert to_bob == echo
            assert to_bob["type"] == "message"
            message = to_bob["message"]
            assert message["content"] == "over the socket" and message["sender_id"] == alice
            assert message["match_id"] == match_id

            stored = chat.portal.call(fetch_all, chat.app, select(messages).where(messages.c.match_id == match_id))
            assert [(m["id"], m["content"]) for m in stored] == [(message["id"], "over the socket")]
            history = chat.get(f"/api/v1/matches/{match_id}/messages", headers=auth(mint_token(bob))).json()
            assert history["messages"] == [message]

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


def test_typing_reaches_the_other_participant_only(chat, infra, mint_token):
    match_id, alice, bob = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id, mint_token(alice))) as alice_ws, \
            chat.websocket_connect(ws_url(match_id, mint_token(bob))) as bob_ws:
        connected(alice_ws)
        connected(bob_ws)
        alice_ws.send_json({"type": "typing"})
        assert receive(bob_ws) == {"type": "typing", "user_id": alice}
        # Alice does not get her own typing back: the next thing she sees is her message.
        alice_ws.send_json({"type": "message", "content": "done typing"})
        assert receive(alice_ws)["type"] == "message"
        assert receive(bob_ws)["message"]["content"] == "done typing"
    stored = chat.portal.call(fetch_all, chat.app, select(messages).where(messages.c.match_id == match_id))
    assert len(stored) == 1  # typing is never stored


@pytest.mark.parametrize("frame, fragment", [
    ("not json", "JSON"),
    ('{"type": "dance"}', "unknown"),
    ('{"type": "message", "content": "   "}', "content"),
    ('{"type": "message"}', "content"),
    ('[1]', "object"),
])
def test_malformed_frame_gets_an_error_and_the_socket_stays_open(chat, infra, mint_token, frame, fragment):
    match_id, alice, _ = new_match(chat, infra)
    with chat.websocket_connect(ws_url(match_id, mint_token(alice))) as ws:
        connected(ws)
        ws.send_text(frame)
        error = receive(ws)
        assert error["type"] == "error" and error["code"] == "BAD_FRAME"
        assert fragment in error["message"]
        ws.send_bytes(b"\xff")
        assert receive(ws)["code"] == "BAD_FRAME"
        ws.send_json({"type": "message", "content": "still here"})
        assert receive(ws)["message"]["content"] == "still here"


def test_removed_match_socket_is_closed_4409(chat, infra, mint_token):
    from .helpers import eventually, match_removed, match_row, publish

    match_id, alice, bob = new_match(chat, infra)

    async def remove():
        await publish(infra.nats_url, match_removed(match_id, (alice, bob)))

        async def removed():
            row = await match_row(chat.app, match_id)
            return row["removed_at"] is not None

        await eventually(removed, what="removal")

    chat.portal.call(remove)
    with chat.websocket_connect(ws_url(match_id, mint_token(alice))) as ws:
        assert close_code(ws) == 4409


def test_two_replicas_deliver_through_redis(chat_environment, infra, mint_token):
    """Alice on one chat replica, Bob on another: delivery crosses replicas through Redis."""
    from services.chat.app import create_app

    with TestClient(create_app()) as replica_a, TestClient(create_app()) as replica_b:
        match_id, alice, bob = new_match(replica_a, infra)
        with replica_b.websocket_connect(ws_url(match_id, mint_token(bob))) as bob_ws:
            connected(bob_ws)
            with replica_a.websocket_connect(ws_url(match_id, mint_token(alice))) as alice_ws:
                connected(alice_ws)
                alice_ws.send_json({"type": "message", "content": "across replicas"})
                assert receive(bob_ws)["message"]["content"] == "across replicas"
                assert receive(alice_ws)["message"]["content"] == "across replicas"
