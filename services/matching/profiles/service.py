"""Use-cases of the profiles read model: apply identity's user events (registration, update,
deletion with its cascade)."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.events.schemas import Envelope, UserDeletedV1, UserRegisteredV1, UserUpdatedV1

from ..discovery import ranking as discovery_service
from ..matches import service as matches_service
from . import repository
from .rules import aware, profile_values, scoring_inputs

log = logging.getLogger(__name__)


async def apply_profile_event(session: AsyncSession, envelope: Envelope, producer: str) -> None:
    """One identity.user.* event; events this emits are signed with ``producer``."""
    occurred_at = aware(envelope.occurred_at)
    if envelope.subject in (UserRegisteredV1.subject, UserUpdatedV1.subject):
        model = UserRegisteredV1 if envelope.subject == UserRegisteredV1.subject else UserUpdatedV1
        data = envelope.parse(model)
        before = scoring_inputs(await repository.lock_profile(session, data.user_id))
        applied = await repository.upsert_profile(session, user_id=data.user_id, as_of=occurred_at,
                                                  values=profile_values(data))
        if not applied:
            log.info("stale profile event skipped", extra={"event_id": str(envelope.id), "user_id": data.user_id})
        elif scoring_inputs(await repository.lock_profile(session, data.user_id)) != before:
            await discovery_service.queue_ranking_change(session, data.user_id)
    elif envelope.subject == UserDeletedV1.subject:
        data = envelope.parse(UserDeletedV1)
        await delete_user(session, data.user_id, occurred_at, producer)
    else:
        log.warning("unexpected subject on profile consumer", extra={"subject": envelope.subject})


async def delete_user(session: AsyncSession, user_id: int, at: dt.datetime, producer: str) -> None:
    """The deletion cascade: the profile is soft-deleted (a tombstone if we never saw the user) and
    every live match of theirs ends, each announced by matching.match.removed in the same transaction."""
    await repository.mark_deleted(session, user_id=user_id, at=at)
    await matches_service.end_matches_of_deleted_user(session, user_id, producer)
    await discovery_service.forget_viewer(session, user_id)


async def deactivate(session: AsyncSession, user_id: int) -> None:
    """Hide a banned user at once, before identity's event says so. ``updated_at`` stays: identity's
    identity.user.updated (active=false), which happened after everything we applied, still applies."""
    await repository.set_inactive(session, user_id)
