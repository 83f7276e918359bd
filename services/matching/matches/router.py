"""Resonances and matches over HTTP. The conversation itself lives in the chat service."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.ids import resource_id
from numeros_common.responses import RATE_LIMITED, UNAUTHENTICATED

from ..discovery.router import astrology_of
from ..discovery.rules import age_on
from ..discovery.schemas import PAIR_ERRORS, Numerology
from . import service
from .rules import viewer_compatibility
from .schemas import (MatchDetail, MatchesResponse, MatchOut, MessagePreview, OtherUser, ResonanceRequest,
                      ResonanceResponse)

router = APIRouter(prefix="/api/v1", responses=RATE_LIMITED)


@router.post("/resonance", tags=["discovery"], response_model=ResonanceResponse, operation_id="resonate",
             summary="Resonate with (like) or decline (pass) a user",
             description="Records the caller's action on the target; a later action replaces an earlier one. "
                         "When both users have resonated with each other they are matched (exactly once) and "
                         "`matching.match.created` is published. `is_match` tells whether the pair is matched "
                         "after this call; declining does not undo an existing match.",
             responses=PAIR_ERRORS)
async def resonance(body: ResonanceRequest, request: Request, principal: Principal = Depends(require_principal),
                    session: AsyncSession = Depends(db_session)) -> ResonanceResponse:
    row = await service.resonate(session, matchmaker(request), principal.user_id, body.target_user_id, body.action)
    return ResonanceResponse(is_match=row is not None, match=match_out(row, _today()) if row is not None else None)


@router.get("/matches", tags=["matches"], response_model=MatchesResponse, summary="List my matches",
            description="The caller's live matches, newest activity first (the last message, else the match "
                        "itself), each with the other person's profile, the pair's compatibility score, the last "
                        "message and the caller's unread count. Unmatched, blocked, deleted and deactivated "
                        "people are not listed.",
            operation_id="list_matches", responses=UNAUTHENTICATED)
async def list_matches(principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> MatchesResponse:
    today = _today()
    return MatchesResponse(matches=[match_out(r, today) for r in await service.list_matches(session,
                                                                                           principal.user_id)])


MATCH_ID_ERRORS = {**UNAUTHENTICATED, 404: {"description": "No such match among the caller's matches"},
                   422: {"description": "`match_id` is not a positive 64-bit integer"}}
MatchId = Annotated[int, resource_id("A match id from GET /matches")]


@router.get("/matches/{match_id}", tags=["matches"], response_model=MatchDetail, summary="Open a match",
            description="One of the caller's live matches with its latest messages (previews, newest first); the "
                        "whole conversation is at `messages_url` (chat service).",
            operation_id="get_match", responses=MATCH_ID_ERRORS)
async def get_match(match_id: MatchId, principal: Principal = Depends(require_principal),
                    session: AsyncSession = Depends(db_session)) -> MatchDetail:
    row, messages = await service.get_match(session, match_id, principal.user_id)
    return MatchDetail(**match_out(row, _today()).model_dump(),
                       compatibility_data=viewer_compatibility(row["compatibility_data"], principal.user_id),
                       messages_url=f"/api/v1/matches/{row['id']}/messages",
                       messages=[MessagePreview(id=m["message_id"], sender_id=m["sender_id"], preview=m["preview"],
                                                created_at=m["created_at"]) for m in messages])


@router.delete("/matches/{match_id}", tags=["matches"], status_code=204, summary="Unmatch",
               description="Ends the match for both people: it leaves both match lists, the conversation closes "
                           "(`matching.match.removed`), and neither is shown to the other in scan again.",
               operation_id="unmatch", responses=MATCH_ID_ERRORS)
async def unmatch(match_id: MatchId, request: Request, principal: Principal = Depends(require_principal),
                  session: AsyncSession = Depends(db_session)) -> Response:
    await service.unmatch(session, matchmaker(request), match_id, principal.user_id)
    return Response(status_code=204)


def matchmaker(request: Request) -> service.Matchmaker:
    runtime = runtime_of(request)
    return service.Matchmaker(chart=runtime.chart, producer=runtime.settings.service_name, relay=runtime.relay)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def match_out(row: RowMapping, today: dt.date) -> MatchOut:
    last = (MessagePreview(id=row["last_message_id"], sender_id=row["last_message_sender_id"],
                           preview=row["last_message_preview"], created_at=row["last_message_at"])
            if row["last_message_id"] is not None else None)
    return MatchOut(id=row["id"], user_ids=[row["user1_id"], row["user2_id"]], created_at=row["created_at"],
                    other_user=OtherUser(id=row["other_id"], display_name=row["other_display_name"],
                                         photos=row["other_photos"], age=age_on(row["other_birth_date"], today),
                                         bio=row["other_bio"],
                                         numerology=Numerology.model_validate(row["other_numerology"]),
                                         astrology=astrology_of(row)),
                    compatibility_score=row["compatibility_score"], last_message=last,
                    unread_count=row["unread_count"], last_activity_at=row["last_activity_at"])
