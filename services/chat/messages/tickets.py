"""One-time socket tickets: a browser cannot set the Authorization header on a WebSocket, and a token
in the URL would land in access logs. The ticket is random, lives 30 s in Redis (stored hashed), and the
first socket that presents it consumes it; the socket then lives by the issuing token's session and expiry."""
from __future__ import annotations

import hashlib
import json
import secrets

from redis.exceptions import RedisError

from numeros_common.auth import Principal
from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

TICKET_SECONDS = 30


def _key(ticket: str) -> str:
    return "chat:ws-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()


def _unavailable(exc: Exception) -> AppError:
    return AppError(503, "TICKETS_UNAVAILABLE", "Socket tickets are unavailable right now; try again.")


async def issue(runtime: Runtime, principal: Principal) -> str:
    ticket = secrets.token_urlsafe(32)
    value = json.dumps({"user_id": principal.user_id, "session_id": principal.session_id,
                        "is_admin": principal.is_admin, "tier": principal.tier, "expires_at": principal.expires_at})
    try:
        await runtime.redis.set(_key(ticket), value, ex=TICKET_SECONDS)
    except RedisError as exc:
        raise _unavailable(exc) from exc
    return ticket


async def redeem(runtime: Runtime, ticket: str) -> Principal:
    """The principal the ticket was issued to; 401 if it is unknown, used or expired, or its session ended."""
    try:
        value = await runtime.redis.getdel(_key(ticket))
    except RedisError as exc:
        raise _unavailable(exc) from exc
    if value is None:
        raise AppError(401, "INVALID_TICKET", "This socket ticket is unknown, used or expired; get a new one.")
    principal = Principal(**json.loads(value))
    await runtime.verifier.check_session(principal)
    return principal
