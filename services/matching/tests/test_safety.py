"""Unmatch, blocks and reports over HTTP, and the admin review of reports, on the real stack. identity's
admin API is a recording HTTP server speaking its contract (PATCH /api/v1/admin/users/{id} with
{"is_active": false}); its own tests cover identity's side."""
from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import pytest_asyncio

from numeros_common.testing import stream_events
from services.matching.database import outbox

from .conftest import Harness, _harness, new_user_id


async def match(harness: Harness, a: int, b: int) -> int:
    await harness.resonate(a, b)
    return (await harness.resonate(b, a)).json()["match"]["id"]


async def listed(harness: Harness, user_id: int) -> list[int]:
    return [m["id"] for m in (await harness.client.get("/api/v1/matches", headers=harness.auth(user_id))).json()[
        "matches"]]


async def published(harness: Harness, subject: str, predicate) -> list:
    async def probe():
        if await harness.count(outbox, outbox.c.subject == subject, outbox.c.published_at.is_(None)):
            return None
        found = [e for e in await stream_events(harness.js, subject) if predicate(e.data)]
        return found or None

    return await harness.wait_for(probe, f"{subject} on the stream")


@pytest.mark.asyncio
async def test_unmatch_ends_the_match_for_both(harness: Harness) -> None:
    a, b, stranger = await harness.register_many(3)
    match_id = await match(harness, a, b)
    theirs = await match(harness, b, stranger)
    reply = await harness.client.delete(f"/api/v1/matches/{theirs}", headers=harness.auth(a))  # not a's
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "MATCH_NOT_FOUND"

    reply = await harness.client.delete(f"/api/v1/matches/{match_id}/", headers=harness.auth(a))
    assert reply.status_code == 204 and reply.content == b""
    assert match_id not in await listed(harness, a) and match_id not in await listed(harness, b)
    assert (await harness.client.get(f"/api/v1/matches/{match_id}", headers=harness.auth(b))).status_code == 404
    again = await harness.client.delete(f"/api/v1/matches/{match_id}", headers=harness.auth(b))
    assert again.status_code == 404
    (event,) = await published(harness, "matching.match.removed", lambda d: d["match_id"] == match_id)
    assert event.data == {"match_id": match_id, "user_ids": sorted([a, b]), "reason": "unmatched"}
    # Neither sees the other again, and liking again does not rematch them.
    assert b not in [p["id"] for p in await harness.scan_all(a)]
    assert (await harness.resonate(a, b)).json() == {"is_match": False, "match": None}


@pytest.mark.asyncio
async def test_a_block_unmatches_and_hides_both_ways(harness: Harness) -> None:
    blocker, blocked, other = await harness.register_many(3)
    match_id = await match(harness, blocker, blocked)
    assert blocker in [p["id"] for p in await harness.scan_all(other)]

    reply = await harness.client.post("/api/v1/blocks", json={"user_id": blocked}, headers=harness.auth(blocker))
    assert reply.status_code == 201, reply.text
    assert reply.json()["user_id"] == blocked
    again = await harness.client.post("/api/v1/blocks/", json={"user_id": blocked}, headers=harness.auth(blocker))
    assert again.status_code == 200 and again.json()["created_at"] == reply.json()["created_at"]

    assert await listed(harness, blocker) == [] and await listed(harness, blocked) == []
    (removed,) = await published(harness, "matching.match.removed", lambda d: d["match_id"] == match_id)
    assert removed.data["reason"] == "blocked"
    (event,) = await published(harness, "matching.block.created", lambda d: d["blocker_id"] == blocker)
    assert event.data == {"blocker_id": blocker, "blocked_id": blocked, "match_id": match_id}
    # Hidden both ways, in scan, resonance and evaluate; others still see both.
    assert blocked not in [p["id"] for p in await harness.scan_all(blocker)]
    assert blocker not in [p["id"] for p in await harness.scan_all(blocked)]
    for me, target in ((blocked, blocker), (blocker, blocked)):
        reply = await harness.resonate(me, target)
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "USER_NOT_FOUND"
        reply = await harness.client.post("/api/v1/scan/evaluate", json={"target_user_id": target},
                                          headers=harness.auth(me))
        assert reply.status_code == 404
    assert blocker in [p["id"] for p in await harness.scan_all(other)]

    blocks = (await harness.client.get("/api/v1/blocks", headers=harness.auth(blocker))).json()["blocks"]
    assert [(b["user_id"], b["display_name"]) for b in blocks] == [(blocked, "Test User")]
    assert (await harness.client.get("/api/v1/blocks", headers=harness.auth(blocked))).json() == {"blocks": []}
    assert (await harness.client.delete(f"/api/v1/blocks/{blocked}", headers=harness.auth(blocker))).status_code == 204
    reply = await harness.client.delete(f"/api/v1/blocks/{blocked}", headers=harness.auth(blocker))
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "BLOCK_NOT_FOUND"
    assert await listed(harness, blocker) == []  # unblocking does not bring the match back


@pytest.mark.asyncio
async def test_a_block_without_a_match_carries_no_match_id(harness: Harness) -> None:
    blocker, blocked = await harness.register_many(2)
    reply = await harness.client.post("/api/v1/blocks", json={"user_id": blocked}, headers=harness.auth(blocker))
    assert reply.status_code == 201
    (event,) = await published(harness, "matching.block.created", lambda d: d["blocker_id"] == blocker)
    assert event.data["match_id"] is None


@pytest.mark.asyncio
async def test_block_and_report_input_errors(harness: Harness) -> None:
    me = await harness.register()
    for path, extra in (("/api/v1/blocks", {}), ("/api/v1/reports", {"reason": "spam_or_scam"})):
        reply = await harness.client.post(path, json={"user_id": me, **extra}, headers=harness.auth(me))
        assert reply.status_code == 409 and reply.json()["error"]["code"] == "SELF_TARGET"
        reply = await harness.client.post(path, json={"user_id": new_user_id(), **extra}, headers=harness.auth(me))
        assert reply.status_code == 404 and reply.json()["error"]["fields"][0]["field"] == "user_id"
        for body, field in (({}, "user_id"), ({"user_id": 0, **extra}, "user_id"),
                            ({"user_id": "x", **extra}, "user_id")):
            reply = await harness.client.post(path, json=body, headers=harness.auth(me))
            assert reply.status_code == 422 and field in [f["field"] for f in reply.json()["error"]["fields"]]
        assert (await harness.client.post(path, json={"user_id": me, **extra})).status_code == 401
    other = await harness.register()
    for body, field in (({"user_id": other, "reason": "rude"}, "reason"), ({"user_id": other}, "reason"),
                        ({"user_id": other, "reason": "other", "details": "x" * 1001}, "details"),
                        ({"user_id": other, "reason": "other", "details": "a\x00b"}, "details")):
        reply = await harness.client.post("/api/v1/reports", json=body, headers=harness.auth(me))
        assert reply.status_code == 422 and field in [f["field"] for f in reply.json()["error"]["fields"]], body
    for bad in ("0", "abc", str(2**53)):
        assert (await harness.client.delete(f"/api/v1/blocks/{bad}", headers=harness.auth(me))).status_code == 422


class IdentityAdminStub:
    """A real HTTP server standing in for identity's admin API: records each request, answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_PATCH(self) -> None:  # noqa: N802 - the stdlib's spelling
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append({"path": self.path, "body": body,
                                      "authorization": self.headers.get("Authorization")})
                payload = json.dumps({"id": int(self.path.rsplit("/", 1)[1]), "is_active": False}).encode()
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def identity_admin() -> Iterator[IdentityAdminStub]:
    stub = IdentityAdminStub()
    try:
        yield stub
    finally:
        stub.close()


@pytest_asyncio.fixture
async def admin_harness(matching_migrated, service_env, mint_token, chart_server, identity_admin,
                        monkeypatch) -> AsyncIterator[Harness]:
    env = {**service_env("matching"), "NUMEROS_CHART_ADDR": chart_server.addr,
           "NUMEROS_IDENTITY_URL": identity_admin.url}
    async for running in _harness(env, mint_token, monkeypatch):
        yield running


def admin_auth(harness: Harness) -> dict[str, str]:
    return {"Authorization": f"Bearer {harness.mint_token(new_user_id(), is_admin=True)}"}


@pytest.mark.asyncio
async def test_reports_reach_the_admins_newest_first(admin_harness: Harness) -> None:
    harness = admin_harness
    reporter, first, second = await harness.register_many(3)
    made = []
    for target, reason, details in ((first, "fake_profile", ""), (second, "harassment", "Kept messaging after no")):
        reply = await harness.client.post("/api/v1/reports", json={"user_id": target, "reason": reason,
                                                                   **({"details": details} if details else {})},
                                          headers=harness.auth(reporter))
        assert reply.status_code == 201, reply.text
        body = reply.json()
        assert (body["user_id"], body["reason"], body["details"], body["status"]) == (target, reason, details, "open")
        made.append(body["id"])
    admin = admin_auth(harness)
    listing = (await harness.client.get("/api/v1/admin/reports", params={"limit": 200}, headers=admin)).json()
    mine = [r for r in listing["reports"] if r["id"] in made]
    assert [r["id"] for r in mine] == made[::-1]  # newest first
    assert mine[0]["reported_user"] == {"id": second, "display_name": "Test User", "active": True}
    assert mine[0]["reporter_id"] == reporter and listing["total"] >= 2
    one = await harness.client.get(f"/api/v1/admin/reports/{made[0]}", headers=admin)
    assert one.status_code == 200 and one.json()["reason"] == "fake_profile"

    dismissed = await harness.client.post(f"/api/v1/admin/reports/{made[0]}/dismiss", headers=admin)
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["reviewed_at"] is not None
    only_open = (await harness.client.get("/api/v1/admin/reports", params={"status": "open", "limit": 200},
                                          headers=admin)).json()["reports"]
    assert made[0] not in [r["id"] for r in only_open] and made[1] in [r["id"] for r in only_open]


@pytest.mark.asyncio
async def test_admin_reports_speak_the_astro_mvp_admin_dialect(admin_harness: Harness) -> None:
    harness = admin_harness
    user = await harness.register()
    reply = await harness.client.get("/api/v1/admin/reports", headers=harness.auth(user))
    assert reply.status_code == 403
    assert set(reply.json()) == {"error", "message", "details", "request_id"}
    assert reply.json()["error"] == "AUTHORIZATION_ERROR"
    assert (await harness.client.get("/api/v1/admin/reports")).json()["error"] == "AUTHENTICATION_ERROR"
    missing = await harness.client.get("/api/v1/admin/reports/987654321987", headers=admin_auth(harness))
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND_ERROR"
    for params in ({"status": "closed"}, {"limit": 0}, {"limit": 201}, {"offset": -1}):
        reply = await harness.client.get("/api/v1/admin/reports", params=params, headers=admin_auth(harness))
        assert reply.status_code == 400 and reply.json()["error"] == "VALIDATION_ERROR", params


@pytest.mark.asyncio
async def test_a_ban_deactivates_the_account_in_identity(admin_harness: Harness, identity_admin) -> None:
    harness = admin_harness
    reporter, other_reporter, reported, viewer = await harness.register_many(4)
    match_id = await match(harness, viewer, reported)
    report_ids = []
    for who in (reporter, other_reporter):
        reply = await harness.client.post("/api/v1/reports", json={"user_id": reported, "reason": "spam_or_scam"},
                                          headers=harness.auth(who))
        report_ids.append(reply.json()["id"])
    admin = admin_auth(harness)

    identity_admin.status = 503  # identity cannot do it: nothing changes here
    reply = await harness.client.post(f"/api/v1/admin/reports/{report_ids[0]}/ban", headers=admin)
    assert reply.status_code == 502 and reply.json()["details"] == "IDENTITY_ERROR"
    assert (await harness.client.get(f"/api/v1/admin/reports/{report_ids[0]}",
                                     headers=admin)).json()["status"] == "open"

    identity_admin.status = 200
    reply = await harness.client.post(f"/api/v1/admin/reports/{report_ids[0]}/ban", headers=admin)
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "banned" and reply.json()["reported_user"]["active"] is False
    assert identity_admin.requests[-1] == {"path": f"/api/v1/admin/users/{reported}", "body": {"is_active": False},
                                           "authorization": admin["Authorization"]}
    # Every open report about them is settled; they are gone from scan and from match lists.
    other = (await harness.client.get(f"/api/v1/admin/reports/{report_ids[1]}", headers=admin)).json()
    assert other["status"] == "banned"
    assert reported not in [p["id"] for p in await harness.scan_all(reporter)]
    assert match_id not in await listed(harness, viewer)


@pytest.mark.asyncio
async def test_a_double_submitted_report_is_filed_once(harness: Harness) -> None:
    """The same report sent twice at once (a retry on a weak connection) is one report in the moderators'
    queue; both answers carry it."""
    import asyncio

    from services.matching.safety.tables import reports

    reporter, reported = await harness.register_many(2)
    body = {"user_id": reported, "reason": "harassment", "details": "Kept messaging after no"}
    replies = await asyncio.gather(*(harness.client.post("/api/v1/reports", json=body, headers=harness.auth(reporter))
                                     for _ in range(2)))
    assert [r.status_code for r in replies] == [201, 201], [r.text for r in replies]
    assert replies[0].json() == replies[1].json()
    assert await harness.count(reports, reports.c.reporter_id == reporter) == 1
    other = await harness.client.post("/api/v1/reports", json={**body, "reason": "fake_profile"},
                                      headers=harness.auth(reporter))
    assert other.status_code == 201 and other.json()["id"] != replies[0].json()["id"]  # another reason: its own
