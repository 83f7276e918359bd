"""The dating profile's writes to ``users`` (the accounts domain's table: one row per person)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..accounts.tables import users


async def lock_user(session: AsyncSession, user_id: int) -> RowMapping | None:
    """The row, locked until the transaction ends: concurrent edits (two uploads racing for the last photo
    slot) apply one after the other."""
    return (await session.execute(select(users).where(users.c.id == user_id).with_for_update())).mappings().first()


async def update_user(session: AsyncSession, user_id: int, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(update(users).where(users.c.id == user_id)
                                  .values(**values, updated_at=func.now()).returning(users))).mappings().one()


async def delete_user(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(users).where(users.c.id == user_id))


async def photo_listed(session: AsyncSession, photo_id: str) -> bool:
    """Whether some profile lists the photo (the users.photos GIN index answers it)."""
    return bool(await session.scalar(select(exists().where(users.c.photos.contains([{"id": photo_id}])))))
