"""Accounts end to end inside identity, on real Postgres, Redis, NATS and the real chart service."""
import asyncio
import json
import uuid

import nats
import pytest
from sqlalchemy import func, select

from devstack.processes import free_port
from services.identity.accounts.tables import users
from services.identity.database import outbox

pytestmark = pytest.mark.asyncio


def new_user(**overrides):
    body = {"email": f"u{uuid.uuid4().hex[:12]}@example.com", "password": "s3cret-pass",
            "display_name": "Sarah", "birth_date": "1990-05-15", "birth_time": "14:30",
            "birth_place": "New York, USA"}
    body.update(overrides)
    return body


async def test_register_returns_token_user_and_numerology_from_chart(client):
    body = new_user()
    reply = await client.post("/api/v1/auth/register/", json=body)  # the mobile client's trailing slash
    assert reply.status_code == 201, reply.text
    data = reply.json()
    assert data["user"]["email"] == body["email"]
    # date + time + a place the gazetteer knows (its coordinates and zone): the full chart.
    assert data["user"]["chart_level"] == data["astrology"]["chart_level"] == 4
    assert data["astrology"]["birth"]["timezone"] == "America/New_York"
    # 1990-05-15: month 5; day 15 -> 6; year 1990 -> 19 -> 10 -> 1; 5 + 6 + 1 = 12 -> 3.
    # SARAH: S1 A1 R9 A1 H8 = 20 -> 2 (expression); vowels A1 A1 = 2 (soul urge); S1 R9 H8 = 18 -> 9.
    core = {k: data["numerology"][k] for k in ("life_path", "expression", "soul_urge", "personality")}
    assert core == {"life_path": 3, "expression": 2, "soul_urge": 2, "personality": 9}
    assert reply.headers["x-request-id"] and float(reply.headers["x-process-time"]) >= 0
    # astro-mvp's token fields beside the Numeros client's: the same JWT under both names.
    assert data["access_token"] == data["token"]
    assert (data["token_type"], data["expires_in"]) == ("bearer", 1800)

    for scheme in ("Bearer", "Token"):
        me = await client.get("/api/v1/auth/me", headers={"Authorization": f"{scheme} {data['token']}"})
        assert me.status_code == 200, me.text
        assert me.json()["user"]["id"] == data["user"]["id"]
    me = me.json()
    assert {k: me[k] for k in ("id", "email", "is_active", "is_admin", "tier")} == {
        "id": data["user"]["id"], "email": body["email"], "is_active": True, "is_admin": False, "tier": "standard"}
    assert me["created_at"] == data["user"]["created_at"]
    assert me["numerology"]["life_path"] == 3


async def test_astro_mvp_registers_with_email_and_password_alone(client):
    """The astro-mvp seed's step 1, field for field; the account has no profile, no chart, no event."""
    body = {"email": f"u{uuid.uuid4().hex[:12]}@example.com", "password": "SecurePass123"}
    reply = await client.post("/api/v1/auth/register", json=body)
    assert reply.status_code == 201, reply.text
    data = reply.json()
    assert (data["token_type"], data["expires_in"]) == ("bearer", 1800) and data["access_token"]
    assert (data["numerology"], data["astrology"]) == (None, None)
    assert (data["user"]["chart_level"], data["user"]["birth_date"], data["user"]["display_name"]) == (0, None, None)
    async with client.app.state.runtime.sessions() as session:
        events = await session.scalar(select(func.count()).select_from(outbox).where(
            outbox.c.envelope["data"]["user_id"].as_integer() == data["user"]["id"]))
    assert events == 0  # identity.user.registered needs a profile; matching has nobody to show yet

    login = await client.post("/api/v1/auth/login", json=body)
    assert login.status_code == 200 and login.json()["token_type"] == "bearer"
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = (await client.get("/api/v1/auth/me", headers=auth)).json()
    assert (me["email"], me["is_active"], me["is_admin"], me["numerology"]) == (body["email"], True, False, None)
    # Without birth data the forecast is the universal one, not an error.
    forecast = await client.get("/api/v1/forecast/2024-01-01", headers=auth)
    assert forecast.status_code == 200, forecast.text
    assert forecast.json() == (await client.get("/api/v1/forecast/2024-01-01")).json()
    logout = await client.post("/api/v1/auth/logout", headers=auth)
    assert (logout.status_code, logout.json()) == (200, {"message": "Logged out successfully"})


@pytest.mark.parametrize(("body", "field"), [
    ({"birth_date": "1990-05-15"}, "display_name"),
    ({"display_name": "Sarah", "birth_time": "14:30"}, "birth_date"),
    ({"latitude": 40.7, "longitude": -74.0}, "birth_date"),
])
async def test_profile_fields_come_together(client, body, field):
    reply = await client.post("/api/v1/auth/register", json={"email": f"u{uuid.uuid4().hex[:12]}@example.com",
                                                             "password": "SecurePass123", **body})
    assert reply.status_code == 422, reply.text
    assert [f["field"] for f in reply.json()["error"]["fields"]] == [field]


async def test_duplicate_email_is_409_naming_email_case_insensitively(client):
    body = new_user()
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    again = await client.post("/api/v1/auth/register", json={**body, "email": body["email"].upper()})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "EMAIL_TAKEN"
    assert again.json()["error"]["fields"][0]["field"] == "email"


@pytest.mark.parametrize(("change", "field"), [
    ({"birth_date": "1990-02-30"}, "birth_date"),
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"birth_date": None}, "birth_date"),
    ({"email": "not-an-email"}, "email"),
    ({"password": "short"}, "password"),
    ({"birth_time": "25:61"}, "birth_time"),
    ({"latitude": 40.7}, "longitude"),
    ({"latitude": 95, "longitude": 0}, "latitude"),
    ({"display_name": ""}, "display_name"),
])
async def test_bad_input_is_4xx_naming_the_field(client, change, field):
    body = {k: v for k, v in new_user(**change).items() if v is not None}
    reply = await client.post("/api/v1/auth/register", json=body)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["request_id"]
    assert any(field in f["field"] or field in f["message"] for f in error["fields"]), error


async def test_malformed_json_is_400(client):
    reply = await client.post("/api/v1/auth/register", content=b'{"email": ',
                              headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "MALFORMED_JSON"


async def test_login_refresh_logout_cycle(client):
    body = new_user()
    await client.post("/api/v1/auth/register", json=body)
    wrong = await client.post("/api/v1/auth/login", json={"email": body["email"], "password": "nope-nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"
    unknown = await client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x"})
    assert unknown.status_code == 401

    login = (await client.post("/api/v1/auth/login",
                               json={"email": body["email"], "password": body["password"]})).json()
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert refreshed.status_code == 200
    # (A replay of the rotated-away token ends the session: tests/test_sessions.py.)
    token = refreshed.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    logout = await client.post("/api/v1/auth/logout", headers=auth)
    assert (logout.status_code, logout.json()) == (200, {"message": "Logged out successfully"})
    after = await client.get("/api/v1/auth/me", headers=auth)
    assert after.status_code == 401 and after.json()["error"]["code"] == "SESSION_REVOKED"
    dead_refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]})
    assert dead_refresh.status_code == 401


async def test_me_requires_a_valid_token(client):
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    bad = await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "INVALID_TOKEN"


async def test_chart_down_gives_503_and_stores_nothing(make_identity_client):
    body = new_user()
    async with make_identity_client(NUMEROS_CHART_ADDR=f"127.0.0.1:{free_port()}",
                                    NUMEROS_CHART_DEADLINE_SECONDS="1") as client:
        reply = await client.post("/api/v1/auth/register", json=body)
        assert reply.status_code == 503
        assert reply.json()["error"]["code"] == "CHART_UNAVAILABLE"
        async with client.app.state.runtime.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(users).where(users.c.email == body["email"]))
        assert count == 0


async def _wait_for_event(nats_url: str, user_id: int, timeout: float = 15) -> dict:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe("identity.user.registered", ordered_consumer=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            try:
                msg = await sub.next_msg(timeout=1)
            except nats.errors.TimeoutError:
                continue
            envelope = json.loads(msg.data)
            if envelope["data"]["user_id"] == user_id:
                return envelope
        raise AssertionError(f"no identity.user.registered event for user {user_id}")
    finally:
        await nc.close()


async def test_registration_event_reaches_nats(client, infra):
    reply = await client.post("/api/v1/auth/register", json=new_user())
    user_id = reply.json()["user"]["id"]
    envelope = await _wait_for_event(infra.nats_url, user_id)
    assert envelope["schema_version"] == 1
    assert envelope["data"]["numerology"]["life_path"] == 3


async def test_registration_succeeds_while_nats_is_down_and_the_outbox_catches_up(client, infra):
    infra.nats.stop()
    try:
        reply = await client.post("/api/v1/auth/register", json=new_user())
        assert reply.status_code == 201, reply.text
        user_id = reply.json()["user"]["id"]
        # One relay pass with NATS down (rather than a sleep hoping the background relay has tried): it
        # publishes nothing and the event stays in the outbox.
        assert await client.app.state.runtime.relay.publish_pending() == 0
        async with client.app.state.runtime.sessions() as session:
            pending = await session.scalar(select(func.count()).select_from(outbox).where(
                outbox.c.published_at.is_(None), outbox.c.envelope["data"]["user_id"].as_integer() == user_id))
        assert pending == 1
    finally:
        infra.nats.start()
    envelope = await _wait_for_event(infra.nats_url, user_id, timeout=30)
    assert envelope["data"]["user_id"] == user_id
