"""Pure message rules, shared by the REST API and the WebSocket."""
from __future__ import annotations

MAX_CONTENT_CHARS = 2000
PREVIEW_CHARS = 80
# What normalize_content accepts, for the OpenAPI document: no NUL, and at least one character that
# str.strip() keeps (the class lists exactly the characters str.isspace() is true for).
_KEPT = "[^\\x00\\t-\\r\\x1c- \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
CONTENT_PATTERN = f"^[^\\x00]*{_KEPT}[^\\x00]*$"


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
