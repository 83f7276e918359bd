"""The caller's matches. The conversation itself lives in the chat service."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session
from numeros_common.errors import AppError

from ..adapters import matches_repo
from ..domain.discovery import MAX_ID
from .schemas import MatchDetail, MatchesResponse
from .views import match_detail, match_out, utc_today

router = APIRouter(prefix="/api/v1/matches", tags=["matches"])


@router.get("", response_model=MatchesResponse, summary="List my matches",
            description="The caller's live matches, newest first. Removed matches are not listed.",
            responses={401: {"description": "No or invalid access token"}})
async def list_matches(principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> MatchesResponse:
    today = utc_today()
    rows = await matches_repo.list_for_user(session, principal.user_id)
    return MatchesResponse(matches=[match_out(r, today) for r in rows])


@router.get("/{match_id}", response_model=MatchDetail, summary="Open a match",
            description="One of the caller's live matches. Messages are at `messages_url` (chat service).",
            responses={401: {"description": "No or invalid access token"},
                       404: {"description": "No such match among the caller's matches"}})
async def get_match(match_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                    principal: Principal = Depends(require_principal),
                    session: AsyncSession = Depends(db_session)) -> MatchDetail:
    row = await matches_repo.get_for_participant(session, match_id, principal.user_id)
    if row is None:  # the same answer whether the match does not exist or is someone else's
        raise AppError(404, "MATCH_NOT_FOUND", "No such match.", field="match_id")
    return match_detail(row, utc_today(), principal.user_id)
