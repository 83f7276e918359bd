"""Reads and writes of blocks and reports."""
from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..profiles.tables import profiles
from .tables import blocks, reports


async def insert_block(session: AsyncSession, blocker_id: int, blocked_id: int) -> RowMapping | None:
    """The new block, or None when it already existed."""
    return (await session.execute(
        insert(blocks).values(blocker_id=blocker_id, blocked_id=blocked_id)
        .on_conflict_do_nothing(index_elements=[blocks.c.blocker_id, blocks.c.blocked_id]).returning(blocks)
    )).mappings().first()


async def get_block(session: AsyncSession, blocker_id: int, blocked_id: int) -> RowMapping | None:
    return (await session.execute(select(blocks).where(
        blocks.c.blocker_id == blocker_id, blocks.c.blocked_id == blocked_id))).mappings().first()


async def list_blocks(session: AsyncSession, blocker_id: int) -> list[RowMapping]:
    stmt = (select(blocks.c.blocked_id, blocks.c.created_at, profiles.c.display_name)
            .select_from(blocks.outerjoin(profiles, profiles.c.user_id == blocks.c.blocked_id))
            .where(blocks.c.blocker_id == blocker_id)
            .order_by(blocks.c.created_at.desc(), blocks.c.blocked_id.desc()))
    return list((await session.execute(stmt)).mappings().all())


async def delete_block(session: AsyncSession, blocker_id: int, blocked_id: int) -> bool:
    return (await session.execute(delete(blocks).where(
        blocks.c.blocker_id == blocker_id, blocks.c.blocked_id == blocked_id).returning(blocks.c.blocker_id))
    ).first() is not None


async def insert_report(session: AsyncSession, reporter_id: int, reported_id: int, reason: str,
                        details: str) -> RowMapping:
    return (await session.execute(insert(reports).values(
        reporter_id=reporter_id, reported_id=reported_id, reason=reason, details=details).returning(reports)
    )).mappings().one()


async def open_report(session: AsyncSession, reporter_id: int, reported_id: int, reason: str,
                      details: str) -> RowMapping | None:
    """The reporter's open report about the person with this reason and these details, if any."""
    return (await session.execute(select(reports).where(
        reports.c.reporter_id == reporter_id, reports.c.reported_id == reported_id, reports.c.reason == reason,
        reports.c.details == details, reports.c.status == "open").order_by(reports.c.id).limit(1))).mappings().first()


def _with_names():
    reported = profiles.alias("reported")
    return (select(reports, reported.c.display_name.label("reported_display_name"),
                   reported.c.active.label("reported_active"))
            .select_from(reports.outerjoin(reported, reported.c.user_id == reports.c.reported_id)))


async def list_reports(session: AsyncSession, *, status: str | None, limit: int,
                       offset: int) -> tuple[list[RowMapping], int]:
    """Newest first, and how many there are in all."""
    stmt = _with_names().order_by(reports.c.created_at.desc(), reports.c.id.desc()).limit(limit).offset(offset)
    count = select(func.count()).select_from(reports)
    if status is not None:
        stmt, count = stmt.where(reports.c.status == status), count.where(reports.c.status == status)
    rows = list((await session.execute(stmt)).mappings().all())
    return rows, (await session.execute(count)).scalar_one()


async def get_report(session: AsyncSession, report_id: int) -> RowMapping | None:
    return (await session.execute(_with_names().where(reports.c.id == report_id))).mappings().first()


async def review(session: AsyncSession, report_id: int, status: str, admin_id: int) -> None:
    await session.execute(update(reports).where(reports.c.id == report_id).values(
        status=status, reviewed_at=func.now(), reviewed_by=admin_id))


async def ban_open_reports(session: AsyncSession, reported_id: int, admin_id: int) -> None:
    """A ban settles every open report about the person."""
    await session.execute(update(reports).where(reports.c.reported_id == reported_id, reports.c.status == "open")
                          .values(status="banned", reviewed_at=func.now(), reviewed_by=admin_id))
