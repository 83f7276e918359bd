"""The console over HTTP, in-process: sign-in rules, CSRF, the user actions and their audit rows."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from services.identity.console import service
from services.identity.console.sources import Caller, Unavailable
from services.identity.console.tables import admin_audit_log

from .conftest import csrf_of, register, sign_in


async def test_an_admin_signs_in_and_sees_the_overview(console) -> None:
    admin = await register(console, admin=True)
    reply = await sign_in(console, admin["email"])
    assert reply.status_code == 303 and reply.headers["location"] == "/admin/"
    cookie = reply.headers["set-cookie"]
    assert "numeros_admin=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = await console.get("/admin/")
    assert page.status_code == 200, page.text
    assert "Registered in all" in page.text and admin["email"] in page.text


async def test_a_person_without_the_admin_role_is_refused(console) -> None:
    person = await register(console)
    reply = await sign_in(console, person["email"])
    assert reply.status_code == 401
    assert "not an admin" in reply.text
    assert (await console.get("/admin/users")).status_code == 303


async def test_a_wrong_password_is_refused(console) -> None:
    admin = await register(console, admin=True)
    assert (await sign_in(console, admin["email"], "not-the-password")).status_code == 401


async def test_pages_without_a_session_go_to_sign_in(console) -> None:
    reply = await console.get("/admin/users?q=x")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/admin/login?next=%2Fadmin%2Fusers%3Fq%3Dx"


async def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(console) -> None:
    admin = await register(console, admin=True)
    target = await register(console, name="Target")
    await sign_in(console, admin["email"])
    reply = await console.post(f"/admin/users/{target['id']}/active", data={"value": "off"})
    assert reply.status_code == 403
    wrong = await console.post(f"/admin/users/{target['id']}/active", data={"value": "off", "csrf_token": "forged"})
    assert wrong.status_code == 403
    page = await console.get(f"/admin/users/{target['id']}")
    assert 'data-field="status">active<' in page.text


async def test_deactivation_ends_the_persons_tokens_and_is_audited(console) -> None:
    admin = await register(console, admin=True)
    target = await register(console, name="Target")
    bearer = {"Authorization": f"Bearer {target['token']}"}
    assert (await console.get("/api/v1/auth/me", headers=bearer)).status_code == 200
    await sign_in(console, admin["email"])
    page = await console.get(f"/admin/users/{target['id']}")
    reply = await console.post(f"/admin/users/{target['id']}/active",
                               data={"value": "off", "csrf_token": csrf_of(page.text)})
    assert reply.status_code == 303
    after = await console.get(reply.headers["location"])
    assert 'data-field="status">deactivated<' in after.text
    assert "deactivated; their sessions are ended" in after.text
    me = await console.get("/api/v1/auth/me", headers=bearer)
    assert me.status_code == 401 and me.json()["error"]["code"] == "SESSION_REVOKED"
    audit = await console.get("/admin/audit")
    assert 'data-audit="user.deactivated"' in audit.text and f"user {target['id']}" in audit.text


async def test_grant_and_revoke_premium_and_admin(console) -> None:
    admin = await register(console, admin=True)
    target = await register(console, name="Target")
    await sign_in(console, admin["email"])
    csrf = csrf_of((await console.get("/admin/")).text)
    for path, value in (("premium", "on"), ("admin", "on")):
        assert (await console.post(f"/admin/users/{target['id']}/{path}",
                                   data={"value": value, "csrf_token": csrf})).status_code == 303
    page = await console.get(f"/admin/users/{target['id']}")
    assert 'data-field="tier">premium<' in page.text and 'data-field="admin">yes<' in page.text
    assert (await console.post(f"/admin/users/{target['id']}/admin",
                               data={"value": "off", "csrf_token": csrf})).status_code == 303
    page = await console.get(f"/admin/users/{target['id']}")
    assert 'data-field="admin">no<' in page.text
    audit = (await console.get("/admin/audit")).text
    for action in ("premium.granted", "admin.granted", "admin.revoked", "sign_in"):
        assert f'data-audit="{action}"' in audit


async def test_an_unknown_user_is_a_404_page_and_bad_ids_name_the_field(console) -> None:
    admin = await register(console, admin=True)
    await sign_in(console, admin["email"])
    missing = await console.get("/admin/users/999999999999")
    assert missing.status_code == 404 and "No such user" in missing.text
    bad = await console.get("/admin/users/abc")
    assert bad.status_code == 400 and "user_id" in bad.text


async def test_search_finds_by_email_and_name(console) -> None:
    admin = await register(console, admin=True)
    target = await register(console, name="Searchable")
    await sign_in(console, admin["email"])
    found = await console.get("/admin/users", params={"q": target["email"][:18].upper()})
    assert f'<a href="/admin/users/{target["id"]}">' in found.text
    assert f'<a href="/admin/users/{admin["id"]}">' not in found.text


async def test_sign_out_ends_the_session(console) -> None:
    admin = await register(console, admin=True)
    await sign_in(console, admin["email"])
    csrf = csrf_of((await console.get("/admin/")).text)
    cookie = console.cookies.get("numeros_admin")
    out = await console.post("/admin/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/admin/login"
    console.cookies.set("numeros_admin", cookie)  # the old cookie, replayed
    assert (await console.get("/admin/")).status_code == 303


async def test_the_audit_log_pages_by_25_newest_first(console) -> None:
    admin = await register(console, admin=True)
    target = await register(console, name="Target")
    await sign_in(console, admin["email"])
    csrf = csrf_of((await console.get("/admin/")).text)
    for n in range(26):
        value = "on" if n % 2 == 0 else "off"
        assert (await console.post(f"/admin/users/{target['id']}/premium",
                                   data={"value": value, "csrf_token": csrf})).status_code == 303
    first = (await console.get("/admin/audit")).text
    assert first.count("<tr data-audit=") == 25
    assert first.index('data-audit="premium.revoked"') < first.index('data-audit="premium.granted"')  # newest first
    assert '<a href="?page=2" rel="next">' in first and 'rel="prev"' not in first
    second = (await console.get("/admin/audit?page=2")).text
    assert 'data-audit="premium.granted"' in second and '<a href="?page=1" rel="prev">' in second


class MatchingAnswers(Caller):
    """The console's caller, with matching's admin API answering from here: it notes which audit rows of the
    admin are committed (read on a connection of its own) at the moment matching is asked."""

    seen: list

    async def call(self, service_name: str, method: str, path: str, **_: object) -> httpx.Response:
        async with self.runtime.sessions() as other:
            self.seen.append(await audit_rows(other, self.admin_id))
        if path.endswith("/dismiss"):
            return httpx.Response(200, json={"id": 7, "status": "dismissed"})
        if path.endswith("/8/ban"):
            raise Unavailable("matching did not answer (ConnectError)")
        raise asyncio.CancelledError  # the console's process stops while matching acts


async def audit_rows(session, admin_id: int) -> list[tuple]:
    rows = await session.execute(select(admin_audit_log.c.action, admin_audit_log.c.target_id,
                                        admin_audit_log.c.status, admin_audit_log.c.details)
                                 .where(admin_audit_log.c.admin_user_id == admin_id).order_by(admin_audit_log.c.id))
    return [tuple(row) for row in rows]


async def test_an_action_another_service_carries_out_is_on_record_before_it_is_asked(console) -> None:
    runtime = console.app.state.runtime
    person = await register(console, admin=True)
    admin = service.Admin(person["id"], person["email"])
    caller = MatchingAnswers(runtime, console.app, admin.id, "console-session")
    caller.seen = []
    async with runtime.sessions() as session:
        await service.dismiss_report(session, caller, admin, 7)
    async with runtime.sessions() as session:
        with pytest.raises(Unavailable):
            await service.ban(session, caller, admin, 8)
    async with runtime.sessions() as session:
        with pytest.raises(asyncio.CancelledError):
            await service.ban(session, caller, admin, 9)
    dismissed, refused, cancelled = ("report.dismissed", "7"), ("report.banned", "8"), ("report.banned", "9")
    assert caller.seen == [
        [(*dismissed, "pending", {})],
        [(*dismissed, "done", {}), (*refused, "pending", {})],
        [(*dismissed, "done", {}), (*refused, "failed", {"error": "matching did not answer (ConnectError)"}),
         (*cancelled, "pending", {})]]
    async with runtime.sessions() as session:
        assert (await audit_rows(session, admin.id))[2] == (*cancelled, "pending", {})  # asked; outcome unknown
    await sign_in(console, admin.email)
    page = (await console.get("/admin/audit")).text
    assert 'data-audit="report.banned" data-status="failed"' in page and "report.banned (pending)" in page
