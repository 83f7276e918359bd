from __future__ import annotations

from numeros_common.settings import ServiceSettings


class ChatSettings(ServiceSettings):
    service_name: str = "chat"
    http_port: int = 8103
    # How long an unknown match id is polled for before a 404 (matching's event may still be in flight).
    match_wait_seconds: float = 3.0
    # Messages a user may send over WebSocket per minute (REST posts count against rate_limit_per_minute).
    ws_messages_per_minute: int = 60
