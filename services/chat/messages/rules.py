"""Pure message rules, shared by the REST API and the WebSocket."""
from __future__ import annotations

MAX_ID = 2**63 - 1  # Postgres bigint: match and message ids
MAX_CONTENT_CHARS = 2000
PREVIEW_CHARS = 80


def normalize_content(raw: str) -> str:
    """The text that is stored: stripped, 1..2000 characters, storable in Postgres.

    Raises ValueError with a message fit to show the client (the caller names the field)."""
    content = raw.strip()
    if not content:
        raise ValueError("must not be empty")
    if len(content) > MAX_CONTENT_CHARS:
        raise ValueError(f"must be at most {MAX_CONTENT_CHARS} characters")
    if "\x00" in content:
        raise ValueError("must not contain NUL characters")
    try:
        content.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate such as "\ud800" from JSON
        raise ValueError("must be valid Unicode text") from exc
    return content


def preview(content: str, limit: int = PREVIEW_CHARS) -> str:
    """The first ``limit`` characters, as carried by chat.message.created and shown in push notifications."""
    return content[:limit]


def other_participant(user1_id: int, user2_id: int, user_id: int) -> int:
    """The other side of a match, from one participant's point of view."""
    if user_id == user1_id:
        return user2_id
    if user_id == user2_id:
        return user1_id
    raise ValueError(f"user {user_id} is not in this match")
