"""Devices, notification settings and the log of pushes."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import devices, notification_settings, push_deliveries, push_notifications

DEFAULT_SETTINGS = {"new_matches": True, "new_messages": True, "message_previews": True}


async def record_pushes(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Log notifications (event_id, user_id, kind, title, body, match_id, status), in order; a redelivered
    event records nothing twice."""
    # Parameter sets, not a VALUES list: one statement whatever the number of rows (cached once compiled).
    await session.execute(_RECORD_PUSH, rows)


_RECORD_PUSH = insert(push_notifications).on_conflict_do_nothing(
    index_elements=[push_notifications.c.event_id, push_notifications.c.user_id])


async def pushed_recently(session: AsyncSession, *, user_id: int, match_id: int, since_seconds: float) -> bool:
    """A message notification about this conversation went out within the burst window."""
    since = func.now() - dt.timedelta(seconds=since_seconds)
    return (await session.execute(select(push_notifications.c.id).where(
        push_notifications.c.user_id == user_id, push_notifications.c.match_id == match_id,
        push_notifications.c.kind == "message", push_notifications.c.status.in_(("sent", "logged")),
        push_notifications.c.created_at > since).limit(1))).first() is not None


async def devices_of(session: AsyncSession, user_id: int) -> list[RowMapping]:
    return list((await session.execute(select(devices).where(devices.c.user_id == user_id)
                                       .order_by(devices.c.id))).mappings().all())


async def upsert_device(session: AsyncSession, *, user_id: int, platform: str, address: str,
                        keys: dict[str, str] | None) -> RowMapping:
    """The device row for this address, now this user's (a phone that changes accounts moves with it)."""
    stmt = insert(devices).values(user_id=user_id, platform=platform, address=address, keys=keys)
    stmt = stmt.on_conflict_do_update(index_elements=[devices.c.address],
                                      set_={"user_id": user_id, "platform": platform, "keys": keys})
    return (await session.execute(stmt.returning(devices))).mappings().one()


async def delete_device(session: AsyncSession, *, device_id: int, user_id: int | None = None) -> bool:
    stmt = delete(devices).where(devices.c.id == device_id)
    if user_id is not None:
        stmt = stmt.where(devices.c.user_id == user_id)
    return bool((await session.execute(stmt.returning(devices.c.id))).first())


async def delivered_devices(session: AsyncSession, event_id: uuid.UUID) -> set[int]:
    return set((await session.execute(select(push_deliveries.c.device_id)
                                      .where(push_deliveries.c.event_id == event_id))).scalars())


async def record_delivery(session: AsyncSession, event_id: uuid.UUID, device_id: int) -> None:
    await session.execute(insert(push_deliveries).values(event_id=event_id, device_id=device_id)
                          .on_conflict_do_nothing())


async def get_settings(session: AsyncSession, user_id: int) -> dict[str, Any]:
    return (await settings_of(session, {user_id}))[user_id]


async def settings_of(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each person's settings (the defaults for one who never changed them), in one query."""
    wanted = set(user_ids)
    found = {row["user_id"]: {name: row[name] for name in DEFAULT_SETTINGS}
             for row in (await session.execute(select(notification_settings).where(
                 notification_settings.c.user_id.in_(wanted)))).mappings()} if wanted else {}
    return {user_id: found.get(user_id, dict(DEFAULT_SETTINGS)) for user_id in wanted}


async def update_settings(session: AsyncSession, user_id: int, changes: dict[str, bool]) -> dict[str, Any]:
    values = {**DEFAULT_SETTINGS, **changes}
    stmt = insert(notification_settings).values(user_id=user_id, **values)
    stmt = stmt.on_conflict_do_update(index_elements=[notification_settings.c.user_id],
                                      set_={**changes, "updated_at": func.now()} if changes
                                      else {"updated_at": func.now()})
    row = (await session.execute(stmt.returning(notification_settings))).mappings().one()
    return {name: row[name] for name in DEFAULT_SETTINGS}


async def erase_user(session: AsyncSession, user_id: int) -> None:
    owned = select(devices.c.id).where(devices.c.user_id == user_id).scalar_subquery()
    await session.execute(delete(push_deliveries).where(push_deliveries.c.device_id.in_(owned)))
    for table in (devices, notification_settings, push_notifications):
        await session.execute(delete(table).where(table.c.user_id == user_id))
