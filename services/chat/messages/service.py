"""Message use-cases shared by the REST routes and the WebSocket, so a message is stored, announced
(outbox event) and delivered live the same way whichever door it came in by."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from numeros_common.db import retry_on_disconnect
from numeros_common.events.outbox import add_event, event_params
from numeros_common.events.schemas import Envelope, MessageCreatedV1, MessageReadV1, UserDeletedV1
from numeros_common.runtime import Runtime

from ..database import outbox
from ..matches import repository as matches_repo
from ..matches.service import match_not_found, participant_match
from . import repository
from .frames import message_frame
from .live import LiveHub
from .repository import Cursor
from .rules import other_participant, preview

log = logging.getLogger(__name__)
LIVE = "live"  # runtime.state key of this replica's LiveHub


AUTOCOMMIT = "autocommit"  # runtime.state key of the engine whose connections run each statement on its own
SET_BY_STATEMENT = dt.datetime.fromtimestamp(0, dt.UTC)


def hub_of(runtime: Runtime) -> LiveHub:
    return runtime.state[LIVE]


def autocommit(runtime: Runtime) -> AsyncEngine:
    """The runtime's pool without BEGIN and COMMIT (or ROLLBACK): a statement that is a whole transaction on
    its own costs one round trip instead of three."""
    engine = runtime.state.get(AUTOCOMMIT)
    if engine is None:
        engine = runtime.state[AUTOCOMMIT] = runtime.engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


async def open_conversation(runtime: Runtime, match_id: int, user_id: int) -> RowMapping:
    """The match of a conversation ``user_id`` takes part in (404 MATCH_NOT_FOUND otherwise)."""
    return await participant_match(runtime.sessions, match_id, user_id, runtime.settings.match_wait_seconds)


@dataclass(frozen=True)
class Page:
    messages: list[RowMapping]
    next_before: int | None
    next_after: int | None
    unread_count: int


async def list_messages(runtime: Runtime, *, match_id: int, user_id: int, before: Cursor | None,
                        after: Cursor | None, limit: int) -> Page:
    """A page of the conversation: newest first going back (``before``), oldest first catching up (``after``)."""
    await open_conversation(runtime, match_id, user_id)
    async with runtime.sessions() as session:
        rows = await repository.list_messages(session, match_id=match_id, before=before, after=after, limit=limit + 1)
        unread = await repository.unread_count(session, match_id=match_id, user_id=user_id)
    page, more = rows[:limit], len(rows) > limit
    forward = after is not None
    return Page(messages=page, unread_count=unread,
                next_before=page[-1]["id"] if more and not forward else None,
                next_after=page[-1]["id"] if more and forward else None)


@dataclass(frozen=True)
class Sent:
    message: RowMapping
    created: bool  # False: a retry with a client_message_id already stored


async def post_message(runtime: Runtime, *, match_id: int, sender_id: int, content: str,
                       client_message_id: str | None = None,
                       participants: tuple[int, int] | None = None) -> Sent:
    """Store a message (content already normalized) and announce it; a retry with the same
    ``client_message_id`` returns the stored message and stores nothing.

    The row, the conversation's newest-message link and chat.message.created commit together in one
    statement under the match row's lock (``repository.send_statement``); then the relay is woken and the
    frame goes out live (a retry publishes it again, in case the first attempt's replica died before it
    could). ``participants``: the caller (an open socket) found the conversation already, so the wait for a
    match chat has not heard of yet is skipped; the locked look-up still refuses one that has ended since."""
    if participants is None:
        match = await open_conversation(runtime, match_id, sender_id)
        participants = (match["user1_id"], match["user2_id"])
    params = {**repository.send_params(match_id=match_id, sender_id=sender_id, content=content,
                                       client_message_id=client_message_id),
              **event_params(runtime.settings.service_name, MessageCreatedV1(
                  message_id=0, created_at=SET_BY_STATEMENT,  # the new row's, filled in by the statement
                  match_id=match_id, sender_id=sender_id, recipient_id=other_participant(*participants, sender_id),
                  preview=preview(content)))}

    async def send() -> RowMapping | None:
        async with autocommit(runtime).connect() as connection:
            return await repository.send(connection, params)

    # A client id makes the send safe to repeat after a connection lost mid-statement (it may have committed).
    row = await (retry_on_disconnect(send) if client_message_id is not None else send())
    if row is None:
        raise match_not_found()
    created = row["id"] is not None
    if created:
        previous = row["previous_id"]
    else:
        assert client_message_id is not None  # only a client id can collide
        async with runtime.sessions() as session:
            row = await repository.find_by_client_id(session, match_id=match_id, sender_id=sender_id,
                                                     client_message_id=client_message_id)
            previous = await repository.previous_id(session, match_id, row["id"])
    if created and runtime.relay is not None:
        runtime.relay.wake()
    await hub_of(runtime).publish(match_id, message_frame(row, previous))
    return Sent(row, created)


@dataclass(frozen=True)
class ReadReceipt:
    match_id: int
    reader_id: int
    up_to_message_id: int | None
    read_at: dt.datetime
    marked: int
    unread_count: int

    def frame(self) -> dict[str, Any]:
        return {"type": "read", "match_id": self.match_id, "reader_id": self.reader_id,
                "up_to_message_id": self.up_to_message_id, "read_at": self.read_at.isoformat()}


async def mark_read(runtime: Runtime, *, match_id: int, reader_id: int, up_to: int | None) -> ReadReceipt:
    """Set read_at on the other participant's messages up to ``up_to`` (everything when None). Only a
    change is announced: chat.message.read in the same transaction, and a live read receipt."""
    await open_conversation(runtime, match_id, reader_id)
    async with runtime.sessions() as session, session.begin():
        read_at = (await session.execute(select(func.clock_timestamp()))).scalar_one()
        marked = await repository.mark_read(session, match_id=match_id, reader_id=reader_id, up_to=up_to,
                                            read_at=read_at)
        unread = await repository.unread_count(session, match_id=match_id, user_id=reader_id)
        receipt = ReadReceipt(match_id, reader_id, max(marked) if marked else up_to, read_at, len(marked), unread)
        if marked:
            await add_event(session, outbox, runtime.settings.service_name, MessageReadV1(
                match_id=match_id, reader_id=reader_id, up_to_message_id=max(marked)))
    if marked:
        if runtime.relay is not None:
            runtime.relay.wake()
        await hub_of(runtime).publish(match_id, receipt.frame())
    return receipt


async def unread_counts(runtime: Runtime, user_id: int) -> list[RowMapping]:
    async with runtime.sessions() as session:
        return await repository.unread_by_match(session, user_id)


async def typing(runtime: Runtime, match_id: int, user_id: int, state: str) -> None:
    await hub_of(runtime).publish(match_id, {"type": "typing", "user_id": user_id, "state": state})


async def messages_after(runtime: Runtime, match_id: int, after: int, up_to: int | None,
                         limit: int = 100) -> list[RowMapping]:
    """Oldest first: what a socket that last saw ``after`` has not seen (ids follow commit order). One
    statement, so no BEGIN and ROLLBACK around it: a socket catches up whenever a frame arrives out of order."""
    async with autocommit(runtime).connect() as connection:
        return await repository.list_messages(connection, match_id=match_id, after=after, limit=limit,
                                              before=None if up_to is None else up_to + 1)


async def erase_messages(session: AsyncSession, envelope: Envelope) -> None:
    """identity.user.deleted: the person's messages go with them (the consumer's transaction)."""
    deleted = UserDeletedV1.model_validate(envelope.data)
    count = await repository.delete_sent_by(session, deleted.user_id)
    await matches_repo.remove_matches_of(session, deleted.user_id, envelope.occurred_at)
    log.info("erased a deleted user's messages", extra={"user_id": deleted.user_id, "messages": count})
