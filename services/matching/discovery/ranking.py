"""Use-cases of the precomputed rankings scan pages through (docs/architecture.md, "Discovery ranking").

A viewer's ranking is every live person's overall compatibility with them, built at their first scan
(one batched chart call per 5,000 people) and kept fresh afterwards: whoever joins or changes their
numerology or chart is queued (``ranking_changes``, in the same transaction as the profile), and the
maintainer scores each queued person against every ranked viewer at once; chart scores a pair the
same from either side, so one ScoreCandidates call with the newcomer as subject serves every viewer.
Who may be seen (active, age, distance, preferences, blocks, resonances) is never stored here: scan
applies it to the profile rows at read time, so those changes count at once.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError

from .. import compatibility
from . import repository
from .repository import READY

log = logging.getLogger(__name__)
CHANGES_PER_ROUND = 200
# A ranking's batches are large (up to 5,000 people each) and are not a user's page: they get longer
# than the client's usual deadline before counting as "chart unavailable".
BATCH_DEADLINE_SECONDS = 30.0


async def queue_ranking_change(session: AsyncSession, user_id: int) -> None:
    """``user_id``'s scoring inputs are new or changed: every ranking must (re)score them."""
    await repository.queue_change(session, user_id)


async def forget_viewer(session: AsyncSession, user_id: int) -> None:
    """A deleted user's own ranking goes; rows scoring them in others' rankings are filtered out by scan
    and go when those rankings are evicted or rebuilt."""
    await repository.drop_rankings(session, [user_id])


async def _scores(chart: ChartClient, subject: Mapping[str, Any],
                  others: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """``subject``'s overall score with each of ``others``, in chart-sized batches sent concurrently."""
    step = compatibility.MAX_CANDIDATES
    batches = await asyncio.gather(*(compatibility.score_candidates(chart, subject, others[i:i + step],
                                                                    BATCH_DEADLINE_SECONDS)
                                     for i in range(0, len(others), step)))
    return {user_id: score.overall_score for batch in batches for user_id, score in batch.items()}


async def ensure_ranking(session: AsyncSession, chart: ChartClient, viewer: Mapping[str, Any]) -> None:
    """The viewer's ranking, built now unless it is ready. Raises AppError when the chart cannot score;
    the ranking then stays 'building' and the next scan tries again. Two concurrent builds of one
    ranking write the same rows (inserts that skip existing ones), so no lock is needed."""
    viewer_id = viewer["user_id"]
    async with session.begin():
        if await repository.ranking_state(session, viewer_id) == READY:
            return
        await repository.start_ranking(session, viewer_id)
    async with session.begin():  # the candidates, read after the ranking was announced
        candidates = await repository.scoring_rows(session, exclude=viewer_id)
    scores = await _scores(chart, viewer, candidates)
    async with session.begin():
        # Never replace: the maintainer may already have stored newer scores for people who changed.
        await repository.store_scores(session, [(viewer_id, c, s) for c, s in scores.items()], replace=False)
        await repository.finish_ranking(session, viewer_id)
    log.info("ranking built", extra={"viewer_id": viewer_id, "candidates": len(scores)})


async def apply_changes(sessions: async_sessionmaker[AsyncSession], chart: ChartClient) -> int:
    """One round of the maintainer: score the queued people against every ranked viewer. Returns how many
    changes it handled (0: nothing queued). A queued person whose own ranking was built before the
    change gets it dropped (every score in it changed); their next scan rebuilds it."""
    async with sessions() as session, session.begin():
        queued = await repository.pending_changes(session, CHANGES_PER_ROUND)
        if not queued:
            return 0
        seen = {row["user_id"]: row["queued_at"] for row in queued}
        changed = await repository.scoring_rows(session, only=seen)
        await repository.drop_rankings(session, await repository.rankings_older_than(session, seen))
    async with sessions() as session, session.begin():  # after the drop: the rankings that stay
        viewers = await repository.ranked_viewers(session)
    triples: list[tuple[int, int, int]] = []
    for person in changed:
        others = [v for v in viewers if v["user_id"] != person["user_id"]]
        scores = await _scores(chart, person, others)  # symmetric: the person's score with v is v's with them
        triples.extend((viewer_id, person["user_id"], score) for viewer_id, score in scores.items())
    async with sessions() as session, session.begin():
        await repository.store_scores(session, triples, replace=True)
        await repository.clear_changes(session, seen)
    return len(seen)


async def evict_unused(sessions: async_sessionmaker[AsyncSession], unused_for: dt.timedelta) -> int:
    """Drop rankings nobody scanned with for ``unused_for``; they are rebuilt on the next scan."""
    async with sessions() as session, session.begin():
        stale = await repository.unused_rankings(session, dt.datetime.now(dt.UTC) - unused_for)
        await repository.drop_rankings(session, stale)
    return len(stale)


class RankingMaintainer:
    """The background loop that keeps every ranking fresh (one per matching process; rounds are
    idempotent, so replicas may overlap)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], chart: ChartClient, *, poll_seconds: float,
                 unused_for: dt.timedelta, evict_every_seconds: float = 300.0) -> None:
        self.sessions, self.chart = sessions, chart
        self.poll_seconds, self.unused_for, self.evict_every = poll_seconds, unused_for, evict_every_seconds

    async def run(self) -> None:
        next_eviction = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                if loop.time() >= next_eviction:
                    await evict_unused(self.sessions, self.unused_for)
                    next_eviction = loop.time() + self.evict_every
                if await apply_changes(self.sessions, self.chart):
                    continue  # more may be queued
            except AppError as exc:  # chart unavailable: the queue waits for it
                log.warning("rankings not updated", extra={"reason": exc.code})
            except Exception:
                log.exception("ranking maintenance failed")
            await asyncio.sleep(self.poll_seconds)


async def stored_score(session: AsyncSession, viewer_id: int, candidate_id: int) -> int | None:
    """The pair's overall score in the viewer's ranking, if it holds one."""
    return await repository.stored_score(session, viewer_id, candidate_id)
