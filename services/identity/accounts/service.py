"""Accounts' use-cases: register (chart's profile, the user, its event and a session in one transaction),
login, token refresh and logout.

An account registered with email and password alone (astro-mvp) has no dating profile: no chart call, null
profile columns, chart level 0, and no ``identity.user.registered`` event (that event's v1 contract requires a
birth date and numerology, and matching has nobody to show until there is a profile)."""
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
from numeros_common.events.schemas import KeyLongitudes, NumerologyCore, UserRegisteredV1
from numeros_common.runtime import Runtime

from ..database import outbox
from ..profile.service import Birth, calculate_profile, user_values
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


start_session = _start_session  # public: phone OTP (services/identity/phone) signs in through it


async def register(runtime: Runtime, session: AsyncSession, *, email: str, password: str, display_name: str | None,
                   birth: Birth) -> SignedIn:
    """The new account, signed in. With birth data, chart is asked before anything is written: when it is
    down the request fails whole (503), with nothing half-stored."""
    if await repository.find_by_email(session, email) is not None:
        raise _email_taken()
    with_profile = birth.birth_date is not None and display_name is not None
    values: dict[str, Any] = {"email": email, "display_name": display_name, "chart_level": 0}
    if with_profile:
        profile = await calculate_profile(runtime.chart, display_name, birth, name_field="display_name")
        values.update({"birth_date": birth.birth_date, "birth_time": birth.birth_time,
                       "birth_place": birth.birth_place, "birth_latitude": birth.latitude,
                       "birth_longitude": birth.longitude, **user_values(profile, birth.timezone)})
    values["password_hash"] = await asyncio.to_thread(hash_password, password)
    now = dt.datetime.now(dt.UTC)
    try:
        user = await repository.insert_user(session, values)
        if with_profile:
            await _announce_registration(runtime, session, user)
        tokens = await _start_session(runtime, session, user, now)
        await session.commit()  # user, event and session together, or none of them
    except IntegrityError as exc:  # a concurrent registration with the same email won the race
        raise _email_taken() from exc
    runtime.relay.wake()
    return SignedIn(user, tokens)


async def _announce_registration(runtime: Runtime, session: AsyncSession, user: RowMapping) -> None:
    await add_event(session, outbox, runtime.settings.service_name, UserRegisteredV1(
        user_id=user["id"], display_name=user["display_name"], birth_date=user["birth_date"],
        photos=user["photos"], bio=user["bio"],
        numerology=NumerologyCore(life_path=user["life_path"], soul_urge=user["soul_urge"],
                                  expression=user["expression"], personality=user["personality"]),
        chart_level=user["chart_level"], sun_sign=user["sun_sign"], moon_sign=user["moon_sign"],
        rising_sign=user["rising_sign"], key_longitudes=KeyLongitudes(**user["key_longitudes"])))


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
