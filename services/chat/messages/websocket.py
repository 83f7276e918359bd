"""WebSocket /ws/chat/{match_id}: live messages, read receipts and typing for a match's two participants.

Authentication: the ``Authorization`` header, or ``?ticket=`` from ``POST /api/v1/ws/tickets`` (browsers);
never a token in the URL. ``?after=<message id>`` resumes: the messages after that id come first, then the
live ones, each exactly once and in id order. Frames come from this replica's ``LiveHub`` (live.py) into a
bounded queue; one writer drains it, so a client that cannot keep up is disconnected (it resumes with
``after``) instead of being buffered without bound. The frame protocol is documented in ``frames.py``."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Coroutine
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from numeros_common.auth import Principal
from numeros_common.errors import AppError
from numeros_common.ids import MAX_ID
from numeros_common.metrics import WEBSOCKETS_OPEN
from numeros_common.runtime import Runtime
from numeros_common.websocket import (CLOSE_INTERNAL_ERROR, CLOSE_TRY_AGAIN_LATER, close_code_for, close_reason,
                                      websocket_principal)

from ..matches import repository as matches_repo
from ..matches.service import match_not_found
from . import presence, service, tickets
from .frames import FrameError, MarkRead, Ping, SendMessage, Typing, ack_frame, error_frame, message_frame, parse_frame
from .live import CLOSE_GONE, CLOSE_UNAUTHENTICATED, HubUnavailable

log = logging.getLogger(__name__)
router = APIRouter(tags=["messages"])
TYPING_MIN_INTERVAL_SECONDS = 1.0
CLEANUP_SECONDS = 5.0
CLOSE_SLOW_CONSUMER = 1008
CLIENT_GONE = (WebSocketDisconnect, RuntimeError, OSError)  # what sending to a socket whose client left raises


def parse_id(raw: str | None) -> int | None:
    if raw is None or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


async def authenticate(websocket: WebSocket, runtime: Runtime) -> Principal:
    principal = await websocket_principal(websocket, runtime.verifier)
    if principal is not None:
        return principal
    ticket = websocket.query_params.get("ticket")
    if ticket:
        return await tickets.redeem(runtime, ticket)
    raise AppError(401, "UNAUTHENTICATED", "Authentication required: an Authorization header, or ?ticket= from "
                                           "POST /api/v1/ws/tickets.")


@router.websocket("/ws/chat/{match_id}")
async def chat_socket(websocket: WebSocket, match_id: str) -> None:
    runtime: Runtime = websocket.app.state.runtime
    # Accept first: a close before the handshake reaches the client as a bare HTTP 403, with no code.
    await websocket.accept()
    try:
        principal = await authenticate(websocket, runtime)
        parsed_id = parse_id(match_id)
        if parsed_id is None:
            raise match_not_found()
        raw_after = websocket.query_params.get("after")
        after = parse_id(raw_after)
        if raw_after is not None and after is None:
            raise AppError(422, "VALIDATION_ERROR", f"after: must be a message id (1..{MAX_ID})", field="after")
        match = await service.open_conversation(runtime, parsed_id, principal.user_id)
    except AppError as exc:
        await _close(websocket, close_code_for(exc), exc.message)
        return
    except Exception:  # noqa: BLE001 - e.g. the database is restarting
        log.exception("websocket setup failed")
        await _close(websocket, CLOSE_TRY_AGAIN_LATER, "Chat is unavailable; try again shortly.")
        return
    await ChatSocket(runtime, websocket, match, principal, after).run()


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if WebSocketState.DISCONNECTED in (websocket.application_state, websocket.client_state):
        return
    try:
        await websocket.close(code=code, reason=close_reason(reason))
    except CLIENT_GONE:
        pass  # the client left first


class ChatSocket:
    """One connected participant: hub → queue → socket, and socket frames → store / publish."""

    def __init__(self, runtime: Runtime, websocket: WebSocket, match: Any, principal: Principal,
                 after: int | None) -> None:
        self.runtime = runtime
        self.websocket = websocket
        self.match_id: int = match["match_id"]
        self.participants: tuple[int, int] = (match["user1_id"], match["user2_id"])
        self.principal = principal
        self.user_id = principal.user_id
        self.session_id = principal.session_id
        self.after = after
        self.socket_id = uuid.uuid4().hex
        self.queue: asyncio.Queue[tuple[str, Any, Any]] = asyncio.Queue(runtime.settings.ws_queue_frames)
        self.last_sent = 0  # the newest message id this client has (messages go out in id order)
        self.close_code, self.close_reason = 1000, ""
        self._ended = False
        self._scope: anyio.CancelScope | None = None
        self._last_typing = 0.0

    # --- what the hub calls (synchronously, on the event loop) ---------------------------------------
    def offer(self, payload: dict[str, Any], text: str) -> None:
        if payload.get("type") == "typing" and payload.get("user_id") == self.user_id:
            return
        self._put(("live", payload, text))

    def hint(self, message_id: int) -> None:
        if message_id > self.last_sent:
            self._put(("catchup", message_id, None))

    def resync(self) -> None:
        self._put(("catchup", None, None))
        self._put(("recheck", None, None))

    def end(self, code: int, reason: str) -> None:
        if self._ended:
            return
        self._ended = True
        self.close_code, self.close_reason = code, reason
        if self._scope is not None:
            self._scope.cancel()

    def _put(self, item: tuple[str, Any, Any]) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            log.info("slow consumer disconnected", extra={"match_id": self.match_id, "user_id": self.user_id})
            self.end(CLOSE_SLOW_CONSUMER, "Too slow to keep up; reconnect with ?after=<last message id>.")

    # --- the socket's life ----------------------------------------------------------------------------
    async def run(self) -> None:
        hub = service.hub_of(self.runtime)
        try:
            await hub.attach(self)
        except HubUnavailable:
            await _close(self.websocket, CLOSE_TRY_AGAIN_LATER, "Live chat is unavailable; try again.")
            return
        WEBSOCKETS_OPEN.inc()
        try:
            # Attached first: whatever is stored from here on reaches this socket live, and what was stored
            # before is below the head read now.
            async with self.runtime.sessions() as session:
                match = await matches_repo.find_conversation(session, self.match_id, self.user_id)
            if match is None:
                self.end(CLOSE_GONE, "This conversation has ended.")
                return
            head = match["last_message_id"] or 0
            self.last_sent = head if self.after is None else self.after
            try:
                await self._send({"type": "connected", "match_id": self.match_id, "user_id": self.user_id,
                                  "last_message_id": match["last_message_id"]})
            except CLIENT_GONE:
                return
            if head > self.last_sent:
                self._put(("catchup", None, None))
            async with anyio.create_task_group() as group:
                self._scope = group.cancel_scope
                if self._ended:
                    group.cancel_scope.cancel()
                for name, loop in (("write", self._write()), ("receive", self._receive()),
                                   ("expiry", self._expire()), ("presence", self._presence())):
                    group.start_soon(self._until_done, group.cancel_scope, loop, name)
        finally:
            # Shielded: on server shutdown the socket is still released and closed.
            with anyio.CancelScope(shield=True), anyio.move_on_after(CLEANUP_SECONDS):
                await hub.detach(self)
                await presence.leave(self.runtime, self.match_id, self.user_id, self.socket_id)
                await _close(self.websocket, self.close_code, self.close_reason)
            WEBSOCKETS_OPEN.dec()

    async def _until_done(self, scope: anyio.CancelScope, loop: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await loop
        except CLIENT_GONE:
            pass
        except Exception:  # noqa: BLE001 - close this socket, keep the service
            log.exception("websocket loop failed", extra={"match_id": self.match_id, "loop": name})
            if not self._ended:
                self.close_code, self.close_reason = CLOSE_INTERNAL_ERROR, "Something went wrong on our side."
        finally:
            scope.cancel()

    async def _send(self, payload: dict[str, Any] | str) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        await self.websocket.send_text(text)

    async def _write(self) -> None:
        """The only sender once live: messages in id order, each once, gaps filled from the database."""
        while True:
            kind, first, second = await self.queue.get()
            if kind == "live" and first.get("type") == "message":
                message_id = first["message"]["id"]
                if message_id <= self.last_sent:
                    continue  # already sent (backfill, or a retry's second publication)
                if (first.get("previous_id") or 0) != self.last_sent:
                    await self._catch_up(message_id)  # a frame went missing: the database has it
                    continue
                await self._send(second)
                self.last_sent = message_id
            elif kind == "live":
                await self._send(second)
            elif kind == "catchup":
                if first is None or first > self.last_sent:
                    await self._catch_up(first)
            elif kind == "recheck":
                await self._recheck()
            else:
                await self._send(first)

    async def _catch_up(self, up_to: int | None) -> None:
        while True:
            rows = await service.messages_after(self.runtime, self.match_id, self.last_sent, up_to)
            for row in rows:
                await self._send(message_frame(row, self.last_sent))
                self.last_sent = row["id"]
            if len(rows) < 100:
                return

    async def _recheck(self) -> None:
        """After a NATS outage: the events that would have closed this socket may have been missed."""
        try:
            await self.runtime.verifier.check_session(self.principal)
        except AppError as exc:
            self.end(CLOSE_UNAUTHENTICATED, exc.message)
            return
        async with self.runtime.sessions() as session:
            if await matches_repo.find_conversation(session, self.match_id, self.user_id) is None:
                self.end(CLOSE_GONE, "This conversation has ended.")

    async def _expire(self) -> None:
        if self.principal.expires_at is None:
            await anyio.sleep_forever()
        await anyio.sleep(max(0.0, self.principal.expires_at - time.time()))
        self.end(CLOSE_UNAUTHENTICATED, "The access token has expired; reconnect with a fresh one.")

    async def _presence(self) -> None:
        """Keeps this socket counted as "open on this match" (no push while it is)."""
        while True:
            await presence.enter(self.runtime, self.match_id, self.user_id, self.socket_id)
            await anyio.sleep(presence.TTL_SECONDS / 3)

    async def _receive(self) -> None:
        while True:
            event = await self.websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
            raw = event.get("text") if event.get("text") is not None else event.get("bytes")
            try:
                frame = parse_frame(raw)
            except FrameError as exc:
                self._put(("frame", error_frame("BAD_FRAME", str(exc)), None))
                continue
            try:
                await self._act(frame)
            except AppError as exc:
                self._put(("frame", error_frame(exc.code, exc.message), None))
            except CLIENT_GONE:
                raise
            except Exception:  # noqa: BLE001 - keep the socket; the client may retry
                log.exception("websocket frame failed", extra={"match_id": self.match_id})
                self._put(("frame", error_frame("INTERNAL_ERROR", "That did not work; try again."), None))

    async def _act(self, frame: Any) -> None:
        if isinstance(frame, SendMessage):
            settings = self.runtime.settings
            decision = await self.runtime.limiter.hit(f"user:{self.user_id}:ws-message",
                                                      settings.ws_messages_per_minute)
            if not decision.allowed:
                raise AppError(429, "RATE_LIMITED", f"Too many messages; retry in {decision.reset_seconds} s.")
            sent = await service.post_message(self.runtime, match_id=self.match_id, sender_id=self.user_id,
                                              content=frame.content, client_message_id=frame.client_message_id,
                                              participants=self.participants)
            self._put(("frame", ack_frame(sent.message), None))
        elif isinstance(frame, Typing):
            now = time.monotonic()
            if frame.state == "start":
                if now - self._last_typing < TYPING_MIN_INTERVAL_SECONDS:
                    return  # a hint; at most one start a second per socket is plenty
                self._last_typing = now
            else:
                self._last_typing = 0.0
            await service.typing(self.runtime, self.match_id, self.user_id, frame.state)
        elif isinstance(frame, MarkRead):
            await service.mark_read(self.runtime, match_id=self.match_id, reader_id=self.user_id,
                                    up_to=frame.up_to_message_id)
        elif isinstance(frame, Ping):
            self._put(("frame", {"type": "pong"}, None))
