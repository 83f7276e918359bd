"""Request and response bodies of resonances and matches (numeros-backend-rebuild seed)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from numeros_common.ids import ResourceId

from ..discovery.schemas import Astrology, Numerology


class ResonanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_user_id: ResourceId
    action: Literal["resonate", "decline"]


class OtherUser(BaseModel):
    id: int
    display_name: str
    photos: list[str]
    age: int
    bio: str
    numerology: Numerology
    astrology: Astrology


class MessagePreview(BaseModel):
    id: int
    sender_id: int
    preview: str = Field(description="The message's first 80 characters (the full text is at `messages_url`)")
    created_at: dt.datetime


class MatchOut(BaseModel):
    id: int
    user_ids: list[int] = Field(min_length=2, max_length=2, description="Both participants, ascending")
    other_user: OtherUser
    created_at: dt.datetime
    compatibility_score: int | None = Field(
        description="The pair's overall compatibility (0-100) when they matched; null if it could not be computed")
    last_message: MessagePreview | None = Field(description="The newest message, null before the first")
    unread_count: int = Field(ge=0, description="Messages to the caller they have not marked read")
    last_activity_at: dt.datetime = Field(description="The newest message's time, else when they matched")


class ResonanceResponse(BaseModel):
    is_match: bool = Field(description="Whether the two users are matched after this call")
    match: MatchOut | None = Field(description="The pair's match when `is_match` is true, else null")


class MatchesResponse(BaseModel):
    matches: list[MatchOut] = Field(description="The caller's live matches, newest activity first")


class MatchDetail(MatchOut):
    compatibility_data: dict | None = Field(
        default=None,
        description="The pair's compatibility as of the match, read from the caller's side, in the "
                    "`CompatibilityResponse` shape of `POST /scan/evaluate`; null when the calculation service "
                    "was unavailable when the match was made")
    messages_url: str = Field(description="The conversation, served by the chat service")
    messages: list[MessagePreview] = Field(description="The latest messages (at most 20), newest first")
