"""Reads and writes of messages."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import BigInteger, Select, String, Text, bindparam, delete, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from numeros_common.events.outbox import event_insert_from
from numeros_common.events.schemas import MessageCreatedV1

from ..database import outbox
from ..matches.repository import conversation_query
from ..matches.tables import matches
from .tables import messages

Cursor = int | dt.datetime


@functools.cache
def send_statement() -> Select:
    """A send in one statement (one round trip, atomic on its own), built once and run with bind parameters
    (``send_params`` and ``event_params``):

    1. lock the conversation, the row ``matches.repository.find_conversation`` finds: nothing else happens when it has
       ended (unmatched, blocked, removed) or is not the sender's. The lock orders a conversation's messages,
       so their ids follow commit order and a removal waits for the send;
    2. insert the message, unless this sender stored ``client_message_id`` here already (a retry);
    3. point the conversation at its newest message (each live frame names its predecessor);
    4. write chat.message.created to the outbox, with the new row's id and time.

    One row while the conversation is open: ``previous_id`` (its newest message before this one) and the new
    message's columns, all NULL for a retry; no row when it has ended."""
    conversation = (conversation_query(bindparam("send_match_id", type_=BigInteger),
                                       bindparam("send_sender_id", type_=BigInteger))
                    .with_for_update().cte("conversation"))
    # clock_timestamp(), not now(): the row lock is taken after the statement began, and created_at must rise
    # with the id, which the seed's ?before=<timestamp> relies on.
    inserted = (insert(messages)
                .from_select(["match_id", "sender_id", "content", "client_message_id", "created_at"],
                             select(conversation.c.match_id, bindparam("send_sender_id", type_=BigInteger),
                                    bindparam("send_content", type_=Text),
                                    bindparam("send_client_message_id", type_=String),
                                    func.clock_timestamp()))
                .on_conflict_do_nothing(index_elements=[messages.c.match_id, messages.c.sender_id,
                                                        messages.c.client_message_id])
                .returning(*messages.c).cte("inserted"))
    linked = (update(matches).where(matches.c.match_id == inserted.c.match_id)
              .values(last_message_id=inserted.c.id).returning(matches.c.match_id).cte("linked"))
    announced = event_insert_from(outbox, MessageCreatedV1, inserted,
                                  {"message_id": inserted.c.id, "created_at": inserted.c.created_at}).cte("announced")
    return (select(conversation.c.last_message_id.label("previous_id"), *inserted.c)
            .select_from(conversation.outerjoin(inserted, true()))
            .add_cte(linked, announced))


def send_params(*, match_id: int, sender_id: int, content: str, client_message_id: str | None) -> dict[str, Any]:
    # Named apart from the tables' columns: an UPDATE takes a parameter named like a column as a value to set.
    return {"send_match_id": match_id, "send_sender_id": sender_id, "send_content": content,
            "send_client_message_id": client_message_id}


async def send(connection: AsyncConnection, params: dict[str, Any]) -> RowMapping | None:
    return (await connection.execute(send_statement(), params)).mappings().first()


async def find_by_client_id(session: AsyncSession, *, match_id: int, sender_id: int,
                            client_message_id: str) -> RowMapping | None:
    return (await session.execute(select(messages).where(
        messages.c.match_id == match_id, messages.c.sender_id == sender_id,
        messages.c.client_message_id == client_message_id))).mappings().first()


async def previous_id(session: AsyncSession, match_id: int, message_id: int) -> int | None:
    return (await session.execute(select(func.max(messages.c.id)).where(
        messages.c.match_id == match_id, messages.c.id < message_id))).scalar()


def _after(cursor: Cursor):
    return messages.c.created_at > cursor if isinstance(cursor, dt.datetime) else messages.c.id > cursor


def _before(cursor: Cursor):
    return messages.c.created_at < cursor if isinstance(cursor, dt.datetime) else messages.c.id < cursor


async def list_messages(session: AsyncSession | AsyncConnection, *, match_id: int, before: Cursor | None,
                        after: Cursor | None, limit: int) -> list[RowMapping]:
    """Newest first, or oldest first when ``after`` is given (catching up); cursors are exclusive."""
    query = select(messages).where(messages.c.match_id == match_id)
    if before is not None:
        query = query.where(_before(before))
    if after is not None:
        query = query.where(_after(after))
    query = query.order_by(messages.c.id.asc() if after is not None else messages.c.id.desc()).limit(limit)
    return list((await session.execute(query)).mappings().all())


async def mark_read(session: AsyncSession, *, match_id: int, reader_id: int, up_to: int | None,
                    read_at: dt.datetime) -> list[int]:
    """Ids newly marked read: the other participant's unread messages up to ``up_to`` (all when None)."""
    stmt = update(messages).where(messages.c.match_id == match_id, messages.c.sender_id != reader_id,
                                  messages.c.read_at.is_(None))
    if up_to is not None:
        stmt = stmt.where(messages.c.id <= up_to)
    return list((await session.execute(stmt.values(read_at=read_at).returning(messages.c.id))).scalars())


async def unread_count(session: AsyncSession, *, match_id: int, user_id: int) -> int:
    return (await session.execute(select(func.count()).select_from(messages).where(
        messages.c.match_id == match_id, messages.c.sender_id != user_id, messages.c.read_at.is_(None)))).scalar_one()


async def unread_by_match(session: AsyncSession, user_id: int) -> list[RowMapping]:
    """Unread counts of every live conversation of ``user_id`` that has any."""
    query = (select(messages.c.match_id, func.count().label("unread_count"))
             .join(matches, matches.c.match_id == messages.c.match_id)
             .where(or_(matches.c.user1_id == user_id, matches.c.user2_id == user_id), matches.c.removed_at.is_(None),
                    messages.c.sender_id != user_id, messages.c.read_at.is_(None))
             .group_by(messages.c.match_id).order_by(messages.c.match_id))
    return list((await session.execute(query)).mappings().all())


async def delete_sent_by(session: AsyncSession, user_id: int) -> int:
    return (await session.execute(delete(messages).where(messages.c.sender_id == user_id))).rowcount or 0
