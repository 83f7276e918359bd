"""identity.user.* events into the profiles read model. Runs inside the shared DurableConsumer, which
commits the handler's writes together with the inbox row, so each event applies exactly once."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.events.consumer import Handler
from numeros_common.events.schemas import Envelope, UserDeletedV1, UserRegisteredV1, UserUpdatedV1

from .service import apply_profile_event

PROFILE_CONSUMER = "matching-profiles"
PROFILE_SUBJECTS = [UserRegisteredV1.subject, UserUpdatedV1.subject, UserDeletedV1.subject]


def profile_event_handler(producer: str) -> Handler:
    """The handler for PROFILE_SUBJECTS; events it emits are signed with ``producer``."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        await apply_profile_event(session, envelope, producer)

    return handle
