"""The WebSocket protocol of /ws/chat/{match_id}: frames a client may send, parsed and validated
without any I/O so that a malformed frame becomes an error frame and never closes the socket.

Client → server:  {"type": "message", "content": "..."} | {"type": "typing"} | {"type": "ping"}
Server → client:  {"type": "connected", "match_id": N, "user_id": N}  (first frame: live feed is on)
                  | {"type": "message", "message": {...}} | {"type": "typing", "user_id": N}
                  | {"type": "pong"} | {"type": "error", "code": "...", "message": "..."}
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from .rules import normalize_content

MAX_FRAME_BYTES = 16 * 1024


class FrameError(ValueError):
    """The client sent something this protocol does not understand; ``str(exc)`` says what."""


@dataclass(frozen=True)
class SendMessage:
    content: str


@dataclass(frozen=True)
class Typing:
    pass


@dataclass(frozen=True)
class Ping:
    pass


ClientFrame = SendMessage | Typing | Ping


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
            return SendMessage(normalize_content(content))
        except ValueError as exc:
            raise FrameError(f"content: {exc}") from exc
    if kind == "typing":
        return Typing()
    if kind == "ping":
        return Ping()
    if kind is None:
        raise FrameError("type: required ('message', 'typing' or 'ping')")
    raise FrameError(f"type: unknown frame type {str(kind)[:40]!r} (expected 'message', 'typing' or 'ping')")


def error_frame(code: str, message: str) -> dict[str, str]:
    return {"type": "error", "code": code, "message": message}


MESSAGE_FIELDS = ("id", "match_id", "sender_id", "content", "created_at", "read_at")


def message_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored message as JSON, the same body ``GET .../messages`` lists (its ``MessageOut``)."""
    return to_jsonable_python({name: row[name] for name in MESSAGE_FIELDS})


def message_frame(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "message", "message": message_json(row)}
