"""Reads and writes of users, sessions, reset tokens and the mails waiting to go out."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import outgoing_mails, password_reset_tokens, retired_refresh_tokens, sessions, users


async def find_by_email(session: AsyncSession, email: str) -> RowMapping | None:
    return (await session.execute(select(users).where(func.lower(users.c.email) == email.lower()))).mappings().first()


async def find_by_id(session: AsyncSession, user_id: int) -> RowMapping | None:
    return (await session.execute(select(users).where(users.c.id == user_id))).mappings().first()


async def update_user(session: AsyncSession, user_id: int, values: dict[str, Any]) -> RowMapping | None:
    return (await session.execute(update(users).where(users.c.id == user_id).values(**values, updated_at=func.now())
                                  .returning(users))).mappings().first()


async def insert_user(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(users.insert().values(**values).returning(users))).mappings().one()


async def create_session(session: AsyncSession, *, user_id: int, refresh_hash: str, expires_at: dt.datetime,
                         absolute_expires_at: dt.datetime) -> uuid.UUID:
    session_id = uuid.uuid4()
    await session.execute(sessions.insert().values(id=session_id, user_id=user_id, refresh_token_hash=refresh_hash,
                                                   expires_at=expires_at, absolute_expires_at=absolute_expires_at))
    return session_id


async def session_by_refresh_hash(session: AsyncSession, refresh_hash: str) -> RowMapping | None:
    """The session whose current refresh token this is, locked until the transaction ends (one rotation wins)."""
    return (await session.execute(select(sessions).where(sessions.c.refresh_token_hash == refresh_hash)
                                  .with_for_update())).mappings().first()


async def retired_token(session: AsyncSession, refresh_hash: str) -> RowMapping | None:
    """A refresh token its session rotated away: the session, when, and whether it is the one rotated away
    last (the token just before the current one)."""
    later = retired_refresh_tokens.alias("later")
    is_latest = ~exists().where(later.c.session_id == retired_refresh_tokens.c.session_id,
                                later.c.retired_at > retired_refresh_tokens.c.retired_at)
    return (await session.execute(
        select(retired_refresh_tokens.c.session_id, retired_refresh_tokens.c.retired_at, is_latest.label("latest"))
        .where(retired_refresh_tokens.c.token_hash == refresh_hash))).mappings().first()


async def session_by_id(session: AsyncSession, session_id: uuid.UUID) -> RowMapping | None:
    """The session, locked until the transaction ends (one rotation wins)."""
    return (await session.execute(select(sessions).where(sessions.c.id == session_id).with_for_update())
            ).mappings().first()


async def rotate_session(session: AsyncSession, session_id: uuid.UUID, *, old_hash: str, new_hash: str,
                         expires_at: dt.datetime, now: dt.datetime) -> None:
    await session.execute(update(sessions).where(sessions.c.id == session_id)
                          .values(refresh_token_hash=new_hash, expires_at=expires_at))
    await session.execute(retired_refresh_tokens.insert().values(token_hash=old_hash, session_id=session_id,
                                                                 retired_at=now))


async def revoke_sessions(session: AsyncSession, *, user_id: int | None = None, session_id: uuid.UUID | None = None,
                          keep: uuid.UUID | None = None, reason: str, now: dt.datetime,
                          live_after: dt.datetime) -> list[tuple[uuid.UUID, int]]:
    """Marks one session (``session_id``) or every session of ``user_id`` but ``keep`` revoked; only those
    not yet revoked whose tokens may still be in use (refresh token lapsing after ``live_after``).
    (session id, user id) of each."""
    query = update(sessions).where(sessions.c.revoked_at.is_(None), sessions.c.expires_at > live_after)
    if session_id is not None:
        query = query.where(sessions.c.id == session_id)
    if user_id is not None:
        query = query.where(sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    rows = await session.execute(query.values(revoked_at=now, revoked_reason=reason)
                                 .returning(sessions.c.id, sessions.c.user_id))
    return [(row.id, row.user_id) for row in rows]


async def recent_revocations(session: AsyncSession, since: dt.datetime) -> list[tuple[uuid.UUID, dt.datetime]]:
    """(session id, revoked at) of every session revoked after ``since``."""
    rows = await session.execute(select(sessions.c.id, sessions.c.revoked_at).where(sessions.c.revoked_at > since))
    return [(row.id, row.revoked_at) for row in rows]


async def is_revoked(session: AsyncSession, session_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(sessions.c.revoked_at.is_not(None)).where(sessions.c.id == session_id)))


async def add_reset_token(session: AsyncSession, *, user_id: int, token_hash: str, now: dt.datetime,
                          ttl: dt.timedelta) -> None:
    await session.execute(password_reset_tokens.insert().values(user_id=user_id, token_hash=token_hash,
                                                                created_at=now, expires_at=now + ttl))


async def use_reset_token(session: AsyncSession, token_hash: str, now: dt.datetime) -> int | None:
    """Spends a live reset token; the user id it was for, or None (unknown, used or expired)."""
    return await session.scalar(update(password_reset_tokens)
                                .where(password_reset_tokens.c.token_hash == token_hash,
                                       password_reset_tokens.c.used_at.is_(None),
                                       password_reset_tokens.c.expires_at > now)
                                .values(used_at=now).returning(password_reset_tokens.c.user_id))


async def spend_reset_tokens(session: AsyncSession, user_id: int, now: dt.datetime) -> None:
    """Every outstanding reset token of the user stops working (the password was just set)."""
    await session.execute(update(password_reset_tokens)
                          .where(password_reset_tokens.c.user_id == user_id, password_reset_tokens.c.used_at.is_(None))
                          .values(used_at=now))


async def queue_mail(session: AsyncSession, *, recipient: str, subject: str, body: str,
                     send_before: dt.datetime) -> None:
    await session.execute(outgoing_mails.insert().values(recipient=recipient, subject=subject, body=body,
                                                         send_before=send_before))


def _open_mails():
    return (outgoing_mails.c.sent_at.is_(None), outgoing_mails.c.abandoned_at.is_(None))


async def due_mails(session: AsyncSession, now: dt.datetime, limit: int) -> list[RowMapping]:
    """Mails due to be sent, locked until the transaction ends; those another sender holds are skipped, so
    each mail has one sender at a time."""
    return list((await session.execute(
        select(outgoing_mails).where(*_open_mails(), outgoing_mails.c.next_attempt_at <= now)
        .order_by(outgoing_mails.c.next_attempt_at).limit(limit).with_for_update(skip_locked=True))).mappings())


async def close_mail(session: AsyncSession, mail_id: int, *, sent_at: dt.datetime | None = None,
                     abandoned_at: dt.datetime | None = None) -> None:
    await session.execute(update(outgoing_mails).where(outgoing_mails.c.id == mail_id)
                          .values(body=None, sent_at=sent_at, abandoned_at=abandoned_at))


async def postpone_mail(session: AsyncSession, mail_id: int, *, until: dt.datetime, error: str) -> None:
    await session.execute(update(outgoing_mails).where(outgoing_mails.c.id == mail_id)
                          .values(attempts=outgoing_mails.c.attempts + 1, next_attempt_at=until, last_error=error))


async def delete_closed_mails(session: AsyncSession, before: dt.datetime) -> int:
    """Rows of mails sent or abandoned before ``before`` (their body is already gone)."""
    result = await session.execute(delete(outgoing_mails).where(
        func.coalesce(outgoing_mails.c.sent_at, outgoing_mails.c.abandoned_at) < before))
    return result.rowcount or 0
