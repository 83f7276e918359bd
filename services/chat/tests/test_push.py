"""Push on real Postgres, Redis and NATS: devices and settings over REST; Web Push delivered by pywebpush to
a real HTTP subscription endpoint this test runs, decrypted with the subscription's keys; dead
subscriptions removed; failures retried and then dead-lettered; no push while a socket is open; one
notification per burst; erasure of a deleted person."""
from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import http_ece
import jwt
import nats
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from numeros_common.events.deadletter import STREAM as DEADLETTER_STREAM, dead_letter_subject
from numeros_common.events.schemas import Envelope, UserDeletedV1
from numeros_common.testing import app_client
from services.chat.messages import presence
from services.chat.messages.tables import messages
from services.chat.push.providers import DeadToken, Device, FcmProvider, Push
from services.chat.push.tables import devices, push_notifications

from .helpers import auth, create_match, eventually, fetch_all, match_created, new_id, publish

pytestmark = pytest.mark.asyncio
REPO = Path(__file__).resolve().parents[3]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushEndpoint:
    """A Web Push subscription endpoint on loopback: records each push and answers ``status``."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status: dict[str, int] = {}
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.received.append((name, {k.lower(): v for k, v in request.headers.items()}, await request.read()))
        return web.Response(status=self.status.get(name, 201))

    def subscription(self, name: str) -> tuple[dict, ec.EllipticCurvePrivateKey, bytes]:
        """A browser's subscription: its key pair and auth secret stay here, to decrypt what arrives."""
        key = ec.generate_private_key(ec.SECP256R1())
        secret = secrets.token_bytes(16)
        public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        return ({"endpoint": f"{self.url}/push/{name}", "keys": {"p256dh": b64url(public), "auth": b64url(secret)}},
                key, secret)

    def pushes(self, name: str) -> list[tuple[dict[str, str], bytes]]:
        return [(headers, body) for n, headers, body in self.received if n == name]


@pytest.fixture
async def endpoint():
    push = PushEndpoint()
    app = web.Application()
    app.router.add_post("/push/{name}", push.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    push.url = f"http://127.0.0.1:{port}"
    try:
        yield push
    finally:
        await runner.cleanup()


@pytest.fixture(scope="session")
def vapid_key(tmp_path_factory) -> Path:
    """Made by the setup's own command, as `make run` does."""
    folder = tmp_path_factory.mktemp("vapid")
    out = subprocess.run([sys.executable, "-m", "services.chat", "vapid-keygen", str(folder)], cwd=REPO, check=True,
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))})
    return Path(out.stdout.strip())


@pytest.fixture
async def push_client(chat_environment, vapid_key, monkeypatch):
    from services.chat.app import create_app

    monkeypatch.setenv("NUMEROS_VAPID_PRIVATE_KEY_FILE", str(vapid_key))
    monkeypatch.setenv("NUMEROS_PUSH_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("NUMEROS_PUSH_BURST_SECONDS", "60")
    async with app_client(create_app, "http://chat") as client:
        client.app.state.runtime.settings.match_wait_seconds = 0.2
        yield client


async def register_web(client, token: str, subscription: dict) -> int:
    reply = await client.post("/api/v1/devices", json={"platform": "web", "subscription": subscription},
                              headers=auth(token))
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


async def push_log(app, user_id: int) -> list:
    return await fetch_all(app, select(push_notifications).where(push_notifications.c.user_id == user_id)
                           .order_by(push_notifications.c.id))


async def test_a_web_push_reaches_the_browser_encrypted_for_it(push_client, endpoint, infra, mint_token, vapid_key):
    alice, bob = new_id(), new_id()
    subscription, browser_key, auth_secret = endpoint.subscription("alice")
    await register_web(push_client, mint_token(alice), subscription)
    match_id, _, _ = await create_match(push_client.app, infra.nats_url, (alice, bob))

    await eventually(lambda: _pushes(endpoint, "alice", 1), what="the web push")
    ((headers, body),) = endpoint.pushes("alice")
    payload = json.loads(http_ece.decrypt(body, private_key=browser_key, auth_secret=auth_secret, version="aes128gcm"))
    assert payload == {"title": "It's a match!", "body": "Your numbers align. Say hello and start the conversation.",
                       "tag": f"match-{match_id}", "data": {"type": "match", "match_id": str(match_id)}}
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["topic"] == f"match-{match_id}"[:32] and headers["ttl"] == "86400"
    # VAPID: signed with the setup's key, for this push service's origin; the browser subscribed with its public key.
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    key_reply = await push_client.get("/api/v1/notifications/web-push-key", headers=auth(mint_token(alice)))
    assert scheme == "vapid" and fields["k"] == key_reply.json()["public_key"]
    public = serialization.load_pem_private_key(vapid_key.read_bytes(), None).public_key()
    claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=endpoint.url)
    assert claims["sub"] == "mailto:push@numeros.app"
    # The log row commits with the consumer's batch, after the push has gone out.
    rows = await eventually(lambda: push_log(push_client.app, alice), what="the push log row")
    assert [(r["kind"], r["status"]) for r in rows] == [("match", "sent")]


async def _pushes(endpoint, name, count):
    return len(endpoint.pushes(name)) >= count


async def test_a_gone_subscription_is_removed(push_client, endpoint, infra, mint_token):
    user = new_id()
    endpoint.status["gone"] = 410
    subscription, _, _ = endpoint.subscription("gone")
    device_id = await register_web(push_client, mint_token(user), subscription)
    await create_match(push_client.app, infra.nats_url, (user, new_id()))
    await eventually(lambda: _no_device(push_client.app, device_id), what="the dead subscription's removal")
    assert len(endpoint.pushes("gone")) == 1


async def _no_device(app, device_id):
    return not await fetch_all(app, select(devices).where(devices.c.id == device_id))


async def test_a_failing_push_is_retried_then_dead_lettered(push_client, endpoint, infra, mint_token):
    user = new_id()
    endpoint.status["down"] = 503
    subscription, _, _ = endpoint.subscription("down")
    await register_web(push_client, mint_token(user), subscription)
    event = match_created(new_id(), (user, new_id()))
    await publish(infra.nats_url, event)
    nc = await nats.connect(infra.nats_url)
    try:
        js = nc.jetstream()
        subject = dead_letter_subject("chat-push", event.subject)

        async def dead_letter():
            try:
                found = await js.get_last_msg(DEADLETTER_STREAM, subject)
            except nats.js.errors.NotFoundError:
                return None
            return found if Envelope.model_validate_json(found.data).id == event.id else None

        letter = await eventually(dead_letter, what="the dead letter")
    finally:
        await nc.close()
    assert letter.headers["Numeros-Dead-Letter-Consumer"] == "chat-push"
    assert len(endpoint.pushes("down")) == 2  # NUMEROS_PUSH_MAX_ATTEMPTS
    assert await push_log(push_client.app, user) == []  # never recorded as sent


async def test_no_push_while_the_conversation_is_open_and_one_per_burst(push_client, infra, mint_token):
    runtime = push_client.app.state.runtime
    match_id, alice, bob = await create_match(push_client.app, infra.nats_url)
    url = f"/api/v1/matches/{match_id}/messages"

    async def send(text):
        reply = await push_client.post(url, json={"content": text}, headers=auth(mint_token(alice)))
        assert reply.status_code == 201
        return reply.json()["id"]

    async def statuses(count):
        rows = [r for r in await push_log(push_client.app, bob) if r["kind"] == "message"]
        return [r["status"] for r in rows] if len(rows) >= count else None

    await presence.enter(runtime, match_id, bob, "socket-1")
    await send("while looking")
    assert await eventually(lambda: statuses(1), what="first decision") == ["open"]
    await presence.leave(runtime, match_id, bob, "socket-1")
    await send("first of a burst")
    await send("second of a burst")
    assert await eventually(lambda: statuses(3), what="burst decisions") == ["open", "logged", "collapsed"]

    reply = await push_client.patch("/api/v1/notifications/settings", json={"new_messages": False},
                                    headers=auth(mint_token(bob)))
    assert reply.json() == {"new_matches": True, "new_messages": False, "message_previews": True}
    await send("muted")
    assert (await eventually(lambda: statuses(4), what="muted decision"))[-1] == "off"


async def test_devices_and_settings_over_rest(push_client, mint_token, endpoint):
    me, other = mint_token(new_id()), mint_token(new_id())
    assert (await push_client.get("/api/v1/notifications/settings", headers=auth(me))).json() == \
        {"new_matches": True, "new_messages": True, "message_previews": True}
    patched = await push_client.patch("/api/v1/notifications/settings", json={"message_previews": False},
                                      headers=auth(me))
    assert patched.json() == {"new_matches": True, "new_messages": True, "message_previews": False}
    assert (await push_client.get("/api/v1/notifications/settings",
                                  headers=auth(me))).json()["message_previews"] is False

    phone = await push_client.post("/api/v1/devices", json={"platform": "ios", "token": f"fcm-{new_id()}"},
                                   headers=auth(me))
    assert phone.status_code == 201 and phone.json()["platform"] == "ios"
    for bad in ({"platform": "web", "token": "x"}, {"platform": "android"}, {"platform": "fax", "token": "x"},
                {"platform": "web", "subscription": {"endpoint": "ftp://x", "keys": {"p256dh": "a", "auth": "b"}}}):
        reply = await push_client.post("/api/v1/devices", json=bad, headers=auth(me))
        assert reply.status_code == 422, (bad, reply.text)
    device = phone.json()["id"]
    assert (await push_client.delete(f"/api/v1/devices/{device}", headers=auth(other))).status_code == 404
    assert (await push_client.delete(f"/api/v1/devices/{device}", headers=auth(me))).status_code == 204
    assert (await push_client.delete(f"/api/v1/devices/{device}", headers=auth(me))).status_code == 404


async def test_a_deleted_person_is_erased(push_client, infra, mint_token):
    match_id, alice, bob = await create_match(push_client.app, infra.nats_url)
    url = f"/api/v1/matches/{match_id}/messages"
    for user, text in ((alice, "from alice"), (bob, "from bob")):
        assert (await push_client.post(url, json={"content": text}, headers=auth(mint_token(user)))).status_code == 201
    await push_client.post("/api/v1/devices", json={"platform": "android", "token": f"fcm-{new_id()}"},
                           headers=auth(mint_token(alice)))
    await publish(infra.nats_url, Envelope.wrap("identity", UserDeletedV1(user_id=alice)))

    async def erased():
        left = await fetch_all(push_client.app, select(messages).where(messages.c.sender_id == alice))
        phones = await fetch_all(push_client.app, select(devices).where(devices.c.user_id == alice))
        return not left and not phones

    await eventually(erased, what="the erasure")
    kept = await fetch_all(push_client.app, select(messages.c.content).where(messages.c.match_id == match_id))
    assert [r["content"] for r in kept] == ["from bob"]  # bob's own words are bob's
    reply = await push_client.get(url, headers=auth(mint_token(bob)))
    assert reply.status_code == 404  # the conversation ended with her


async def test_fcm_collapses_bursts_and_reports_dead_tokens(monkeypatch):
    from firebase_admin import messaging

    push = Push(user_id=1, title="New message", body="hi", collapse_key="chat-9", data={"match_id": "9"})
    device = Device(id=1, user_id=1, platform="android", address="token-1")
    message = FcmProvider.message(device, push)
    assert message.token == "token-1" and message.android.collapse_key == "chat-9"
    assert message.android.notification.tag == "chat-9"
    assert message.apns.headers == {"apns-collapse-id": "chat-9"}

    provider = FcmProvider.__new__(FcmProvider)
    provider.app = None

    def unregistered(msg, app=None):
        raise messaging.UnregisteredError("Requested entity was not found.")

    monkeypatch.setattr(messaging, "send", unregistered)
    with pytest.raises(DeadToken):
        await provider.send(device, push)
    sent = []
    monkeypatch.setattr(messaging, "send", lambda msg, app=None: sent.append(msg) or "projects/x/messages/1")
    await provider.send(device, push)
    assert sent[0].token == "token-1"
