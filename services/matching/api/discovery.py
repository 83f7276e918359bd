"""Discovery: scan for people, resonate with (like) or decline (pass) them."""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import MatchCreatedV1

from ..adapters import compatibility, matches_repo, profiles_repo
from ..adapters.tables import outbox
from ..domain.discovery import birth_date_window, decode_cursor, encode_cursor
from ..domain.pairs import ordered_pair, pair_lock_key
from .schemas import (CompatibilityResponse, EvaluateRequest, ResonanceRequest, ResonanceResponse, ScanRequest,
                      ScanResponse)
from .views import compatibility_response, match_out, scan_profile, utc_today

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["discovery"])
PROFILE_PENDING = "PROFILE_PENDING"
PROFILE_DELETED = "PROFILE_DELETED"
CHART_UNAVAILABLE = "CHART_UNAVAILABLE"


def _profile_pending() -> AppError:
    return AppError(409, PROFILE_PENDING, "Your profile is still being set up; try again in a moment.",
                    headers={"Retry-After": "1"})


def _chart_of(request: Request):
    chart = runtime_of(request).chart
    if chart is None:  # a runtime built without chart (never in the service itself)
        raise AppError(503, CHART_UNAVAILABLE, "The calculation service is unavailable; try again shortly.")
    return chart

SCAN_DESCRIPTION = """\
Profiles the caller can still act on, in a stable order (by user id), one page at a time.

- Excludes the caller, deleted accounts, and everyone the caller already resonated with or declined.
- Every field is optional; `{}` (or no body) returns the first 10 profiles.
- `filters.age_min` / `filters.age_max` bound the age in completed years as of today's UTC date.
- `filters.distance_km` is accepted but **not applied**: the service holds no current location yet.
  When it is sent the response lists it in `ignored_filters`.
- Page on with `cursor` = the previous page's `next_cursor` (opaque; null on the last page).
- Each profile carries `astrology` (chart level and Sun / Moon / rising signs, null until known) and
  `compatibility`: the caller's scores with that person (0-100 `overall_score`, `numerology_score`,
  `astrology_score`, and at most one `highlights` entry such as "Your Moons are in harmony"), all
  computed in one batch by the calculation service. `basis` says what they rest on: numerology and
  synastry of the Sun, Moon, Mercury, Venus and Mars when both people's charts are known; otherwise
  numerology alone, with `astrology_score` 0 and `overall_score` = `numerology_score`.
- When the scores cannot be computed, the profiles still come back, every `compatibility` is null and
  `compatibility_unavailable` says why: `PROFILE_PENDING` (the caller's own profile has not reached
  this service yet; it does within moments of registering), `PROFILE_DELETED` (the caller's account
  was deleted), `CHART_UNAVAILABLE` (the calculation service is down or too slow) or `CHART_ERROR`
  (it failed). Scores are never guessed.
- The order is by user id for now, not by compatibility.
"""


@router.post("/scan", response_model=ScanResponse, summary="Browse potential matches",
             description=SCAN_DESCRIPTION, responses={401: {"description": "No or invalid access token"},
                                                      422: {"description": "Invalid limit, cursor or filters"}})
async def scan(request: Request, body: Annotated[ScanRequest | None, Body()] = None,
               principal: Principal = Depends(require_principal),
               session: AsyncSession = Depends(db_session)) -> ScanResponse:
    body = body or ScanRequest()
    filters = body.filters
    today = utc_today()
    born_on_or_before, born_after = birth_date_window(
        today, filters.age_min if filters else None, filters.age_max if filters else None)
    async with session.begin():  # ends before the chart call: no transaction waits on the network
        rows = await profiles_repo.scan_candidates(
            session, viewer_id=principal.user_id, after_id=decode_cursor(body.cursor) if body.cursor else None,
            limit=body.limit + 1, born_on_or_before=born_on_or_before, born_after=born_after)
        viewer = (await profiles_repo.get_profiles(session, [principal.user_id])).get(principal.user_id)
    page = rows[:body.limit]
    next_cursor = encode_cursor(page[-1]["user_id"]) if len(rows) > body.limit else None
    ignored = ["distance_km"] if filters is not None and filters.distance_km is not None else []
    scores, unavailable = await _page_scores(request, viewer, page)
    return ScanResponse(profiles=[scan_profile(r, today, scores.get(r["user_id"])) for r in page],
                        next_cursor=next_cursor, ignored_filters=ignored, compatibility_unavailable=unavailable)


async def _page_scores(request: Request, viewer: Mapping[str, Any] | None, page: Sequence[Mapping[str, Any]]
                       ) -> tuple[dict[int, compatibility.CandidateScore], str | None]:
    """The viewer's scores with the page's profiles in one batch, or none and the reason why."""
    if viewer is None:
        return {}, PROFILE_PENDING
    if not profiles_repo.is_live(viewer):
        return {}, PROFILE_DELETED  # a still-valid token of a deleted account
    if not page:
        return {}, None
    try:
        return await compatibility.score_candidates(_chart_of(request), viewer, page), None
    except AppError as exc:
        log.warning("scan without compatibility", extra={"reason": exc.code})
        return {}, exc.code


def _require_live_pair(found: dict, me: int, target: int) -> None:
    """Both people must exist here: the target (404 naming it), and the caller (409 while their
    profile is still on its way from identity, 404 once deleted)."""
    if not profiles_repo.is_live(found.get(target)):
        raise AppError(404, "USER_NOT_FOUND", "No such user.", field="target_user_id")
    if me not in found:
        raise _profile_pending()
    if not profiles_repo.is_live(found[me]):
        raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")


@router.post("/scan/evaluate", response_model=CompatibilityResponse, summary="Compatibility with one user in detail",
             description="The caller's compatibility with `target_user_id`, read from the caller's side: the "
                         "overall score, the numerology breakdown (life path, soul urge, expression and "
                         "personality harmony with strengths and challenges) and, when both people's charts "
                         "are known, the synastry aspects between their Sun, Moon, Mercury, Venus and Mars with "
                         "harmony and tension scores and an interpretation (`astrology` is null otherwise, and "
                         "`overall_score` is then the numerology score). Computed on request; nothing is stored.",
             responses={401: {"description": "No or invalid access token"},
                        404: {"description": "The target (or the caller) does not exist or was deleted"},
                        409: {"description": "The caller's profile has not reached this service yet; retry"},
                        422: {"description": "Invalid body, or the target is the caller"},
                        502: {"description": "The calculation service failed (CHART_ERROR)"},
                        503: {"description": "The calculation service is unavailable (CHART_UNAVAILABLE); retry"}})
async def evaluate(body: EvaluateRequest, request: Request, principal: Principal = Depends(require_principal),
                   session: AsyncSession = Depends(db_session)) -> CompatibilityResponse:
    me, target = principal.user_id, body.target_user_id
    if target == me:
        raise AppError(422, "VALIDATION_ERROR", "Compatibility needs another user.", field="target_user_id")
    async with session.begin():
        found = await profiles_repo.get_profiles(session, (me, target))
    _require_live_pair(found, me, target)
    document = await compatibility.evaluate(_chart_of(request), found[me], found[target])
    return compatibility_response(document.body)


@router.post("/resonance", response_model=ResonanceResponse, summary="Resonate with (like) or decline (pass) a user",
             description="Records the caller's action on the target; a later action replaces an earlier one. "
                         "When both users have resonated with each other they are matched (exactly once) and "
                         "`matching.match.created` is published. `is_match` tells whether the pair is matched "
                         "after this call; declining does not undo an existing match.",
             responses={401: {"description": "No or invalid access token"},
                        404: {"description": "The target (or the caller) does not exist or was deleted"},
                        409: {"description": "The caller's profile has not reached this service yet; retry"},
                        422: {"description": "Invalid body, or the target is the caller"}})
async def resonance(body: ResonanceRequest, request: Request, principal: Principal = Depends(require_principal),
                    session: AsyncSession = Depends(db_session)) -> ResonanceResponse:
    me, target = principal.user_id, body.target_user_id
    if target == me:
        raise AppError(422, "VALIDATION_ERROR", "You cannot resonate with yourself.", field="target_user_id")
    user1, user2 = ordered_pair(me, target)
    # The chart call happens before the pair lock and transaction, so no transaction waits on it.
    tried, record = await _compatibility_if_matching(request, session, me, target, user1, user2, body.action)
    created = None
    async with session.begin():
        # One decision per pair at a time: two simultaneous mutual likes cannot miss each other.
        await matches_repo.lock_pair(session, pair_lock_key(user1, user2))
        found = await profiles_repo.lock_pair_profiles(session, (user1, user2))
        _require_live_pair(found, me, target)
        await matches_repo.upsert_resonance(session, from_user_id=me, to_user_id=target, action=body.action)
        existing = await matches_repo.find_pair_match(session, user1, user2)
        if existing is None and body.action == "resonate":
            if await matches_repo.resonance_action(session, from_user_id=target, to_user_id=me) == "resonate":
                created = await matches_repo.insert_match(session, user1, user2, record)
                if created is not None:
                    await add_event(session, outbox, runtime_of(request).settings.service_name, MatchCreatedV1(
                        match_id=created["id"], user_ids=(user1, user2), created_at=created["created_at"]))
        match_id = created["id"] if created is not None else existing["id"] if existing is not None else None
        row = await matches_repo.get_for_participant(session, match_id, me) if match_id is not None else None
    if created is not None:
        relay = runtime_of(request).relay
        if relay is not None:
            relay.wake()
        if created["compatibility_data"] is None and not tried:
            # The other side's resonance landed after our look-ahead (simultaneous likes): fill it in now.
            record = await _best_effort_record(request, found[me], found[target])
            if record is not None:
                async with session.begin():
                    await matches_repo.fill_compatibility_data(session, created["id"], record)
                log.info("compatibility filled after the match", extra={"match_id": created["id"]})
    return ResonanceResponse(is_match=row is not None, match=match_out(row, utc_today()) if row is not None else None)


async def _compatibility_if_matching(request: Request, session: AsyncSession, me: int, target: int, user1: int,
                                     user2: int, action: str) -> tuple[bool, dict[str, Any] | None]:
    """Look ahead, without locks: if this resonance is about to make a match, the pair's
    compatibility_data (None if the chart cannot answer). Returns (whether the chart was asked, data)."""
    if action != "resonate":
        return False, None
    async with session.begin():
        found = await profiles_repo.get_profiles(session, (me, target))
        if not (profiles_repo.is_live(found.get(me)) and profiles_repo.is_live(found.get(target))):
            return False, None
        if await matches_repo.find_pair_match(session, user1, user2) is not None:
            return False, None
        if await matches_repo.resonance_action(session, from_user_id=target, to_user_id=me) != "resonate":
            return False, None
    return True, await _best_effort_record(request, found[me], found[target])


async def _best_effort_record(request: Request, a_row: Mapping[str, Any],
                              b_row: Mapping[str, Any]) -> dict[str, Any] | None:
    """A match's compatibility_data, or None when the chart cannot answer: matching never waits for it."""
    try:
        return await compatibility.match_record(_chart_of(request), a_row, b_row)
    except AppError as exc:
        log.warning("match without compatibility data", extra={"reason": exc.code})
        return None
