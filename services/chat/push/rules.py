"""What a push notification says and how bursts collapse: wording only, no I/O."""
from __future__ import annotations

from dataclasses import dataclass

PLATFORMS = ("ios", "android", "web")


@dataclass(frozen=True)
class PushNotification:
    user_id: int
    kind: str  # 'match' | 'message'
    title: str
    body: str
    match_id: int
    collapse_key: str
    data: dict[str, str]


def for_match(match_id: int, user_ids: tuple[int, int] | list[int]) -> list[PushNotification]:
    return [PushNotification(user_id=u, kind="match", title="It's a match!",
                             body="Your numbers align. Say hello and start the conversation.", match_id=match_id,
                             collapse_key=f"match-{match_id}", data={"type": "match", "match_id": str(match_id)})
            for u in dict.fromkeys(user_ids)]


def for_message(match_id: int, message_id: int, recipient_id: int, preview: str,
                show_preview: bool = True) -> list[PushNotification]:
    """One collapse key per conversation: a burst of messages replaces one notification, not stacks up."""
    return [PushNotification(user_id=recipient_id, kind="message", title="New message",
                             body=preview if show_preview else "You have a new message.", match_id=match_id,
                             collapse_key=f"chat-{match_id}",
                             data={"type": "message", "match_id": str(match_id), "message_id": str(message_id)})]
