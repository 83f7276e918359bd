"""What a push notification says. Real push providers come later; today the consumer logs and
records each notification, so only the wording lives here."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PushNotification:
    user_id: int
    kind: str  # 'match' | 'message'
    title: str
    body: str


def for_match(user_ids: tuple[int, int] | list[int]) -> list[PushNotification]:
    return [PushNotification(user_id=u, kind="match", title="It's a match!",
                             body="Your numbers align. Say hello and start the conversation.")
            for u in dict.fromkeys(user_ids)]


def for_message(recipient_id: int, preview: str) -> list[PushNotification]:
    return [PushNotification(user_id=recipient_id, kind="message", title="New message", body=preview)]
