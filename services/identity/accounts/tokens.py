"""Signed access tokens and opaque refresh tokens. Pure: the clock and key are passed in."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from numeros_common.auth import ALGORITHM


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


def issue_access_token(private_key_pem: str, *, user_id: int, session_id: str, is_admin: bool, now: dt.datetime,
                       ttl_seconds: int, issuer: str, audience: str, tier: str = "standard") -> str:
    """``tier`` tells every service's limiter the account's rate-limit tier without a lookup."""
    claims = {"sub": str(user_id), "sid": session_id, "adm": is_admin, "tier": tier, "typ": "access", "iss": issuer,
              "aud": audience, "iat": int(now.timestamp()), "exp": int(now.timestamp()) + ttl_seconds,
              "jti": uuid.uuid4().hex}
    return jwt.encode(claims, private_key_pem, algorithm=ALGORITHM)


def new_secret_token() -> str:
    """An opaque bearer secret (refresh and password-reset tokens): 256 random bits."""
    return secrets.token_urlsafe(32)


def derived_key(private_key_pem: str, purpose: str) -> bytes:
    """A secret for one purpose (``"numeros-otp-key"``, ...) derived from the signing key, so a deployment
    configures one secret; distinct purposes give unrelated keys."""
    return hashlib.sha256(f"{purpose}:".encode() + private_key_pem.encode()).digest()


def successor_token(key: bytes, token: str) -> str:
    """The refresh token that replaces ``token`` at its rotation: derived (keyed HMAC), not drawn, so a retried
    refresh whose reply was lost is answered with the very token the lost reply carried."""
    return base64.urlsafe_b64encode(hmac.new(key, token.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()


def secret_token_hash(token: str) -> str:
    """Secret tokens are stored hashed: a leaked table cannot be replayed."""
    return hashlib.sha256(token.encode()).hexdigest()


def generate_keypair() -> tuple[str, str]:
    """A fresh Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public
