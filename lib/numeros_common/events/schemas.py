"""Versioned event contracts. A subject's payload only ever gains optional fields within a version;
anything else is a new ``schema_version`` that consumers must accept side by side."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field


class EventData(BaseModel):
    subject: ClassVar[str]
    schema_version: ClassVar[int] = 1


class Envelope(BaseModel):
    """What travels on the wire: metadata plus the subject's data document."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    subject: str
    schema_version: int
    occurred_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    producer: str
    data: dict[str, Any]

    @classmethod
    def wrap(cls, producer: str, data: EventData) -> "Envelope":
        return cls(subject=data.subject, schema_version=data.schema_version, producer=producer,
                   data=data.model_dump(mode="json"))

    def parse(self, model: type[EventData]) -> EventData:
        return model.model_validate(self.data)


class NumerologyCore(BaseModel):
    life_path: int
    expression: int
    soul_urge: int
    personality: int


class KeyLongitudes(BaseModel):
    """Tropical longitudes (degrees) of the bodies fast synastry compares."""

    sun: float
    moon: float
    mercury: float
    venus: float
    mars: float


Gender = Literal["male", "female", "non_binary"]


class Location(BaseModel):
    """Where discovery measures distance from (WGS84 degrees); a city centre when only a place is known."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class PublicProfile(EventData):
    """What other services may know of a user (never email, password or exact birth place)."""

    user_id: int
    display_name: str
    birth_date: dt.date
    photos: list[str] = []
    bio: str = ""
    numerology: NumerologyCore
    # Added within v1 (optional, so older events stay valid): the natal summary matching scores with.
    chart_level: int = 1
    sun_sign: str | None = None
    moon_sign: str | None = None
    rising_sign: str | None = None
    key_longitudes: KeyLongitudes | None = None
    # Added within v1 for discovery (issue 9/10): who they are, who they want to meet, where they are.
    gender: Gender | None = None
    interested_in: list[Gender] = Field(default_factory=list,
                                        description="Genders this person wants to meet; empty means everyone.")
    location: Location | None = None
    active: bool = Field(default=True, description="False once the account is deactivated or banned.")
    last_active_at: dt.datetime | None = None


class UserRegisteredV1(PublicProfile):
    subject: ClassVar[str] = "identity.user.registered"


class UserUpdatedV1(PublicProfile):
    subject: ClassVar[str] = "identity.user.updated"


class UserDeletedV1(EventData):
    subject: ClassVar[str] = "identity.user.deleted"
    user_id: int


class SessionRevokedV1(EventData):
    """A session (or, with ``session_id`` None, every session of the user) may no longer be used;
    services holding live sockets close them. ``expires_at`` is when its tokens would lapse anyway."""

    subject: ClassVar[str] = "identity.session.revoked"
    user_id: int
    session_id: str | None = None
    reason: Literal["logout", "password_changed", "refresh_reuse", "deactivated", "deleted", "banned",
                    "admin_revoked"]
    expires_at: dt.datetime


class MatchCreatedV1(EventData):
    subject: ClassVar[str] = "matching.match.created"
    match_id: int
    user_ids: tuple[int, int]
    created_at: dt.datetime


class MatchRemovedV1(EventData):
    subject: ClassVar[str] = "matching.match.removed"
    match_id: int
    user_ids: tuple[int, int]
    reason: str


class BlockCreatedV1(EventData):
    subject: ClassVar[str] = "matching.block.created"
    blocker_id: int
    blocked_id: int
    match_id: int | None = None


class MessageCreatedV1(EventData):
    subject: ClassVar[str] = "chat.message.created"
    message_id: int
    match_id: int
    sender_id: int
    recipient_id: int
    preview: str
    created_at: dt.datetime


class MessageReadV1(EventData):
    subject: ClassVar[str] = "chat.message.read"
    match_id: int
    reader_id: int
    up_to_message_id: int


EVENT_TYPES: dict[str, type[EventData]] = {
    m.subject: m for m in (UserRegisteredV1, UserUpdatedV1, UserDeletedV1, SessionRevokedV1, MatchCreatedV1,
                           MatchRemovedV1, BlockCreatedV1, MessageCreatedV1, MessageReadV1)
}


def json_schema_documents() -> dict[str, dict[str, Any]]:
    """The published contract of every event, keyed by file name ``<subject>.v<version>.schema.json``."""
    documents = {}
    for subject, model in EVENT_TYPES.items():
        schema = model.model_json_schema()
        schema["$id"] = f"https://numeros.app/events/{subject}.v{model.schema_version}.schema.json"
        schema["title"] = f"{subject} v{model.schema_version}"
        documents[f"{subject}.v{model.schema_version}.schema.json"] = schema
    return documents
