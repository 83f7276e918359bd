"""Live fan-out across chat replicas over core NATS, and the events that end a live socket.

Each replica holds one NATS connection and, per conversation with a socket on it, one subscription to
``live.chat.<match_id>`` (outside every JetStream stream: live frames are not stored; the messages are, in
Postgres). Whoever stores a message, reads or types publishes there, so every replica's sockets see it.

The same connection listens (core, not durable: each replica needs every one) to the events that end a
socket: ``identity.session.revoked``, ``identity.user.deleted``, ``matching.match.removed``,
``matching.block.created``; and to ``chat.message.created`` (published by the outbox relay of whichever
replica is alive) as a second, durable path to a message whose live frame was lost with a crashed replica.
After a NATS reconnect every socket checks its session and conversation again and catches up from the
database, so nothing published during the outage is missed."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import ValidationError

from numeros_common.events.schemas import (BlockCreatedV1, Envelope, MatchRemovedV1, MessageCreatedV1,
                                           SessionRevokedV1, UserDeletedV1)

log = logging.getLogger(__name__)

LIVE_PREFIX = "live.chat"
CONTROL_SUBJECTS = (SessionRevokedV1.subject, UserDeletedV1.subject, MatchRemovedV1.subject, BlockCreatedV1.subject,
                    MessageCreatedV1.subject)
CLOSE_GONE = 4404  # the conversation ended (unmatch, block, deletion): as if it never existed
CLOSE_UNAUTHENTICATED = 4401


def live_subject(match_id: int) -> str:
    return f"{LIVE_PREFIX}.{match_id}"


class Listener(Protocol):
    """What the hub needs of a socket."""

    match_id: int
    user_id: int
    session_id: str
    participants: tuple[int, int]

    def offer(self, payload: dict[str, Any], text: str) -> None: ...
    def hint(self, message_id: int) -> None: ...
    def end(self, code: int, reason: str) -> None: ...
    def resync(self) -> None: ...


class HubUnavailable(RuntimeError):
    """No NATS connection: a socket could not see live frames, so it is not opened."""


class LiveHub:
    def __init__(self, nats_url: str, name: str, connect_wait_seconds: float = 2.0) -> None:
        self.nats_url = nats_url
        self.name = name
        self.connect_wait_seconds = connect_wait_seconds
        self._nc: Client | None = None
        self._ready = asyncio.Event()
        self._listeners: dict[int, set[Listener]] = {}
        self._subs: dict[int, Subscription] = {}
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def run(self) -> None:
        """Connect (retrying until NATS is there), then live until cancelled."""
        delay = 0.2
        while self._nc is None:
            try:
                nc = await nats.connect(self.nats_url, name=f"{self.name}-live", connect_timeout=2,
                                        allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                                        reconnected_cb=self._on_reconnect, error_cb=self._on_error)
                for subject in CONTROL_SUBJECTS:
                    await nc.subscribe(subject, cb=self._on_control)
                self._nc = nc
            except Exception as exc:  # noqa: BLE001 - keep trying whatever the failure
                log.warning("live hub: NATS not reachable yet", extra={"error": repr(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._ready.set()
        try:
            await asyncio.Event().wait()
        finally:
            await self._nc.close()

    async def _on_error(self, exc: Exception) -> None:
        log.debug("live hub NATS error", extra={"error": repr(exc)})

    async def _on_reconnect(self) -> None:
        """Frames published while this link was down are gone: every socket catches up and re-checks."""
        log.info("live hub reconnected; resyncing sockets", extra={"sockets": self.socket_count})
        for listener in self._all():
            listener.resync()

    @property
    def socket_count(self) -> int:
        return sum(len(s) for s in self._listeners.values())

    def _all(self) -> list[Listener]:
        return [listener for group in self._listeners.values() for listener in group]

    async def attach(self, listener: Listener) -> None:
        """From the return on, every frame published for the listener's match reaches it."""
        try:
            await asyncio.wait_for(self._ready.wait(), self.connect_wait_seconds)
        except TimeoutError as exc:
            raise HubUnavailable("live delivery is not connected") from exc
        assert self._nc is not None
        async with self._lock:
            group = self._listeners.setdefault(listener.match_id, set())
            group.add(listener)
            if listener.match_id not in self._subs:
                self._subs[listener.match_id] = await self._nc.subscribe(live_subject(listener.match_id),
                                                                         cb=self._on_live)
                await self._nc.flush(timeout=2)  # the server knows of the subscription before we go on

    async def detach(self, listener: Listener) -> None:
        async with self._lock:
            group = self._listeners.get(listener.match_id)
            if group is None:
                return
            group.discard(listener)
            if not group:
                del self._listeners[listener.match_id]
                sub = self._subs.pop(listener.match_id, None)
                if sub is not None:
                    try:
                        await sub.unsubscribe()
                    except Exception:  # noqa: BLE001 - the connection is gone; so is the subscription
                        pass

    async def publish(self, match_id: int, payload: dict[str, Any]) -> None:
        """Best effort: the message is stored; a socket that misses the frame catches up (see module doc)."""
        if self._nc is None:
            log.warning("live hub not connected; frame not published", extra={"match_id": match_id})
            return
        try:
            await self._nc.publish(live_subject(match_id), json.dumps(payload, ensure_ascii=False).encode())
        except Exception as exc:  # noqa: BLE001
            log.warning("live publish failed", extra={"match_id": match_id, "error": repr(exc)})

    async def _on_live(self, msg: Msg) -> None:
        match_id = int(msg.subject.rsplit(".", 1)[1])
        text = msg.data.decode("utf-8")
        payload = json.loads(text)
        for listener in list(self._listeners.get(match_id, ())):
            listener.offer(payload, text)

    async def _on_control(self, msg: Msg) -> None:
        try:
            envelope = Envelope.model_validate_json(msg.data)
            self.apply(envelope)
        except (ValidationError, ValueError) as exc:
            log.warning("live hub: unreadable event", extra={"subject": msg.subject, "error": repr(exc)})

    def apply(self, envelope: Envelope) -> None:
        """Close the sockets an event ends; point sockets at a message they may have missed."""
        subject = envelope.subject
        if subject == MessageCreatedV1.subject:
            created = MessageCreatedV1.model_validate(envelope.data)
            for listener in list(self._listeners.get(created.match_id, ())):
                listener.hint(created.message_id)
        elif subject == SessionRevokedV1.subject:
            revoked = SessionRevokedV1.model_validate(envelope.data)
            self._end(lambda s: s.user_id == revoked.user_id
                      and (revoked.session_id is None or s.session_id == revoked.session_id),
                      CLOSE_UNAUTHENTICATED, "This session has been logged out.")
        elif subject == UserDeletedV1.subject:
            deleted = UserDeletedV1.model_validate(envelope.data)
            self._end(lambda s: deleted.user_id in s.participants, CLOSE_GONE, "This conversation has ended.")
        elif subject == MatchRemovedV1.subject:
            removed = MatchRemovedV1.model_validate(envelope.data)
            self._end(lambda s: s.match_id == removed.match_id, CLOSE_GONE, "This conversation has ended.")
        elif subject == BlockCreatedV1.subject:
            block = BlockCreatedV1.model_validate(envelope.data)
            pair = {block.blocker_id, block.blocked_id}
            self._end(lambda s: s.match_id == block.match_id or set(s.participants) == pair,
                      CLOSE_GONE, "This conversation has ended.")

    def _end(self, which, code: int, reason: str) -> None:
        for listener in self._all():
            if which(listener):
                listener.end(code, reason)
