"""Outgoing mail behind one interface: SMTP (stdlib smtplib) when ``smtp_host`` is configured, otherwise
the console provider, which writes the message to the identity log (the local run reads reset links there)."""
from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from ..settings import IdentitySettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class MailProvider(Protocol):
    async def send(self, mail: Mail) -> None: ...


class ConsoleMailProvider:
    async def send(self, mail: Mail) -> None:
        log.info("mail to %s: %s", mail.to, mail.subject,
                 extra={"mail_to": mail.to, "mail_subject": mail.subject, "mail_body": mail.body})


class SmtpMailProvider:
    def __init__(self, settings: IdentitySettings) -> None:
        self.settings = settings

    def _send(self, mail: Mail) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.mail_from, mail.to, mail.subject
        message.set_content(mail.body)
        with smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=10) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
            smtp.send_message(message)

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._send, mail)


def mail_provider(settings: IdentitySettings) -> MailProvider:
    return SmtpMailProvider(settings) if settings.smtp_host else ConsoleMailProvider()
