"""Reads and writes of resonances and matches."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, func, null, or_, select, text, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.events.schemas import MessageCreatedV1

from ..profiles.tables import profiles
from ..safety.tables import blocks
from .tables import match_messages, match_reads, matches, resonances


async def lock_pair(session: AsyncSession, key: int) -> None:
    """Transaction-scoped advisory lock: one resonance decision per pair at a time."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def upsert_resonance(session: AsyncSession, *, from_user_id: int, to_user_id: int, action: str,
                           score: int | None) -> None:
    """The action and the score at the time of this action (an unknown score keeps the one stored)."""
    stmt = insert(resonances).values(from_user_id=from_user_id, to_user_id=to_user_id, action=action,
                                     compatibility_score=score)
    stmt = stmt.on_conflict_do_update(index_elements=[resonances.c.from_user_id, resonances.c.to_user_id],
                                      set_={"action": stmt.excluded.action, "updated_at": func.now(),
                                            "compatibility_score": func.coalesce(stmt.excluded.compatibility_score,
                                                                                 resonances.c.compatibility_score)})
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
                       compatibility_data: dict[str, Any] | None = None, *,
                       score: int | None = None) -> RowMapping | None:
    """The new match, or None if the pair already has one. No compatibility_data is SQL NULL (a bare
    None would be stored as JSON null)."""
    data = null() if compatibility_data is None else compatibility_data
    return (await session.execute(
        insert(matches).values(user1_id=user1_id, user2_id=user2_id, compatibility_data=data,
                               compatibility_score=score)
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
    """The user's live matches with a discoverable other person, their last message and unread count."""
    other = _other_user_id(user_id)
    last = (select(match_messages.c.message_id, match_messages.c.sender_id, match_messages.c.preview,
                   match_messages.c.created_at)
            .where(match_messages.c.match_id == matches.c.id)
            .order_by(match_messages.c.message_id.desc()).limit(1).lateral("last_message"))
    read_up_to = (select(match_reads.c.up_to_message_id)
                  .where(match_reads.c.match_id == matches.c.id, match_reads.c.reader_id == user_id).scalar_subquery())
    unread = (select(func.count()).select_from(match_messages)
              .where(match_messages.c.match_id == matches.c.id, match_messages.c.recipient_id == user_id,
                     match_messages.c.message_id > func.coalesce(read_up_to, 0)).scalar_subquery())
    activity = func.greatest(matches.c.created_at, last.c.created_at)
    return (select(matches.c.id, matches.c.user1_id, matches.c.user2_id, matches.c.created_at,
                   matches.c.compatibility_data, matches.c.compatibility_score, profiles.c.user_id.label("other_id"),
                   profiles.c.display_name.label("other_display_name"), profiles.c.photos.label("other_photos"),
                   profiles.c.birth_date.label("other_birth_date"), profiles.c.bio.label("other_bio"),
                   profiles.c.numerology.label("other_numerology"), profiles.c.chart_level, profiles.c.sun_sign,
                   profiles.c.moon_sign, profiles.c.rising_sign,
                   last.c.message_id.label("last_message_id"), last.c.sender_id.label("last_message_sender_id"),
                   last.c.preview.label("last_message_preview"), last.c.created_at.label("last_message_at"),
                   unread.label("unread_count"), activity.label("last_activity_at"))
            .select_from(matches.join(profiles, profiles.c.user_id == other).outerjoin(last, true()))
            .where(or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id), matches.c.removed_at.is_(None),
                   profiles.c.active.is_(True), profiles.c.deleted_at.is_(None)))


async def list_for_user(session: AsyncSession, user_id: int) -> list[RowMapping]:
    stmt = _with_other_profile(user_id).order_by(text("last_activity_at DESC"), matches.c.id.desc())
    return list((await session.execute(stmt)).mappings().all())


async def get_for_participant(session: AsyncSession, match_id: int, user_id: int) -> RowMapping | None:
    return (await session.execute(_with_other_profile(user_id).where(matches.c.id == match_id))).mappings().first()


async def latest_messages(session: AsyncSession, match_id: int, limit: int) -> list[RowMapping]:
    return list((await session.execute(
        select(match_messages).where(match_messages.c.match_id == match_id)
        .order_by(match_messages.c.message_id.desc()).limit(limit))).mappings().all())


_REMOVED = (matches.c.id, matches.c.user1_id, matches.c.user2_id)


async def remove_for_user(session: AsyncSession, user_id: int, reason: str = "user_deleted") -> list[RowMapping]:
    """Mark every live match of this user removed; the rows removed."""
    return list((await session.execute(
        update(matches)
        .where(or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id), matches.c.removed_at.is_(None))
        .values(removed_at=func.now(), removed_reason=reason).returning(*_REMOVED)
    )).mappings().all())


async def remove_pair(session: AsyncSession, user1_id: int, user2_id: int, *, reason: str) -> list[RowMapping]:
    return list((await session.execute(
        update(matches).where(matches.c.user1_id == user1_id, matches.c.user2_id == user2_id,
                              matches.c.removed_at.is_(None))
        .values(removed_at=func.now(), removed_reason=reason).returning(*_REMOVED))).mappings().all())


async def remove_match(session: AsyncSession, match_id: int, participant: int, *, reason: str) -> list[RowMapping]:
    """End one live match of ``participant`` (nothing when it is not theirs or already ended)."""
    return list((await session.execute(
        update(matches).where(matches.c.id == match_id, matches.c.removed_at.is_(None),
                              or_(matches.c.user1_id == participant, matches.c.user2_id == participant))
        .values(removed_at=func.now(), removed_reason=reason).returning(*_REMOVED))).mappings().all())


async def blocked_between(session: AsyncSession, a: int, b: int) -> bool:
    return (await session.execute(select(exists().where(or_(
        and_(blocks.c.blocker_id == a, blocks.c.blocked_id == b),
        and_(blocks.c.blocker_id == b, blocks.c.blocked_id == a)))))).scalar_one()


async def add_message(session: AsyncSession, message: MessageCreatedV1) -> None:
    await session.execute(insert(match_messages).values(
        message_id=message.message_id, match_id=message.match_id, sender_id=message.sender_id,
        recipient_id=message.recipient_id, preview=message.preview, created_at=message.created_at,
    ).on_conflict_do_nothing(index_elements=[match_messages.c.message_id]))


async def mark_read(session: AsyncSession, match_id: int, reader_id: int, up_to_message_id: int) -> None:
    stmt = insert(match_reads).values(match_id=match_id, reader_id=reader_id, up_to_message_id=up_to_message_id)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[match_reads.c.match_id, match_reads.c.reader_id],
        set_={"up_to_message_id": func.greatest(match_reads.c.up_to_message_id, stmt.excluded.up_to_message_id)}))
