"""Accounts: register, login, refresh, logout, me. One body serves both seeds: astro-mvp's
``{access_token, token_type: "bearer", expires_in}`` and the Numeros client's AuthResponse; logout answers
astro-mvp's 200 message (the Numeros ApiClient parses every response as JSON)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.responses import INVALID, MALFORMED_BODY, RATE_LIMITED

from ..phone.router import SENDING, login_body, login_openapi, phone_login
from ..phone.schemas import CodeSentResponse, PhoneNumberRequest
from ..profile.schemas import profile_body
from ..profile.service import signed_in_user
from . import service
from .schemas import AuthResponse, LoginRequest, LogoutResponse, MeResponse, RefreshRequest, RegisterRequest

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses={**MALFORMED_BODY, **RATE_LIMITED})


def _auth_response(signed_in: service.SignedIn, status_code: int = 200) -> JSONResponse:
    tokens = signed_in.tokens
    body = {"access_token": tokens.access_token, "token": tokens.access_token, "token_type": "bearer",
            "expires_in": tokens.expires_in, "refresh_token": tokens.refresh_token, **profile_body(signed_in.user)}
    return JSONResponse(body, status_code=status_code)


REGISTER_DESCRIPTION = """Creates the account. `email` and `password` alone are enough (astro-mvp): the account
then has no dating profile yet (`numerology` and `astrology` null, `user.chart_level` 0). With `display_name` and
`birth_date` it also stores the full numerology and astrology profile, computed by the chart service (one call,
made before anything is written: when chart is unavailable the answer is 503 and nothing is stored); birth
details without `birth_date`, or `birth_date` without `display_name`, are a 422 naming the missing field (as is
a local birth time before 0001-01-01T00:00Z).

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
    signed_in = await service.register(runtime_of(request), session, email=body.email, password=body.password,
                                       display_name=body.display_name, birth=body)
    return _auth_response(signed_in, status_code=201)


@router.post("/login", response_model=AuthResponse | CodeSentResponse, openapi_extra=login_openapi(LoginRequest),
             summary="Log in with email and password, or ask for a login code by SMS with a phone number",
             responses={401: {"description": "Wrong email or password"}, **INVALID, **SENDING})
async def login(request: Request, session: AsyncSession = Depends(db_session)) -> Any:
    body = await login_body(request, LoginRequest)
    if isinstance(body, PhoneNumberRequest):
        return await phone_login(body, request, session)
    assert isinstance(body, LoginRequest)
    return _auth_response(await service.login(runtime_of(request), session, email=body.email, password=body.password))


@router.post("/refresh", response_model=AuthResponse, summary="Swap a refresh token for new tokens",
             responses={401: {"description": "Refresh token unknown, expired or logged out"}})
async def refresh(body: RefreshRequest, request: Request, session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return _auth_response(await service.refresh(runtime_of(request), session, body.refresh_token))


@router.post("/logout", response_model=LogoutResponse, summary="End this session (access and refresh token)",
             responses={401: {"description": "Missing, invalid or logged-out token"}})
async def logout(request: Request, principal: Principal = Depends(require_principal),
                 session: AsyncSession = Depends(db_session)) -> dict[str, str]:
    await service.logout(runtime_of(request), session, principal.session_id)
    return LogoutResponse().model_dump()


@router.get("/me", response_model=MeResponse, summary="The signed-in user: astro-mvp's fields, then the profile",
            responses={401: {"description": "Missing, invalid or logged-out token"}})
async def me(principal: Principal = Depends(require_principal),
             session: AsyncSession = Depends(db_session)) -> JSONResponse:
    user = await signed_in_user(session, principal.user_id)
    profile = profile_body(user)
    return JSONResponse({"id": user["id"], "email": user["email"], "is_active": user["is_active"],
                         "is_admin": user["is_admin"], "created_at": profile["user"]["created_at"],
                         "tier": user["tier"], **profile})
