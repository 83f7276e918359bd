"""Dead letters: an event a consumer could not apply after its last delivery (or could not even parse) is
kept in the ``DEADLETTER`` stream as ``deadletter.<consumer>.<original subject>`` with its payload, its
headers and the reason, counted in ``numeros_dead_letters_total{consumer}``, and can be replayed once the
cause is fixed (``python -m services.<svc> replay-dead-letters``).

A replayed event goes back to its original subject with a fresh ``Nats-Msg-Id`` (the old one may still be
in the duplicate window) and ``Numeros-Replay-For: <consumer>``: every other consumer of that subject
already applied it and skips it, whatever its inbox still remembers."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from ..metrics import DEAD_LETTERS

log = logging.getLogger(__name__)

STREAM = "DEADLETTER"
SUBJECT_PREFIX = "deadletter"
REASON_HEADER = "Numeros-Dead-Letter-Reason"
CONSUMER_HEADER = "Numeros-Dead-Letter-Consumer"
SUBJECT_HEADER = "Numeros-Dead-Letter-Subject"
DELIVERIES_HEADER = "Numeros-Dead-Letter-Deliveries"
REPLAY_FOR_HEADER = "Numeros-Replay-For"
_NOT_COPIED = ("Nats-Msg-Id", "Nats-Expected-Stream", "Nats-Expected-Last-Sequence",
               "Nats-Expected-Last-Subject-Sequence", "Nats-Expected-Last-Msg-Id")



def stream_config(duplicate_window: float) -> StreamConfig:
    """Kept until replayed (no age limit): a dead letter is an operator's to-do, not a cache."""
    return StreamConfig(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"], storage=StorageType.FILE,
                        duplicate_window=duplicate_window)


def dead_letter_subject(consumer: str, subject: str) -> str:
    return f"{SUBJECT_PREFIX}.{consumer}.{subject}"


async def dead_letter(js: JetStreamContext, msg: Msg, consumer: str, reason: str) -> None:
    """Store ``msg`` as a dead letter of ``consumer``; returns once JetStream acknowledged it (raises if not).
    The message id is the original's stream sequence, so storing it again after a crash counts once."""
    meta = msg.metadata
    origin = f"{meta.stream}:{meta.sequence.stream}" if meta else uuid.uuid4().hex
    headers = {k: v for k, v in (msg.headers or {}).items() if k not in _NOT_COPIED}
    headers.update({REASON_HEADER: reason[:1000], CONSUMER_HEADER: consumer, SUBJECT_HEADER: msg.subject,
                    DELIVERIES_HEADER: str(meta.num_delivered if meta else 0), "Nats-Msg-Id": f"{consumer}:{origin}"})
    ack = await js.publish(dead_letter_subject(consumer, msg.subject), msg.data, headers=headers, timeout=5)
    if not ack.duplicate:
        DEAD_LETTERS.labels(consumer).inc()
    log.error("event dead-lettered", extra={"consumer": consumer, "subject": msg.subject, "reason": reason[:200]})


async def replay_dead_letters(js: JetStreamContext, *, select: Callable[[str], bool] = lambda consumer: True,
                              limit: int | None = None) -> int:
    """Republish the dead letters of the consumers ``select`` accepts, oldest first, each to its original
    subject; a dead letter is removed only after JetStream acknowledged its republication. Returns how many."""
    replayed, seq = 0, 1
    while limit is None or replayed < limit:
        try:
            raw = await js.get_msg(STREAM, seq=seq, subject=f"{SUBJECT_PREFIX}.>", next=True)
        except NotFoundError:
            break
        seq = raw.seq + 1
        headers = dict(raw.headers or {})
        consumer, subject = headers.get(CONSUMER_HEADER), headers.get(SUBJECT_HEADER)
        if not consumer or not subject or not select(consumer):
            continue
        replay = {k: v for k, v in headers.items() if not k.startswith("Numeros-Dead-Letter-") and k not in _NOT_COPIED}
        replay.update({"Nats-Msg-Id": f"replay-{uuid.uuid4()}", REPLAY_FOR_HEADER: consumer})
        await js.publish(subject, raw.data or b"", headers=replay, timeout=5)
        await js.delete_msg(STREAM, raw.seq)
        replayed += 1
        log.info("dead letter replayed", extra={"consumer": consumer, "subject": subject, "seq": raw.seq})
    return replayed


async def count_by_consumer(js: JetStreamContext, consumers: list[str]) -> dict[str, int]:
    """How many dead letters wait for each of ``consumers`` (an operator's to-do list, read by the console)."""
    counts = dict.fromkeys(consumers, 0)
    for consumer in consumers:
        try:
            info = await js.stream_info(STREAM, subjects_filter=f"{SUBJECT_PREFIX}.{consumer}.>")
        except NotFoundError:
            break  # no dead letter was ever stored
        counts[consumer] = sum((info.state.subjects or {}).values())
    return counts
