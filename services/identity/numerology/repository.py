"""Reads and writes of saved numerology profiles and name trials, every query scoped to its owner:
another user's row is indistinguishable from a missing one."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import numerology_name_trials as trials
from .tables import numerology_profiles as profiles


async def create_profile(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(profiles.insert().values(**values).returning(profiles))).mappings().one()


async def get_profile(session: AsyncSession, owner: int, profile_id: int, *, lock: bool = False) -> RowMapping | None:
    """``lock``: hold the row until the transaction ends (a recalculation or a preferred-name change)."""
    query = select(profiles).where(profiles.c.id == profile_id, profiles.c.user_id == owner)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()


async def list_profiles(session: AsyncSession, owner: int, *, limit: int, offset: int) -> list[RowMapping]:
    """Newest first."""
    query = (select(profiles).where(profiles.c.user_id == owner).order_by(profiles.c.id.desc())
             .limit(limit).offset(offset))
    return list((await session.execute(query)).mappings().all())


async def update_profile(session: AsyncSession, profile_id: int, values: dict[str, Any]) -> RowMapping:
    """Of a row the caller has locked (``get_profile(lock=True)``), so it exists and is the owner's."""
    return (await session.execute(update(profiles).where(profiles.c.id == profile_id).values(**values)
                                  .returning(profiles))).mappings().one()


async def delete_profile(session: AsyncSession, owner: int, profile_id: int) -> bool:
    """Its name trials go with it (ON DELETE CASCADE)."""
    result = await session.execute(delete(profiles).where(profiles.c.id == profile_id, profiles.c.user_id == owner))
    return result.rowcount > 0


def _trial(owner: int, profile_id: int, trial_id: int):
    return (trials.c.id == trial_id, trials.c.numerology_profile_id == profile_id, trials.c.user_id == owner)


async def create_trial(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(trials.insert().values(**values).returning(trials))).mappings().one()


async def list_trials(session: AsyncSession, owner: int, profile_id: int, *, limit: int,
                      offset: int) -> list[RowMapping]:
    """Newest first."""
    query = (select(trials).where(trials.c.numerology_profile_id == profile_id, trials.c.user_id == owner)
             .order_by(trials.c.id.desc()).limit(limit).offset(offset))
    return list((await session.execute(query)).mappings().all())


async def get_trial(session: AsyncSession, owner: int, profile_id: int, trial_id: int) -> RowMapping | None:
    return (await session.execute(select(trials).where(*_trial(owner, profile_id, trial_id)))).mappings().first()


async def update_trial(session: AsyncSession, owner: int, profile_id: int, trial_id: int,
                       values: dict[str, Any]) -> RowMapping | None:
    return (await session.execute(update(trials).where(*_trial(owner, profile_id, trial_id)).values(**values)
                                  .returning(trials))).mappings().first()


async def clear_preferred(session: AsyncSession, profile_id: int, *, except_trial: int | None = None) -> None:
    """No trial of the profile (but ``except_trial``) is the preferred name any more."""
    condition = [trials.c.numerology_profile_id == profile_id, trials.c.is_preferred]
    if except_trial is not None:
        condition.append(trials.c.id != except_trial)
    await session.execute(update(trials).where(*condition).values(is_preferred=False))


async def delete_trial(session: AsyncSession, owner: int, profile_id: int, trial_id: int) -> bool:
    result = await session.execute(delete(trials).where(*_trial(owner, profile_id, trial_id)))
    return result.rowcount > 0
