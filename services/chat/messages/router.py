"""Messages of a match, for its two participants only."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import runtime_of
from numeros_common.ids import resource_id
from numeros_common.responses import INVALID, MALFORMED_BODY, RATE_LIMITED, UNAUTHENTICATED

from . import service
from .schemas import MessageOut, MessagePage, PostMessageRequest

router = APIRouter(prefix="/api/v1/matches", tags=["messages"], responses={**RATE_LIMITED, **UNAUTHENTICATED})
MatchId = Annotated[int, resource_id("The match id from matching's GET /matches")]
NOT_FOUND = {404: {"description": "No such match, or not one of yours (MATCH_NOT_FOUND)"}}


@router.get("/{match_id}/messages", response_model=MessagePage, operation_id="list_messages",
            responses={**NOT_FOUND, **INVALID}, summary="A page of a match's messages, newest first")
async def get_messages(request: Request, match_id: MatchId,
                       before: Annotated[int | None, resource_id("Only messages with an id below this "
                                                                 "(`next_before` of the previous page)")] = None,
                       limit: int = Query(default=50, ge=1, le=100),
                       principal: Principal = Depends(require_principal)) -> MessagePage:
    page, next_before = await service.list_messages(runtime_of(request), match_id=match_id,
                                                    user_id=principal.user_id, before=before, limit=limit)
    return MessagePage(messages=[MessageOut.model_validate(dict(row)) for row in page], next_before=next_before)


@router.post("/{match_id}/messages", status_code=201, response_model=MessageOut, operation_id="send_message",
             responses={**NOT_FOUND, **MALFORMED_BODY, **INVALID,
                        409: {"description": "The match was removed (MATCH_REMOVED)"}},
             summary="Send a message to the other participant")
async def post_message(body: PostMessageRequest, request: Request, match_id: MatchId,
                       principal: Principal = Depends(require_principal)) -> MessageOut:
    row = await service.post_message(runtime_of(request), match_id=match_id, sender_id=principal.user_id,
                                     content=body.content)
    return MessageOut.model_validate(dict(row))
