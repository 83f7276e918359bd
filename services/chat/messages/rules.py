"""Pure message rules, shared by the REST API and the WebSocket."""
from __future__ import annotations

import datetime as dt
import re

from numeros_common.ids import MAX_ID

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


CLIENT_MESSAGE_ID_MAX = 64
CLIENT_MESSAGE_ID_PATTERN = "^[A-Za-z0-9._:-]{1,64}$"
_CLIENT_MESSAGE_ID = re.compile(CLIENT_MESSAGE_ID_PATTERN)
_SPACED_OFFSET = re.compile(r"(\d) (\d\d:?\d\d)$")


def check_client_message_id(value: str) -> str:
    """The sender's own id for a message (a UUID, say): 1-64 letters, digits or ``._:-``."""
    if not _CLIENT_MESSAGE_ID.match(value):
        raise ValueError(f"must be 1-{CLIENT_MESSAGE_ID_MAX} letters, digits or . _ : -")
    return value


def parse_cursor(raw: object) -> int | dt.datetime:
    """A page cursor: digits are a message id; anything else must be an ISO 8601 time (the seed's
    ``?before=timestamp``), read as UTC when it names no offset."""
    if isinstance(raw, (int, dt.datetime)) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw.strip())
    elif isinstance(raw, str):
        # A "+" left unescaped in a query string arrives as a space: "10:00:00 02:00".
        text = _SPACED_OFFSET.sub(r"\1+\2", raw.strip())
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError("must be a message id or an ISO 8601 time") from exc
    else:
        raise ValueError("must be a message id or an ISO 8601 time")
    if isinstance(value, int) and not 1 <= value <= MAX_ID:
        raise ValueError(f"a message id is 1..{MAX_ID}")  # never read as seconds since 1970
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value
