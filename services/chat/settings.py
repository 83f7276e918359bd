from __future__ import annotations

from pathlib import Path

from pydantic import Field

from numeros_common.settings import ServiceSettings


class ChatSettings(ServiceSettings):
    service_name: str = "chat"
    http_port: int = 8103
    # How long a match id the caller may not (yet) talk in is polled for before a 404: matching's event may
    # still be in flight. Unknown, someone else's and removed matches all wait this long (same timing).
    match_wait_seconds: float = 3.0
    # Messages a user may send over WebSocket per minute (REST posts count against rate_limit_per_minute).
    ws_messages_per_minute: int = 60
    # Frames waiting for one socket; a client that falls this far behind is disconnected (it resumes).
    ws_queue_frames: int = Field(default=256, ge=8)
    # Push: FCM when a service-account file is set, Web Push when a VAPID key is; else the log provider.
    fcm_credentials_file: Path | None = None
    vapid_private_key_file: Path | None = None
    vapid_subject: str = "mailto:push@numeros.app"
    push_timeout_seconds: float = 10.0
    # Deliveries of a push event before it goes to the dead-letter stream (backoff 2, 4, 8 ... s between).
    push_max_attempts: int = Field(default=5, ge=1)
    # Messages in one conversation within this many seconds make one notification (and share a collapse key).
    push_burst_seconds: float = 60.0
