"""Accounts' use-cases: register (chart's profile, the user, its event and a session in one transaction),
login, token refresh and logout.

An account registered with email and password alone (astro-mvp) has no dating profile: no chart call, null
profile columns, chart level 0, and no ``identity.user.registered`` event (that event's v1 contract requires a
birth date and numerology, and matching has nobody to show until there is a profile): it is published when the
account gains a profile (``PATCH /profile/me``, see ``profile.service.announce_profile``)."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import revoked_session_key
from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import SessionRevokedV1
from numeros_common.runtime import Runtime

from ..database import outbox
from ..profile import service as profile  # (profile's account deletion uses this module too)
from . import repository
from .passwords import hash_password, verify_password
from .tokens import IssuedTokens, issue_access_token, new_refresh_token, refresh_token_hash


@dataclass(frozen=True)
class SignedIn:
    user: RowMapping
    tokens: IssuedTokens


def _email_taken() -> AppError:
    return AppError(409, "EMAIL_TAKEN", "An account with this email already exists.", field="email")


def _tokens(runtime: Runtime, user: RowMapping, session_id: str, refresh: str, now: dt.datetime) -> IssuedTokens:
    settings = runtime.settings
    access = issue_access_token(runtime.state["jwt_private_key"], user_id=user["id"], session_id=session_id,
                                is_admin=bool(user["is_admin"]), tier=user["tier"], now=now,
                                ttl_seconds=settings.access_token_ttl_seconds, issuer=settings.jwt_issuer,
                                audience=settings.jwt_audience)
    return IssuedTokens(access, refresh, settings.access_token_ttl_seconds, session_id)


async def _start_session(runtime: Runtime, session: AsyncSession, user: RowMapping, now: dt.datetime) -> IssuedTokens:
    refresh = new_refresh_token()
    session_id = await repository.create_session(
        session, user_id=user["id"], refresh_hash=refresh_token_hash(refresh),
        expires_at=now + dt.timedelta(seconds=runtime.settings.refresh_token_ttl_seconds))
    return _tokens(runtime, user, str(session_id), refresh, now)


async def register(runtime: Runtime, session: AsyncSession, *, email: str, password: str, display_name: str | None,
                   birth: profile.Birth) -> SignedIn:
    """The new account, signed in. With birth data, chart is asked before anything is written: when it is
    down the request fails whole (503), with nothing half-stored."""
    if await repository.find_by_email(session, email) is not None:
        raise _email_taken()
    with_profile = birth.birth_date is not None and display_name is not None
    values: dict[str, Any] = {"email": email, "display_name": display_name, "chart_level": 0}
    if with_profile:
        chart_profile = await profile.calculate_profile(runtime.chart, display_name, birth, name_field="display_name")
        values.update({"birth_date": birth.birth_date, "birth_time": birth.birth_time,
                       "birth_place": birth.birth_place, "birth_latitude": birth.latitude,
                       "birth_longitude": birth.longitude, **profile.user_values(chart_profile, birth.timezone)})
    values["password_hash"] = await asyncio.to_thread(hash_password, password)
    now = dt.datetime.now(dt.UTC)
    try:
        user = await repository.insert_user(session, values)
        await profile.announce_profile(runtime, session, None, user)
        tokens = await _start_session(runtime, session, user, now)
        await session.commit()  # user, event and session together, or none of them
    except IntegrityError as exc:  # a concurrent registration with the same email won the race
        raise _email_taken() from exc
    runtime.relay.wake()
    return SignedIn(user, tokens)


async def login(runtime: Runtime, session: AsyncSession, *, email: str, password: str) -> SignedIn:
    user = await repository.find_by_email(session, email)
    ok = await asyncio.to_thread(verify_password, user["password_hash"] if user else None, password)
    if user is None or not ok:
        raise AppError(401, "INVALID_CREDENTIALS", "Email or password is wrong.")
    if not user["is_active"]:
        raise AppError(403, "ACCOUNT_DISABLED", "This account is disabled.")
    tokens = await _start_session(runtime, session, user, dt.datetime.now(dt.UTC))
    await session.commit()
    return SignedIn(user, tokens)


async def refresh(runtime: Runtime, session: AsyncSession, refresh_token: str) -> SignedIn:
    """New tokens for a live refresh token, which is rotated away (a replay is a 401)."""
    now = dt.datetime.now(dt.UTC)
    new_refresh = new_refresh_token()
    rotated = await repository.rotate_session(
        session, refresh_hash=refresh_token_hash(refresh_token), new_hash=refresh_token_hash(new_refresh),
        now=now, expires_at=now + dt.timedelta(seconds=runtime.settings.refresh_token_ttl_seconds))
    if rotated is None:
        raise AppError(401, "INVALID_REFRESH_TOKEN", "The refresh token is not valid.", field="refresh_token")
    user = await repository.find_by_id(session, rotated["user_id"])
    await session.commit()
    assert user is not None
    return SignedIn(user, _tokens(runtime, user, str(rotated["id"]), new_refresh, now))


async def logout(runtime: Runtime, session: AsyncSession, session_id: str) -> None:
    """Ends the session: its refresh token at once, and its access token everywhere (every service checks
    the revoked-session key in Redis)."""
    await repository.revoke_session(session, uuid.UUID(session_id), dt.datetime.now(dt.UTC))
    await session.commit()
    await runtime.redis.set(revoked_session_key(session_id), "1", ex=runtime.settings.access_token_ttl_seconds + 60)


async def revoke_all_sessions(runtime: Runtime, session: AsyncSession, user_id: int, reason: str) -> None:
    """Every live session of the user ends, in the caller's transaction: refresh tokens at once, access
    tokens everywhere through the revoked-session keys, and ``identity.session.revoked`` for live sockets."""
    now = dt.datetime.now(dt.UTC)
    revoked = await repository.revoke_user_sessions(session, user_id, now)
    ttl = runtime.settings.access_token_ttl_seconds
    for session_id in revoked:
        await runtime.redis.set(revoked_session_key(str(session_id)), "1", ex=ttl + 60)
    await add_event(session, outbox, runtime.settings.service_name, SessionRevokedV1(
        user_id=user_id, session_id=None, reason=reason, expires_at=now + dt.timedelta(seconds=ttl)))
