"""Pure parts: content rules, preview, cursors, push wording, WebSocket frame parsing."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from numeros_common.errors import AppError
from numeros_common.ids import MAX_ID
from numeros_common.websocket import close_code_for, close_reason
from services.chat.messages.schemas import PostMessageRequest
from services.chat.messages.frames import (MAX_FRAME_BYTES, FrameError, MarkRead, Ping, SendMessage, Typing,
                                           parse_frame)
from services.chat.messages.live import live_subject
from services.chat.messages.rules import CONTENT_PATTERN, normalize_content, other_participant, parse_cursor, preview
from services.chat.messages.websocket import parse_id
from services.chat.push import rules as push


def test_normalize_strips_and_keeps_inner_whitespace() -> None:
    assert normalize_content("  hi  there \n") == "hi  there"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
def test_normalize_rejects_empty(raw: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        normalize_content(raw)


def test_normalize_length_counts_after_strip() -> None:
    assert len(normalize_content("  " + "x" * 2000 + "  ")) == 2000
    with pytest.raises(ValueError, match="2000"):
        normalize_content("x" * 2001)


@pytest.mark.parametrize("raw", ["a\x00b", "a\ud800b"])
def test_normalize_rejects_text_postgres_cannot_store(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_content(raw)


def test_preview_is_first_80_characters() -> None:
    assert preview("short") == "short"
    text = "💫" * 100
    assert preview(text) == "💫" * 80


def test_other_participant() -> None:
    assert other_participant(1, 2, 1) == 2
    assert other_participant(1, 2, 2) == 1
    with pytest.raises(ValueError):
        other_participant(1, 2, 3)


def test_post_request_names_content_when_empty() -> None:
    with pytest.raises(ValidationError) as info:
        PostMessageRequest.model_validate({"content": "   "})
    assert info.value.errors()[0]["loc"] == ("content",)
    assert PostMessageRequest.model_validate({"content": " hey "}).content == "hey"


def test_push_wording() -> None:
    notes = push.for_match(3, (5, 7))
    assert [(n.user_id, n.kind, n.collapse_key) for n in notes] == [(5, "match", "match-3"), (7, "match", "match-3")]
    [note] = push.for_message(3, 11, 7, "hello")
    assert (note.user_id, note.kind, note.body, note.collapse_key) == (7, "message", "hello", "chat-3")
    assert note.data == {"type": "message", "match_id": "3", "message_id": "11"}
    assert push.for_message(3, 11, 7, "hello", show_preview=False)[0].body == "You have a new message."


def test_a_burst_in_one_conversation_shares_a_collapse_key() -> None:
    first, second = push.for_message(3, 11, 7, "a")[0], push.for_message(3, 12, 7, "b")[0]
    other = push.for_message(4, 13, 7, "c")[0]
    assert first.collapse_key == second.collapse_key != other.collapse_key


def test_parse_message_frame() -> None:
    assert parse_frame(json.dumps({"type": "message", "content": "  hi "})) == SendMessage("hi")
    assert parse_frame(json.dumps({"type": "message", "content": "hi"}).encode()) == SendMessage("hi")
    assert parse_frame(json.dumps({"type": "message", "content": "hi", "client_message_id": "c-1"})) == \
        SendMessage("hi", "c-1")


def test_parse_typing_read_and_ping() -> None:
    assert parse_frame('{"type": "typing"}') == Typing("start")
    assert parse_frame('{"type": "typing", "state": "stop"}') == Typing("stop")
    assert parse_frame('{"type": "read"}') == MarkRead(None)
    assert parse_frame('{"type": "read", "up_to_message_id": 9}') == MarkRead(9)
    assert parse_frame('{"type": "ping"}') == Ping()


@pytest.mark.parametrize("raw, fragment", [
    ("not json", "JSON"),
    ("[1, 2]", "object"),
    ('{"content": "hi"}', "type"),
    ('{"type": "dance"}', "unknown"),
    ('{"type": "message"}', "content"),
    ('{"type": "message", "content": 5}', "content"),
    ('{"type": "message", "content": "   "}', "content"),
    ('{"type": "message", "content": "' + "x" * 2001 + '"}', "content"),
    (b"\xff\xfe", "UTF-8"),
    ("x" * (MAX_FRAME_BYTES + 1), "larger"),
    (None, "empty"),
    ("[" * 10000, "JSON"),
    ('{"type": "message", "content": "hi", "client_message_id": ""}', "client_message_id"),
    ('{"type": "message", "content": "hi", "client_message_id": "a b"}', "client_message_id"),
    ('{"type": "message", "content": "hi", "client_message_id": 5}', "client_message_id"),
    ('{"type": "typing", "state": "dancing"}', "state"),
    ('{"type": "read", "up_to_message_id": 0}', "up_to_message_id"),
    ('{"type": "read", "up_to_message_id": "9"}', "up_to_message_id"),
    ('{"type": "read", "up_to_message_id": true}', "up_to_message_id"),
])
def test_parse_rejects_malformed(raw, fragment: str) -> None:
    with pytest.raises(FrameError, match=fragment):
        parse_frame(raw)


@pytest.mark.parametrize("raw, expected", [("12", 12), ("0", None), ("-1", None), ("abc", None), ("１２", None),
                                           (str(2**63), None), (str(MAX_ID + 1), None), (str(MAX_ID), MAX_ID)])
def test_parse_id(raw: str, expected: int | None) -> None:
    assert parse_id(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("42", 42),
    ("2026-03-01T12:30:05Z", dt.datetime(2026, 3, 1, 12, 30, 5, tzinfo=dt.UTC)),
    ("2026-03-01T12:30:05.5+02:00", dt.datetime(2026, 3, 1, 10, 30, 5, 500000, tzinfo=dt.UTC)),
    ("2026-03-01T12:30:05 02:00", dt.datetime(2026, 3, 1, 10, 30, 5, tzinfo=dt.UTC)),  # "+" decoded as a space
    ("2026-03-01T12:30:05", dt.datetime(2026, 3, 1, 12, 30, 5, tzinfo=dt.UTC)),  # no offset: UTC
])
def test_a_cursor_is_an_id_or_a_time(raw: str, expected) -> None:
    assert parse_cursor(raw) == expected


@pytest.mark.parametrize("raw", ["", "yesterday", "12a", "2026-13-01"])
def test_a_cursor_that_is_neither_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="message id or an ISO 8601 time"):
        parse_cursor(raw)


def test_close_codes_mirror_http_statuses() -> None:
    assert close_code_for(AppError(401, "X", "m")) == 4401
    assert close_code_for(AppError(404, "X", "m")) == 4404
    assert close_code_for(AppError(503, "X", "m")) == 1013
    assert close_code_for(AppError(500, "X", "m")) == 1011
    assert len(close_reason("é" * 200).encode()) <= 123


def test_live_subject_is_outside_every_stream() -> None:
    from numeros_common.events.streams import STREAMS

    assert live_subject(42) == "live.chat.42"
    assert not any(live_subject(42).split(".")[0] == s.split(".")[0] for subjects in STREAMS.values() for s in subjects)


def test_live_message_frame_is_the_rest_body() -> None:
    from services.chat.messages.frames import message_frame
    from services.chat.messages.schemas import MessageOut

    row = {"id": 7, "match_id": 3, "sender_id": 5, "content": "hé 💫", "read_at": None, "client_message_id": "c1",
           "created_at": dt.datetime(2026, 3, 1, 12, 30, 5, 120000, tzinfo=dt.UTC)}
    assert message_frame(row, 6) == {"type": "message", "previous_id": 6, "message": {
        "id": 7, "match_id": 3, "sender_id": 5, "content": "hé 💫", "read_at": None, "client_message_id": "c1",
        "created_at": "2026-03-01T12:30:05.120000Z"}}
    assert message_frame(row, 6)["message"] == MessageOut.model_validate(row).model_dump(mode="json")


@given(st.text(max_size=30) | st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1d\x85\xa0\u2000\u3000\x00ab", max_size=8))
def test_the_documented_content_pattern_is_the_rule(text: str) -> None:
    """The OpenAPI pattern allows exactly the contents the service keeps (a schema-valid message is sent)."""
    documented = re.fullmatch(CONTENT_PATTERN, text) is not None
    try:
        normalize_content(text)
        kept = True
    except ValueError:
        kept = False
    assert documented == kept
