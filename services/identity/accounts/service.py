"""Accounts' use-cases: register (chart's profile, the user, its event and a session in one transaction),
login, token refresh, logout, password change and reset, and the sessions' lifecycle.

An account registered with email and password alone (astro-mvp) has no dating profile: no chart call, null
profile columns, chart level 0, and no ``identity.user.registered`` event (that event's v1 contract requires a
birth date and numerology, and matching has nobody to show until there is a profile): it is published when the
account gains a profile (``PATCH /profile/me``, see ``profile.service.announce_profile``).

A session lives until ``session_max_age_seconds`` after sign-in whatever its rotations; each refresh token
works once, and presenting one the session already rotated away (a stolen copy, or the thief's original)
ends the session. Every revocation is written to the sessions table with its ``identity.session.revoked``
event in one transaction, and to the Redis cache every verifier reads (``revocations``)."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import SessionRevokedV1
from numeros_common.runtime import Runtime

from ..database import outbox
from ..profile import service as profile  # (profile's account deletion uses this module too)
from . import repository
from .passwords import hash_password, verify_password
from .revocations import RevocationCache
from .tokens import (IssuedTokens, derived_key, issue_access_token, new_secret_token, secret_token_hash,
                     successor_token)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedIn:
    user: RowMapping
    tokens: IssuedTokens


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _email_taken() -> AppError:
    return AppError(409, "EMAIL_TAKEN", "An account with this email already exists.", field="email")


def _tokens(runtime: Runtime, user: RowMapping, session_id: str, refresh: str, now: dt.datetime) -> IssuedTokens:
    settings = runtime.settings
    access = issue_access_token(runtime.state["jwt_private_key"], user_id=user["id"], session_id=session_id,
                                is_admin=bool(user["is_admin"]), tier=user["tier"], now=now,
                                ttl_seconds=settings.access_token_ttl_seconds, issuer=settings.jwt_issuer,
                                audience=settings.jwt_audience)
    return IssuedTokens(access, refresh, settings.access_token_ttl_seconds, session_id)


def _refresh_expiry(runtime: Runtime, now: dt.datetime, absolute: dt.datetime) -> dt.datetime:
    return min(now + dt.timedelta(seconds=runtime.settings.refresh_token_ttl_seconds), absolute)


async def start_session(runtime: Runtime, session: AsyncSession, user: RowMapping,
                        now: dt.datetime | None = None) -> IssuedTokens:
    """A new session for ``user`` (any sign-in: password, phone code); the caller commits."""
    now = now or _utcnow()
    refresh = new_secret_token()
    absolute = now + dt.timedelta(seconds=runtime.settings.session_max_age_seconds)
    session_id = await repository.create_session(
        session, user_id=user["id"], refresh_hash=secret_token_hash(refresh),
        expires_at=_refresh_expiry(runtime, now, absolute), absolute_expires_at=absolute)
    return _tokens(runtime, user, str(session_id), refresh, now)




async def register(runtime: Runtime, session: AsyncSession, *, email: str, password: str, display_name: str | None,
                   birth: profile.Birth) -> SignedIn:
    """The new account, signed in. With birth data, chart is asked before anything is written: when it is
    down the request fails whole (503), with nothing half-stored."""
    if await repository.find_by_email(session, email) is not None:
        raise _email_taken()
    values: dict[str, Any] = {"email": email, "display_name": display_name, "chart_level": 0}
    if birth.birth_date is not None and display_name is not None:
        chart_profile = await profile.calculate_profile(runtime.chart, display_name, birth, name_field="display_name")
        values.update({"birth_date": birth.birth_date, "birth_time": birth.birth_time,
                       "birth_place": birth.birth_place, "birth_latitude": birth.latitude,
                       "birth_longitude": birth.longitude, **profile.user_values(chart_profile, birth.timezone)})
    values["password_hash"] = await asyncio.to_thread(hash_password, password)
    now = dt.datetime.now(dt.UTC)
    try:
        user = await repository.insert_user(session, values)
        await profile.announce_profile(runtime, session, None, user)
        tokens = await start_session(runtime, session, user, now)
        await session.commit()  # user, event and session together, or none of them
    except IntegrityError as exc:  # a concurrent registration with the same email won the race
        raise _email_taken() from exc
    runtime.relay.wake()
    return SignedIn(user, tokens)


def _login_failures(email: str) -> str:
    return f"login-failures:{email.strip().lower()}"


async def _check_attempts(runtime: Runtime, email: str) -> None:
    """429 while the account's failed sign-ins fill its window: the same answer whether or not the
    account exists (the bucket is the address as typed), and before the password is even checked."""
    decision = await runtime.limiter.peek(_login_failures(email), runtime.settings.login_failure_limit)
    if not decision.allowed:
        raise AppError(429, "TOO_MANY_ATTEMPTS", "Too many failed attempts for this account; try again later.",
                       headers=decision.headers())


async def check_password(runtime: Runtime, email: str, password_hash: str | None, password: str) -> bool:
    """Checks a password against the account's failure budget; a failure spends one. Every password form
    (the API's login and password change, the admin console's sign-in) shares the one budget."""
    await _check_attempts(runtime, email)
    ok = await asyncio.to_thread(verify_password, password_hash, password)
    if not ok:
        await runtime.limiter.hit(_login_failures(email), runtime.settings.login_failure_limit)
    return ok


async def forget_failures(runtime: Runtime, email: str) -> None:
    """A successful sign-in refills the account's failure budget."""
    await runtime.limiter.clear(_login_failures(email), runtime.settings.login_failure_limit)


async def login(runtime: Runtime, session: AsyncSession, *, email: str, password: str) -> SignedIn:
    user = await repository.find_by_email(session, email)
    # An unknown email costs the same: limiter round trips, and a hash checked (passwords' dummy hash).
    ok = await check_password(runtime, email, user["password_hash"] if user else None, password)
    if user is None or not ok:
        raise AppError(401, "INVALID_CREDENTIALS", "Email or password is wrong.")
    if not user["is_active"]:
        raise AppError(403, "ACCOUNT_DISABLED", "This account is disabled.")
    await forget_failures(runtime, email)
    tokens = await start_session(runtime, session, user)
    await session.commit()
    return SignedIn(user, tokens)


def _invalid_refresh() -> AppError:
    return AppError(401, "INVALID_REFRESH_TOKEN", "The refresh token is not valid.", field="refresh_token")


def _successor(runtime: Runtime, refresh_token: str) -> str:
    return successor_token(derived_key(runtime.state["jwt_private_key"], "numeros-refresh-successor"), refresh_token)


async def refresh(runtime: Runtime, session: AsyncSession, refresh_token: str,
                  now: dt.datetime | None = None) -> SignedIn:
    """New tokens for a live refresh token, which is rotated away. The session's absolute lifetime stays.

    A token it rotated away, presented again, ends the session (the new tokens stop working too) — unless it
    is the token rotated away last, within ``refresh_retry_grace_seconds``: an app whose refresh reply was
    lost on a weak connection (or that sent it twice) asking again. It gets the same refresh token the first
    reply carried (the successor is derived from the token it replaces), so whichever reply arrives, the
    token the app keeps is the session's current one."""
    now = now or _utcnow()
    presented = secret_token_hash(refresh_token)
    successor = _successor(runtime, refresh_token)
    row = await repository.session_by_refresh_hash(session, presented)
    retry = row is None
    if retry:
        retired = await repository.retired_token(session, presented)
        if retired is None:
            raise _invalid_refresh()
        grace = dt.timedelta(seconds=runtime.settings.refresh_retry_grace_seconds)
        if not (retired["latest"] and now - retired["retired_at"] <= grace):
            await _revoke(runtime, session, reason="refresh_reuse", session_id=retired["session_id"], now=now)
            await session.commit()
            runtime.relay.wake()
            log.warning("refresh token reused; session revoked", extra={"session_id": str(retired["session_id"])})
            raise _invalid_refresh()
        row = await repository.session_by_id(session, retired["session_id"])
        if row is None or row["refresh_token_hash"] != secret_token_hash(successor):
            raise _invalid_refresh()
    if row["revoked_at"] is not None or row["expires_at"] <= now:
        raise _invalid_refresh()
    user = await repository.find_by_id(session, row["user_id"])
    if user is None or not user["is_active"]:
        raise AppError(403, "ACCOUNT_DISABLED", "This account is disabled.")
    if not retry:
        await repository.rotate_session(session, row["id"], old_hash=presented, new_hash=secret_token_hash(successor),
                                        expires_at=_refresh_expiry(runtime, now, row["absolute_expires_at"]), now=now)
    await session.commit()
    return SignedIn(user, _tokens(runtime, user, str(row["id"]), successor, now))


async def _revoke(runtime: Runtime, session: AsyncSession, *, reason: str, now: dt.datetime,
                  session_id: uuid.UUID | None = None, user_id: int | None = None,
                  keep: uuid.UUID | None = None) -> list[str]:
    """Revokes in the caller's transaction, with the event(s); caches the revocations in Redis at once, so
    they are refused everywhere before the caller answers (a rollback would only leave them refused)."""
    access_ttl = dt.timedelta(seconds=runtime.settings.access_token_ttl_seconds)
    revoked = await repository.revoke_sessions(session, session_id=session_id, user_id=user_id, keep=keep,
                                               reason=reason, now=now, live_after=now - access_ttl)
    if user_id is not None and keep is None:  # the whole account: one event, every session
        targets: list[tuple[int, str | None]] = [(user_id, None)]
    else:
        targets = [(owner, str(revoked_id)) for revoked_id, owner in revoked]
    for owner, target in targets:
        await add_event(session, outbox, runtime.settings.service_name, SessionRevokedV1(
            user_id=owner, session_id=target, reason=reason, expires_at=now + access_ttl))
    cache: RevocationCache = runtime.state["revocations"]
    await cache.write((revoked_id, now) for revoked_id, _ in revoked)
    return [str(revoked_id) for revoked_id, _ in revoked]


async def revoke_all_sessions(runtime: Runtime, session: AsyncSession, user_id: int, reason: str, *,
                              keep_session_id: str | None = None, now: dt.datetime | None = None) -> list[str]:
    """Ends every session of ``user_id`` (but ``keep_session_id``): refresh tokens at once, access tokens
    everywhere, live sockets through ``identity.session.revoked``. ``reason`` is one of that event's
    reasons. Runs in the caller's transaction: the caller commits (and may ``runtime.relay.wake()``).
    Returns the ids of the sessions it ended."""
    return await _revoke(runtime, session, reason=reason, now=now or _utcnow(), user_id=user_id,
                         keep=uuid.UUID(keep_session_id) if keep_session_id else None)


async def logout(runtime: Runtime, session: AsyncSession, session_id: str) -> None:
    """Ends the session: its refresh token at once, and its access token everywhere."""
    await _revoke(runtime, session, reason="logout", now=_utcnow(), session_id=uuid.UUID(session_id))
    await session.commit()
    runtime.relay.wake()


async def _set_password(runtime: Runtime, session: AsyncSession, user_id: int, password: str) -> None:
    password_hash = await asyncio.to_thread(hash_password, password)
    await repository.update_user(session, user_id, {"password_hash": password_hash})
    await repository.spend_reset_tokens(session, user_id, _utcnow())


async def change_password(runtime: Runtime, session: AsyncSession, *, user_id: int, session_id: str,
                          current_password: str, new_password: str) -> None:
    """Sets a new password; every other session of the account ends (this one stays signed in)."""
    user = await repository.find_by_id(session, user_id)
    if user is None:
        raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")
    if user["password_hash"] is None:  # a phone account: no password, and no email to count failures by
        raise AppError(422, "PASSWORD_NOT_SET", "current_password: this account has no password; it signs in "
                                                "with a code sent to its phone number.", field="current_password")
    if not await check_password(runtime, user["email"], user["password_hash"], current_password):
        raise AppError(403, "WRONG_PASSWORD", "The current password is wrong.", field="current_password")
    await _set_password(runtime, session, user_id, new_password)
    await revoke_all_sessions(runtime, session, user_id, "password_changed", keep_session_id=session_id)
    await session.commit()
    runtime.relay.wake()


def _reset_mails(email: str) -> str:
    return f"password-reset-mails:{email.strip().lower()}"


async def forgot_password(runtime: Runtime, session: AsyncSession, email: str) -> None:
    """Queues a one-time reset link for the account, if it exists, with its token in one transaction (the
    mail worker sends it: a crash after the answer loses no mail). The caller answers the same either way,
    and nothing is sent before the answer, so its time does not tell either."""
    settings = runtime.settings
    decision = await runtime.limiter.hit(_reset_mails(email), settings.password_reset_mail_limit)
    user = await repository.find_by_email(session, email)
    token = new_secret_token()
    if user is None or not decision.allowed:
        return
    now, ttl = _utcnow(), dt.timedelta(seconds=settings.password_reset_ttl_seconds)
    await repository.add_reset_token(session, user_id=user["id"], token_hash=secret_token_hash(token), now=now,
                                     ttl=ttl)
    minutes = settings.password_reset_ttl_seconds // 60
    await repository.queue_mail(
        session, recipient=user["email"], subject="Reset your Numeros password", send_before=now + ttl,
        body=f"Someone asked to reset the password of your Numeros account. If it was you, open "
             f"{settings.password_reset_url}{token} within {minutes} minutes; the link works once.\n"
             f"Reset token: {token}\nIf it was not you, ignore this mail: your password stays as it is.")
    await session.commit()
    runtime.state["mail_queue"].wake()


async def reset_password(runtime: Runtime, session: AsyncSession, *, token: str, new_password: str) -> None:
    """Spends a reset token (once, within its 30 minutes) on a new password; every session ends."""
    now = _utcnow()
    user_id = await repository.use_reset_token(session, secret_token_hash(token), now)
    if user_id is None:
        raise AppError(401, "INVALID_RESET_TOKEN", "The reset token is unknown, used or expired.", field="token")
    await _set_password(runtime, session, user_id, new_password)
    await revoke_all_sessions(runtime, session, user_id, "password_changed", now=now)
    await session.commit()
    runtime.relay.wake()


async def update_account(runtime: Runtime, session: AsyncSession, user_id: int, changes: dict[str, Any]) -> RowMapping:
    """An admin's change of tier, admin rights or activity. Deactivation ends every session and tells
    discovery (``identity.user.updated`` with ``active`` false); reactivation tells it back. Revoked admin
    rights end every session too: the tokens' admin claim is what matching's and chat's admin APIs read."""
    before = await repository.find_by_id(session, user_id)
    if before is None:
        raise AppError(404, "USER_NOT_FOUND", "No such user.", field="user_id")
    user = await repository.update_user(session, user_id, changes)
    assert user is not None
    if before["is_admin"] and not user["is_admin"]:
        await revoke_all_sessions(runtime, session, user_id, "admin_revoked")
    if user["is_active"] != before["is_active"]:
        if not user["is_active"]:
            await revoke_all_sessions(runtime, session, user_id, "deactivated")
        await profile.announce_profile(runtime, session, before, user)
    await session.commit()
    runtime.relay.wake()
    return user
