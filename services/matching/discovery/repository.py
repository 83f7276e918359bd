"""Discovery's queries: who a viewer may see (the scan filters), ranked by the viewer's precomputed
scores or in user-id order, and the rankings themselves (build, fan-out, eviction)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (ColumnElement, Float, Text, and_, any_, bindparam, delete, exists, false, func, literal, or_,
                        select, text, true, tuple_, update)
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT, SMALLINT, insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..matches.tables import resonances
from ..profiles.tables import profiles
from ..safety.tables import blocks
from .rules import EARTH_RADIUS_KM, Box, Position
from .tables import ranking_changes, rankings, scan_scores

# What scan shows of a user's chart and what compatibility scoring needs of it.
NATAL_COLUMNS = (profiles.c.chart_level, profiles.c.sun_sign, profiles.c.moon_sign, profiles.c.rising_sign,
                 profiles.c.key_longitudes)
SCORING_COLUMNS = (profiles.c.user_id, profiles.c.numerology, profiles.c.chart_level, profiles.c.key_longitudes)
READY, BUILDING = "ready", "building"


@dataclass(frozen=True)
class Near:
    """The distance filter: within ``km`` of (latitude, longitude); ``box`` bounds the index lookup."""

    latitude: float
    longitude: float
    km: float
    box: Box


@dataclass(frozen=True)
class Eligibility:
    """Who a viewer may see. ``gender`` / ``interested_in`` are None when the viewer's profile is unknown
    (then preferences cannot be applied either way)."""

    viewer_id: int
    gender: str | None
    interested_in: Sequence[str] | None
    born_on_or_before: dt.date | None
    born_after: dt.date | None
    near: Near | None


def _distance_km(latitude: float, longitude: float) -> ColumnElement[float]:
    """Great-circle distance from the point to each profile (haversine on the mean Earth radius)."""
    lat1, lat2 = func.radians(literal(latitude, Float)), func.radians(profiles.c.latitude)
    d_lat = func.radians(profiles.c.latitude - literal(latitude, Float)) / 2
    d_lon = func.radians(profiles.c.longitude - literal(longitude, Float)) / 2
    a = func.power(func.sin(d_lat), 2) + func.cos(lat1) * func.cos(lat2) * func.power(func.sin(d_lon), 2)
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(func.least(literal(1.0, Float), a)))


def _within(near: Near) -> list[ColumnElement[bool]]:
    box = near.box
    clauses = [profiles.c.latitude.between(box.lat_min, box.lat_max)]
    if box.lon_ranges is not None:
        clauses.append(or_(*(profiles.c.longitude.between(low, high) for low, high in box.lon_ranges)))
    clauses.append(_distance_km(near.latitude, near.longitude) <= near.km)
    return clauses


def _eligible(who: Eligibility) -> list[ColumnElement[bool]]:
    """Live, active people other than the viewer, whom the viewer has not acted on, with no block between
    them, who pass the age and distance filters and whom each wants to meet (both ways)."""
    viewer = who.viewer_id
    acted = exists().where(resonances.c.from_user_id == viewer, resonances.c.to_user_id == profiles.c.user_id)
    blocked = exists().where(or_(and_(blocks.c.blocker_id == viewer, blocks.c.blocked_id == profiles.c.user_id),
                                 and_(blocks.c.blocker_id == profiles.c.user_id, blocks.c.blocked_id == viewer)))
    clauses = [profiles.c.user_id != viewer, profiles.c.deleted_at.is_(None), profiles.c.display_name.is_not(None),
               profiles.c.active.is_(True), ~acted, ~blocked]
    if who.interested_in:
        clauses.append(profiles.c.gender.in_(list(who.interested_in)))
    if who.interested_in is not None:  # the viewer is known: they must be someone the candidate wants to meet
        open_to_all = func.cardinality(profiles.c.interested_in) == 0
        clauses.append(open_to_all if who.gender is None else or_(
            open_to_all, literal(who.gender, Text) == any_(profiles.c.interested_in)))
    if who.born_on_or_before is not None:
        clauses.append(profiles.c.birth_date <= who.born_on_or_before)
    if who.born_after is not None:
        clauses.append(profiles.c.birth_date > who.born_after)
    if who.near is not None:
        clauses.extend(_within(who.near))
    return clauses


def _shown_columns(who: Eligibility, viewer_location: tuple[float, float] | None) -> list[Any]:
    distance = (_distance_km(*viewer_location) if viewer_location is not None else literal(None, Float))
    return [profiles.c.user_id, profiles.c.display_name, profiles.c.birth_date, profiles.c.photos, profiles.c.bio,
            profiles.c.numerology, *NATAL_COLUMNS, distance.label("distance_km")]


async def ranked_page(session: AsyncSession, who: Eligibility, viewer_location: tuple[float, float] | None, *,
                      after: Position | None, limit: int) -> list[RowMapping]:
    """Eligible people by the viewer's score, best first; equal scores by higher user id first.

    The plan must walk the viewer's (viewer_id, score, candidate_id) index backwards from ``after`` and
    check each candidate's profile until the page is full. The profile check is a LATERAL subquery
    behind OFFSET 0 (which Postgres never flattens), so the planner cannot start from the location index
    and sort every candidate instead, as it does when a fresh ranking has no statistics yet (the box
    then looks nearly empty): 0.4 ms against 0.5-40 s at 100,000 people."""
    ranked = select(scan_scores.c.candidate_id, scan_scores.c.score).where(scan_scores.c.viewer_id == who.viewer_id)
    if after is not None:
        ranked = ranked.where(tuple_(scan_scores.c.score, scan_scores.c.candidate_id) < tuple_(after.score,
                                                                                               after.user_id))
    ranked = ranked.subquery("ranked")
    shown = (select(*_shown_columns(who, viewer_location))
             .where(profiles.c.user_id == ranked.c.candidate_id, *_eligible(who)).offset(0).lateral("shown"))
    stmt = (select(shown, ranked.c.score).select_from(ranked.join(shown, true()))
            .order_by(ranked.c.score.desc(), ranked.c.candidate_id.desc()).limit(limit))
    return list((await session.execute(stmt)).mappings().all())


async def unranked_page(session: AsyncSession, who: Eligibility, viewer_location: tuple[float, float] | None, *,
                        after_id: int | None, limit: int) -> list[RowMapping]:
    """Eligible people by user id (when no ranking can be had: see service.scan)."""
    stmt = (select(*_shown_columns(who, viewer_location)).where(*_eligible(who))
            .order_by(profiles.c.user_id).limit(limit))
    if after_id is not None:
        stmt = stmt.where(profiles.c.user_id > after_id)
    return list((await session.execute(stmt)).mappings().all())


# ---- rankings ----

async def ranking_state(session: AsyncSession, viewer_id: int) -> str | None:
    """The viewer's ranking state; marks it used (at most once an hour, so scans do not write each time)."""
    row = (await session.execute(
        update(rankings).where(rankings.c.viewer_id == viewer_id, rankings.c.used_at < func.now() - text(
            "interval '1 hour'")).values(used_at=func.now()).returning(rankings.c.state))).first()
    if row is not None:
        return row[0]
    return (await session.execute(select(rankings.c.state).where(rankings.c.viewer_id == viewer_id))).scalar()


async def start_ranking(session: AsyncSession, viewer_id: int) -> None:
    """Announce the ranking before reading its candidates, so the fan-out of anyone who arrives after
    that read already includes this viewer (see ranking.apply_changes)."""
    await session.execute(insert(rankings).values(viewer_id=viewer_id, state=BUILDING)
                          .on_conflict_do_nothing(index_elements=[rankings.c.viewer_id]))


async def finish_ranking(session: AsyncSession, viewer_id: int) -> None:
    await session.execute(update(rankings).where(rankings.c.viewer_id == viewer_id).values(state=READY))


async def scoring_rows(session: AsyncSession, *, exclude: int | None = None,
                       only: Iterable[int] | None = None) -> list[RowMapping]:
    """What scoring needs of every live profile (or of ``only`` these users)."""
    stmt = select(*SCORING_COLUMNS).where(profiles.c.deleted_at.is_(None), profiles.c.display_name.is_not(None))
    if exclude is not None:
        stmt = stmt.where(profiles.c.user_id != exclude)
    if only is not None:
        stmt = stmt.where(profiles.c.user_id.in_(list(only)))
    return list((await session.execute(stmt)).mappings().all())


async def ranked_viewers(session: AsyncSession) -> list[RowMapping]:
    """What scoring needs of every live viewer who has a ranking."""
    stmt = (select(*SCORING_COLUMNS).select_from(rankings.join(profiles, profiles.c.user_id == rankings.c.viewer_id))
            .where(profiles.c.deleted_at.is_(None), profiles.c.display_name.is_not(None)))
    return list((await session.execute(stmt)).mappings().all())


_PAIRS = (text("SELECT unnest(:viewers) AS viewer_id, unnest(:candidates) AS candidate_id, unnest(:scores) AS score")
          .bindparams(bindparam("viewers", type_=ARRAY(BIGINT)), bindparam("candidates", type_=ARRAY(BIGINT)),
                      bindparam("scores", type_=ARRAY(SMALLINT)))
          .columns(viewer_id=BIGINT, candidate_id=BIGINT, score=SMALLINT).subquery())


async def store_scores(session: AsyncSession, triples: Sequence[tuple[int, int, int]], *, replace: bool) -> None:
    """(viewer, candidate, score) rows in one statement; ``replace``: newer inputs win over what is stored."""
    if not triples:
        return
    viewers, candidates, scores = (list(column) for column in zip(*triples, strict=True))
    stmt = insert(scan_scores).from_select(["viewer_id", "candidate_id", "score"], select(_PAIRS))
    stmt = (stmt.on_conflict_do_update(index_elements=[scan_scores.c.viewer_id, scan_scores.c.candidate_id],
                                       set_={"score": stmt.excluded.score}) if replace
            else stmt.on_conflict_do_nothing(index_elements=[scan_scores.c.viewer_id, scan_scores.c.candidate_id]))
    await session.execute(stmt, {"viewers": viewers, "candidates": candidates, "scores": scores})


async def drop_rankings(session: AsyncSession, viewer_ids: Sequence[int]) -> None:
    if viewer_ids:
        await session.execute(delete(scan_scores).where(scan_scores.c.viewer_id.in_(list(viewer_ids))))
        await session.execute(delete(rankings).where(rankings.c.viewer_id.in_(list(viewer_ids))))


async def rankings_older_than(session: AsyncSession, changes: Mapping[int, dt.datetime]) -> list[int]:
    """Which of these users have a ranking built before their change was queued."""
    rows = (await session.execute(select(rankings.c.viewer_id, rankings.c.created_at)
                                  .where(rankings.c.viewer_id.in_(list(changes))))).all()
    return [viewer_id for viewer_id, created_at in rows if created_at <= changes[viewer_id]]


async def unused_rankings(session: AsyncSession, unused_since: dt.datetime) -> list[int]:
    return list((await session.execute(
        select(rankings.c.viewer_id).where(rankings.c.used_at < unused_since))).scalars())


async def queue_change(session: AsyncSession, user_id: int) -> None:
    stmt = insert(ranking_changes).values(user_id=user_id)
    await session.execute(stmt.on_conflict_do_update(index_elements=[ranking_changes.c.user_id],
                                                     set_={"queued_at": func.clock_timestamp()}))


async def pending_changes(session: AsyncSession, limit: int) -> list[RowMapping]:
    return list((await session.execute(
        select(ranking_changes).order_by(ranking_changes.c.queued_at).limit(limit))).mappings().all())


async def clear_changes(session: AsyncSession, seen: Mapping[int, dt.datetime]) -> None:
    """Remove the changes handled; one queued again meanwhile (a later queued_at) stays."""
    if seen:
        await session.execute(delete(ranking_changes).where(or_(false(), *(
            and_(ranking_changes.c.user_id == user_id, ranking_changes.c.queued_at <= queued_at)
            for user_id, queued_at in seen.items()))))


async def stored_score(session: AsyncSession, viewer_id: int, candidate_id: int) -> int | None:
    return (await session.execute(select(scan_scores.c.score).where(
        scan_scores.c.viewer_id == viewer_id, scan_scores.c.candidate_id == candidate_id))).scalar()
