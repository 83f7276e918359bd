"""matching.match.* and matching.block.created into the matches read model. Runs inside the
DurableConsumer's transaction, together with its inbox row, so an event applies exactly once however
often JetStream delivers it."""
from __future__ import annotations

from numeros_common.events.schemas import BlockCreatedV1, MatchCreatedV1, MatchRemovedV1

from .service import apply_match_event

MATCHES_CONSUMER = "chat-matches"
MATCHES_SUBJECTS = [MatchCreatedV1.subject, MatchRemovedV1.subject, BlockCreatedV1.subject]
HANDLER = apply_match_event
