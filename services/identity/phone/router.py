"""Loopin's phone endpoints under /api/v1/auth (the seed's /api/auth/*), and the phone half of
``POST /auth/login``: accounts' login route reads either body (``login_body``) and hands a phone number here.
Success bodies are Loopin's; errors are the dating app's envelope, naming the field."""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.http import client_ip
from numeros_common.responses import CHART_UNAVAILABLE, INVALID, MALFORMED_BODY, RATE_LIMITED, UNAUTHENTICATED

from ..profile.rules import linked_urls
from . import codes, rules, service
from .schemas import (CodeSentResponse, CompletedResponse, CompleteProfileRequest, EventInterestResponse,
                      InterestsResponse, LoginResponse, OTPVerificationRequest, PhoneNumberRequest, SignedInResponse,
                      UserProfileResponse, iso)

router = APIRouter(prefix="/api/v1/auth", tags=["phone"], responses={**MALFORMED_BODY, **RATE_LIMITED, **INVALID})

CODE_SENT = "OTP sent successfully to your phone number"
SENDING = {429: {"description": "Resend cooldown (OTP_RESEND_COOLDOWN) or a sending limit per number or per IP "
                                "(OTP_SEND_LIMIT); retry after `Retry-After` seconds"},
           502: {"description": "The SMS provider refused the message (SMS_FAILED); nothing was stored"}}
VERIFYING = {400: {"description": "Malformed JSON, or the code is wrong (INVALID_OTP, naming how many tries are "
                                  "left), expired (OTP_EXPIRED), locked after 5 wrong tries (OTP_LOCKED) or was "
                                  "never requested or already used (OTP_NOT_FOUND; the same code sent again "
                                  "within 30 s of signing in signs in again, with a session of its own)"},
             403: {"description": "The account is disabled"}}


async def _send(body: PhoneNumberRequest, request: Request, session: AsyncSession) -> dict[str, Any]:
    await codes.send_code(runtime_of(request), session, body.phone_number, client_ip=client_ip(request))
    return CodeSentResponse(message=CODE_SENT, data={"phone_number": body.phone_number}).model_dump()


@router.post("/signup", response_model=CodeSentResponse, responses=SENDING,
             summary="Send a sign-up code by SMS (the same answer whether or not the number has an account)")
async def signup(body: PhoneNumberRequest, request: Request,
                 session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    return await _send(body, request, session)


async def phone_login(body: PhoneNumberRequest, request: Request, session: AsyncSession) -> dict[str, Any]:
    """``POST /auth/login`` with ``{"phone_number"}``: a login code, answered exactly as sign-up is."""
    return await _send(body, request, session)


async def login_body(request: Request, email_model: type[BaseModel]) -> BaseModel:
    """``POST /auth/login``'s body: a phone number (``phone_number`` present) or ``email_model``. Errors are
    located as FastAPI locates a declared body's, so the email login answers exactly as before."""
    raw = await request.body()
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", getattr(exc, "pos", 0)),
                                       "msg": "JSON decode error", "input": {}, "ctx": {"error": str(exc)}}]) from exc
    model = PhoneNumberRequest if isinstance(data, dict) and "phone_number" in data else email_model
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])}
                                      for e in exc.errors(include_url=False)]) from exc


def login_openapi(email_model: type[BaseModel]) -> dict[str, Any]:
    """The login route's documented body: either shape."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"anyOf": [
        email_model.model_json_schema(), PhoneNumberRequest.model_json_schema()]}}}}}


def _signed_in(verified: service.Verified) -> dict[str, Any]:
    user, tokens = verified.user, verified.tokens
    return {"success": True, "token": tokens.access_token, "refresh_token": tokens.refresh_token,
            "expires_in": tokens.expires_in,
            "data": {"user_id": user["id"], "phone_number": user["phone_number"],
                     "needs_profile_completion": verified.needs_profile_completion,
                     "is_verified": user["is_verified"]}}


@router.post("/verify-otp", response_model=SignedInResponse, responses=VERIFYING,
             summary="Verify the sign-up code: signs in, making the account on first use")
async def verify_otp(body: OTPVerificationRequest, request: Request,
                     session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    verified = await service.verify_code(runtime_of(request), session, body.phone_number, body.otp_code)
    message = ("OTP verified successfully. Please complete your profile." if verified.needs_profile_completion
               else "OTP verified successfully. You are logged in.")
    return {**_signed_in(verified), "message": message}


@router.post("/verify-login", response_model=LoginResponse, responses=VERIFYING,
             summary="Verify the login code: signs in (with the profile-complete flag)")
async def verify_login(body: OTPVerificationRequest, request: Request,
                       session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    verified = await service.verify_code(runtime_of(request), session, body.phone_number, body.otp_code)
    answer = _signed_in(verified)
    answer["data"]["name"] = verified.user["display_name"] or ""
    return {**answer, "message": "Login successful"}


@router.get("/event-interests", response_model=InterestsResponse, summary="The active event interests, by name")
async def event_interests(session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    rows = await service.event_interests(session)
    return {"success": True, "message": "Event interests retrieved successfully",
            "data": [{"id": r["id"], "name": r["name"], "description": r["description"]} for r in rows]}


@router.post("/complete-profile", response_model=CompletedResponse,
             responses={**UNAUTHENTICATED, **CHART_UNAVAILABLE},
             summary="Complete the profile (18+, 1-5 known interests, 1-6 https pictures, gender)")
async def complete_profile(body: CompleteProfileRequest, request: Request,
                           principal: Principal = Depends(require_principal),
                           session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    form = service.ProfileForm(**body.model_dump())
    row = await service.complete_profile(runtime_of(request), session, principal.user_id, form)
    return {"success": True, "message": "Profile completed successfully", "data": {
        "user_id": row["id"], "profile_id": row["id"], "name": row["display_name"],
        "phone_number": row["phone_number"], "gender": rules.LOOPIN_GENDER[row["gender"]],
        "event_interests_count": len(form.event_interests), "profile_pictures_count": len(linked_urls(row["photos"]))}}


def _interest(row) -> dict[str, Any]:
    return EventInterestResponse(id=row["id"], name=row["name"], description=row["description"],
                                 is_active=row["is_active"], created_at=iso(row["created_at"]),
                                 updated_at=iso(row["updated_at"])).model_dump()


@router.get("/profile", response_model=UserProfileResponse, responses=UNAUTHENTICATED,
            summary="The signed-in user's Loopin profile")
async def profile(principal: Principal = Depends(require_principal),
                  session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    found = await service.profile(session, principal.user_id)
    user = found.user
    return {"id": user["id"], "name": user["display_name"] or "", "phone_number": user["phone_number"] or "",
            "gender": rules.LOOPIN_GENDER.get(user["gender"]), "bio": user["bio"], "location": found.location,
            "birth_date": user["birth_date"].isoformat() if user["birth_date"] else None,
            "event_interests": [_interest(r) for r in found.interests], "profile_pictures": linked_urls(user["photos"]),
            "is_verified": user["is_verified"], "is_active": user["is_active"],
            "created_at": iso(user["created_at"]), "updated_at": iso(user["updated_at"])}
