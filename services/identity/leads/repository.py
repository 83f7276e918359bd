"""Reads and writes of leads."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import leads


@dataclass(frozen=True)
class LeadFilter:
    verified: bool | None = None
    created_from: dt.datetime | None = None  # inclusive
    created_before: dt.datetime | None = None  # exclusive

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.verified is not None:
            clauses.append(leads.c.verified_at.is_not(None) if self.verified else leads.c.verified_at.is_(None))
        if self.created_from is not None:
            clauses.append(leads.c.created_at >= self.created_from)
        if self.created_before is not None:
            clauses.append(leads.c.created_at < self.created_before)
        return clauses


async def code_sent(session: AsyncSession, number: str, region: str | None, now: dt.datetime) -> None:
    """The number asked for a code: it is a lead (once), and one more code was sent to it."""
    await session.execute(insert(leads).values(phone_number=number, region=region, created_at=now,
                                               last_code_sent_at=now, codes_sent=1)
                          .on_conflict_do_update(index_elements=[leads.c.phone_number], set_={
                              "last_code_sent_at": now, "codes_sent": leads.c.codes_sent + 1}))


async def wrong_code(session: AsyncSession, number: str) -> None:
    await session.execute(update(leads).where(leads.c.phone_number == number)
                          .values(otp_attempts=leads.c.otp_attempts + 1))


async def verified(session: AsyncSession, number: str, *, user_id: int, by: str, now: dt.datetime) -> RowMapping | None:
    """Marks the number's lead verified (the first verification is kept); None if it never was a lead."""
    await session.execute(update(leads).where(leads.c.phone_number == number, leads.c.verified_at.is_(None))
                          .values(verified_at=now, verified_by=by, user_id=user_id))
    return await by_number(session, number)


async def by_number(session: AsyncSession, number: str) -> RowMapping | None:
    return (await session.execute(select(leads).where(leads.c.phone_number == number))).mappings().first()


async def by_id(session: AsyncSession, lead_id: int) -> RowMapping | None:
    return (await session.execute(select(leads).where(leads.c.id == lead_id))).mappings().first()


async def page(session: AsyncSession, which: LeadFilter, *, limit: int | None, offset: int) -> Sequence[RowMapping]:
    """Newest first (ties by id, so pages never overlap)."""
    query = (select(leads).where(*which.where()).order_by(leads.c.created_at.desc(), leads.c.id.desc())
             .offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return (await session.execute(query)).mappings().all()


async def count(session: AsyncSession, which: LeadFilter) -> int:
    return (await session.scalar(select(func.count()).select_from(leads).where(*which.where()))) or 0
