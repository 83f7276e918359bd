"""JetStream streams, declared once: each producing service owns one stream of its subjects.
File storage, and a duplicate window so the outbox's retries (same Nats-Msg-Id) publish once."""
from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from .deadletter import stream_config as deadletter_stream_config

log = logging.getLogger(__name__)

STREAMS: dict[str, list[str]] = {
    "IDENTITY": ["identity.>"],
    "MATCHING": ["matching.>"],
    "CHAT": ["chat.>"],
}
DUPLICATE_WINDOW_SECONDS = 600.0


def stream_for(subject: str) -> str:
    prefix = subject.split(".", 1)[0]
    for name, subjects in STREAMS.items():
        if any(s.split(".", 1)[0] == prefix for s in subjects):
            return name
    raise KeyError(f"no stream carries subject {subject!r}")


async def ensure_streams(js: JetStreamContext) -> None:
    """Every producer's stream, and the dead-letter stream every consumer writes to."""
    configs = [StreamConfig(name=name, subjects=subjects, storage=StorageType.FILE,
                            duplicate_window=DUPLICATE_WINDOW_SECONDS) for name, subjects in STREAMS.items()]
    for config in [*configs, deadletter_stream_config(DUPLICATE_WINDOW_SECONDS)]:
        name = config.name
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(config)
            log.info("created stream", extra={"stream": name})
        else:
            await js.update_stream(config)
