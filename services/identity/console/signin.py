"""Console sign-in sessions, kept in Redis under a hash of the cookie's random token (the cookie alone
proves nothing once the session ends). Each request slides the idle timeout; a session also ends after an
absolute lifetime. Every form carries the session's CSRF token; the sign-in form, before there is a
session, carries a double-submit token of its own cookie."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

COOKIE = "numeros_admin"
LOGIN_COOKIE = "numeros_admin_signin"
PATH = "/admin"


@dataclass(frozen=True)
class ConsoleSession:
    id: str  # the token's hash: names the session in logs and in minted admin tokens, never the token itself
    user_id: int
    csrf: str
    started_at: float


def _key(session_id: str) -> str:
    return f"console:session:{session_id}"


def _id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


async def start(redis: Redis, user_id: int, idle_seconds: int) -> tuple[str, ConsoleSession]:
    token = new_token()
    session = ConsoleSession(_id(token), user_id, new_token(), time.time())
    await redis.set(_key(session.id), json.dumps({"user_id": user_id, "csrf": session.csrf,
                                                  "started_at": session.started_at}), ex=idle_seconds)
    return token, session


async def load(redis: Redis, token: str | None, idle_seconds: int, max_age_seconds: int) -> ConsoleSession | None:
    """The live session for a cookie's token (its idle clock restarted), or None."""
    if not token:
        return None
    session_id = _id(token)
    raw = await redis.get(_key(session_id))
    if raw is None:
        return None
    data = json.loads(raw)
    if time.time() - data["started_at"] > max_age_seconds:
        await redis.delete(_key(session_id))
        return None
    await redis.expire(_key(session_id), idle_seconds)
    return ConsoleSession(session_id, int(data["user_id"]), data["csrf"], data["started_at"])


async def end(redis: Redis, token: str | None) -> None:
    if token:
        await redis.delete(_key(_id(token)))


def _flash_key(session_id: str) -> str:
    return f"console:flash:{session_id}"


async def flash(redis: Redis, session_id: str, text: str, kind: str = "ok") -> None:
    """A one-time message for the page after a form's redirect."""
    await redis.set(_flash_key(session_id), json.dumps({"text": text, "kind": kind}), ex=300)


async def take_flash(redis: Redis, session_id: str) -> dict[str, str] | None:
    raw = await redis.getdel(_flash_key(session_id))
    return json.loads(raw) if raw else None
