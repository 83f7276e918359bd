"""Messages of a match, for its two participants only; socket tickets for browsers."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import runtime_of
from numeros_common.ids import resource_id
from numeros_common.responses import INVALID, MALFORMED_BODY, RATE_LIMITED, UNAUTHENTICATED

from . import service, tickets
from .schemas import (CURSOR_HELP, Cursor, MessageOut, MessagePage, PostMessageRequest, ReadReceiptOut, ReadRequest,
                      TicketOut, UnreadCounts, UnreadMatch)

router = APIRouter(prefix="/api/v1", tags=["messages"], responses={**RATE_LIMITED, **UNAUTHENTICATED})
MatchId = Annotated[int, resource_id("The match id from matching's GET /matches")]
NOT_FOUND = {404: {"description": "No such match, not one of yours, or removed (MATCH_NOT_FOUND; all three "
                                  "answer alike)"}}


@router.get("/matches/{match_id}/messages", response_model=MessagePage, operation_id="list_messages",
            responses={**NOT_FOUND, **INVALID}, summary="A page of a match's messages")
async def get_messages(request: Request, match_id: MatchId,
                       before: Annotated[Cursor | None,
                                         Query(description=f"Only messages before this: {CURSOR_HELP}")] = None,
                       after: Annotated[Cursor | None, Query(description=f"Only messages after this, oldest first "
                                                                         f"(catching up): {CURSOR_HELP}")] = None,
                       limit: int = Query(default=50, ge=1, le=100),
                       principal: Principal = Depends(require_principal)) -> MessagePage:
    page = await service.list_messages(runtime_of(request), match_id=match_id, user_id=principal.user_id,
                                       before=before, after=after, limit=limit)
    return MessagePage(messages=[MessageOut.model_validate(dict(row)) for row in page.messages],
                       next_before=page.next_before, next_after=page.next_after, unread_count=page.unread_count)


@router.post("/matches/{match_id}/messages", status_code=201, response_model=MessageOut, operation_id="send_message",
             responses={**NOT_FOUND, **MALFORMED_BODY, **INVALID,
                        200: {"description": "A retry: this client_message_id was already stored; the stored message",
                              "model": MessageOut}},
             summary="Send a message to the other participant")
async def post_message(body: PostMessageRequest, request: Request, response: Response, match_id: MatchId,
                       principal: Principal = Depends(require_principal)) -> MessageOut:
    sent = await service.post_message(runtime_of(request), match_id=match_id, sender_id=principal.user_id,
                                      content=body.content, client_message_id=body.client_message_id)
    if not sent.created:
        response.status_code = 200
    return MessageOut.model_validate(dict(sent.message))


@router.post("/matches/{match_id}/messages/read", response_model=ReadReceiptOut, operation_id="mark_messages_read",
             responses={**NOT_FOUND, **MALFORMED_BODY, **INVALID},
             summary="Mark the other participant's messages read (emits chat.message.read)")
async def post_read(request: Request, match_id: MatchId, body: Annotated[ReadRequest | None, Body()] = None,
                    principal: Principal = Depends(require_principal)) -> ReadReceiptOut:
    receipt = await service.mark_read(runtime_of(request), match_id=match_id, reader_id=principal.user_id,
                                      up_to=body.up_to_message_id if body else None)
    return ReadReceiptOut(match_id=receipt.match_id, reader_id=receipt.reader_id,
                          up_to_message_id=receipt.up_to_message_id, read_at=receipt.read_at, marked=receipt.marked,
                          unread_count=receipt.unread_count)


@router.get("/messages/unread", response_model=UnreadCounts, operation_id="unread_counts",
            summary="Unread message counts per match")
async def get_unread(request: Request, principal: Principal = Depends(require_principal)) -> UnreadCounts:
    rows = await service.unread_counts(runtime_of(request), principal.user_id)
    matches = [UnreadMatch(match_id=r["match_id"], unread_count=r["unread_count"]) for r in rows]
    return UnreadCounts(matches=matches, total=sum(m.unread_count for m in matches))


@router.post("/ws/tickets", status_code=201, response_model=TicketOut, operation_id="create_socket_ticket",
             summary="A one-time ticket to open /ws/chat/{match_id}/ from a browser (no token in the URL)")
async def post_ticket(request: Request, principal: Principal = Depends(require_principal)) -> TicketOut:
    ticket = await tickets.issue(runtime_of(request), principal)
    return TicketOut(ticket=ticket, expires_in=tickets.TICKET_SECONDS)
