"""Phone OTP (Loopin) and the admin leads API through the gateway, on the whole stack as ``make run`` starts
it. Codes are read where a person running the stack locally reads them: the console SMS provider's line
``OTP for <number>: <code>`` in the identity log (never from the database, which holds only a keyed hash)."""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import itertools
import json
import os
import random
import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import httpx
import jwt
import pytest

from devstack.stack import Stack
from tests.e2e.conftest import running_stack
from tests.e2e.helpers import logged_codes
from tests.e2e.helpers import sent_code as sent_code_in

README_NUMBER = "+916205829376"  # the Loopin README's curl flow
INTERESTS_BY_NAME = ["Art & Culture", "Business & Networking", "Education & Learning", "Entertainment",
                     "Food & Dining", "Health & Wellness", "Music & Concerts", "Sports & Fitness", "Technology",
                     "Travel & Adventure"]
_ADDRESSES = (f"127.0.1.{n}" for n in itertools.count(10))


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """The stack on the shipped limits: any NUMEROS_*RATE* override of the caller's environment is removed."""
    overrides: dict[str, str | None] = {name: None for name in os.environ
                                        if name.startswith("NUMEROS_") and "RATE" in name}
    with running_stack(overrides) as system:
        yield system


@pytest.fixture(scope="module")
def new_client(stack: Stack) -> Iterator:
    """Clients each from a loopback address of their own, so per-IP limits are never shared between tests."""
    made: list[httpx.Client] = []

    def make() -> httpx.Client:
        client = httpx.Client(base_url=stack.gateway_url, timeout=30,
                              transport=httpx.HTTPTransport(local_address=next(_ADDRESSES)))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def new_number() -> str:
    return f"+919{random.randint(0, 10**9 - 1):09d}"  # an Indian mobile number (valid in its plan)


def _codes_in_log(stack: Stack, number: str) -> list[str]:
    return logged_codes(stack.root / "logs" / "identity.log", number)


def sent_code(stack: Stack, number: str, nth: int = 1) -> str:
    return sent_code_in(stack.root / "logs" / "identity.log", number, nth)


def db(stack: Stack, query: str, *args):
    async def run():
        assert stack.postgres is not None
        conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def signed_up(stack: Stack, client: httpx.Client, number: str) -> dict:
    """A phone account (signup + verify-otp); its verify-otp body."""
    before = len(_codes_in_log(stack, number))
    assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    code = sent_code(stack, number, before + 1)
    reply = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": code})
    assert reply.status_code == 200, reply.text
    return reply.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error(reply: httpx.Response) -> tuple[int, str, list[str]]:
    """(status, code, fields) of an envelope error."""
    body = reply.json()["error"]
    return reply.status_code, body["code"], [f["field"] for f in body.get("fields", [])]


PROFILE = {"name": "Gaurav Kumar", "birth_date": "1995-01-01", "gender": "male", "event_interests": [1, 2, 3],
           "profile_pictures": ["https://example.com/pic1.jpg", "https://example.com/pic2.jpg"]}


def test_the_loopin_readme_curl_flow(stack: Stack, new_client) -> None:
    """The README's "Complete Signup Flow", "Complete Login Flow" and "Get User Profile", request for request."""
    client = new_client()
    # 1. Send OTP for signup
    reply = client.post("/api/v1/auth/signup", json={"phone_number": README_NUMBER})
    assert (reply.status_code, reply.json()) == (200, {"success": True, "data": {"phone_number": README_NUMBER},
                                                       "message": "OTP sent successfully to your phone number"})
    # 2. Verify OTP (check logs for 4-digit code)
    code = sent_code(stack, README_NUMBER)
    assert re.fullmatch(r"\d{4}", code)
    reply = client.post("/api/v1/auth/verify-otp", json={"phone_number": README_NUMBER, "otp_code": code})
    assert reply.status_code == 200, reply.text
    verified = reply.json()
    assert (verified["success"], verified["message"]) == (True, "OTP verified successfully. Please complete your "
                                                                "profile.")
    assert {k: verified["data"][k] for k in ("phone_number", "needs_profile_completion", "is_verified")} == {
        "phone_number": README_NUMBER, "needs_profile_completion": True, "is_verified": True}
    token, user_id = verified["token"], verified["data"]["user_id"]
    # 3. Get Event Interests: the seed's ten, by name
    reply = client.get("/api/v1/auth/event-interests")
    assert reply.status_code == 200
    interests = reply.json()
    assert (interests["success"], interests["message"]) == (True, "Event interests retrieved successfully")
    assert [i["name"] for i in interests["data"]] == INTERESTS_BY_NAME
    ids = {i["name"]: i["id"] for i in interests["data"]}
    # the README sends ids 1, 2, 3: the first three it loads
    assert [ids["Music & Concerts"], ids["Sports & Fitness"], ids["Food & Dining"]] == [1, 2, 3]
    # 4. Complete Profile (use JWT token from step 2)
    reply = client.post("/api/v1/auth/complete-profile", headers=bearer(token),
                        json={"phone_number": README_NUMBER, **PROFILE})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"success": True, "message": "Profile completed successfully", "data": {
        "user_id": user_id, "profile_id": user_id, "name": "Gaurav Kumar", "phone_number": README_NUMBER,
        "gender": "male", "event_interests_count": 3, "profile_pictures_count": 2}}

    # Complete Login Flow: 1. Send OTP for login (the same path as the email login)
    reply = client.post("/api/v1/auth/login", json={"phone_number": README_NUMBER})
    assert (reply.status_code, reply.json()) == (200, {"success": True, "data": {"phone_number": README_NUMBER},
                                                       "message": "OTP sent successfully to your phone number"})
    # 2. Verify OTP
    code = sent_code(stack, README_NUMBER, 2)
    reply = client.post("/api/v1/auth/verify-login", json={"phone_number": README_NUMBER, "otp_code": code})
    assert reply.status_code == 200, reply.text
    login = reply.json()
    assert (login["success"], login["message"]) == (True, "Login successful")
    assert login["data"] == {"user_id": user_id, "phone_number": README_NUMBER, "name": "Gaurav Kumar",
                             "is_verified": True, "needs_profile_completion": False}

    # Get User Profile (use JWT token from login)
    reply = client.get("/api/v1/auth/profile", headers=bearer(login["token"]))
    assert reply.status_code == 200, reply.text
    profile = reply.json()
    assert {k: profile[k] for k in ("id", "name", "phone_number", "gender", "birth_date", "profile_pictures",
                                    "is_verified", "is_active", "bio", "location")} == {
        "id": user_id, "name": "Gaurav Kumar", "phone_number": README_NUMBER, "gender": "male",
        "birth_date": "1995-01-01", "profile_pictures": PROFILE["profile_pictures"], "is_verified": True,
        "is_active": True, "bio": "", "location": ""}
    assert [i["name"] for i in profile["event_interests"]] == ["Food & Dining", "Music & Concerts", "Sports & Fitness"]
    # The phone account is an ordinary account: /auth/me and refresh work with its tokens.
    me = client.get("/api/v1/auth/me", headers=bearer(login["token"]))
    assert me.status_code == 200, me.text
    assert (me.json()["id"], me.json()["email"]) == (user_id, None)
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text


def test_completing_the_profile_announces_the_user_to_discovery(stack: Stack, new_client) -> None:
    client = new_client()
    number = new_number()
    token = signed_up(stack, client, number)["token"]
    reply = client.post("/api/v1/auth/complete-profile", headers=bearer(token),
                        json={**PROFILE, "phone_number": number, "gender": "Other", "bio": "Love music"})
    assert reply.status_code == 200, reply.text
    user_id = reply.json()["data"]["user_id"]
    assert reply.json()["data"]["gender"] == "other"
    rows = db(stack, "SELECT envelope FROM identity.outbox WHERE (envelope->'data'->>'user_id')::bigint = $1", user_id)
    events = [json.loads(r["envelope"]) for r in rows]
    assert [e["subject"] for e in events] == ["identity.user.registered"]
    data = events[0]["data"]
    # Loopin's "other" is the dating app's "non_binary". 1995-01-01: 1 + 1 + (1+9+9+5 = 24 -> 6) = 8.
    assert {k: data[k] for k in ("display_name", "birth_date", "gender", "photos", "bio", "active")} == {
        "display_name": "Gaurav Kumar", "birth_date": "1995-01-01", "gender": "non_binary",
        "photos": PROFILE["profile_pictures"], "bio": "Love music", "active": True}
    assert data["numerology"]["life_path"] == 8
    # Completing it again is an update, not a second registration.
    again = client.post("/api/v1/auth/complete-profile", headers=bearer(token),
                        json={**PROFILE, "phone_number": number, "name": "Gaurav K"})
    assert again.status_code == 200, again.text
    rows = db(stack, "SELECT envelope->>'subject' AS s FROM identity.outbox "
                     "WHERE (envelope->'data'->>'user_id')::bigint = $1 ORDER BY created_at", user_id)
    assert [r["s"] for r in rows] == ["identity.user.registered", "identity.user.updated"]


def test_two_first_complete_profiles_at_once_register_the_user_once(stack: Stack, new_client) -> None:
    """The app sends its first complete-profile twice at once: one ``registered`` event, then an update."""
    client, number = new_client(), new_number()
    verified = signed_up(stack, client, number)
    together = threading.Barrier(2)

    def complete(name: str) -> httpx.Response:
        together.wait()
        return client.post("/api/v1/auth/complete-profile", headers=bearer(verified["token"]),
                           json={**PROFILE, "phone_number": number, "name": name})

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(complete, ["Gaurav Kumar", "Gaurav K"]))
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    rows = db(stack, "SELECT envelope->>'subject' AS s FROM identity.outbox "
                     "WHERE (envelope->'data'->>'user_id')::bigint = $1 ORDER BY created_at",
              verified["data"]["user_id"])
    assert [r["s"] for r in rows] == ["identity.user.registered", "identity.user.updated"]


@pytest.mark.parametrize("number", ["12345", "+447700900123", "+1234567890", "not a number", ""])
def test_a_bad_number_is_a_4xx_naming_phone_number(new_client, number: str) -> None:
    client = new_client()
    for path in ("signup", "login"):
        reply = client.post(f"/api/v1/auth/{path}", json={"phone_number": number})
        assert error(reply)[0::2] == (422, ["phone_number"]), reply.text
    reply = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": "1234"})
    assert error(reply)[0] == 422 and "phone_number" in error(reply)[2]


def test_numbers_are_normalised_to_e164(stack: Stack, new_client) -> None:
    client = new_client()
    digits = new_number()[1:]
    spaced = f"{digits[:2]} {digits[2:7]}-{digits[7:]}"  # no +, a space and a dash
    reply = client.post("/api/v1/auth/signup", json={"phone_number": spaced})
    assert reply.json()["data"] == {"phone_number": "+" + digits}
    assert re.fullmatch(r"\d{4}", sent_code(stack, "+" + digits))


def test_signup_and_login_answer_the_same_for_known_and_unknown_numbers(stack: Stack, new_client) -> None:
    """No enumeration: a number with an account and one never seen get the same status and body."""
    client = new_client()
    known, unknown = new_number(), new_number()
    signed_up(stack, client, known)
    codes_sent = {known: 1, unknown: 0}
    for path in ("signup", "login"):
        answers = []
        for number in (known, unknown):
            reply = client.post(f"/api/v1/auth/{path}", json={"phone_number": number})
            body = reply.json()
            body["data"]["phone_number"] = body["data"]["phone_number"] == number
            answers.append((reply.status_code, body))
        assert answers[0] == answers[1] == (200, {"success": True, "data": {"phone_number": True},
                                                  "message": "OTP sent successfully to your phone number"})
        # the codes sent above are used, so that the next path may send again without the cooldown
        for number in (known, unknown):
            # by count, not by what the log holds now: the newest line may not be copied to it yet
            codes_sent[number] += 1
            code = sent_code(stack, number, codes_sent[number])
            verify = client.post("/api/v1/auth/verify-login", json={"phone_number": number, "otp_code": code})
            assert verify.status_code == 200, verify.text


def test_five_wrong_codes_lock_the_code(stack: Stack, new_client) -> None:
    client = new_client()
    number = new_number()
    assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    code = sent_code(stack, number)
    wrong = f"{(int(code) + 1) % 10000:04d}"
    for left in (4, 3, 2, 1):
        reply = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": wrong})
        assert error(reply) == (400, "INVALID_OTP", ["otp_code"])
        assert reply.json()["error"]["message"] == f"Invalid OTP. {left} attempts remaining."
    fifth = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": wrong})
    assert error(fifth) == (400, "OTP_LOCKED", ["otp_code"])
    # Locked: now even the right code is refused, on either verify path.
    for path in ("verify-otp", "verify-login"):
        reply = client.post(f"/api/v1/auth/{path}", json={"phone_number": number, "otp_code": code})
        assert error(reply) == (400, "OTP_LOCKED", ["otp_code"])
        assert reply.json()["error"]["message"] == "Too many attempts. Please request a new OTP."


def test_an_expired_code_is_refused(stack: Stack, new_client) -> None:
    client = new_client()
    number = new_number()
    assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    code = sent_code(stack, number)
    stored = db(stack, "SELECT expires_at - sent_at AS ttl FROM identity.phone_codes WHERE phone_number = $1", number)
    assert stored[0]["ttl"] == dt.timedelta(minutes=10)
    db(stack, "UPDATE identity.phone_codes SET expires_at = now() - interval '1 second' WHERE phone_number = $1",
       number)
    reply = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": code})
    assert error(reply) == (400, "OTP_EXPIRED", ["otp_code"])


def test_a_code_is_stored_only_as_a_keyed_hash_and_works_once(stack: Stack, new_client) -> None:
    client = new_client()
    number = new_number()
    assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    code = sent_code(stack, number)
    (row,) = db(stack, "SELECT code_hash FROM identity.phone_codes WHERE phone_number = $1", number)
    assert re.fullmatch(r"[0-9a-f]{64}", row["code_hash"]) and code not in row["code_hash"]
    first = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": code})
    assert first.status_code == 200
    past_the_retry_window(stack, number)
    replay = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": code})
    assert error(replay) == (400, "OTP_NOT_FOUND", ["phone_number"])


def past_the_retry_window(stack: Stack, number: str) -> None:
    """The number's spent code signed in 31 s ago (the window is 30 s), as the clock would make it."""
    db(stack, "UPDATE identity.phone_codes SET verified_at = verified_at - interval '31 seconds' "
              "WHERE phone_number = $1 AND verified_at IS NOT NULL", number)


def session_of(token: str) -> tuple[int, str]:
    claims = jwt.decode(token, options={"verify_signature": False})
    return int(claims["sub"]), claims["sid"]


@pytest.mark.parametrize("path", ["verify-otp", "verify-login"])
def test_a_double_submitted_verify_signs_in_both_requests_to_the_same_account(stack: Stack, new_client,
                                                                               path: str) -> None:
    """A weak connection sends the request twice at once: both answers sign in, to one account, each with a
    session of its own; the code still works for no one else, and not after the window."""
    clients, number = [new_client(), new_client()], new_number()
    assert clients[0].post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    code = sent_code(stack, number)
    together = threading.Barrier(2)

    def verify(client: httpx.Client) -> httpx.Response:
        together.wait()
        return client.post(f"/api/v1/auth/{path}", json={"phone_number": number, "otp_code": code})

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(verify, clients))
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    bodies = [r.json() for r in replies]
    assert bodies[0]["data"] == bodies[1]["data"] and bodies[0]["message"] == bodies[1]["message"]
    (user_a, session_a), (user_b, session_b) = (session_of(b["token"]) for b in bodies)
    assert user_a == user_b == bodies[0]["data"]["user_id"] and session_a != session_b
    assert db(stack, "SELECT count(*) AS n FROM identity.users WHERE phone_number = $1", number)[0]["n"] == 1
    for body in bodies:
        me = clients[0].get("/api/v1/auth/me", headers=bearer(body["token"]))
        assert (me.status_code, me.json()["id"]) == (200, user_a)
    # Within the window another code is refused as a used code is; after it, the code itself.
    wrong = f"{(int(code) + 1) % 10000:04d}"
    reply = clients[0].post(f"/api/v1/auth/{path}", json={"phone_number": number, "otp_code": wrong})
    assert error(reply) == (400, "OTP_NOT_FOUND", ["phone_number"])
    past_the_retry_window(stack, number)
    late = clients[0].post(f"/api/v1/auth/{path}", json={"phone_number": number, "otp_code": code})
    assert error(late) == (400, "OTP_NOT_FOUND", ["phone_number"])


def test_guesses_at_a_spent_code_within_the_retry_window_spend_its_tries(stack: Stack, new_client) -> None:
    """The window is no second chance to guess: wrong codes spend the code's five tries as on a live code,
    after which even the spent code itself no longer signs in."""
    client, number = new_client(), new_number()
    signed_up(stack, client, number)  # spends the code, no wrong try yet
    code = sent_code(stack, number)
    wrong = f"{(int(code) + 1) % 10000:04d}"
    for _ in range(5):
        reply = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": wrong})
        assert error(reply) == (400, "OTP_NOT_FOUND", ["phone_number"])
    reply = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": code})
    assert error(reply) == (400, "OTP_NOT_FOUND", ["phone_number"])


def test_after_signing_in_a_new_code_can_be_asked_for_at_once(stack: Stack, new_client) -> None:
    """The spent code kept for the retry window holds back no new code (no resend cooldown)."""
    client, number = new_client(), new_number()
    signed_up(stack, client, number)
    reply = client.post("/api/v1/auth/login", json={"phone_number": number})
    assert reply.status_code == 200, reply.text
    code = sent_code(stack, number, 2)
    reply = client.post("/api/v1/auth/verify-login", json={"phone_number": number, "otp_code": code})
    assert reply.status_code == 200, reply.text


def test_a_second_code_within_the_cooldown_is_refused(new_client) -> None:
    client = new_client()
    number = new_number()
    assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    again = client.post("/api/v1/auth/login", json={"phone_number": number})
    assert error(again) == (429, "OTP_RESEND_COOLDOWN", ["phone_number"])
    assert again.headers["retry-after"] in ("29", "30")  # 30 s cooldown, less the second that may have passed


def test_per_number_sending_limit(stack: Stack, new_client) -> None:
    """Five codes an hour per number (each used at once, so the cooldown is not what stops the sixth)."""
    number = new_number()
    for nth in range(1, 6):
        client = new_client()  # a new address each time: the per-IP limit is not what stops it either
        assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
        verify = client.post("/api/v1/auth/verify-otp",
                             json={"phone_number": number, "otp_code": sent_code(stack, number, nth)})
        assert verify.status_code == 200, verify.text
    sixth = new_client().post("/api/v1/auth/login", json={"phone_number": number})
    assert error(sixth) == (429, "OTP_SEND_LIMIT", ["phone_number"])
    assert sixth.json()["error"]["message"] == "Too many codes requested (at most 5/hour); try again later."
    # until the first of the five leaves the hour's window (the test took well under a minute so far)
    assert 3000 < int(sixth.headers["retry-after"]) <= 3600
    assert len(_codes_in_log(stack, number)) == 5  # the refused request sent nothing


def test_per_ip_sending_limit(stack: Stack, new_client) -> None:
    """Twenty codes an hour per client IP, whatever the numbers (SMS pumping walks through numbers)."""
    client = new_client()
    for _ in range(20):
        assert client.post("/api/v1/auth/signup", json={"phone_number": new_number()}).status_code == 200
    number = new_number()
    refused = client.post("/api/v1/auth/signup", json={"phone_number": number})
    assert error(refused) == (429, "OTP_SEND_LIMIT", ["phone_number"])
    assert _codes_in_log(stack, number) == []
    assert new_client().post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200


def _turns_eighteen_today() -> dt.date:
    today = dt.date.today()
    return today.replace(year=today.year - 18) if (today.month, today.day) != (2, 29) else \
        dt.date(today.year - 18, 3, 1)


@pytest.mark.parametrize(("change", "field"), [
    ({"birth_date": "a day short of 18"}, "birth_date"),
    ({"event_interests": [1, 99]}, "event_interests"),
    ({"event_interests": []}, "event_interests"),
    ({"event_interests": [1, 2, 3, 4, 5, 6]}, "event_interests"),
    ({"event_interests": [1, 1]}, "event_interests"),
    ({"event_interests": [2**40]}, "event_interests.0"),
    ({"profile_pictures": []}, "profile_pictures"),
    ({"profile_pictures": [f"https://example.com/{n}.jpg" for n in range(7)]}, "profile_pictures"),
    ({"profile_pictures": ["http://example.com/pic1.jpg"]}, "profile_pictures.0"),
    ({"profile_pictures": ["https://"]}, "profile_pictures.0"),
    ({"gender": "robot"}, "gender"),
    ({"name": "Al"}, "name"),
    ({"name": "R2-D2"}, "name"),
    ({"birth_date": "1995-02-30"}, "birth_date"),
    ({"phone_number": "+919000000000"}, "phone_number"),
    ({"bio": "x" * 501}, "bio"),
])
def test_complete_profile_validation_flow(stack: Stack, new_client, change: dict, field: str) -> None:
    """Every rule of the seed's validation flow is a 422 naming its field; nothing is stored."""
    client = new_client()
    number = new_number()
    token = signed_up(stack, client, number)["token"]
    if change.get("birth_date") == "a day short of 18":
        change = {"birth_date": (_turns_eighteen_today() + dt.timedelta(days=1)).isoformat()}
    reply = client.post("/api/v1/auth/complete-profile", headers=bearer(token),
                        json={**PROFILE, "phone_number": number, **change})
    assert error(reply)[0::2] == (422, [field]), reply.text
    assert client.get("/api/v1/auth/profile", headers=bearer(token)).json()["name"] == ""


def test_eighteen_today_is_old_enough_and_a_token_is_required(stack: Stack, new_client) -> None:
    client = new_client()
    number = new_number()
    body = {**PROFILE, "phone_number": number, "birth_date": _turns_eighteen_today().isoformat()}
    assert error(client.post("/api/v1/auth/complete-profile", json=body))[0] == 401
    assert error(client.get("/api/v1/auth/profile"))[0] == 401
    token = signed_up(stack, client, number)["token"]
    reply = client.post("/api/v1/auth/complete-profile", headers=bearer(token), json=body)
    assert reply.status_code == 200, reply.text


def test_email_login_still_answers_as_before(new_client) -> None:
    client = new_client()
    email = f"u{uuid.uuid4().hex[:12]}@example.com"
    assert client.post("/api/v1/auth/register", json={"email": email, "password": "long-enough"}).status_code == 201
    assert client.post("/api/v1/auth/login", json={"email": email, "password": "long-enough"}).status_code == 200
    assert error(client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-one"}))[:2] == (
        401, "INVALID_CREDENTIALS")
    assert error(client.post("/api/v1/auth/login", json={"email": email}))[0::2] == (422, ["password"])
    assert error(client.post("/api/v1/auth/login", content=b"{", headers={"content-type": "application/json"}))[
        :2] == (400, "MALFORMED_JSON")


# --- admin leads ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def admin_token(stack: Stack, new_client) -> str:
    client = new_client()
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    assert client.post("/api/v1/auth/register", json={"email": email, "password": "long-enough"}).status_code == 201
    db(stack, "UPDATE identity.users SET is_admin = true WHERE email = $1", email)
    return client.post("/api/v1/auth/login", json={"email": email, "password": "long-enough"}).json()["token"]


def _lead(client: httpx.Client, token: str, number: str, **params) -> dict:
    page = client.get("/api/v1/admin/leads", params={"limit": 500, **params}, headers=bearer(token)).json()
    (lead,) = [lead for lead in page["leads"] if lead["phone_number"] == number]
    return lead


def test_every_number_that_asked_is_a_lead_until_verified(stack: Stack, new_client, admin_token: str) -> None:
    client = new_client()
    asked, verified = new_number(), new_number()
    assert client.post("/api/v1/auth/signup", json={"phone_number": asked}).status_code == 200
    code = sent_code(stack, asked)
    wrong = f"{(int(code) + 1) % 10000:04d}"
    for _ in range(2):
        client.post("/api/v1/auth/verify-otp", json={"phone_number": asked, "otp_code": wrong})
    user_id = signed_up(stack, client, verified)["data"]["user_id"]

    lead = _lead(client, admin_token, asked)
    assert {k: lead[k] for k in ("region", "codes_sent", "otp_attempts", "is_verified", "verified_by", "user_id")} == {
        "region": "IN", "codes_sent": 1, "otp_attempts": 2, "is_verified": False, "verified_by": None,
        "user_id": None}
    lead = _lead(client, admin_token, verified)
    assert {k: lead[k] for k in ("codes_sent", "otp_attempts", "is_verified", "verified_by", "user_id")} == {
        "codes_sent": 1, "otp_attempts": 0, "is_verified": True, "verified_by": "otp", "user_id": user_id}

    def numbers(**params) -> set[str]:
        page = client.get("/api/v1/admin/leads", params={"limit": 500, **params}, headers=bearer(admin_token))
        return {lead["phone_number"] for lead in page.json()["leads"]}

    assert asked in numbers(verified="false") and asked not in numbers(verified="true")
    assert verified in numbers(verified="true") and verified not in numbers(verified="false")


def test_leads_filter_by_date_paginate_and_export_csv(stack: Stack, new_client, admin_token: str) -> None:
    client = new_client()
    mine = [new_number() for _ in range(3)]
    for number in mine:
        assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    # one lead made "last year" (the date filter must exclude it)
    old = new_number()
    assert client.post("/api/v1/auth/signup", json={"phone_number": old}).status_code == 200
    db(stack, "UPDATE identity.leads SET created_at = '2020-06-15T12:00:00Z' WHERE phone_number = $1", old)
    auth = bearer(admin_token)
    today = dt.datetime.now(dt.UTC).date()

    def page(**params) -> dict:
        reply = client.get("/api/v1/admin/leads", params=params, headers=auth)
        assert reply.status_code == 200, reply.text
        return reply.json()

    june = page(date_from="2020-06-15", date_to="2020-06-15")
    assert [lead["phone_number"] for lead in june["leads"]] == [old] and june["total"] == 1
    assert page(date_from="2020-06-16", date_to="2020-12-31")["total"] == 0
    recent = page(date_from=today.isoformat(), limit=500)
    assert set(mine) <= {lead["phone_number"] for lead in recent["leads"]} and old not in {
        lead["phone_number"] for lead in recent["leads"]}
    # pages: newest first, no overlap, together the whole list
    total = page()["total"]
    first, second = page(limit=2, offset=0), page(limit=2, offset=2)
    assert (first["limit"], first["offset"], second["offset"], first["total"]) == (2, 0, 2, total)
    ids = [lead["id"] for lead in first["leads"] + second["leads"]]
    assert len(ids) == len(set(ids)) == 4
    everything = page(limit=500)["leads"]
    assert [lead["id"] for lead in everything[:4]] == ids
    assert [lead["phone_number"] for lead in everything[:3]] == mine[::-1]

    export = client.get("/api/v1/admin/leads", params={"format": "csv", "date_from": "2020-06-15",
                                                       "date_to": "2020-06-15"}, headers=auth)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"] == 'attachment; filename="leads.csv"'
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["id", "phone_number", "region", "created_at", "last_code_sent_at", "codes_sent",
                       "otp_attempts", "is_verified", "verified_at", "verified_by", "user_id"]
    assert len(rows) == 2 and rows[1][1:4] == [old, "IN", "2020-06-15T12:00:00+00:00"]
    assert rows[1][5:] == ["1", "0", "False", "", "", ""]
    all_rows = list(csv.reader(io.StringIO(client.get("/api/v1/admin/leads", params={"format": "csv"},
                                                      headers=auth).text)))
    assert len(all_rows) - 1 == total  # CSV exports every lead the filter matches, not one page

    bad = client.get("/api/v1/admin/leads", params={"date_from": "2020-02-30"}, headers=auth)
    assert bad.status_code == 400 and bad.json()["error"] == "VALIDATION_ERROR"
    assert [d["field"] for d in bad.json()["details"]] == ["date_from"]


def test_an_admin_verifies_a_lead_by_hand_and_it_becomes_a_user(stack: Stack, new_client, admin_token: str) -> None:
    client = new_client()
    number = new_number()
    assert client.post("/api/v1/auth/signup", json={"phone_number": number}).status_code == 200
    lead = _lead(client, admin_token, number)
    reply = client.post(f"/api/v1/admin/leads/{lead['id']}/verify", headers=bearer(admin_token))
    assert reply.status_code == 200, reply.text
    converted = reply.json()
    assert (converted["id"], converted["is_verified"], converted["verified_by"]) == (lead["id"], True, "admin")
    (user,) = db(stack, "SELECT id, is_verified, email FROM identity.users WHERE phone_number = $1", number)
    assert (converted["user_id"], user["is_verified"], user["email"]) == (user["id"], True, None)
    # verifying again changes nothing; the person signs in to that account with a code
    again = client.post(f"/api/v1/admin/leads/{lead['id']}/verify", headers=bearer(admin_token))
    assert again.json() == converted
    verify = client.post("/api/v1/auth/verify-otp", json={"phone_number": number, "otp_code": sent_code(stack, number)})
    assert verify.status_code == 200 and verify.json()["data"]["user_id"] == user["id"]


def test_leads_are_for_admins_only(stack: Stack, new_client, admin_token: str) -> None:
    client = new_client()
    user_token = signed_up(stack, client, new_number())["token"]
    for method, path in (("GET", "/api/v1/admin/leads"), ("POST", "/api/v1/admin/leads/1/verify")):
        refused = client.request(method, path, headers=bearer(user_token))
        assert (refused.status_code, refused.json()["error"]) == (403, "AUTHORIZATION_ERROR")
        anonymous = client.request(method, path)
        assert (anonymous.status_code, anonymous.json()["error"]) == (401, "AUTHENTICATION_ERROR")
    unknown = client.post(f"/api/v1/admin/leads/{2**40}/verify", headers=bearer(admin_token))
    assert (unknown.status_code, unknown.json()["error"]) == (404, "NOT_FOUND_ERROR")


def test_a_phone_account_is_deleted_with_a_fresh_sms_code(stack: Stack, new_client) -> None:
    """No password to give: the deletion is confirmed by a code sent to the account's own number, once."""
    client, number = new_client(), new_number()
    token = signed_up(stack, client, number)["token"]
    assert client.post("/api/v1/auth/login", json={"phone_number": number}).status_code == 200
    code = sent_code(stack, number, 2)
    wrong = f"{(int(code) + 1) % 10000:04d}"
    reply = client.request("DELETE", "/api/v1/profile/me", headers=bearer(token), json={"otp_code": wrong})
    assert error(reply) == (400, "INVALID_OTP", ["otp_code"])
    assert client.get("/api/v1/auth/profile", headers=bearer(token)).status_code == 200  # nothing happened yet
    reply = client.request("DELETE", "/api/v1/profile/me", headers=bearer(token), json={"otp_code": code})
    assert reply.status_code == 204, reply.text
    assert client.get("/api/v1/auth/profile", headers=bearer(token)).status_code == 401
    assert db(stack, "SELECT id FROM identity.users WHERE phone_number = $1", number) == []
