"""Outgoing mail behind one interface: SMTP (stdlib smtplib) when ``smtp_host`` is configured, otherwise
the console provider, which writes the message to the identity log (the local run reads reset links there).

Mails are not sent by the request that asks for them: it writes them to ``outgoing_mails`` in its own
transaction, and ``MailQueue`` sends them, so a crash after the answer loses none."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from numeros_common.runtime import Runtime
from numeros_common.wakeup import Wakeup

from ..settings import IdentitySettings
from . import repository

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


MAX_BACKOFF_SECONDS = 300  # between tries of one mail: 2, 4, 8 ... s, then every 5 minutes until send_before


class MailQueue:
    """Sends the mails waiting in ``outgoing_mails`` through the provider in ``runtime.state["mail"]``: woken
    by the request that queued one, and every ``mail_poll_seconds`` (so a mail queued before a crash goes out
    after the restart). Each mail is sent in a transaction of its own that holds its row: with several
    replicas, one sends it. Exactly once but for one case: a crash between the provider taking the mail and
    the commit sends it again after the restart."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._wakeup = Wakeup()

    def wake(self) -> None:
        self._wakeup.wake()

    async def run(self) -> None:
        settings = self.runtime.settings
        purged = time.monotonic()
        while True:
            try:
                await self.send_due()
                if time.monotonic() - purged >= settings.events_cleanup_interval_seconds:
                    await self.purge()
                    purged = time.monotonic()
            except Exception:  # noqa: BLE001 - the database may be restarting; the mails wait in their table
                log.exception("mail pass failed; will retry")
            await self._wakeup.wait(settings.mail_poll_seconds)

    async def send_due(self, now: dt.datetime | None = None) -> int:
        """Sends every mail due at ``now`` (a failure is retried later, with backoff); the count sent."""
        sent = 0
        while (outcome := await self._send_one(now or dt.datetime.now(dt.UTC))) is not None:
            sent += outcome
        return sent

    async def _send_one(self, now: dt.datetime) -> int | None:
        """1 when a mail went out, 0 when one was postponed or abandoned, None when none is due."""
        async with self.runtime.sessions() as session, session.begin():
            due = await repository.due_mails(session, now, limit=1)
            if not due:
                return None
            row = due[0]
            if row["send_before"] <= now:  # what it carries (the reset link) no longer works
                await repository.close_mail(session, row["id"], abandoned_at=now)
                log.warning("mail abandoned unsent", extra={"mail_id": row["id"], "attempts": row["attempts"]})
                return 0
            provider: MailProvider = self.runtime.state["mail"]
            try:
                await provider.send(Mail(to=row["recipient"], subject=row["subject"], body=row["body"]))
            except Exception as exc:  # noqa: BLE001 - the provider may be away: try this mail again later
                delay = min(2 ** (row["attempts"] + 1), MAX_BACKOFF_SECONDS)
                await repository.postpone_mail(session, row["id"], until=now + dt.timedelta(seconds=delay),
                                               error=repr(exc))
                log.warning("mail not sent; will retry", extra={"mail_id": row["id"], "error": repr(exc)})
                return 0
            await repository.close_mail(session, row["id"], sent_at=now)
            return 1

    async def purge(self, now: dt.datetime | None = None) -> int:
        """Deletes the rows of mails closed more than ``mail_retention_seconds`` ago."""
        before = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(seconds=self.runtime.settings.mail_retention_seconds)
        async with self.runtime.sessions() as session, session.begin():
            return await repository.delete_closed_mails(session, before)
