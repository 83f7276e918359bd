"""identity.user.deleted: the person's messages are erased (their conversations end with them)."""
from __future__ import annotations

from numeros_common.events.schemas import UserDeletedV1

from .service import erase_messages

ERASURE_CONSUMER = "chat-messages-erasure"
ERASURE_SUBJECTS = [UserDeletedV1.subject]
HANDLER = erase_messages
