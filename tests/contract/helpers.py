"""Checks every seed contract shares: the headers DESIGN.md §3 puts on every response, the rate-limit
headers, token claims, and making an admin (no seed says how one is made, so it is done in the database)."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import time
import uuid
from typing import Any

import asyncpg
import httpx

from devstack.stack import Stack


def unique_email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:10]}@example.com"


def check_common_headers(reply: httpx.Response) -> None:
    """DESIGN.md §3: every response carries X-Request-ID and X-Process-Time (seconds, astro-mvp)."""
    assert reply.headers.get("X-Request-ID"), f"no X-Request-ID on {reply.request.url}"
    process_time = reply.headers.get("X-Process-Time")
    assert process_time is not None, f"no X-Process-Time on {reply.request.url}"
    assert float(process_time) >= 0


def check_envelope_error(reply: httpx.Response, status: int, field: str | None = None) -> dict:
    """The project envelope DESIGN.md §3 gives every path outside the sister products' families (the dating
    app's, ``/auth/*`` included): ``{"error": {code, message, request_id, fields}}``."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)
    assert error["request_id"] == reply.headers["X-Request-ID"]
    if field is not None:
        assert field in [f["field"] for f in error.get("fields", [])], body
    return error


def check_rate_headers(reply: httpx.Response, limit: int, window_seconds: int, remaining: int | None = None) -> None:
    """X-RateLimit-Limit is the seed's limit; X-RateLimit-Reset is an epoch time (the JioAstro example shows
    1699123456), so it lies between now and one window from now, not a count of seconds to go."""
    headers = reply.headers
    assert headers.get("X-RateLimit-Limit") == str(limit), dict(headers)
    if remaining is not None:
        assert headers.get("X-RateLimit-Remaining") == str(remaining), dict(headers)
    else:
        assert 0 <= int(headers["X-RateLimit-Remaining"]) < limit
    reset = int(headers["X-RateLimit-Reset"])
    now = time.time()
    assert now - 2 <= reset <= now + window_seconds + 2, f"X-RateLimit-Reset {reset} is no epoch time near {now:.0f}"


def retry_after(reply: httpx.Response) -> int:
    """A 429's Retry-After header (DESIGN.md §3), in whole seconds."""
    assert reply.status_code == 429, reply.text
    seconds = int(reply.headers["Retry-After"])
    assert seconds > 0
    return seconds


def jwt_claims(token: str) -> dict[str, Any]:
    """The token's payload, read without verifying (the lifetime is what is checked here)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def parse_time(value: str) -> dt.datetime:
    """An ISO 8601 date-time with its zone (the seeds write UTC as ``Z``)."""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, f"{value!r} has no time zone"
    return moment


def is_recent(value: str, within: dt.timedelta = dt.timedelta(days=1)) -> bool:
    """A server time stamp of this run (not a fixed example value)."""
    return abs(parse_time(value) - dt.datetime.now(dt.UTC)) < within


def make_admin(stack: Stack, email: str) -> None:
    async def update() -> None:
        assert stack.postgres is not None
        conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            done = await conn.execute("UPDATE identity.users SET is_admin = true WHERE email = $1", email)
            assert done == "UPDATE 1", done
        finally:
            await conn.close()

    asyncio.run(update())
