"""WebSocket /ws/chat/{match_id}: live messages and typing for a match's two participants.

Delivery goes through the Redis channel ``chat:match:{match_id}``: every replica's sockets for the
match subscribe to it, and whoever stores a message (REST or socket, any replica) publishes it there.
The frame protocol is documented in ``frames.py``."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Coroutine
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from numeros_common.errors import AppError
from numeros_common.ids import MAX_ID
from numeros_common.metrics import WEBSOCKETS_OPEN
from numeros_common.runtime import Runtime
from numeros_common.websocket import (CLOSE_INTERNAL_ERROR, CLOSE_TRY_AGAIN_LATER, close_code_for, close_reason,
                                      websocket_principal)

from ..matches.service import match_not_found
from . import service
from .frames import FrameError, Ping, SendMessage, Typing, error_frame, parse_frame

log = logging.getLogger(__name__)
router = APIRouter(tags=["messages"])
TYPING_MIN_INTERVAL_SECONDS = 1.0
CLEANUP_SECONDS = 5.0
CLIENT_GONE = (WebSocketDisconnect, RuntimeError, OSError)  # what sending to a socket whose client left raises


def parse_match_id(raw: str) -> int | None:
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


@router.websocket("/ws/chat/{match_id}")
async def chat_socket(websocket: WebSocket, match_id: str) -> None:
    runtime: Runtime = websocket.app.state.runtime
    # Accept first: a close before the handshake reaches the client as a bare HTTP 403, with no code.
    await websocket.accept()
    try:
        principal = await websocket_principal(websocket, runtime.verifier)
        parsed_id = parse_match_id(match_id)
        if parsed_id is None:
            raise match_not_found()
        match = await service.open_conversation(runtime, parsed_id, principal.user_id)
        if match["removed_at"] is not None:
            raise AppError(409, "MATCH_REMOVED", "This match has ended.")
    except AppError as exc:
        await _close(websocket, close_code_for(exc), exc.message)
        return
    except Exception:  # noqa: BLE001 - e.g. the database is restarting
        log.exception("websocket setup failed")
        await _close(websocket, CLOSE_TRY_AGAIN_LATER, "Chat is unavailable; try again shortly.")
        return
    WEBSOCKETS_OPEN.inc()
    try:
        await ChatSocket(runtime, websocket, parsed_id, principal.user_id).run()
    finally:
        WEBSOCKETS_OPEN.dec()


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if WebSocketState.DISCONNECTED in (websocket.application_state, websocket.client_state):
        return
    try:
        await websocket.close(code=code, reason=close_reason(reason))
    except CLIENT_GONE:
        pass  # the client left first


class ChatSocket:
    """One connected participant: Redis channel → socket, and socket frames → store / publish."""

    def __init__(self, runtime: Runtime, websocket: WebSocket, match_id: int, user_id: int) -> None:
        self.runtime = runtime
        self.websocket = websocket
        self.match_id = match_id
        self.user_id = user_id
        self._send_lock = asyncio.Lock()
        self._last_typing = 0.0

    async def run(self) -> None:
        pubsub = self.runtime.redis.pubsub(ignore_subscribe_messages=True)
        self.close_code, self.close_reason = 1000, ""
        try:
            try:
                await pubsub.subscribe(service.live_channel(self.match_id))
            except RedisError as exc:
                log.warning("cannot subscribe to live channel", extra={"match_id": self.match_id, "error": repr(exc)})
                self.close_code, self.close_reason = CLOSE_TRY_AGAIN_LATER, "Live chat is unavailable; try again."
                return
            # From here on nothing published for this match is missed: a client that fetches history
            # (GET .../messages) after this frame has no gap.
            try:
                await self.send({"type": "connected", "match_id": self.match_id, "user_id": self.user_id})
            except CLIENT_GONE:
                return
            # Two loops side by side; whichever ends first (client left, Redis lost) ends the other.
            async with anyio.create_task_group() as group:
                group.start_soon(self._until_done, group.cancel_scope, self._forward(pubsub), "forward")
                group.start_soon(self._until_done, group.cancel_scope, self._receive(), "receive")
        finally:
            # Shielded: on server shutdown the subscription is still released and the socket closed.
            with anyio.CancelScope(shield=True), anyio.move_on_after(CLEANUP_SECONDS):
                try:
                    await pubsub.unsubscribe()
                except RedisError:
                    pass  # closing the connection below drops the subscription anyway
                finally:
                    await pubsub.aclose()
                await _close(self.websocket, self.close_code, self.close_reason)

    async def _until_done(self, scope: anyio.CancelScope, loop: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await loop
        except CLIENT_GONE:
            pass
        except RedisError as exc:
            log.warning("live delivery stopped", extra={"match_id": self.match_id, "error": repr(exc)})
            self.close_code, self.close_reason = CLOSE_TRY_AGAIN_LATER, "Live chat was interrupted; reconnect."
        except Exception:  # noqa: BLE001 - close this socket, keep the service
            log.exception("websocket loop failed", extra={"match_id": self.match_id, "loop": name})
            self.close_code, self.close_reason = CLOSE_INTERNAL_ERROR, "Something went wrong on our side."
        finally:
            scope.cancel()

    async def send(self, payload: dict[str, Any] | str) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        async with self._send_lock:
            await self.websocket.send_text(text)

    async def _forward(self, pubsub: PubSub) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is None or message.get("type") != "message":
                continue
            data = message["data"]
            text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
            if self._own_typing(text):
                continue
            await self.send(text)

    def _own_typing(self, text: str) -> bool:
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            return False
        return isinstance(payload, dict) and payload.get("type") == "typing" and payload.get("user_id") == self.user_id

    async def _receive(self) -> None:
        while True:
            event = await self.websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
            raw = event.get("text") if event.get("text") is not None else event.get("bytes")
            try:
                frame = parse_frame(raw)
            except FrameError as exc:
                await self.send(error_frame("BAD_FRAME", str(exc)))
                continue
            if isinstance(frame, SendMessage):
                await self._send_message(frame.content)
            elif isinstance(frame, Typing):
                await self._typing()
            elif isinstance(frame, Ping):
                await self.send({"type": "pong"})

    async def _send_message(self, content: str) -> None:
        settings = self.runtime.settings
        decision = await self.runtime.limiter.hit(f"user:{self.user_id}:ws-message", settings.ws_messages_per_minute)
        if not decision.allowed:
            await self.send(error_frame("RATE_LIMITED", f"Too many messages; retry in {decision.reset_seconds} s."))
            return
        try:
            # Delivered back to this socket (and the other participant's) through the channel.
            await service.post_message(self.runtime, match_id=self.match_id, sender_id=self.user_id, content=content)
        except AppError as exc:
            await self.send(error_frame(exc.code, exc.message))
        except Exception:  # noqa: BLE001 - keep the socket; the client may retry
            log.exception("websocket message failed", extra={"match_id": self.match_id})
            await self.send(error_frame("INTERNAL_ERROR", "The message was not sent; try again."))

    async def _typing(self) -> None:
        now = time.monotonic()
        if now - self._last_typing < TYPING_MIN_INTERVAL_SECONDS:
            return  # typing is a hint; at most one a second per socket is plenty
        self._last_typing = now
        await service.publish_live(self.runtime, self.match_id, {"type": "typing", "user_id": self.user_id})
