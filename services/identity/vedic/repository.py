"""Reads and writes of the Vedic tables. Every query is scoped to its owner: another user's row is
indistinguishable from a missing one."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import astro_predictions, astro_profiles, astro_snapshots


async def create_profile(session: AsyncSession, owner: int, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(astro_profiles.insert().values(owner_user_id=owner, **values)
                                  .returning(astro_profiles))).mappings().one()


async def get_profile(session: AsyncSession, owner: int, profile_id: int) -> RowMapping | None:
    return (await session.execute(select(astro_profiles).where(
        astro_profiles.c.id == profile_id, astro_profiles.c.owner_user_id == owner))).mappings().first()


async def list_profiles(session: AsyncSession, owner: int, *, page: int, per_page: int) -> tuple[list[RowMapping], int]:
    where = astro_profiles.c.owner_user_id == owner
    total = (await session.execute(select(func.count()).select_from(astro_profiles).where(where))).scalar_one()
    rows = (await session.execute(select(astro_profiles).where(where).order_by(astro_profiles.c.id)
                                  .limit(per_page).offset((page - 1) * per_page))).mappings().all()
    return list(rows), total


async def update_profile(session: AsyncSession, owner: int, profile_id: int,
                         values: dict[str, Any]) -> RowMapping | None:
    return (await session.execute(
        update(astro_profiles).where(astro_profiles.c.id == profile_id, astro_profiles.c.owner_user_id == owner)
        .values(**values, updated_at=func.now()).returning(astro_profiles))).mappings().first()


async def delete_profile(session: AsyncSession, owner: int, profile_id: int) -> bool:
    """Deletes the profile; its snapshots and predictions go with it (ON DELETE CASCADE)."""
    result = await session.execute(delete(astro_profiles).where(astro_profiles.c.id == profile_id,
                                                                astro_profiles.c.owner_user_id == owner))
    return result.rowcount > 0


async def delete_owned(session: AsyncSession, owner: int) -> None:
    """Everything the user owns here: predictions, snapshots (also those of no profile), profiles."""
    for table in (astro_predictions, astro_snapshots, astro_profiles):
        await session.execute(delete(table).where(table.c.owner_user_id == owner))


async def live_snapshot(session: AsyncSession, owner: int, input_hash: str) -> RowMapping | None:
    return (await session.execute(select(astro_snapshots).where(
        astro_snapshots.c.owner_user_id == owner, astro_snapshots.c.input_hash == input_hash,
        astro_snapshots.c.invalidated_at.is_(None)))).mappings().first()


async def insert_snapshot(session: AsyncSession, values: dict[str, Any]) -> RowMapping | None:
    """The new row, or None when a live snapshot with this owner and input hash already exists."""
    statement = insert(astro_snapshots).values(**values).on_conflict_do_nothing(
        index_elements=["owner_user_id", "input_hash"], index_where=astro_snapshots.c.invalidated_at.is_(None))
    return (await session.execute(statement.returning(astro_snapshots))).mappings().first()


async def claim_snapshot(session: AsyncSession, snapshot_id: int, profile_id: int) -> None:
    """An inline snapshot later computed for a profile with identical input joins that profile's history."""
    await session.execute(update(astro_snapshots).where(astro_snapshots.c.id == snapshot_id,
                                                        astro_snapshots.c.profile_id.is_(None))
                          .values(profile_id=profile_id))


async def get_snapshot(session: AsyncSession, owner: int, snapshot_id: int) -> RowMapping | None:
    return (await session.execute(select(astro_snapshots).where(
        astro_snapshots.c.id == snapshot_id, astro_snapshots.c.owner_user_id == owner))).mappings().first()


async def invalidate_snapshots(session: AsyncSession, *, profile_id: int | None = None) -> int:
    """Marks live snapshots (of one profile, or all) invalidated so the next compute recomputes."""
    condition = astro_snapshots.c.invalidated_at.is_(None)
    if profile_id is not None:
        condition = and_(condition, astro_snapshots.c.profile_id == profile_id)
    result = await session.execute(update(astro_snapshots).where(condition).values(invalidated_at=func.now()))
    return result.rowcount


async def profile_owner(session: AsyncSession, profile_id: int) -> int | None:
    return (await session.execute(select(astro_profiles.c.owner_user_id).where(astro_profiles.c.id == profile_id))
            ).scalar_one_or_none()


async def history(session: AsyncSession, owner: int, profile_id: int) -> list[dict[str, Any]]:
    snaps = (await session.execute(select(
        astro_snapshots.c.id, astro_snapshots.c.created_at, astro_snapshots.c.ruleset_version,
        astro_snapshots.c.ephemeris_version, astro_snapshots.c.ayanamsa, astro_snapshots.c.house_system,
        astro_snapshots.c.as_of, astro_snapshots.c.input_hash, astro_snapshots.c.invalidated_at,
    ).where(astro_snapshots.c.profile_id == profile_id, astro_snapshots.c.owner_user_id == owner))).mappings().all()
    preds = (await session.execute(select(
        astro_predictions.c.id, astro_predictions.c.created_at, astro_predictions.c.question,
        astro_predictions.c.topic, astro_predictions.c.confidence_overall, astro_predictions.c.llm_model,
        astro_predictions.c.snapshot_id,
    ).where(astro_predictions.c.profile_id == profile_id, astro_predictions.c.owner_user_id == owner))).mappings().all()
    entries = [{"type": "calc_snapshot", "id": s["id"], "created_at": s["created_at"], "metadata": {
        "ruleset_version": s["ruleset_version"], "ephemeris_version": s["ephemeris_version"],
        "ayanamsa": s["ayanamsa"], "house_system": s["house_system"], "as_of": s["as_of"].isoformat(),
        "input_hash": s["input_hash"], "invalidated": s["invalidated_at"] is not None}} for s in snaps]
    entries += [{"type": "prediction", "id": p["id"], "created_at": p["created_at"], "metadata": {
        "question": p["question"], "topic": p["topic"], "confidence_overall": p["confidence_overall"],
        "llm_model": p["llm_model"], "calc_snapshot_id": p["snapshot_id"]}} for p in preds]
    entries.sort(key=lambda e: (e["created_at"], e["type"], e["id"]))
    return entries


async def insert_prediction(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(astro_predictions.insert().values(**values).returning(astro_predictions))
            ).mappings().one()


async def get_prediction(session: AsyncSession, owner: int, prediction_id: int) -> RowMapping | None:
    return (await session.execute(select(astro_predictions).where(
        astro_predictions.c.id == prediction_id, astro_predictions.c.owner_user_id == owner))).mappings().first()
