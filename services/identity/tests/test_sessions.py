"""Sessions you can trust, inside identity on real Postgres, Redis, NATS and chart: the absolute lifetime
(the clock passed in), refresh reuse, deactivation, password change, forgot and reset, per-account login
throttling, the admin API's account changes and the admin bootstrap CLI. (Matching and chat refusing a
revoked token, also after Redis lost its data: tests/e2e/test_sessions.py.)"""
import asyncio
import datetime as dt
import hashlib
import logging
import os
import re
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select, update

from numeros_common.testing import eventually
from services.identity.accounts import service
from services.identity.accounts.mail import MailQueue
from services.identity.accounts.tables import outgoing_mails, password_reset_tokens, sessions, users
from services.identity.database import outbox

pytestmark = pytest.mark.asyncio
AUTH = "/api/v1/auth"
PASSWORD = "s3cret-pass"
DAY = dt.timedelta(days=1)


def new_email() -> str:
    return f"t{uuid.uuid4().hex[:12]}@example.com"


async def sign_up(client, email: str | None = None) -> dict:
    reply = await client.post(f"{AUTH}/register", json={"email": email or new_email(), "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    return reply.json()


async def login(client, email: str, password: str = PASSWORD):
    return await client.post(f"{AUTH}/login", json={"email": email, "password": password})


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def session_row(runtime, session_id: str):
    async with runtime.sessions() as db:
        return (await db.execute(select(sessions).where(sessions.c.id == uuid.UUID(session_id)))).mappings().one()


async def revoked_events(runtime, user_id: int) -> list[dict]:
    async with runtime.sessions() as db:
        rows = (await db.execute(select(outbox.c.envelope).where(
            outbox.c.subject == "identity.session.revoked",
            outbox.c.envelope["data"]["user_id"].as_integer() == user_id).order_by(outbox.c.created_at))).scalars()
        return [row["data"] for row in rows]


def session_id_of(tokens: dict) -> str:
    import jwt
    return jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]


async def session_signed_in_at(client, at: dt.datetime):
    """A new account's session started at ``at`` (the clock passed in), through the use-case."""
    runtime = client.app.state.runtime
    email = new_email()
    await sign_up(client, email)
    async with runtime.sessions() as db:
        user = await service.repository.find_by_email(db, email)
        tokens = await service.start_session(runtime, db, user, at)
        await db.commit()
    return tokens


async def test_rotation_never_carries_a_session_past_its_absolute_lifetime(client):
    runtime = client.app.state.runtime
    signed_in = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    tokens = await session_signed_in_at(client, signed_in)
    async with runtime.sessions() as db:
        refresh = tokens.refresh_token
        # 30 days (the default session_max_age_seconds) from sign-in, refreshed on days 10, 20 and 29.
        for day in (10, 20, 29):
            refresh = (await service.refresh(runtime, db, refresh, now=signed_in + day * DAY)).tokens.refresh_token
    row = await session_row(runtime, tokens.session_id)
    assert row["absolute_expires_at"] == row["expires_at"] == dt.datetime(2030, 1, 31, tzinfo=dt.UTC)
    async with runtime.sessions() as db:
        with pytest.raises(service.AppError) as lapsed:
            await service.refresh(runtime, db, refresh, now=dt.datetime(2030, 1, 31, 0, 0, 1, tzinfo=dt.UTC))
    assert (lapsed.value.status, lapsed.value.code) == (401, "INVALID_REFRESH_TOKEN")


async def test_a_reused_refresh_token_ends_the_whole_session(client):
    runtime = client.app.state.runtime
    account = await sign_up(client)
    first = (await client.post(f"{AUTH}/refresh", json={"refresh_token": account["refresh_token"]})).json()
    second = await client.post(f"{AUTH}/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert (await client.get(f"{AUTH}/me", headers=bearer(second.json()))).status_code == 200

    replay = await client.post(f"{AUTH}/refresh", json={"refresh_token": account["refresh_token"]})
    assert (replay.status_code, replay.json()["error"]["code"]) == (401, "INVALID_REFRESH_TOKEN")
    # The newest tokens of that session stop working too.
    newest = await client.post(f"{AUTH}/refresh", json={"refresh_token": second.json()["refresh_token"]})
    assert newest.status_code == 401
    me = await client.get(f"{AUTH}/me", headers=bearer(second.json()))
    assert (me.status_code, me.json()["error"]["code"]) == (401, "SESSION_REVOKED")
    sid = session_id_of(account)
    assert (await session_row(runtime, sid))["revoked_reason"] == "refresh_reuse"
    events = await revoked_events(runtime, account["user"]["id"])
    assert [(e["session_id"], e["reason"]) for e in events] == [(sid, "refresh_reuse")]


async def test_a_refresh_retried_after_a_lost_reply_gets_the_same_token_and_keeps_the_session(client):
    account = await sign_up(client)
    lost = await client.post(f"{AUTH}/refresh", json={"refresh_token": account["refresh_token"]})
    assert lost.status_code == 200  # the app never saw this reply
    retried = await client.post(f"{AUTH}/refresh", json={"refresh_token": account["refresh_token"]})
    assert retried.status_code == 200, retried.text
    assert retried.json()["refresh_token"] == lost.json()["refresh_token"]
    assert (await client.get(f"{AUTH}/me", headers=bearer(retried.json()))).status_code == 200
    onward = await client.post(f"{AUTH}/refresh", json={"refresh_token": retried.json()["refresh_token"]})
    assert onward.status_code == 200
    assert (await client.get(f"{AUTH}/me", headers=bearer(onward.json()))).status_code == 200
    assert (await session_row(client.app.state.runtime, session_id_of(account)))["revoked_at"] is None


async def test_a_double_submitted_refresh_answers_both_with_the_one_current_token(client):
    import asyncio

    account = await sign_up(client)
    replies = await asyncio.gather(*(client.post(f"{AUTH}/refresh", json={"refresh_token": account["refresh_token"]})
                                     for _ in range(2)))
    assert [r.status_code for r in replies] == [200, 200]
    assert replies[0].json()["refresh_token"] == replies[1].json()["refresh_token"]
    onward = await client.post(f"{AUTH}/refresh", json={"refresh_token": replies[0].json()["refresh_token"]})
    assert onward.status_code == 200


async def test_a_retired_token_presented_after_the_grace_ends_the_session(client):
    runtime = client.app.state.runtime
    rotated = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    tokens = await session_signed_in_at(client, rotated)
    async with runtime.sessions() as db:
        await service.refresh(runtime, db, tokens.refresh_token, now=rotated)
        grace = dt.timedelta(seconds=runtime.settings.refresh_retry_grace_seconds)
        again = await service.refresh(runtime, db, tokens.refresh_token, now=rotated + grace)  # the last moment
        with pytest.raises(service.AppError) as late:
            await service.refresh(runtime, db, tokens.refresh_token, now=rotated + grace + dt.timedelta(seconds=1))
    assert (late.value.status, late.value.code) == (401, "INVALID_REFRESH_TOKEN")
    row = await session_row(runtime, tokens.session_id)
    assert row["revoked_reason"] == "refresh_reuse"
    async with runtime.sessions() as db:
        with pytest.raises(service.AppError):
            await service.refresh(runtime, db, again.tokens.refresh_token, now=rotated + grace)


async def test_a_disabled_account_cannot_refresh(client):
    runtime = client.app.state.runtime
    account = await sign_up(client)
    async with runtime.sessions() as db:  # disabled in the table alone: no revocation to lean on
        await db.execute(update(users).where(users.c.id == account["user"]["id"]).values(is_active=False))
        await db.commit()
    refused = await client.post(f"{AUTH}/refresh", json={"refresh_token": account["refresh_token"]})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ACCOUNT_DISABLED")


async def test_password_change_ends_the_other_sessions(client):
    runtime = client.app.state.runtime
    account = await sign_up(client)
    email = account["user"]["email"]
    other = (await login(client, email)).json()
    change = f"{AUTH}/password/change"
    wrong = await client.post(change, headers=bearer(account), json={"current_password": "not-it-at-all",
                                                                     "new_password": "n3w-secret-pass"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "WRONG_PASSWORD")
    assert wrong.json()["error"]["fields"][0]["field"] == "current_password"
    short = await client.post(change, headers=bearer(account), json={"current_password": PASSWORD,
                                                                     "new_password": "short"})
    assert short.status_code == 422 and short.json()["error"]["fields"][0]["field"] == "new_password"

    done = await client.post(change, headers=bearer(account), json={"current_password": PASSWORD,
                                                                    "new_password": "n3w-secret-pass"})
    assert done.status_code == 200, done.text
    assert (await client.get(f"{AUTH}/me", headers=bearer(account))).status_code == 200
    gone = await client.get(f"{AUTH}/me", headers=bearer(other))
    assert (gone.status_code, gone.json()["error"]["code"]) == (401, "SESSION_REVOKED")
    assert (await client.post(f"{AUTH}/refresh", json={"refresh_token": other["refresh_token"]})).status_code == 401
    assert (await login(client, email)).status_code == 401
    assert (await login(client, email, "n3w-secret-pass")).status_code == 200
    events = await revoked_events(runtime, account["user"]["id"])
    assert [(e["session_id"], e["reason"]) for e in events] == [(session_id_of(other), "password_changed")]


def mailed_token(caplog, email: str) -> str | None:
    for record in caplog.records:
        if getattr(record, "mail_to", None) == email:
            return re.search(r"Reset token: (\S+)", record.mail_body).group(1)
    return None


async def test_forgot_and_reset_one_time_expiring_no_enumeration(client, caplog):
    caplog.set_level(logging.INFO, logger="services.identity.accounts.mail")
    runtime = client.app.state.runtime
    account = await sign_up(client)
    email = account["user"]["email"]
    known = await client.post(f"{AUTH}/password/forgot", json={"email": email})
    unknown = await client.post(f"{AUTH}/password/forgot", json={"email": new_email()})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.json()["message"] == "If an account exists for this email, a reset link has been sent to it."

    async def token():
        return mailed_token(caplog, email)
    mailed = await eventually(token, what="the console mail provider's reset mail")
    async with runtime.sessions() as db:
        stored = (await db.execute(select(password_reset_tokens).where(
            password_reset_tokens.c.user_id == account["user"]["id"]))).mappings().one()
    assert stored["token_hash"] == hashlib.sha256(mailed.encode()).hexdigest()  # only the hash is kept
    assert stored["expires_at"] - stored["created_at"] == dt.timedelta(minutes=30)

    reset = await client.post(f"{AUTH}/password/reset", json={"token": mailed, "new_password": "r3set-password"})
    assert reset.status_code == 200, reset.text
    again = await client.post(f"{AUTH}/password/reset", json={"token": mailed, "new_password": "other-password"})
    assert (again.status_code, again.json()["error"]["code"]) == (401, "INVALID_RESET_TOKEN")
    assert again.json()["error"]["fields"][0]["field"] == "token"
    gone = await client.get(f"{AUTH}/me", headers=bearer(account))  # every session ended
    assert (gone.status_code, gone.json()["error"]["code"]) == (401, "SESSION_REVOKED")
    assert (await login(client, email, "r3set-password")).status_code == 200
    assert [e["session_id"] for e in await revoked_events(runtime, account["user"]["id"])] == [None]

    # A token past its 30 minutes is refused (its expiry moved into the past, as the clock would).
    await client.post(f"{AUTH}/password/forgot", json={"email": email})
    caplog.clear()
    await client.post(f"{AUTH}/password/forgot", json={"email": email})
    late = await eventually(token, what="a second reset mail")
    async with runtime.sessions() as db:
        await db.execute(update(password_reset_tokens).where(
            password_reset_tokens.c.token_hash == hashlib.sha256(late.encode()).hexdigest())
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        await db.commit()
    expired = await client.post(f"{AUTH}/password/reset", json={"token": late, "new_password": "too-late-pass"})
    assert (expired.status_code, expired.json()["error"]["code"]) == (401, "INVALID_RESET_TOKEN")


class RecordingMail:
    """A mail provider that fails its first ``failures`` sends, or (``hang``) never returns from one."""

    def __init__(self, failures: int = 0, hang: bool = False) -> None:
        self.failures, self.hang = failures, hang
        self.sent: list = []
        self.entered = asyncio.Event()

    async def send(self, mail) -> None:
        self.entered.set()
        if self.hang:
            await asyncio.Event().wait()
        if self.failures:
            self.failures -= 1
            raise ConnectionError("smtp: connection refused")
        self.sent.append(mail)


async def reset_mail_row(runtime, email: str):
    async with runtime.sessions() as db:
        return (await db.execute(select(outgoing_mails).where(outgoing_mails.c.recipient == email))).mappings().one()


async def test_reset_mail_interrupted_mid_send_goes_out_once_after_the_restart(make_identity_client, caplog):
    caplog.set_level(logging.INFO, logger="services.identity.accounts.mail")
    async with make_identity_client() as client:
        email = (await sign_up(client))["user"]["email"]
        client.app.state.runtime.state["mail"] = hanging = RecordingMail(hang=True)
        assert (await client.post(f"{AUTH}/password/forgot", json={"email": email})).status_code == 202
        await asyncio.wait_for(hanging.entered.wait(), 15)
    # The process stopped while the mail was being handed over: it went nowhere, and is still to send.
    assert hanging.sent == [] and mailed_token(caplog, email) is None
    async with make_identity_client() as client:  # the restart: the worker sends it on start

        async def token():
            return mailed_token(caplog, email)
        mailed = await eventually(token, what="the reset mail sent after the restart")
        runtime = client.app.state.runtime
        await runtime.state["mail_queue"].send_due()
        assert len([r for r in caplog.records if getattr(r, "mail_to", None) == email]) == 1
        row = await reset_mail_row(runtime, email)
        assert (row["sent_at"] is not None, row["body"], row["attempts"]) == (True, None, 0)  # the link is gone
        reset = await client.post(f"{AUTH}/password/reset", json={"token": mailed, "new_password": "r3set-password"})
        assert reset.status_code == 200, reset.text


async def test_reset_mail_is_retried_with_backoff_and_sent_by_one_sender(make_identity_client):
    async with make_identity_client(NUMEROS_MAIL_POLL_SECONDS="3600") as client:  # only the request wakes it
        runtime = client.app.state.runtime
        email = (await sign_up(client))["user"]["email"]
        runtime.state["mail"] = flaky = RecordingMail(failures=1)
        assert (await client.post(f"{AUTH}/password/forgot", json={"email": email})).status_code == 202

        async def tried():
            row = await reset_mail_row(runtime, email)
            return row if row["attempts"] else None
        row = await eventually(tried, what="the first, failed, send")
        assert (row["attempts"], row["sent_at"], row["last_error"]) == (
            1, None, "ConnectionError('smtp: connection refused')")
        first_try = row["next_attempt_at"] - dt.timedelta(seconds=2)  # the first retry waits 2 s
        assert row["created_at"] <= first_try and row["body"] is not None
        early = row["next_attempt_at"] - dt.timedelta(milliseconds=1)
        await runtime.state["mail_queue"].send_due(early)
        assert [m.to for m in flaky.sent if m.to == email] == []
        # Two senders (two replicas) at once: one sends it.
        await asyncio.gather(runtime.state["mail_queue"].send_due(row["next_attempt_at"]),
                             MailQueue(runtime).send_due(row["next_attempt_at"]))
        assert [m.to for m in flaky.sent if m.to == email] == [email]
        assert "Reset token: " in next(m.body for m in flaky.sent if m.to == email)
        row = await reset_mail_row(runtime, email)
        assert (row["sent_at"], row["body"]) == (row["next_attempt_at"], None)
        # The closed row is kept a week (whether and when it went out), then deleted.
        week = dt.timedelta(days=7)
        await runtime.state["mail_queue"].purge(row["sent_at"] + week)
        assert (await reset_mail_row(runtime, email))["id"] == row["id"]
        await runtime.state["mail_queue"].purge(row["sent_at"] + week + dt.timedelta(microseconds=1))
        async with runtime.sessions() as db:
            assert (await db.execute(
                select(outgoing_mails.c.id).where(outgoing_mails.c.recipient == email))).all() == []


async def test_a_reset_mail_not_sent_before_its_link_expires_is_abandoned(make_identity_client):
    async with make_identity_client(NUMEROS_MAIL_POLL_SECONDS="3600") as client:
        runtime = client.app.state.runtime
        email = (await sign_up(client))["user"]["email"]
        runtime.state["mail"] = down = RecordingMail(failures=100)
        await client.post(f"{AUTH}/password/forgot", json={"email": email})

        async def tried():
            row = await reset_mail_row(runtime, email)
            return row if row["attempts"] else None
        row = await eventually(tried, what="the first, failed, send")
        runtime.state["mail"] = RecordingMail()
        await runtime.state["mail_queue"].send_due(row["send_before"])
        row = await reset_mail_row(runtime, email)
        assert (row["abandoned_at"], row["sent_at"], row["body"]) == (row["send_before"], None, None)
        assert down.failures == 99 and [m for m in runtime.state["mail"].sent if m.to == email] == []


async def test_failed_logins_are_throttled_per_account_alike_for_unknown_accounts(make_identity_client):
    async with make_identity_client(NUMEROS_LOGIN_FAILURE_LIMIT="3/minute") as client:
        email = (await sign_up(client))["user"]["email"]
        for who in (email, new_email()):
            statuses = [(await login(client, who, "wrong-password")).status_code for _ in range(3)]
            assert statuses == [401, 401, 401], who
            throttled = await login(client, who, "wrong-password")
            assert throttled.status_code == 429, who
            assert throttled.json()["error"]["code"] == "TOO_MANY_ATTEMPTS"
            assert 1 <= int(throttled.headers["retry-after"]) <= 60
            # Even the right password waits: guessing cannot go on.
            assert (await login(client, who)).status_code == 429
        # Another account is not affected.
        other = (await sign_up(client))["user"]["email"]
        assert (await login(client, other)).status_code == 200


async def test_admin_grants_and_revokes_admin_and_deactivates(client, admin):
    runtime = client.app.state.runtime
    person = await sign_up(client)
    uid = person["user"]["id"]
    url = f"/api/v1/admin/users/{uid}"
    refused = await client.patch(url, headers=bearer(person), json={"is_admin": True})
    assert (refused.status_code, refused.json()["error"]) == (403, "AUTHORIZATION_ERROR")  # astro-mvp dialect

    granted = await client.patch(url, headers=admin, json={"is_admin": True, "tier": "premium"})
    assert granted.json() == {"id": uid, "email": person["user"]["email"], "tier": "premium", "is_active": True,
                              "is_admin": True}
    as_admin = (await login(client, person["user"]["email"])).json()
    assert (await client.get("/api/v1/admin/stats", headers=bearer(as_admin))).status_code == 200
    await client.patch(url, headers=admin, json={"is_admin": False})
    # Its token still says admin, which matching's and chat's admin APIs read: the revocation ends its sessions,
    # so no service takes it (identity's admin API also asks the record).
    demoted = await client.get("/api/v1/admin/stats", headers=bearer(as_admin))
    assert (demoted.status_code, demoted.json()["error"]) == (401, "AUTHENTICATION_ERROR")
    assert (await client.get(f"{AUTH}/me", headers=bearer(as_admin))).json()["error"]["code"] == "SESSION_REVOKED"
    as_admin = (await login(client, person["user"]["email"])).json()  # signed in again: an ordinary token
    assert (await client.get("/api/v1/admin/stats", headers=bearer(as_admin))).status_code == 403

    empty = await client.patch(url, headers=admin, json={})
    assert empty.status_code == 400 and empty.json()["error"] == "VALIDATION_ERROR"
    off = await client.patch(url, headers=admin, json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    gone = await client.get(f"{AUTH}/me", headers=bearer(as_admin))
    assert (gone.status_code, gone.json()["error"]["code"]) == (401, "SESSION_REVOKED")
    assert (await login(client, person["user"]["email"])).status_code == 403
    assert [(e["session_id"], e["reason"]) for e in await revoked_events(runtime, uid)] == [
        (None, "admin_revoked"), (None, "deactivated")]
    assert (await client.patch(url, headers=admin, json={"is_active": True})).json()["is_active"] is True
    assert (await login(client, person["user"]["email"])).status_code == 200
    missing = await client.patch("/api/v1/admin/users/999999999999", headers=admin, json={"is_active": False})
    assert missing.status_code == 404


async def test_deactivation_tells_discovery(client, admin):
    runtime = client.app.state.runtime
    reply = await client.post(f"{AUTH}/register", json={"email": new_email(), "password": PASSWORD,
                                                        "display_name": "Dana", "birth_date": "1991-02-03"})
    uid = reply.json()["user"]["id"]
    await client.patch(f"/api/v1/admin/users/{uid}", headers=admin, json={"is_active": False})
    async with runtime.sessions() as db:
        updates = (await db.execute(select(outbox.c.envelope).where(
            outbox.c.subject == "identity.user.updated",
            outbox.c.envelope["data"]["user_id"].as_integer() == uid))).scalars().all()
    assert [(u["data"]["active"], u["data"]["display_name"]) for u in updates] == [(False, "Dana")]


def run_cli(identity_env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.identity", "admin", "create", *args],
                          env={**os.environ, **identity_env}, capture_output=True, text=True, timeout=60)


async def test_admin_cli_creates_and_promotes(client, identity_env):
    email = new_email()
    created = run_cli(identity_env, "--email", email, "--password", "b00tstrap-pass")
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith(f"created admin {email} (id ")
    me = (await client.get(f"{AUTH}/me", headers=bearer((await login(client, email, "b00tstrap-pass")).json()))).json()
    assert me["is_admin"] is True

    person = await sign_up(client)
    promoted = run_cli(identity_env, "--email", person["user"]["email"].upper(), "--password", "ignored-pass")
    assert promoted.returncode == 0, promoted.stderr
    assert "promoted to admin" in promoted.stdout and "password is unchanged" in promoted.stdout
    again = (await login(client, person["user"]["email"])).json()  # the old password still works
    assert (await client.get("/api/v1/admin/stats", headers=bearer(again))).status_code == 200
    assert run_cli(identity_env, "--email", "not-an-email").returncode == 2
