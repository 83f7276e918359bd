"""Sessions through the gateway on the whole system as `make run` starts it: a revoked session is refused by
identity, matching and chat, also after Redis restarted without its data (revocations are kept in
Postgres; Redis is a cache identity rewrites, and until it has, matching and chat refuse rather than
guess); refresh reuse and a password change reach matching and chat at once; the local run's console mail
provider carries the reset token."""
import shutil
import uuid

import httpx
import pytest

from devstack.processes import poll

from .helpers import mailed_reset_token, register

pytestmark = pytest.mark.e2e

# One probe per service, and what it answers a live session (chat: no such match, but signed in).
PROBES = {"identity": ("/api/v1/auth/me", 200), "matching": ("/api/v1/matches", 200),
          "chat": ("/api/v1/matches/999999999/messages", 404)}


def answers(client: httpx.Client, token: str) -> dict[str, tuple[int, str | None]]:
    out = {}
    for service, (path, _) in PROBES.items():
        reply = client.get(path, headers={"Authorization": f"Bearer {token}"})
        try:
            error = reply.json().get("error")
        except ValueError:  # not JSON (a gateway page)
            error = None
        out[service] = (reply.status_code, error.get("code") if isinstance(error, dict) else None)
    return out


REVOKED = {service: (401, "SESSION_REVOKED") for service in PROBES}
LIVE = {service: (status, None) for service, (_, status) in PROBES.items()}


def live_answers(client: httpx.Client, token: str) -> dict[str, tuple[int, str | None]]:
    return {service: (status, None) for service, (status, _) in answers(client, token).items()}


@pytest.fixture
def http(stack):
    with httpx.Client(base_url=stack.gateway_url, timeout=10) as client:
        yield client


def test_a_revoked_token_is_refused_everywhere_also_after_redis_lost_its_data(stack, http):
    live = register(http, "Lia", "1990-05-15")["token"]
    gone = register(http, "Gus", "1988-11-02")["token"]
    assert live_answers(http, live) == LIVE
    assert http.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {gone}"}).status_code == 200
    assert answers(http, gone) == REVOKED

    # Redis restarted for real, its append-only file gone (the cache lost, as a crash of the machine would).
    stack.redis.stop()
    for entry in stack.redis.data_dir.iterdir():
        if entry != stack.redis.log_file:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    stack.redis.start()

    seen: list[dict] = []

    def after_restart() -> dict:
        seen.append(answers(http, gone))
        return seen[-1]

    poll(after_restart, lambda a: a == REVOKED, 30, "every service to refuse the revoked token as revoked",
         interval=0.05)
    # Until identity had rewritten the cache, the token was refused all the same (503), never let through.
    assert all(status in (401, 503) for answer in seen for status, _ in answer.values()), seen
    assert poll(lambda: live_answers(http, live), lambda a: a == LIVE, 30, "the live session to work again") == LIVE


def test_refresh_reuse_and_password_change_reach_matching_and_chat(stack, http):
    ada = register(http, "Ada", "1990-05-15")
    once = http.post("/api/v1/auth/refresh", json={"refresh_token": ada["refresh_token"]}).json()
    rotated = http.post("/api/v1/auth/refresh", json={"refresh_token": once["refresh_token"]}).json()
    assert live_answers(http, rotated["token"]) == LIVE
    # Two rotations back: not the retry of a lost reply (that is the last token rotated away, within 30 s).
    replay = http.post("/api/v1/auth/refresh", json={"refresh_token": ada["refresh_token"]})
    assert replay.status_code == 401
    assert answers(http, rotated["token"]) == REVOKED

    email = ada["user"]["email"]
    here = http.post("/api/v1/auth/login", json={"email": email, "password": "long-enough-pw"}).json()["token"]
    there = http.post("/api/v1/auth/login", json={"email": email, "password": "long-enough-pw"}).json()["token"]
    changed = http.post("/api/v1/auth/password/change", headers={"Authorization": f"Bearer {here}"},
                        json={"current_password": "long-enough-pw", "new_password": "changed-pw-123"})
    assert changed.status_code == 200, changed.text
    assert live_answers(http, here) == LIVE
    assert answers(http, there) == REVOKED


def test_forgot_and_reset_through_the_gateway_with_the_console_mail_provider(stack, http):
    ada = register(http, "Ada", "1990-05-15")
    email = ada["user"]["email"]
    known = http.post("/api/v1/auth/password/forgot", json={"email": email})
    unknown = http.post("/api/v1/auth/password/forgot", json={"email": f"no-{uuid.uuid4().hex[:8]}@example.com"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    token = poll(lambda: mailed_reset_token(stack, email), bool, 15, "the reset mail in identity's log")
    reset = http.post("/api/v1/auth/password/reset", json={"token": token, "new_password": "after-reset-1"})
    assert reset.status_code == 200, reset.text
    assert answers(http, ada["token"]) == REVOKED
    login = http.post("/api/v1/auth/login", json={"email": email, "password": "after-reset-1"})
    assert login.status_code == 200
    assert http.post("/api/v1/auth/password/reset",
                     json={"token": token, "new_password": "once-more-22"}).status_code == 401
