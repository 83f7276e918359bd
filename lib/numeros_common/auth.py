"""Access-token verification, shared by every service. Identity signs with its Ed25519 private key;
everyone else verifies with the public key, and checks Redis for revoked sessions.

Postgres (identity's sessions table) is the record of revocations; Redis holds a copy that identity writes
before it answers a revocation, and rewrites whole whenever Redis lost it. The marker key says the copy is
complete: without it (a Redis restarted empty, before identity has reloaded it) a verifier cannot tell a
live session from a revoked one, so it refuses (503) rather than let a logged-out token through, unless
it can ask the record itself (identity's ``fallback``)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import jwt
from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .errors import AppError

ALGORITHM = "EdDSA"
AUTH_SCHEMES = ("bearer", "token")  # the mobile client sends "Token <jwt>"


REVOCATIONS_LOADED_KEY = "auth:revocations-loaded"


def revoked_session_key(session_id: str) -> str:
    return f"auth:revoked-session:{session_id}"


def account_tier_key(user_id: int) -> str:
    """An admin's tier change, seen by every limiter before the user's token is renewed."""
    return f"auth:tier:{user_id}"


@dataclass(frozen=True)
class Principal:
    user_id: int
    session_id: str
    is_admin: bool
    tier: str = "standard"  # "premium" raises the JioAstro limits
    expires_at: int | None = None  # the token's exp (epoch seconds): a live socket closes then


class TokenVerifier:
    def __init__(self, public_key_pem: str, issuer: str, audience: str, redis: Redis | None,
                 fallback: Callable[[str], Awaitable[bool]] | None = None) -> None:
        self.public_key = public_key_pem
        self.issuer = issuer
        self.audience = audience
        self.redis = redis
        self.fallback = fallback  # "is this session revoked?" from the record, when the cache cannot say

    def decode(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, self.public_key, algorithms=[ALGORITHM], audience=self.audience,
                                issuer=self.issuer, options={"require": ["exp", "sub", "sid"]})
        except jwt.ExpiredSignatureError as exc:
            raise AppError(401, "TOKEN_EXPIRED", "The access token has expired; refresh it.") from exc
        except jwt.PyJWTError as exc:
            raise AppError(401, "INVALID_TOKEN", "The access token is not valid.") from exc
        if claims.get("typ") != "access":
            raise AppError(401, "INVALID_TOKEN", "Not an access token.")
        return Principal(user_id=int(claims["sub"]), session_id=str(claims["sid"]),
                         is_admin=bool(claims.get("adm", False)), tier=str(claims.get("tier", "standard")),
                         expires_at=int(claims["exp"]))

    async def verify(self, token: str) -> Principal:
        principal = self.decode(token)
        await self.check_session(principal)
        return principal

    async def check_session(self, principal: Principal) -> None:
        """401 SESSION_REVOKED once the principal's session was logged out (a live socket asks again)."""
        if self.redis is not None and await self._revoked(principal.session_id):
            raise AppError(401, "SESSION_REVOKED", "This session has been logged out.")

    async def _revoked(self, session_id: str) -> bool:
        try:
            async with self.redis.pipeline(transaction=False) as pipe:  # type: ignore[union-attr]
                revoked, loaded = await pipe.exists(revoked_session_key(session_id)).exists(
                    REVOCATIONS_LOADED_KEY).execute()
        except RedisError as exc:
            if self.fallback is None:
                raise AppError(503, "AUTH_UNAVAILABLE", "Cannot check the session right now.") from exc
            return await self.fallback(session_id)
        if revoked or loaded:
            return bool(revoked)
        if self.fallback is None:
            raise AppError(503, "AUTH_UNAVAILABLE", "Cannot check the session right now.",
                           headers={"Retry-After": "1"})
        return await self.fallback(session_id)


def token_from_header(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() not in AUTH_SCHEMES or not token.strip():
        raise AppError(401, "INVALID_AUTH_HEADER", "Use 'Authorization: Bearer <token>'.", field="Authorization")
    return token.strip()


async def optional_principal(request: Request) -> Principal | None:
    """The caller if a token was sent; cached on the request so middleware and routes verify once."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    token = token_from_header(request.headers.get("authorization"))
    principal = await request.app.state.runtime.verifier.verify(token) if token else None
    request.state.principal = principal
    return principal


async def require_principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise AppError(401, "UNAUTHENTICATED", "Authentication required.", field="Authorization",
                       headers={"WWW-Authenticate": "Bearer"})
    return principal


async def require_admin(request: Request) -> Principal:
    """Every service's admin API: a token with the admin claim; anyone else gets 403."""
    principal = await require_principal(request)
    if not principal.is_admin:
        raise AppError(403, "FORBIDDEN", "Admins only.")
    return principal
