"""Reads and writes of users and sessions."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import sessions, users


async def find_by_email(session: AsyncSession, email: str) -> RowMapping | None:
    return (await session.execute(select(users).where(func.lower(users.c.email) == email.lower()))).mappings().first()


async def find_by_id(session: AsyncSession, user_id: int) -> RowMapping | None:
    return (await session.execute(select(users).where(users.c.id == user_id))).mappings().first()


async def set_tier(session: AsyncSession, user_id: int, tier: str) -> RowMapping | None:
    return (await session.execute(update(users).where(users.c.id == user_id).values(tier=tier)
                                  .returning(users))).mappings().first()


async def insert_user(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(users.insert().values(**values).returning(users))).mappings().one()


async def create_session(session: AsyncSession, *, user_id: int, refresh_hash: str, expires_at: dt.datetime) -> uuid.UUID:
    session_id = uuid.uuid4()
    await session.execute(sessions.insert().values(id=session_id, user_id=user_id, refresh_token_hash=refresh_hash,
                                                   expires_at=expires_at))
    return session_id


async def rotate_session(session: AsyncSession, *, refresh_hash: str, new_hash: str, now: dt.datetime,
                         expires_at: dt.datetime) -> RowMapping | None:
    """Swap a live refresh token for a new one; None if it is unknown, expired or revoked."""
    return (await session.execute(
        update(sessions)
        .where(sessions.c.refresh_token_hash == refresh_hash, sessions.c.revoked_at.is_(None),
               sessions.c.expires_at > now)
        .values(refresh_token_hash=new_hash, expires_at=expires_at)
        .returning(sessions.c.id, sessions.c.user_id)
    )).mappings().first()


async def revoke_session(session: AsyncSession, session_id: uuid.UUID, now: dt.datetime) -> None:
    await session.execute(update(sessions).where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
                          .values(revoked_at=now))


async def revoke_user_sessions(session: AsyncSession, user_id: int, now: dt.datetime) -> list[uuid.UUID]:
    """Revokes every live session of the user; their ids."""
    return list((await session.execute(
        update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now).returning(sessions.c.id))).scalars())
