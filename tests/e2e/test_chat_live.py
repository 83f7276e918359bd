"""Live chat on the whole system with two chat replicas behind the gateway: delivery across replicas; a
replica killed (SIGKILL) mid-conversation loses and doubles no acknowledged message once clients resume;
a NATS restart mid-stream loses no event; logout closes the socket; a dead client is dropped by ping/pong."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import socket
import uuid

import asyncpg
import httpx
import nats
import pytest
import websockets

from devstack.processes import poll
from numeros_common.events.schemas import Envelope, SessionRevokedV1

from .conftest import running_stack
from .helpers import register

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack():
    env = {"NUMEROS_RATE_LIMITS": "off", "NUMEROS_WS_PING_INTERVAL_SECONDS": "1",
           "NUMEROS_WS_PING_TIMEOUT_SECONDS": "1"}
    with running_stack(env, chat_replicas=2) as system:
        yield system


def make_match(stack) -> tuple[int, dict, dict]:
    client = httpx.Client(base_url=stack.gateway_url, timeout=10)
    ada, bob = register(client, "Ada", "1990-05-15"), register(client, "Bob", "1988-11-02")
    # Each profile reaches matching's read model through identity.user.registered.
    poll(lambda: client.post("/api/v1/resonance/", json={"target_user_id": bob["user"]["id"], "action": "resonate"},
                             headers=bearer(ada)), lambda r: r.status_code == 200, 15, "Ada's resonance", interval=0.2)
    second = poll(lambda: client.post("/api/v1/resonance", json={"target_user_id": ada["user"]["id"],
                                                                 "action": "resonate"}, headers=bearer(bob)),
                  lambda r: r.status_code == 200, 15, "Bob's resonance", interval=0.2)
    match_id = second.json()["match"]["id"]
    # Chat learns of the match from matching's event.
    poll(lambda: client.get(f"/api/v1/matches/{match_id}/messages", headers=bearer(ada)).status_code,
         lambda status: status == 200, 15, "the match in chat")
    return match_id, ada, bob


def bearer(account: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {account['token']}"}


async def stored_ids(stack, match_id: int) -> list[int]:
    conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return [r["id"] for r in await conn.fetch("SELECT id FROM chat.messages WHERE match_id = $1 ORDER BY id",
                                                 match_id)]
    finally:
        await conn.close()


class Participant:
    """A client that does what the app does: on a dropped socket it reconnects with ?after=<last id seen>,
    and resends an unacknowledged message with the same client_message_id."""

    def __init__(self, url: str, account: dict) -> None:
        self.url, self.headers = url, bearer(account)
        self.received: list[int] = []
        self.last = 0
        self.pending: dict[str, asyncio.Future[int]] = {}
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.reconnects = 0
        self.closes: list[int | None] = []

    async def connect(self) -> None:
        while True:
            try:
                url = self.url + (f"?after={self.last}" if self.last else "")
                ws = await websockets.connect(url, additional_headers=self.headers, open_timeout=5)
                hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert hello["type"] == "connected", hello
                self.ws, self.reader = ws, asyncio.create_task(self._read(ws))
                return
            except (OSError, TimeoutError, websockets.WebSocketException):
                await asyncio.sleep(0.2)  # e.g. the gateway still routed to the dead replica

    async def _read(self, ws) -> None:
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message":
                    self.received.append(frame["message"]["id"])
                    self.last = max(self.last, frame["message"]["id"])
                elif frame["type"] == "ack" and frame["client_message_id"] in self.pending:
                    future = self.pending[frame["client_message_id"]]
                    if not future.done():
                        future.set_result(frame["message"]["id"])
        except websockets.ConnectionClosed as closed:
            self.closes.append(closed.rcvd.code if closed.rcvd else None)

    async def send(self, content: str) -> int:
        client_id = uuid.uuid4().hex
        while True:
            future = self.pending[client_id] = asyncio.get_running_loop().create_future()
            try:
                await self.ws.send(json.dumps({"type": "message", "content": content, "client_message_id": client_id}))
                return await asyncio.wait_for(asyncio.shield(future), 5)
            except (websockets.ConnectionClosed, TimeoutError):
                await self.reconnect()

    async def reconnect(self) -> None:
        self.reconnects += 1
        await self.ws.close()
        await self.reader
        await self.connect()

    async def wait_for(self, ids: list[int], timeout: float = 20) -> None:
        async def seen_all():
            while not set(ids) <= set(self.received):
                if self.reader.done():
                    await self.connect()
                await asyncio.sleep(0.05)

        await asyncio.wait_for(seen_all(), timeout)

    async def close(self) -> None:
        await self.ws.close()
        await self.reader


def ws_base(url: str, match_id: int) -> str:
    return url.replace("http://", "ws://") + f"/ws/chat/{match_id}/"


def test_a_message_sent_through_one_replica_reaches_a_socket_on_the_other(stack):
    match_id, ada, bob = make_match(stack)
    first = f"http://127.0.0.1:{stack.ports.chat}"
    second = f"http://127.0.0.1:{stack.replica_ports['chat-2']}"

    async def scenario():
        on_first = Participant(ws_base(first, match_id), bob)
        await on_first.connect()
        async with httpx.AsyncClient(base_url=second, timeout=10) as direct:
            reply = await direct.post(f"/api/v1/matches/{match_id}/messages", json={"content": "via replica 2"},
                                      headers=bearer(ada))
        assert reply.status_code == 201, reply.text
        await on_first.wait_for([reply.json()["id"]])
        await on_first.close()

    asyncio.run(scenario())


def test_a_replica_killed_mid_conversation_loses_and_doubles_nothing(stack):
    match_id, ada, bob = make_match(stack)

    async def scenario():
        url = ws_base(stack.gateway_url, match_id)
        people = [Participant(url, ada), Participant(url, bob)]
        for person in people:
            await person.connect()
        acked: list[int] = []
        for n in range(60):
            if n == 20:
                stack.services["chat-2"].kill()  # SIGKILL: no goodbye, no flush
            acked.append(await people[n % 2].send(f"message {n}"))
        everything = await stored_ids(stack, match_id)
        for person in people:
            await person.wait_for(everything)
            await person.close()
        return people, acked, everything

    try:
        people, acked, everything = asyncio.run(scenario())
    finally:
        stack.restart_service("chat-2")
    assert len(everything) == 60 and sorted(set(acked)) == everything  # each acknowledged send stored once
    for person in people:
        assert person.received == everything  # each message once, in order, after any number of resumes
    assert sum(p.reconnects for p in people) + sum(len(p.closes) for p in people) >= 1  # the kill was felt


def test_a_nats_restart_mid_stream_loses_no_event(stack):
    match_id, ada, bob = make_match(stack)

    async def push_rows(ids):
        conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            return await conn.fetchval("SELECT count(*) FROM chat.push_notifications p JOIN chat.messages m "
                                       "ON p.body = m.content WHERE m.id = ANY($1::bigint[]) AND p.kind = 'message'",
                                       ids)
        finally:
            await conn.close()

    async def scenario():
        listener = Participant(ws_base(stack.gateway_url, match_id), bob)
        await listener.connect()
        sent = []
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
            for n in range(30):
                if n == 10:
                    stack.nats.stop()
                if n == 20:
                    stack.nats.start()
                reply = await client.post(f"/api/v1/matches/{match_id}/messages",
                                          json={"content": f"through the outage {n} {uuid.uuid4().hex[:6]}"},
                                          headers=bearer(ada))
                assert reply.status_code == 201, reply.text
                sent.append(reply.json()["id"])
        await listener.wait_for(sent, timeout=60)
        await listener.close()
        return sent, listener

    sent, listener = asyncio.run(scenario())
    assert sorted(set(listener.received)) == sent
    # Every chat.message.created reached the push consumer (a notification decision per message).
    assert poll(lambda: asyncio.run(push_rows(sent)), lambda n: n == len(sent), 90, "push decisions") == len(sent)


def test_logout_closes_the_socket(stack):
    match_id, ada, bob = make_match(stack)

    async def scenario():
        listener = Participant(ws_base(stack.gateway_url, match_id), bob)
        await listener.connect()
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
            reply = await client.post("/api/v1/auth/logout", headers=bearer(bob))
            assert reply.status_code == 200, reply.text
        # identity.session.revoked, as identity's outbox relay publishes it (identity's side of the contract).
        claims = json.loads(base64.urlsafe_b64decode(bob["token"].split(".")[1] + "=="))
        nc = await nats.connect(stack.nats.url)
        try:
            event = Envelope.wrap("identity", SessionRevokedV1(
                user_id=bob["user"]["id"], session_id=claims["sid"], reason="logout",
                expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC)))
            await nc.jetstream().publish(event.subject, event.model_dump_json().encode(),
                                         headers={"Nats-Msg-Id": str(event.id)})
        finally:
            await nc.close()
        await asyncio.wait_for(listener.reader, 10)
        return listener.closes

    assert asyncio.run(scenario()) == [4401]


def test_a_client_that_stops_answering_pings_is_dropped(stack):
    match_id, ada, _ = make_match(stack)

    def open_sockets() -> float:
        total = 0.0
        for port in (stack.ports.chat, stack.replica_ports["chat-2"]):
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            total += sum(float(line.split()[-1]) for line in text.splitlines()
                         if line.startswith("numeros_websockets_open "))
        return total

    before = open_sockets()
    # A WebSocket handshake by hand, then silence: no frame read, no pong ever sent.
    raw = socket.create_connection(("127.0.0.1", stack.ports.gateway))
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        raw.sendall((f"GET /ws/chat/{match_id}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                     f"Authorization: Bearer {ada['token']}\r\n\r\n").encode())
        assert raw.recv(12) == b"HTTP/1.1 101"
        poll(open_sockets, lambda n: n == before + 1, 15, "the silent socket to be open")
        poll(open_sockets, lambda n: n == before, 30, "the silent socket to be dropped")
    finally:
        raw.close()
