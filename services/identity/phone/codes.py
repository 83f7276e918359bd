"""The one-time code's life (Loopin's OTP): sent by SMS within the cooldown and sending limits, stored only as an
HMAC, spent once. Used by sign-in (``phone.service``) and by account deletion (``profile.service``), so it
depends on neither."""
from __future__ import annotations

import datetime as dt
import math
import secrets

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..accounts.tokens import derived_key
from ..leads import service as leads
from . import repository, rules
from .sms import provider_from


def configure(runtime: Runtime) -> None:
    """The SMS provider and the code-hashing key, chosen once at start-up."""
    settings = runtime.settings
    runtime.state["sms"] = provider_from(settings)
    key = settings.otp_hmac_key.get_secret_value().encode() if settings.otp_hmac_key else (
        derived_key(runtime.state["jwt_private_key"], "numeros-otp-key"))
    runtime.state["otp_key"] = key


def now_or_given(now: dt.datetime | None) -> dt.datetime:
    """The given moment (tests pass one) or the current UTC time."""
    return now or dt.datetime.now(dt.UTC)


def _too_many(code: str, message: str, retry_after: int, headers: dict[str, str] | None = None) -> AppError:
    return AppError(429, code, message, field="phone_number",
                    headers={**(headers or {}), "Retry-After": str(max(1, retry_after))})


async def send_code(runtime: Runtime, session: AsyncSession, number: str, *, client_ip: str,
                    now: dt.datetime | None = None) -> None:
    """A fresh code for ``number`` by SMS. Refused (429) within the resend cooldown, and past the per-IP and
    per-number sending limits that stop SMS pumping; the number becomes (or stays) a lead."""
    settings, now = runtime.settings, now_or_given(now)
    cooldown = dt.timedelta(seconds=settings.otp_resend_cooldown_seconds)
    await repository.lock_sending(session, number)
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


def _code_error(code: str, message: str) -> AppError:
    return AppError(400, code, message, field="otp_code")


async def spend_code(runtime: Runtime, session: AsyncSession, number: str, code: str,
                     now: dt.datetime | None = None, *, sign_in: bool = False) -> bool:
    """Uses up the number's code if ``code`` is it (True). A code works once, for ``otp_ttl_seconds``;
    ``otp_max_attempts`` wrong tries lock it (a new code must be requested). A code spent to sign in
    (``sign_in``) is kept as spent for ``otp_retry_grace_seconds``: presented again to sign in within them it
    is taken again (False: the same request retried). The caller commits."""
    settings, now = runtime.settings, now_or_given(now)
    stored = await repository.lock_code(session, number)
    if stored is not None and stored["verified_at"] is not None:
        if sign_in and await _retried(runtime, session, number, code, stored, now):
            return False
        stored = None
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
    if sign_in:
        await repository.mark_spent(session, number, now)
    else:
        await repository.delete_code(session, number)
    return True


async def _retried(runtime: Runtime, session: AsyncSession, number: str, code: str, stored: RowMapping,
                   now: dt.datetime) -> bool:
    """Whether ``code`` is the spent one, again within the retry window and the code's limit of tries. Any
    other code then spends a try (committed) as on a live code, so the window adds no guesses; the caller
    answers it as a used code."""
    settings = runtime.settings
    window = dt.timedelta(seconds=settings.otp_retry_grace_seconds)
    if now - stored["verified_at"] > window or stored["attempts"] >= settings.otp_max_attempts:
        return False
    if rules.code_matches(runtime.state["otp_key"], number, code, stored["code_hash"]):
        return True
    await repository.count_wrong_try(session, number)
    await session.commit()
    return False
