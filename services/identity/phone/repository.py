"""Codes, phone accounts, event interests and the Loopin profile's parts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..accounts.tables import users
from .tables import event_interests, phone_codes, phone_profiles, user_event_interests


# Advisory lock space of code sending (the two-key form: apart from the one-key locks other code takes).
SENDING_LOCK_SPACE = 5_0001


async def lock_sending(session: AsyncSession, number: str) -> None:
    """Until the transaction ends, the only request sending a code to ``number``: a double-submitted sign-up
    waits, then finds the first code within its cooldown (one SMS, not two codes of which one is dead)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:number))"),
                          {"space": SENDING_LOCK_SPACE, "number": number})


async def code_sent_at(session: AsyncSession, number: str) -> dt.datetime | None:
    """When the number's live code was sent (a spent one holds back no new code)."""
    return await session.scalar(select(phone_codes.c.sent_at).where(phone_codes.c.phone_number == number,
                                                                    phone_codes.c.verified_at.is_(None)))


async def store_code(session: AsyncSession, number: str, code_hash: str, *, sent_at: dt.datetime,
                     expires_at: dt.datetime) -> None:
    """The number's new code replaces any earlier one (and its count of wrong tries), spent or not."""
    values = {"code_hash": code_hash, "sent_at": sent_at, "expires_at": expires_at, "attempts": 0,
              "verified_at": None}
    await session.execute(insert(phone_codes).values(phone_number=number, **values)
                          .on_conflict_do_update(index_elements=[phone_codes.c.phone_number], set_=values))


async def lock_code(session: AsyncSession, number: str) -> RowMapping | None:
    """The number's code, locked until the transaction ends (two guesses at once count as two)."""
    return (await session.execute(select(phone_codes).where(phone_codes.c.phone_number == number)
                                  .with_for_update())).mappings().first()


async def count_wrong_try(session: AsyncSession, number: str) -> int:
    return (await session.execute(update(phone_codes).where(phone_codes.c.phone_number == number)
                                  .values(attempts=phone_codes.c.attempts + 1)
                                  .returning(phone_codes.c.attempts))).scalar_one()


async def delete_code(session: AsyncSession, number: str) -> None:
    await session.execute(delete(phone_codes).where(phone_codes.c.phone_number == number))


async def mark_spent(session: AsyncSession, number: str, now: dt.datetime) -> None:
    await session.execute(update(phone_codes).where(phone_codes.c.phone_number == number).values(verified_at=now))


async def user_by_phone(session: AsyncSession, number: str) -> RowMapping | None:
    return (await session.execute(select(users).where(users.c.phone_number == number))).mappings().first()


async def create_phone_user(session: AsyncSession, number: str) -> RowMapping:
    """A verified account with only its number (no profile yet: chart level 0); an existing one is kept."""
    await session.execute(insert(users).values(phone_number=number, is_verified=True, chart_level=0)
                          .on_conflict_do_nothing(index_elements=[users.c.phone_number]))
    row = await user_by_phone(session, number)
    assert row is not None
    return row


async def mark_verified(session: AsyncSession, user_id: int) -> RowMapping:
    return (await session.execute(update(users).where(users.c.id == user_id).values(is_verified=True)
                                  .returning(users))).mappings().one()


async def active_interests(session: AsyncSession) -> Sequence[RowMapping]:
    return (await session.execute(select(event_interests).where(event_interests.c.is_active)
                                  .order_by(event_interests.c.name))).mappings().all()


async def active_interest_ids(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    return set((await session.scalars(select(event_interests.c.id).where(
        event_interests.c.id.in_(ids), event_interests.c.is_active))).all())


async def interests_of(session: AsyncSession, user_id: int) -> Sequence[RowMapping]:
    return (await session.execute(
        select(event_interests).join(user_event_interests, user_event_interests.c.interest_id == event_interests.c.id)
        .where(user_event_interests.c.user_id == user_id).order_by(event_interests.c.name))).mappings().all()


async def set_interests(session: AsyncSession, user_id: int, ids: Sequence[int]) -> None:
    await session.execute(delete(user_event_interests).where(user_event_interests.c.user_id == user_id))
    await session.execute(user_event_interests.insert(), [{"user_id": user_id, "interest_id": i} for i in ids])


async def phone_profile(session: AsyncSession, user_id: int) -> RowMapping | None:
    return (await session.execute(select(phone_profiles).where(phone_profiles.c.user_id == user_id))).mappings().first()


async def save_profile(session: AsyncSession, user_id: int, user_values: dict[str, Any], *, location: str,
                       completed_at: dt.datetime) -> RowMapping:
    """The users columns and the Loopin parts; returns the updated users row."""
    row = (await session.execute(update(users).where(users.c.id == user_id).values(**user_values)
                                 .returning(users))).mappings().one()
    values = {"location": location, "completed_at": completed_at}
    await session.execute(insert(phone_profiles).values(user_id=user_id, **values)
                          .on_conflict_do_update(index_elements=[phone_profiles.c.user_id], set_=values))
    return row
