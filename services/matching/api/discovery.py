"""Discovery: scan for people, resonate with (like) or decline (pass) them."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import MatchCreatedV1

from ..adapters import matches_repo, profiles_repo
from ..adapters.tables import outbox
from ..domain.discovery import birth_date_window, decode_cursor, encode_cursor
from ..domain.pairs import ordered_pair, pair_lock_key
from .schemas import ResonanceRequest, ResonanceResponse, ScanRequest, ScanResponse
from .views import match_out, scan_profile, utc_today

router = APIRouter(prefix="/api/v1", tags=["discovery"])

SCAN_DESCRIPTION = """\
Profiles the caller can still act on, in a stable order (by user id), one page at a time.

- Excludes the caller, deleted accounts, and everyone the caller already resonated with or declined.
- Every field is optional; `{}` (or no body) returns the first 10 profiles.
- `filters.age_min` / `filters.age_max` bound the age in completed years as of today's UTC date.
- `filters.distance_km` is accepted but **not applied**: the service holds no current location yet.
  When it is sent the response lists it in `ignored_filters`.
- Page on with `cursor` = the previous page's `next_cursor` (opaque; null on the last page).
- `compatibility` and `astrology` are not part of the profiles yet.
"""


@router.post("/scan", response_model=ScanResponse, summary="Browse potential matches",
             description=SCAN_DESCRIPTION, responses={401: {"description": "No or invalid access token"},
                                                      422: {"description": "Invalid limit, cursor or filters"}})
async def scan(body: Annotated[ScanRequest | None, Body()] = None,
               principal: Principal = Depends(require_principal),
               session: AsyncSession = Depends(db_session)) -> ScanResponse:
    body = body or ScanRequest()
    filters = body.filters
    today = utc_today()
    born_on_or_before, born_after = birth_date_window(
        today, filters.age_min if filters else None, filters.age_max if filters else None)
    rows = await profiles_repo.scan_candidates(
        session, viewer_id=principal.user_id, after_id=decode_cursor(body.cursor) if body.cursor else None,
        limit=body.limit + 1, born_on_or_before=born_on_or_before, born_after=born_after)
    page = rows[:body.limit]
    next_cursor = encode_cursor(page[-1]["user_id"]) if len(rows) > body.limit else None
    ignored = ["distance_km"] if filters is not None and filters.distance_km is not None else []
    return ScanResponse(profiles=[scan_profile(r, today) for r in page], next_cursor=next_cursor,
                        ignored_filters=ignored)


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
    created = None
    async with session.begin():
        # One decision per pair at a time: two simultaneous mutual likes cannot miss each other.
        await matches_repo.lock_pair(session, pair_lock_key(user1, user2))
        found = await profiles_repo.lock_pair_profiles(session, (user1, user2))
        if not profiles_repo.is_live(found.get(target)):
            raise AppError(404, "USER_NOT_FOUND", "No such user.", field="target_user_id")
        if me not in found:
            raise AppError(409, "PROFILE_PENDING", "Your profile is still being set up; try again in a moment.",
                           headers={"Retry-After": "1"})
        if not profiles_repo.is_live(found[me]):
            raise AppError(404, "USER_NOT_FOUND", "This account no longer exists.")
        await matches_repo.upsert_resonance(session, from_user_id=me, to_user_id=target, action=body.action)
        existing = await matches_repo.find_pair_match(session, user1, user2)
        if existing is None and body.action == "resonate":
            if await matches_repo.resonance_action(session, from_user_id=target, to_user_id=me) == "resonate":
                created = await matches_repo.insert_match(session, user1, user2)
                if created is not None:
                    await add_event(session, outbox, runtime_of(request).settings.service_name, MatchCreatedV1(
                        match_id=created["id"], user_ids=(user1, user2), created_at=created["created_at"]))
        match_id = created["id"] if created is not None else existing["id"] if existing is not None else None
        row = await matches_repo.get_for_participant(session, match_id, me) if match_id is not None else None
    if created is not None:
        relay = runtime_of(request).relay
        if relay is not None:
            relay.wake()
    return ResonanceResponse(is_match=row is not None, match=match_out(row, utc_today()) if row is not None else None)
