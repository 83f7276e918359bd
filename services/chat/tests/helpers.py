"""Helpers for chat's integration tests: real matching events on JetStream, waits, DB reads."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import nats
from sqlalchemy import select

from numeros_common.events.schemas import Envelope, MatchCreatedV1, MatchRemovedV1
from numeros_common.events.streams import ensure_streams
from numeros_common.testing import eventually as wait_until


def new_id() -> int:
    """Unique per test run and per test: the database is shared by the whole session."""
    return secrets.randbelow(2**53) + 1


def match_created(match_id: int, user_ids: tuple[int, int]) -> Envelope:
    return Envelope.wrap("matching", MatchCreatedV1(match_id=match_id, user_ids=user_ids,
                                                    created_at=dt.datetime.now(dt.UTC)))


def match_removed(match_id: int, user_ids: tuple[int, int]) -> Envelope:
    return Envelope.wrap("matching", MatchRemovedV1(match_id=match_id, user_ids=user_ids, reason="unmatch"))


async def publish(nats_url: str, *envelopes: Envelope, msg_id: str | None = None) -> None:
    """Publish as matching's outbox relay would (Nats-Msg-Id = event id unless overridden)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream(timeout=5)
        await ensure_streams(js)
        for envelope in envelopes:
            await js.publish(envelope.subject, envelope.model_dump_json().encode(),
                             headers={"Nats-Msg-Id": msg_id or str(envelope.id)})
    finally:
        await nc.close()


async def eventually(probe: Callable[[], Awaitable[Any]], timeout: float = 45.0, what: str = "condition") -> Any:
    """Usually milliseconds; the generous default covers a JetStream redelivery (ack_wait 30 s) should
    an event reach a consumer of an app that was shutting down."""
    return await wait_until(probe, timeout=timeout, what=what)


async def fetch_all(app, query) -> list[Any]:
    async with app.state.runtime.sessions() as session:
        return list((await session.execute(query)).mappings().all())


async def match_row(app, match_id: int):
    from services.chat.matches.tables import matches

    rows = await fetch_all(app, select(matches).where(matches.c.match_id == match_id))
    return rows[0] if rows else None


async def create_match(app, nats_url: str, users: tuple[int, int] | None = None) -> tuple[int, int, int]:
    """A match chat knows about: publish matching.match.created and wait for the read model."""
    match_id = new_id()
    user_a, user_b = users or (new_id(), new_id())
    await publish(nats_url, match_created(match_id, (user_a, user_b)))
    await eventually(lambda: match_row(app, match_id), what=f"match {match_id} in chat's read model")
    return match_id, user_a, user_b


def auth(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}

