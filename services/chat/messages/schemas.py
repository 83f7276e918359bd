"""Public request and response bodies for messaging (numeros-backend-rebuild seed, Message model)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator

from .rules import CONTENT_PATTERN, MAX_CONTENT_CHARS, normalize_content


class PostMessageRequest(BaseModel):
    content: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS, pattern=CONTENT_PATTERN,
                         description=f"At most {MAX_CONTENT_CHARS} characters, not only whitespace, no NUL; "
                                     "stored without surrounding whitespace",
                         examples=["Hey! Our numbers align perfectly 💫"])

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


class MessagePage(BaseModel):
    messages: list[MessageOut] = Field(description="Newest first")
    next_before: int | None = Field(description="Pass as ?before= for the next (older) page; null when there is none")
