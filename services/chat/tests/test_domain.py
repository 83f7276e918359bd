"""Pure parts: content rules, preview, push wording, WebSocket frame parsing."""
from __future__ import annotations

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
from services.chat.messages.websocket import parse_match_id
from services.chat.messages.rules import CONTENT_PATTERN, normalize_content
from services.chat.push import rules as push
from services.chat.messages.frames import MAX_FRAME_BYTES, FrameError, Ping, SendMessage, Typing, parse_frame
from services.chat.messages.rules import normalize_content, other_participant, preview
from services.chat.messages.service import live_channel


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
    notes = push.for_match((5, 7))
    assert [(n.user_id, n.kind) for n in notes] == [(5, "match"), (7, "match")]
    assert push.for_message(7, "hello")[0].body == "hello"
    assert push.for_message(7, "hello")[0].kind == "message"


def test_parse_message_frame() -> None:
    assert parse_frame(json.dumps({"type": "message", "content": "  hi "})) == SendMessage("hi")
    assert parse_frame(json.dumps({"type": "message", "content": "hi"}).encode()) == SendMessage("hi")


def test_parse_typing_and_ping() -> None:
    assert parse_frame('{"type": "typing"}') == Typing()
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
])
def test_parse_rejects_malformed(raw, fragment: str) -> None:
    with pytest.raises(FrameError, match=fragment):
        parse_frame(raw)


@pytest.mark.parametrize("raw, expected", [("12", 12), ("0", None), ("-1", None), ("abc", None), ("１２", None),
                                           (str(2**63), None), (str(MAX_ID + 1), None), (str(MAX_ID), MAX_ID)])
def test_parse_match_id(raw: str, expected: int | None) -> None:
    assert parse_match_id(raw) == expected


def test_close_codes_mirror_http_statuses() -> None:
    assert close_code_for(AppError(401, "X", "m")) == 4401
    assert close_code_for(AppError(404, "X", "m")) == 4404
    assert close_code_for(AppError(503, "X", "m")) == 1013
    assert close_code_for(AppError(500, "X", "m")) == 1011
    assert len(close_reason("é" * 200).encode()) <= 123


def test_live_channel_name() -> None:
    assert live_channel(42) == "chat:match:42"


def test_live_message_frame_is_the_rest_body() -> None:
    import datetime as dt

    from services.chat.messages.frames import message_frame
    from services.chat.messages.schemas import MessageOut

    row = {"id": 7, "match_id": 3, "sender_id": 5, "content": "hé 💫", "read_at": None,
           "created_at": dt.datetime(2026, 3, 1, 12, 30, 5, 120000, tzinfo=dt.UTC)}
    assert message_frame(row) == {"type": "message", "message": {
        "id": 7, "match_id": 3, "sender_id": 5, "content": "hé 💫", "read_at": None,
        "created_at": "2026-03-01T12:30:05.120000Z"}}
    assert message_frame(row)["message"] == MessageOut.model_validate(row).model_dump(mode="json")


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
