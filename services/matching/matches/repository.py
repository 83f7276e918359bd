"""Reads and writes of resonances and matches."""
from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, null, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..profiles.tables import profiles
from .tables import matches, resonances


async def lock_pair(session: AsyncSession, key: int) -> None:
    """Transaction-scoped advisory lock: one resonance decision per pair at a time."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def upsert_resonance(session: AsyncSession, *, from_user_id: int, to_user_id: int, action: str) -> None:
    stmt = insert(resonances).values(from_user_id=from_user_id, to_user_id=to_user_id, action=action)
    stmt = stmt.on_conflict_do_update(index_elements=[resonances.c.from_user_id, resonances.c.to_user_id],
                                      set_={"action": stmt.excluded.action, "updated_at": func.now()})
    await session.execute(stmt)


async def resonance_action(session: AsyncSession, *, from_user_id: int, to_user_id: int) -> str | None:
    return (await session.execute(
        select(resonances.c.action).where(resonances.c.from_user_id == from_user_id,
                                          resonances.c.to_user_id == to_user_id)
    )).scalar_one_or_none()


async def find_pair_match(session: AsyncSession, user1_id: int, user2_id: int) -> RowMapping | None:
    return (await session.execute(
        select(matches).where(matches.c.user1_id == user1_id, matches.c.user2_id == user2_id)
    )).mappings().first()


async def insert_match(session: AsyncSession, user1_id: int, user2_id: int,
                       compatibility_data: dict[str, Any] | None = None) -> RowMapping | None:
    """The new match, or None if the pair already has one. No compatibility_data is SQL NULL (a bare
    None would be stored as JSON null)."""
    data = null() if compatibility_data is None else compatibility_data
    return (await session.execute(
        insert(matches).values(user1_id=user1_id, user2_id=user2_id, compatibility_data=data)
        .on_conflict_do_nothing(index_elements=[matches.c.user1_id, matches.c.user2_id])
        .returning(matches)
    )).mappings().first()


async def fill_compatibility_data(session: AsyncSession, match_id: int, compatibility_data: dict[str, Any]) -> bool:
    """Set a match's compatibility_data unless it already has some; True if set."""
    return (await session.execute(
        update(matches).where(matches.c.id == match_id, matches.c.compatibility_data.is_(None))
        .values(compatibility_data=compatibility_data).returning(matches.c.id)
    )).first() is not None


def _other_user_id(user_id: int):
    return case((matches.c.user1_id == user_id, matches.c.user2_id), else_=matches.c.user1_id)


def _with_other_profile(user_id: int):
    other = _other_user_id(user_id)
    return (select(matches.c.id, matches.c.user1_id, matches.c.user2_id, matches.c.created_at,
                   matches.c.compatibility_data, profiles.c.user_id.label("other_id"),
                   profiles.c.display_name.label("other_display_name"), profiles.c.photos.label("other_photos"),
                   profiles.c.birth_date.label("other_birth_date"))
            .join(profiles, profiles.c.user_id == other)
            .where(or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id), matches.c.removed_at.is_(None)))


async def list_for_user(session: AsyncSession, user_id: int) -> list[RowMapping]:
    stmt = _with_other_profile(user_id).order_by(matches.c.created_at.desc(), matches.c.id.desc())
    return list((await session.execute(stmt)).mappings().all())


async def get_for_participant(session: AsyncSession, match_id: int, user_id: int) -> RowMapping | None:
    return (await session.execute(_with_other_profile(user_id).where(matches.c.id == match_id))).mappings().first()


async def remove_for_user(session: AsyncSession, user_id: int) -> list[RowMapping]:
    """Mark every live match of this user removed; the rows removed."""
    return list((await session.execute(
        update(matches)
        .where(or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id), matches.c.removed_at.is_(None))
        .values(removed_at=func.now())
        .returning(matches.c.id, matches.c.user1_id, matches.c.user2_id)
    )).mappings().all())
