"""The push consumers: new matches and messages become notifications; a deleted person's devices go."""
from __future__ import annotations

from numeros_common.events.schemas import MatchCreatedV1, MessageCreatedV1, UserDeletedV1

from .service import PushDispatcher, erase_person

PUSH_CONSUMER = "chat-push"
PUSH_SUBJECTS = [MatchCreatedV1.subject, MessageCreatedV1.subject]
DISPATCHER = PushDispatcher  # built with the runtime: it needs the providers and Redis presence
ERASURE_CONSUMER = "chat-push-erasure"
ERASURE_SUBJECTS = [UserDeletedV1.subject]
ERASURE_HANDLER = erase_person
