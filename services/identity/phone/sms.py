"""SMS providers: Twilio's API in production, the console provider for the local run (it writes the code to
the identity log, where Loopin's README says to look: "check logs for 4-digit code")."""
from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from numeros_common.errors import AppError

log = logging.getLogger(__name__)


class SmsProvider(Protocol):
    async def send_code(self, number: str, code: str, ttl_minutes: int) -> None:
        """Deliver ``code`` to ``number`` (E.164); AppError 502 when the provider refuses."""


def message_text(code: str, ttl_minutes: int) -> str:
    return f"Your verification code is: {code}. This code expires in {ttl_minutes} minutes."


class ConsoleSms:
    """Nothing leaves the machine: one log line per code, exactly ``OTP for <number>: <code>``."""

    async def send_code(self, number: str, code: str, ttl_minutes: int) -> None:
        log.info("OTP for %s: %s", number, code)


class TwilioSms:
    """Twilio's Messages API through the ``twilio`` library (its client is synchronous: run in a thread)."""

    def __init__(self, account_sid: str, auth_token: str, *, from_number: str | None,
                 messaging_service_sid: str | None, http_client=None) -> None:
        from twilio.rest import Client  # imported only when Twilio is configured

        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.sender = ({"messaging_service_sid": messaging_service_sid} if messaging_service_sid
                       else {"from_": from_number})

    async def send_code(self, number: str, code: str, ttl_minutes: int) -> None:
        from twilio.base.exceptions import TwilioException

        try:
            message = await asyncio.to_thread(self.client.messages.create, to=number,
                                              body=message_text(code, ttl_minutes), **self.sender)
        except (TwilioException, OSError) as exc:  # refused, or Twilio unreachable (requests errors are OSErrors)
            log.warning("twilio refused the code's SMS", extra={"error": str(exc)})
            raise AppError(502, "SMS_FAILED", "The code could not be sent by SMS; try again shortly.",
                           field="phone_number") from exc
        log.info("code sent by SMS", extra={"twilio_sid": message.sid})


def provider_from(settings) -> SmsProvider:
    """Twilio when its account, token and a sender are configured; else the console provider."""
    sender = settings.twilio_from_number or settings.twilio_messaging_service_sid
    if settings.twilio_account_sid and settings.twilio_auth_token and sender:
        return TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                         from_number=settings.twilio_from_number,
                         messaging_service_sid=settings.twilio_messaging_service_sid)
    return ConsoleSms()
