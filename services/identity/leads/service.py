"""Leads' use-cases: the phone product records every number that asks for a code and every wrong code; a
verification (by the code, or an admin by hand) converts the lead, and verifying by hand makes the account."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError

from ..phone import repository as phone_repository
from ..phone.rules import region
from . import repository
from .repository import LeadFilter


async def code_sent(session: AsyncSession, number: str, now: dt.datetime) -> None:
    await repository.code_sent(session, number, region(number), now)


async def wrong_code(session: AsyncSession, number: str) -> None:
    await repository.wrong_code(session, number)


async def verified(session: AsyncSession, number: str, *, user_id: int, by: str, now: dt.datetime) -> None:
    await repository.verified(session, number, user_id=user_id, by=by, now=now)


async def page(session: AsyncSession, which: LeadFilter, *, limit: int | None,
               offset: int) -> tuple[Sequence[RowMapping], int]:
    """(the page, how many match the filter in all)."""
    return await repository.page(session, which, limit=limit, offset=offset), await repository.count(session, which)


async def verify_by_hand(session: AsyncSession, lead_id: int, now: dt.datetime | None = None) -> RowMapping:
    """The lead becomes a verified account with its number (kept if it exists); verifying twice changes
    nothing. The person signs in with a code as any phone user does."""
    lead = await repository.by_id(session, lead_id)
    if lead is None:
        raise AppError(404, "LEAD_NOT_FOUND", "No such lead.", field="lead_id")
    if lead["verified_at"] is None:
        user = await phone_repository.create_phone_user(session, lead["phone_number"])
        await repository.verified(session, lead["phone_number"], user_id=user["id"], by="admin",
                                  now=now or dt.datetime.now(dt.UTC))
        await session.commit()
        lead = await repository.by_id(session, lead_id)
        assert lead is not None
    return lead
