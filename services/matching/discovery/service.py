"""Use-cases of discovery: a page of scan ranked by the viewer's compatibility, and one pair's compatibility."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError

from .. import compatibility
from ..compatibility import CandidateScore, PairDocument
from ..matches import service as matches_service
from ..profiles import repository as profiles_repo
from ..profiles.rules import PROFILE_PENDING, is_live, require_live_pair, self_target
from . import ranking, repository
from .repository import Eligibility, Near
from .rules import UNRANKED, Position, birth_date_window, bounding_box, decode_cursor, encode_cursor

log = logging.getLogger(__name__)
PROFILE_DELETED = "PROFILE_DELETED"
PROFILE_INACTIVE = "PROFILE_INACTIVE"


@dataclass(frozen=True)
class ScanPage:
    profiles: list[RowMapping]
    next_cursor: str | None  # null on the last page
    scores: dict[int, CandidateScore]  # by user id; empty when `unavailable` says why
    unavailable: str | None
    ignored_filters: list[str]


def _viewer_problem(viewer: Mapping[str, Any] | None) -> str | None:
    if viewer is None:
        return PROFILE_PENDING
    if not is_live(viewer):
        return PROFILE_DELETED  # a still-valid token of a deleted account
    return None if viewer["active"] else PROFILE_INACTIVE


def _eligibility(viewer_id: int, viewer: Mapping[str, Any] | None, today: dt.date, age_min: int | None,
                 age_max: int | None, distance_km: float | None) -> tuple[Eligibility, tuple[float, float] | None]:
    born_on_or_before, born_after = birth_date_window(today, age_min, age_max)
    known = viewer is not None and is_live(viewer)
    location = ((viewer["latitude"], viewer["longitude"])
                if known and viewer["latitude"] is not None and viewer["longitude"] is not None else None)
    near = (Near(*location, distance_km, bounding_box(*location, distance_km))
            if distance_km is not None and location is not None else None)
    return Eligibility(viewer_id=viewer_id, gender=viewer["gender"] if known else None,
                       interested_in=list(viewer["interested_in"]) if known else None,
                       born_on_or_before=born_on_or_before, born_after=born_after, near=near), location


async def scan(session: AsyncSession, chart: ChartClient | None, viewer_id: int, *, today: dt.date,
               cursor: str | None, limit: int, age_min: int | None, age_max: int | None,
               distance_km: float | None) -> ScanPage:
    """Everyone the viewer may see, best compatibility first (ties: higher user id first), from the
    viewer's precomputed ranking (built now if this is their first scan).

    Without a ranking (the viewer's profile unknown, deleted or inactive, or the chart unable to build
    one) the same people come in user-id order without scores, and ``unavailable`` says why. A cursor
    from the other order starts that order from the top."""
    position = decode_cursor(cursor) if cursor else None
    async with session.begin():
        viewer = (await profiles_repo.get_profiles(session, [viewer_id])).get(viewer_id)
    who, location = _eligibility(viewer_id, viewer, today, age_min, age_max, distance_km)
    ignored = ["distance_km"] if distance_km is not None and location is None else []
    unavailable = _viewer_problem(viewer)
    if unavailable is None:
        try:
            await ranking.ensure_ranking(session, compatibility.require_chart(chart), viewer)
        except AppError as exc:
            log.warning("scan without a ranking", extra={"reason": exc.code})
            unavailable = exc.code
    ranked = unavailable is None
    async with session.begin():
        if ranked:
            after = position if position is not None and position.score != UNRANKED else None
            rows = await repository.ranked_page(session, who, location, after=after, limit=limit + 1)
        else:
            after_id = position.user_id if position is not None and position.score == UNRANKED else None
            rows = await repository.unranked_page(session, who, location, after_id=after_id, limit=limit + 1)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor(Position(last["score"] if ranked else UNRANKED, last["user_id"]))
    scores: dict[int, CandidateScore] = {}
    if ranked and page:
        scores, unavailable = await _page_scores(chart, viewer, page)
    return ScanPage(page, next_cursor, scores, unavailable, ignored)


async def _page_scores(chart: ChartClient | None, viewer: Mapping[str, Any],
                       page: Sequence[Mapping[str, Any]]) -> tuple[dict[int, CandidateScore], str | None]:
    """The page's scores in full (numerology, astrology, the highlight read from the viewer's side), in
    one batch; the ranking holds only the overall score."""
    try:
        return await compatibility.score_candidates(compatibility.require_chart(chart), viewer, page), None
    except AppError as exc:
        log.warning("scan without compatibility", extra={"reason": exc.code})
        return {}, exc.code


async def evaluate(session: AsyncSession, chart: ChartClient | None, me: int, target: int) -> PairDocument:
    """The pair's compatibility read from ``me``'s side; computed on request, nothing stored."""
    if target == me:
        raise self_target("Compatibility needs another user.")
    async with session.begin():
        found = await profiles_repo.get_profiles(session, (me, target))
        blocked = await matches_service.blocked_between(session, me, target)
    require_live_pair(found, me, target, blocked=blocked)
    return await compatibility.evaluate(compatibility.require_chart(chart), found[me], found[target])
