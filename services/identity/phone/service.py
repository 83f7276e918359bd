"""Phone OTP use-cases (Loopin): send a code, verify it (signing in, making the account on first use),
the event interests, and complete-profile.

Sign-up and login send a code the same way for every valid number, known or not, so neither answer tells
whether a number has an account (Loopin's "User not found. Please signup first." would). Verifying a code
proves the number: verify-otp and verify-login both sign in, making the account when there is none.
The sessions and tokens are accounts' own, so a phone user is signed in exactly like any other."""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..accounts.service import start_session
from ..accounts.tokens import IssuedTokens
from ..leads import service as leads
from ..profile.rules import linked_pictures
from ..profile.service import announce_profile, calculate_profile, signed_in_user, user_values
from . import repository, rules
from .sms import provider_from


def configure(runtime: Runtime) -> None:
    """The SMS provider and the code-hashing key, chosen once at start-up."""
    settings = runtime.settings
    runtime.state["sms"] = provider_from(settings)
    key = settings.otp_hmac_key.get_secret_value().encode() if settings.otp_hmac_key else (
        hashlib.sha256(b"numeros-otp-key:" + runtime.state["jwt_private_key"].encode()).digest())
    runtime.state["otp_key"] = key


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _too_many(code: str, message: str, retry_after: int, headers: dict[str, str] | None = None) -> AppError:
    return AppError(429, code, message, field="phone_number",
                    headers={**(headers or {}), "Retry-After": str(max(1, retry_after))})


async def send_code(runtime: Runtime, session: AsyncSession, number: str, *, client_ip: str,
                    now: dt.datetime | None = None) -> None:
    """A fresh code for ``number`` by SMS. Refused (429) within the resend cooldown, and past the per-IP and
    per-number sending limits that stop SMS pumping; the number becomes (or stays) a lead."""
    settings, now = runtime.settings, _now(now)
    cooldown = dt.timedelta(seconds=settings.otp_resend_cooldown_seconds)
    sent_at = await repository.code_sent_at(session, number)
    if sent_at is not None and now - sent_at < cooldown:
        wait = math.ceil((sent_at + cooldown - now).total_seconds())
        raise _too_many("OTP_RESEND_COOLDOWN", f"A code was just sent; ask for another in {wait} seconds.", wait)
    for subject, limit in ((f"otp-ip:{client_ip}", settings.rate_limit_otp_per_ip),
                           (f"otp-number:{number}", settings.rate_limit_otp_per_number)):
        decision = await runtime.limiter.hit(subject, limit)
        if not decision.allowed:
            raise _too_many("OTP_SEND_LIMIT", f"Too many codes requested (at most {limit}); try again later.",
                            decision.retry_after, decision.headers())
    code = f"{secrets.randbelow(10 ** settings.otp_code_length):0{settings.otp_code_length}d}"
    await repository.store_code(session, number, rules.code_hash(runtime.state["otp_key"], number, code),
                                sent_at=now, expires_at=now + dt.timedelta(seconds=settings.otp_ttl_seconds))
    await leads.code_sent(session, number, now)
    # Sent before the commit: a provider failure (502) leaves no code, no cooldown and no count behind.
    await runtime.state["sms"].send_code(number, code, settings.otp_ttl_seconds // 60)
    await session.commit()


@dataclass(frozen=True)
class Verified:
    user: RowMapping
    tokens: IssuedTokens
    needs_profile_completion: bool


def _code_error(code: str, message: str) -> AppError:
    return AppError(400, code, message, field="otp_code")


async def spend_code(runtime: Runtime, session: AsyncSession, number: str, code: str,
                     now: dt.datetime | None = None) -> None:
    """Uses up the number's code if ``code`` is it. A code works once, for ``otp_ttl_seconds``;
    ``otp_max_attempts`` wrong tries lock it (a new code must be requested). The caller commits."""
    settings, now = runtime.settings, _now(now)
    stored = await repository.lock_code(session, number)
    if stored is None:
        raise AppError(400, "OTP_NOT_FOUND", "No OTP found for this phone number. Please request a new OTP.",
                       field="phone_number")
    if stored["attempts"] >= settings.otp_max_attempts:
        raise _code_error("OTP_LOCKED", "Too many attempts. Please request a new OTP.")
    if now >= stored["expires_at"]:
        raise _code_error("OTP_EXPIRED", "OTP has expired. Please request a new OTP.")
    if not rules.code_matches(runtime.state["otp_key"], number, code, stored["code_hash"]):
        attempts = await repository.count_wrong_try(session, number)
        await leads.wrong_code(session, number)
        await session.commit()
        left = settings.otp_max_attempts - attempts
        if left <= 0:
            raise _code_error("OTP_LOCKED", "Invalid OTP. Too many attempts. Please request a new OTP.")
        raise _code_error("INVALID_OTP", f"Invalid OTP. {left} attempts remaining.")
    await repository.delete_code(session, number)


async def verify_code(runtime: Runtime, session: AsyncSession, number: str, code: str,
                      now: dt.datetime | None = None) -> Verified:
    """Signs the number's owner in (creating the account on first use)."""
    now = _now(now)
    await spend_code(runtime, session, number, code, now)
    user = await repository.user_by_phone(session, number) or await repository.create_phone_user(session, number)
    if not user["is_active"]:
        raise AppError(403, "ACCOUNT_DISABLED", "This account is disabled.")
    if not user["is_verified"]:
        user = await repository.mark_verified(session, user["id"])
    await leads.verified(session, number, user_id=user["id"], by="otp", now=now)
    tokens = await start_session(runtime, session, user, now)
    profile = await repository.phone_profile(session, user["id"])
    await session.commit()
    return Verified(user, tokens, rules.needs_profile_completion(profile["completed_at"] if profile else None))


async def event_interests(session: AsyncSession) -> Sequence[RowMapping]:
    return await repository.active_interests(session)


@dataclass(frozen=True)
class ProfileForm:
    """complete-profile's input, already checked for shape (lengths, counts, formats)."""

    phone_number: str
    name: str
    birth_date: dt.date
    gender: str  # Loopin's spelling: male, female, other
    event_interests: list[int]
    profile_pictures: list[str]
    bio: str | None
    location: str | None


@dataclass(frozen=True)
class _Birth:
    birth_date: dt.date
    birth_time: dt.time | None = None
    birth_place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = None
    house_system: str | None = None


def _invalid(field: str, message: str) -> AppError:
    return AppError(422, "VALIDATION_ERROR", f"{field}: {message}", field=field)


async def complete_profile(runtime: Runtime, session: AsyncSession, user_id: int, form: ProfileForm,
                           today: dt.date | None = None, now: dt.datetime | None = None) -> RowMapping:
    """The seed's validation flow (18+, known interests), then the profile: numerology from chart for the
    name and birth date (chart down: 503, nothing stored), the Loopin parts, and the event discovery reads
    (``identity.user.registered`` the first time the account has a profile, else ``identity.user.updated``)
    in one transaction. Returns the updated users row."""
    now = _now(now)
    user = await signed_in_user(session, user_id)
    if user["phone_number"] != form.phone_number:
        raise _invalid("phone_number", "is not the signed-in account's phone number")
    if rules.age_on(form.birth_date, today or now.date()) < rules.ADULT_AGE:
        raise _invalid("birth_date", f"User must be {rules.ADULT_AGE} years or older")
    if await repository.active_interest_ids(session, form.event_interests) != set(form.event_interests):
        raise _invalid("event_interests", "One or more selected event interests are invalid or inactive")
    same_birth = user["birth_date"] == form.birth_date  # keep a time and place given earlier (a finer chart)
    birth = _Birth(form.birth_date, **({"birth_time": user["birth_time"], "latitude": user["birth_latitude"],
                                        "longitude": user["birth_longitude"], "timezone": user["timezone"]}
                                       if same_birth else {}))
    calculated = await calculate_profile(runtime.chart, form.name, birth, name_field="name")
    values = {"display_name": form.name, "birth_date": form.birth_date, "gender": rules.GENDERS[form.gender],
              "photos": linked_pictures(user["photos"], form.profile_pictures), "bio": form.bio or "", "updated_at": now,
              **user_values(calculated, birth.timezone)}
    if not same_birth:
        values.update(birth_time=None, birth_place=None, birth_latitude=None, birth_longitude=None)
    row = await repository.save_profile(session, user_id, values, location=form.location or "", completed_at=now)
    await repository.set_interests(session, user_id, form.event_interests)
    await announce_profile(runtime, session, user, row)
    await session.commit()
    runtime.relay.wake()
    return row


@dataclass(frozen=True)
class LoopinProfile:
    user: RowMapping
    location: str
    interests: Sequence[RowMapping]


async def profile(session: AsyncSession, user_id: int) -> LoopinProfile:
    user = await signed_in_user(session, user_id)
    extra = await repository.phone_profile(session, user_id)
    return LoopinProfile(user, extra["location"] if extra else "", await repository.interests_of(session, user_id))
