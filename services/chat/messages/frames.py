"""The WebSocket protocol of /ws/chat/{match_id}: frames a client may send, parsed and validated
without any I/O so that a malformed frame becomes an error frame and never closes the socket.

Client → server:  {"type": "message", "content": "...", "client_message_id": "..."?}
                  | {"type": "typing", "state": "start"|"stop"}  (no state = start)
                  | {"type": "read", "up_to_message_id": N?}  (no id = everything so far)
                  | {"type": "ping"}
Server → client:  {"type": "connected", "match_id", "user_id", "last_message_id"}  (first frame: live is on;
                  with ``?after=<id>`` the messages after that id follow, then live ones, each once, in id order)
                  | {"type": "message", "message": {...}, "previous_id": N|null}
                  | {"type": "ack", "client_message_id": "..."|null, "message": {...}}  (to the sender's socket)
                  | {"type": "read", "match_id", "reader_id", "up_to_message_id", "read_at"}
                  | {"type": "typing", "user_id": N, "state": "start"|"stop"}
                  | {"type": "pong"} | {"type": "error", "code": "...", "message": "..."}
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from numeros_common.ids import MAX_ID

from .rules import check_client_message_id, normalize_content

MAX_FRAME_BYTES = 16 * 1024


class FrameError(ValueError):
    """The client sent something this protocol does not understand; ``str(exc)`` says what."""


@dataclass(frozen=True)
class SendMessage:
    content: str
    client_message_id: str | None = None


@dataclass(frozen=True)
class Typing:
    state: str = "start"


@dataclass(frozen=True)
class MarkRead:
    up_to_message_id: int | None = None


@dataclass(frozen=True)
class Ping:
    pass


ClientFrame = SendMessage | Typing | MarkRead | Ping
FRAME_TYPES = "'message', 'typing', 'read' or 'ping'"


def parse_frame(raw: str | bytes | None) -> ClientFrame:
    if raw is None:
        raise FrameError("empty frame")
    if isinstance(raw, bytes):
        if len(raw) > MAX_FRAME_BYTES:
            raise FrameError(f"frame larger than {MAX_FRAME_BYTES} bytes")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameError("frame is not UTF-8 text") from exc
    if len(raw) > MAX_FRAME_BYTES:
        raise FrameError(f"frame larger than {MAX_FRAME_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise FrameError("frame is not valid JSON") from exc
    if not isinstance(data, dict):
        raise FrameError("frame must be a JSON object")
    kind = data.get("type")
    if kind == "message":
        content = data.get("content")
        if not isinstance(content, str):
            raise FrameError("content: must be a string")
        try:
            content = normalize_content(content)
        except ValueError as exc:
            raise FrameError(f"content: {exc}") from exc
        client_id = data.get("client_message_id")
        if client_id is not None:
            try:
                client_id = check_client_message_id(client_id) if isinstance(client_id, str) else None
            except ValueError as exc:
                raise FrameError(f"client_message_id: {exc}") from exc
            if client_id is None:
                raise FrameError("client_message_id: must be a string")
        return SendMessage(content, client_id)
    if kind == "typing":
        state = data.get("state", "start")
        if state not in ("start", "stop"):
            raise FrameError("state: must be 'start' or 'stop'")
        return Typing(state)
    if kind == "read":
        up_to = data.get("up_to_message_id")
        if up_to is not None and (not isinstance(up_to, int) or isinstance(up_to, bool) or not 1 <= up_to <= MAX_ID):
            raise FrameError(f"up_to_message_id: must be a message id (1..{MAX_ID})")
        return MarkRead(up_to)
    if kind == "ping":
        return Ping()
    if kind is None:
        raise FrameError(f"type: required ({FRAME_TYPES})")
    raise FrameError(f"type: unknown frame type {str(kind)[:40]!r} (expected {FRAME_TYPES})")


def error_frame(code: str, message: str) -> dict[str, str]:
    return {"type": "error", "code": code, "message": message}


MESSAGE_FIELDS = ("id", "match_id", "sender_id", "content", "created_at", "read_at", "client_message_id")


def message_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored message as JSON, the same body ``GET .../messages`` lists (its ``MessageOut``)."""
    return to_jsonable_python({name: row[name] for name in MESSAGE_FIELDS})


def message_frame(row: Mapping[str, Any], previous_id: int | None) -> dict[str, Any]:
    """``previous_id``: the conversation's message before this one, so a socket can tell a gap (catch up
    from the database) from a duplicate (drop it)."""
    return {"type": "message", "message": message_json(row), "previous_id": previous_id}


def ack_frame(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "ack", "client_message_id": row["client_message_id"], "message": message_json(row)}
