"""Accounts: register, login, refresh, logout, me."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal, revoked_session_key
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import KeyLongitudes
from numeros_common.events.schemas import NumerologyCore as EventNumerology
from numeros_common.events.schemas import UserRegisteredV1
from numeros_common.runtime import Runtime

from ..adapters import users_repo
from ..adapters.chart import calculate_profile, user_values
from ..adapters.tables import outbox
from ..domain.passwords import hash_password, verify_password
from ..domain.tokens import IssuedTokens, issue_access_token, new_refresh_token, refresh_token_hash
from .schemas import AuthResponse, LoginRequest, MeResponse, NumerologyCore, RefreshRequest, RegisterRequest, UserOut

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def user_out(row: RowMapping) -> UserOut:
    return UserOut(id=row["id"], email=row["email"], display_name=row["display_name"], birth_date=row["birth_date"],
                   birth_time=row["birth_time"], birth_place=row["birth_place"], latitude=row["birth_latitude"],
                   longitude=row["birth_longitude"], bio=row["bio"], photos=row["photos"], timezone=row["timezone"],
                   chart_level=row["chart_level"], sun_sign=row["sun_sign"], moon_sign=row["moon_sign"],
                   rising_sign=row["rising_sign"], is_verified=row["is_verified"], created_at=row["created_at"])


def numerology_out(row: RowMapping) -> NumerologyCore:
    return NumerologyCore(life_path=row["life_path"], soul_urge=row["soul_urge"], expression=row["expression"],
                          personality=row["personality"])


def profile_body(row: RowMapping) -> dict[str, Any]:
    """``{user, numerology, astrology}`` as JSON-ready data: the stored documents exactly as chart made
    them (so ``angles``/``houses`` are absent below chart level 4, never null)."""
    numerology = row["numerology_profile"] or numerology_out(row).model_dump()  # accounts older than 0002
    return {"user": user_out(row).model_dump(mode="json"), "numerology": numerology, "astrology": row["astrology"]}


async def _start_session(runtime: Runtime, session: AsyncSession, row: RowMapping, now: dt.datetime) -> IssuedTokens:
    settings = runtime.settings
    refresh = new_refresh_token()
    session_id = await users_repo.create_session(
        session, user_id=row["id"], refresh_hash=refresh_token_hash(refresh),
        expires_at=now + dt.timedelta(seconds=settings.refresh_token_ttl_seconds))
    return _tokens(runtime, row["id"], bool(row["is_admin"]), str(session_id), refresh, now)


def _tokens(runtime: Runtime, user_id: int, is_admin: bool, session_id: str, refresh: str, now: dt.datetime) -> IssuedTokens:
    settings = runtime.settings
    access = issue_access_token(runtime.state["jwt_private_key"], user_id=user_id, session_id=session_id,
                                is_admin=is_admin, now=now, ttl_seconds=settings.access_token_ttl_seconds,
                                issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    return IssuedTokens(access, refresh, settings.access_token_ttl_seconds, session_id)


def _auth_response(tokens: IssuedTokens, row: RowMapping, status_code: int = 200) -> JSONResponse:
    body = {"token": tokens.access_token, "token_type": "Bearer", "expires_in": tokens.expires_in,
            "refresh_token": tokens.refresh_token, **profile_body(row)}
    return JSONResponse(body, status_code=status_code)


REGISTER_DESCRIPTION = """Creates the account and stores the full numerology and astrology profile, computed by
the chart service from `display_name` and the birth data (one call, made before anything is written: when
chart is unavailable the answer is 503 and nothing is stored).

Location: `latitude`/`longitude` win; `timezone` (IANA) sets the clock the birth time is read on. `birth_place`
is free text: with coordinates it is only a label; with `timezone` alone the gazetteer is asked for its
coordinates and, if it cannot place it in that zone, it stays a label; given **alone**, a place the offline
gazetteer cannot find, or one that matches several places, is a **422 naming `birth_place`** whose message lists
the candidates, so the app can ask the user to pick one (or send coordinates). Chart level: 1 date only,
2 date + location, 3 date + time, 4 date + time + location (angles and houses)."""


@router.post("/register", status_code=201, response_model=AuthResponse, summary="Create an account",
             description=REGISTER_DESCRIPTION,
             responses={409: {"description": "Email already registered"},
                        422: {"description": "Invalid input naming the field, incl. an unknown or ambiguous "
                                             "birth_place given without coordinates or timezone"},
                        503: {"description": "Calculation service unavailable; nothing was stored"}})
async def register(body: RegisterRequest, request: Request, session: AsyncSession = Depends(db_session)) -> JSONResponse:
    runtime = runtime_of(request)
    if await users_repo.find_by_email(session, body.email) is not None:
        raise AppError(409, "EMAIL_TAKEN", "An account with this email already exists.", field="email")
    # Calculate before writing anything: if chart is down the request fails whole, with nothing half-stored.
    profile = await calculate_profile(runtime.chart, body.display_name, body, name_field="display_name")
    password_hash = await asyncio.to_thread(hash_password, body.password)
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "email": body.email, "password_hash": password_hash, "display_name": body.display_name,
        "birth_date": body.birth_date, "birth_time": body.birth_time, "birth_place": body.birth_place,
        "birth_latitude": body.latitude, "birth_longitude": body.longitude,
        **user_values(profile, body.timezone),
    }
    try:
        row = await users_repo.insert_user(session, values)
        await add_event(session, outbox, runtime.settings.service_name, UserRegisteredV1(
            user_id=row["id"], display_name=row["display_name"], birth_date=row["birth_date"],
            photos=row["photos"], bio=row["bio"], numerology=EventNumerology(**numerology_out(row).model_dump()),
            chart_level=row["chart_level"], sun_sign=row["sun_sign"], moon_sign=row["moon_sign"],
            rising_sign=row["rising_sign"], key_longitudes=KeyLongitudes(**row["key_longitudes"])))
        tokens = await _start_session(runtime, session, row, now)
        await session.commit()  # user, event and session together, or none of them
    except IntegrityError as exc:  # a concurrent registration with the same email won the race
        raise AppError(409, "EMAIL_TAKEN", "An account with this email already exists.", field="email") from exc
    runtime.relay.wake()
    return _auth_response(tokens, row, status_code=201)


@router.post("/login", response_model=AuthResponse, summary="Log in with email and password",
             responses={401: {"description": "Wrong email or password"}})
async def login(body: LoginRequest, request: Request, session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await users_repo.find_by_email(session, body.email)
    ok = await asyncio.to_thread(verify_password, row["password_hash"] if row else None, body.password)
    if row is None or not ok:
        raise AppError(401, "INVALID_CREDENTIALS", "Email or password is wrong.")
    if not row["is_active"]:
        raise AppError(403, "ACCOUNT_DISABLED", "This account is disabled.")
    tokens = await _start_session(runtime_of(request), session, row, dt.datetime.now(dt.UTC))
    await session.commit()
    return _auth_response(tokens, row)


@router.post("/refresh", response_model=AuthResponse, summary="Swap a refresh token for new tokens",
             responses={401: {"description": "Refresh token unknown, expired or logged out"}})
async def refresh(body: RefreshRequest, request: Request, session: AsyncSession = Depends(db_session)) -> JSONResponse:
    runtime = runtime_of(request)
    now = dt.datetime.now(dt.UTC)
    new_refresh = new_refresh_token()
    rotated = await users_repo.rotate_session(
        session, refresh_hash=refresh_token_hash(body.refresh_token), new_hash=refresh_token_hash(new_refresh),
        now=now, expires_at=now + dt.timedelta(seconds=runtime.settings.refresh_token_ttl_seconds))
    if rotated is None:
        raise AppError(401, "INVALID_REFRESH_TOKEN", "The refresh token is not valid.", field="refresh_token")
    row = await users_repo.find_by_id(session, rotated["user_id"])
    await session.commit()
    assert row is not None
    tokens = _tokens(runtime, row["id"], bool(row["is_admin"]), str(rotated["id"]), new_refresh, now)
    return _auth_response(tokens, row)


@router.post("/logout", status_code=204, summary="End this session (access and refresh token)")
async def logout(request: Request, principal: Principal = Depends(require_principal),
                 session: AsyncSession = Depends(db_session)) -> Response:
    runtime = runtime_of(request)
    await users_repo.revoke_session(session, uuid.UUID(principal.session_id), dt.datetime.now(dt.UTC))
    await session.commit()
    # Every service checks this key, so the access token stops working everywhere at once.
    await runtime.redis.set(revoked_session_key(principal.session_id), "1",
                            ex=runtime.settings.access_token_ttl_seconds + 60)
    return Response(status_code=204)


async def signed_in_profile(principal: Principal = Depends(require_principal),
                            session: AsyncSession = Depends(db_session)) -> JSONResponse:
    row = await users_repo.find_by_id(session, principal.user_id)
    if row is None:
        raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")
    return JSONResponse(profile_body(row))


router.get("/me", response_model=MeResponse, summary="The signed-in user, with numerology and astrology",
           responses={401: {"description": "Missing, invalid or logged-out token"}})(signed_in_profile)
