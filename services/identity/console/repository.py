"""The console's queries: the audit log, and the searches over accounts its pages show."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, cast, func, or_, select, true, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..accounts.tables import sessions, users
from .tables import admin_audit_log


async def record(session: AsyncSession, *, admin_user_id: int, admin_email: str, action: str,
                 target_type: str | None = None, target_id: str | int | None = None,
                 details: dict[str, Any] | None = None, status: str = "done") -> int:
    return (await session.execute(admin_audit_log.insert().values(
        admin_user_id=admin_user_id, admin_email=admin_email, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), details=details or {}, status=status)
        .returning(admin_audit_log.c.id))).scalar_one()


async def settle(session: AsyncSession, record_id: int, status: str, details: dict[str, Any]) -> None:
    """A pending row's outcome, its details extended with ``details``."""
    await session.execute(update(admin_audit_log).where(admin_audit_log.c.id == record_id)
                          .values(status=status, details=admin_audit_log.c.details.concat(details)))


async def audit_page(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[RowMapping], int]:
    rows = (await session.execute(select(admin_audit_log).order_by(admin_audit_log.c.id.desc())
                                  .limit(limit).offset(offset))).mappings().all()
    total = (await session.execute(select(func.count()).select_from(admin_audit_log))).scalar_one()
    return list(rows), total


def _search_columns() -> list:
    """Email, name, and the phone number once the phone-OTP accounts add it."""
    columns = [users.c.email, users.c.display_name]
    if "phone_number" in users.c:
        columns.append(users.c.phone_number)
    return columns


async def search_users(session: AsyncSession, query: str, *, limit: int, offset: int) -> tuple[list[RowMapping], int]:
    """Accounts whose email, name or phone contains ``query`` (any case), newest first; everyone when empty."""
    condition = true()
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        condition = or_(*(cast(column, String).ilike(pattern, escape="\\") for column in _search_columns()))
        if query.isascii() and query.isdigit() and int(query) <= 2**63 - 1:  # an id (not "²", not past BIGINT)
            condition = or_(condition, users.c.id == int(query))
    rows = (await session.execute(select(users).where(condition).order_by(users.c.id.desc())
                                  .limit(limit).offset(offset))).mappings().all()
    total = (await session.execute(select(func.count()).select_from(users).where(condition))).scalar_one()
    return list(rows), total


async def user_sessions(session: AsyncSession, user_id: int) -> list[RowMapping]:
    return list((await session.execute(select(sessions).where(sessions.c.user_id == user_id)
                                       .order_by(sessions.c.created_at.desc()).limit(50))).mappings().all())


async def registrations(session: AsyncSession, today: dt.date) -> dict[str, int]:
    """People registered today, in the last 7 days (today included) and in all; active today."""
    midnight = dt.datetime.combine(today, dt.time(), dt.UTC)
    week = midnight - dt.timedelta(days=6)

    def count(*conditions) -> Any:
        return select(func.count()).select_from(users).where(*conditions).scalar_subquery()

    row = (await session.execute(select(count(users.c.created_at >= midnight).label("today"),
                                        count(users.c.created_at >= week).label("week"),
                                        count().label("total"),
                                        count(users.c.last_active >= midnight).label("active_today")))).mappings().one()
    return dict(row)
