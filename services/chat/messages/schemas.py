"""Public request and response bodies for messaging (numeros-backend-rebuild seed, Message model)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from numeros_common.ids import ResourceId

from .rules import (CLIENT_MESSAGE_ID_PATTERN, CONTENT_PATTERN, MAX_CONTENT_CHARS, normalize_content,
                    parse_cursor)

CURSOR_HELP = ("a message id, or an ISO 8601 time (the seed's `?before=timestamp`; UTC when no offset is "
               "given)")
Cursor = Annotated[ResourceId | dt.datetime, BeforeValidator(parse_cursor)]


class PostMessageRequest(BaseModel):
    content: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS, pattern=CONTENT_PATTERN,
                         description=f"At most {MAX_CONTENT_CHARS} characters, not only whitespace, no NUL; "
                                     "stored without surrounding whitespace",
                         examples=["Hey! Our numbers align perfectly 💫"])
    client_message_id: str | None = Field(
        default=None, pattern=CLIENT_MESSAGE_ID_PATTERN, examples=["7f9c2ba4-e88f-4c4e-9d4f-2d8e5a1b3c6d"],
        description="Your own id for this message (e.g. a UUID). Sending again with the same id returns the "
                    "stored message (200) instead of storing a second one (201)")

    @field_validator("content")
    @classmethod
    def _content(cls, value: str) -> str:
        return normalize_content(value)


class MessageOut(BaseModel):
    id: int
    match_id: int
    sender_id: int
    content: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    client_message_id: str | None = Field(description="The sender's own id for the message, if it sent one")


class MessagePage(BaseModel):
    messages: list[MessageOut] = Field(description="Newest first; oldest first when `after` was given")
    next_before: int | None = Field(description="Pass as ?before= for the next (older) page; null when there is none")
    next_after: int | None = Field(default=None, description="With `after`: pass as ?after= for the next (newer) "
                                                             "page; null when you are up to date")
    unread_count: int = Field(description="Messages to you in this match that you have not marked read")


class ReadRequest(BaseModel):
    up_to_message_id: ResourceId | None = Field(
        default=None, description="Mark the other participant's messages up to this id read; omit for all of them")


class ReadReceiptOut(BaseModel):
    match_id: int
    reader_id: int
    up_to_message_id: int | None = Field(description="The newest message this call marked read (null if none was "
                                                     "unread)")
    read_at: dt.datetime
    marked: int = Field(description="How many messages this call marked read (0 when they already were)")
    unread_count: int = Field(description="Messages to you in this match still unread")


class UnreadMatch(BaseModel):
    match_id: int
    unread_count: int


class UnreadCounts(BaseModel):
    matches: list[UnreadMatch] = Field(description="Your conversations with unread messages, by match id")
    total: int


class TicketOut(BaseModel):
    ticket: str = Field(description="Open the socket with ?ticket=<this>; valid once, for `expires_in` seconds")
    expires_in: int
