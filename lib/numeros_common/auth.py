"""Access-token verification, shared by every service. Identity signs with its Ed25519 private key;
everyone else verifies with the public key, and checks Redis for sessions revoked at logout."""
from __future__ import annotations

from dataclasses import dataclass

import jwt
from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .errors import AppError

ALGORITHM = "EdDSA"
AUTH_SCHEMES = ("bearer", "token")  # the mobile client sends "Token <jwt>"


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


class TokenVerifier:
    def __init__(self, public_key_pem: str, issuer: str, audience: str, redis: Redis | None) -> None:
        self.public_key = public_key_pem
        self.issuer = issuer
        self.audience = audience
        self.redis = redis

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
                         is_admin=bool(claims.get("adm", False)), tier=str(claims.get("tier", "standard")))

    async def verify(self, token: str) -> Principal:
        principal = self.decode(token)
        if self.redis is not None:
            try:
                revoked = await self.redis.exists(revoked_session_key(principal.session_id))
            except RedisError as exc:
                raise AppError(503, "AUTH_UNAVAILABLE", "Cannot check the session right now.") from exc
            if revoked:
                raise AppError(401, "SESSION_REVOKED", "This session has been logged out.")
        return principal


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


async def require_admin_principal(request: Request) -> Principal:
    """An authenticated admin (the token's ``adm`` claim); anyone else gets 403."""
    principal = await require_principal(request)
    if not principal.is_admin:
        raise AppError(403, "FORBIDDEN", "Admins only.")
    return principal
