"""Accounts: register, login, refresh, logout, me, password change, forgot and reset.
One body serves both seeds: astro-mvp's
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
from .schemas import (AuthResponse, LoginRequest, LogoutResponse, MeResponse, MessageResponse, PasswordChangeRequest,
                      PasswordForgotRequest, PasswordResetRequest, RefreshRequest, RegisterRequest)

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
async def register(body: RegisterRequest, request: Request,
                   session: AsyncSession = Depends(db_session)) -> JSONResponse:
    signed_in = await service.register(runtime_of(request), session, email=body.email, password=body.password,
                                       display_name=body.display_name, birth=body)
    return _auth_response(signed_in, status_code=201)


_THROTTLED = {429: {"description": "Too many failed passwords for this account (`TOO_MANY_ATTEMPTS`, with "
                                  "`Retry-After`); the same whether or not the account exists"}}
_LOGIN_REFUSALS = {401: {"description": "Wrong email or password"},
                   403: {"description": "The account is deactivated"},
                   429: {"description": "Too many failed passwords for this account (`TOO_MANY_ATTEMPTS`; the same "
                                        "whether or not the account exists), or for a phone number the resend "
                                        "cooldown (OTP_RESEND_COOLDOWN) or a sending limit per number or per IP "
                                        "(OTP_SEND_LIMIT); retry after `Retry-After` seconds"}}


@router.post("/login", response_model=AuthResponse | CodeSentResponse, openapi_extra=login_openapi(LoginRequest),
             summary="Log in with email and password, or ask for a login code by SMS with a phone number",
             responses={**INVALID, **SENDING, **_LOGIN_REFUSALS})
async def login(request: Request, session: AsyncSession = Depends(db_session)) -> Any:
    body = await login_body(request, LoginRequest)
    if isinstance(body, PhoneNumberRequest):
        return await phone_login(body, request, session)
    assert isinstance(body, LoginRequest)
    return _auth_response(await service.login(runtime_of(request), session, email=body.email, password=body.password))


@router.post("/refresh", response_model=AuthResponse, summary="Swap a refresh token for new tokens",
             description="Each refresh token works once. The session ends at its absolute lifetime after sign-in "
                         "(30 days by default) however often it is refreshed; a refresh token presented again "
                         "after it was swapped ends the whole session (its newest tokens stop working too) — except "
                         "the last one swapped, within 30 seconds (NUMEROS_REFRESH_RETRY_GRACE_SECONDS): a retry "
                         "after a lost reply, answered with the same refresh token the lost reply carried.",
             responses={401: {"description": "Refresh token unknown, expired, reused or logged out"},
                        403: {"description": "The account is deactivated"}})
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


@router.post("/password/change", response_model=MessageResponse, summary="Change the password",
             description="Needs the current password. Every other session of the account ends; this one stays. "
                         "An account made by phone OTP has no password: 422 `PASSWORD_NOT_SET` naming "
                         "`current_password`.",
             responses={401: {"description": "Missing, invalid or logged-out token"},
                        403: {"description": "The current password is wrong (`WRONG_PASSWORD`)"}, **_THROTTLED})
async def change_password(body: PasswordChangeRequest, request: Request,
                          principal: Principal = Depends(require_principal),
                          session: AsyncSession = Depends(db_session)) -> dict[str, str]:
    await service.change_password(runtime_of(request), session, user_id=principal.user_id,
                                  session_id=principal.session_id, current_password=body.current_password,
                                  new_password=body.new_password)
    return {"message": "Password changed; other sessions have been signed out."}


FORGOT_ANSWER = "If an account exists for this email, a reset link has been sent to it."


@router.post("/password/forgot", status_code=202, response_model=MessageResponse, summary="Mail a reset link",
             description="The answer is the same whether or not an account has this email. The mail holds a "
                         "one-time token valid for 30 minutes.")
async def forgot_password(body: PasswordForgotRequest, request: Request,
                          session: AsyncSession = Depends(db_session)) -> JSONResponse:
    await service.forgot_password(runtime_of(request), session, body.email)
    return JSONResponse({"message": FORGOT_ANSWER}, status_code=202)


@router.post("/password/reset", response_model=MessageResponse, summary="Set a new password with a reset token",
             description="The token works once, within 30 minutes of the request. Every session of the account "
                         "ends; sign in with the new password.",
             responses={401: {"description": "The token is unknown, used or expired (`INVALID_RESET_TOKEN`), like an "
                                             "invalid refresh token"}})
async def reset_password(body: PasswordResetRequest, request: Request,
                         session: AsyncSession = Depends(db_session)) -> dict[str, str]:
    await service.reset_password(runtime_of(request), session, token=body.token, new_password=body.new_password)
    return {"message": "Password reset; sign in with the new password."}
