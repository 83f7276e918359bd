"""Use-cases of discovery: a page of scan with the viewer's scores, and one pair's compatibility."""
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
from ..profiles import repository as profiles_repo
from ..profiles.rules import PROFILE_PENDING, is_live, require_live_pair, self_target
from . import repository
from .rules import birth_date_window, decode_cursor, encode_cursor

log = logging.getLogger(__name__)
PROFILE_DELETED = "PROFILE_DELETED"


@dataclass(frozen=True)
class ScanPage:
    profiles: list[RowMapping]
    next_cursor: str | None  # null on the last page
    scores: dict[int, CandidateScore]  # by user id; empty when `unavailable` says why
    unavailable: str | None


async def scan(session: AsyncSession, chart: ChartClient | None, viewer_id: int, *, today: dt.date,
               cursor: str | None, limit: int, age_min: int | None, age_max: int | None) -> ScanPage:
    """Live profiles the viewer has not acted on, by user id, scored against the viewer in one batch.
    Without scores (viewer unknown or deleted, chart down or failing) the page still comes back."""
    born_on_or_before, born_after = birth_date_window(today, age_min, age_max)
    async with session.begin():  # ends before the chart call: no transaction waits on the network
        rows = await repository.scan_candidates(
            session, viewer_id=viewer_id, after_id=decode_cursor(cursor) if cursor else None, limit=limit + 1,
            born_on_or_before=born_on_or_before, born_after=born_after)
        viewer = (await profiles_repo.get_profiles(session, [viewer_id])).get(viewer_id)
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1]["user_id"]) if len(rows) > limit else None
    scores, unavailable = await _page_scores(chart, viewer, page)
    return ScanPage(page, next_cursor, scores, unavailable)


async def _page_scores(chart: ChartClient | None, viewer: Mapping[str, Any] | None,
                       page: Sequence[Mapping[str, Any]]) -> tuple[dict[int, CandidateScore], str | None]:
    """The viewer's scores with the page's profiles in one batch, or none and the reason why."""
    if viewer is None:
        return {}, PROFILE_PENDING
    if not is_live(viewer):
        return {}, PROFILE_DELETED  # a still-valid token of a deleted account
    if not page:
        return {}, None
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
    require_live_pair(found, me, target)
    return await compatibility.evaluate(compatibility.require_chart(chart), found[me], found[target])
