"""The push consumer: new matches and messages become notifications."""
from __future__ import annotations

from numeros_common.events.schemas import MatchCreatedV1, MessageCreatedV1

from .service import push_for_event

PUSH_CONSUMER = "chat-push"
PUSH_SUBJECTS = [MatchCreatedV1.subject, MessageCreatedV1.subject]
HANDLER = push_for_event
