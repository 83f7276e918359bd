"""Identity events feed the profiles read model. Runs inside the shared DurableConsumer, which
commits the handler's writes together with the inbox row, so each event applies exactly once."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.events.consumer import Handler
from numeros_common.events.outbox import add_event
from numeros_common.events.schemas import (Envelope, MatchRemovedV1, PublicProfile, UserDeletedV1,
                                           UserRegisteredV1, UserUpdatedV1)

from .adapters import matches_repo, profiles_repo
from .adapters.tables import outbox

log = logging.getLogger(__name__)
PROFILE_CONSUMER = "matching-profiles"
PROFILE_SUBJECTS = [UserRegisteredV1.subject, UserUpdatedV1.subject, UserDeletedV1.subject]
USER_DELETED_REASON = "user_deleted"
NATAL_FIELDS = ("chart_level", "sun_sign", "moon_sign", "rising_sign", "key_longitudes")


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _natal_values(data: PublicProfile) -> dict[str, Any]:
    """The natal summary fields the event carries. A producer from before they existed sends none:
    a new profile then gets the column defaults (level 1, no chart) and an existing one keeps what it
    has, so an old identity replica cannot wipe a chart during a rolling deploy. Explicit nulls apply."""
    values = {"chart_level": data.chart_level, "sun_sign": data.sun_sign, "moon_sign": data.moon_sign,
              "rising_sign": data.rising_sign,
              "key_longitudes": data.key_longitudes.model_dump(mode="json") if data.key_longitudes else None}
    return {name: values[name] for name in NATAL_FIELDS if name in data.model_fields_set}


def profile_event_handler(producer: str) -> Handler:
    """The handler for PROFILE_SUBJECTS; events it emits are signed with ``producer``."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        await apply_profile_event(session, envelope, producer)

    return handle


async def apply_profile_event(session: AsyncSession, envelope: Envelope, producer: str) -> None:
    occurred_at = _aware(envelope.occurred_at)
    if envelope.subject in (UserRegisteredV1.subject, UserUpdatedV1.subject):
        model = UserRegisteredV1 if envelope.subject == UserRegisteredV1.subject else UserUpdatedV1
        data = envelope.parse(model)
        applied = await profiles_repo.upsert_profile(session, user_id=data.user_id, as_of=occurred_at, values={
            "display_name": data.display_name, "birth_date": data.birth_date, "photos": list(data.photos),
            "bio": data.bio, "numerology": data.numerology.model_dump(mode="json"), **_natal_values(data)})
        if not applied:
            log.info("stale profile event skipped", extra={"event_id": str(envelope.id), "user_id": data.user_id})
    elif envelope.subject == UserDeletedV1.subject:
        data = envelope.parse(UserDeletedV1)
        await profiles_repo.mark_deleted(session, user_id=data.user_id, at=occurred_at)
        for row in await matches_repo.remove_for_user(session, data.user_id):
            await add_event(session, outbox, producer, MatchRemovedV1(
                match_id=row["id"], user_ids=(row["user1_id"], row["user2_id"]), reason=USER_DELETED_REASON))
        # The relay publishes these on its next poll (outbox_poll_seconds).
    else:
        log.warning("unexpected subject on profile consumer", extra={"subject": envelope.subject})
