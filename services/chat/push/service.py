"""Push use-cases: devices, notification settings, and notifying the people an event concerns.

The consumer's handler runs inside the DurableConsumer's transaction with its inbox row. Deliveries to
devices are committed one by one in their own transactions, so when one device fails and the event is
redelivered (backoff 2, 4, 8 ... s; after ``push_max_attempts`` it becomes a dead letter) the devices it
already reached are skipped. A device the provider calls dead is removed at once."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.events.schemas import Envelope, MatchCreatedV1, MessageCreatedV1, UserDeletedV1
from numeros_common.metrics import PUSH_FAILED, PUSH_SENT
from numeros_common.runtime import Runtime

from ..messages.presence import presence_of
from . import repository, rules
from .providers import DeadToken, Device, Providers, Push

log = logging.getLogger("numeros.chat.push")
PROVIDERS = "push-providers"  # runtime.state key


class PushFailed(RuntimeError):
    """Some device could not be reached this time: the event is delivered again later."""


def providers_of(runtime: Runtime) -> Providers:
    return runtime.state[PROVIDERS]


async def register_device(runtime: Runtime, *, user_id: int, platform: str, address: str,
                          keys: dict[str, str] | None) -> Any:
    async with runtime.sessions() as session, session.begin():
        return await repository.upsert_device(session, user_id=user_id, platform=platform, address=address, keys=keys)


async def remove_device(runtime: Runtime, *, user_id: int, device_id: int) -> None:
    async with runtime.sessions() as session, session.begin():
        if not await repository.delete_device(session, device_id=device_id, user_id=user_id):
            raise AppError(404, "DEVICE_NOT_FOUND", "No such device.")


async def get_settings(runtime: Runtime, user_id: int) -> dict[str, Any]:
    async with runtime.sessions() as session:
        return await repository.get_settings(session, user_id)


async def update_settings(runtime: Runtime, user_id: int, changes: dict[str, bool]) -> dict[str, Any]:
    async with runtime.sessions() as session, session.begin():
        return await repository.update_settings(session, user_id, changes)


def web_push_key(runtime: Runtime) -> str:
    key = providers_of(runtime).web_push_key
    if key is None:
        raise AppError(404, "WEB_PUSH_NOT_CONFIGURED", "Web Push is not configured on this server.")
    return key


BATCH = "push-batch"  # session.info key: what prepare read for the transaction's events, and its log rows


@dataclass
class Batch:
    settings: dict[int, dict[str, Any]] = field(default_factory=dict)  # each person's, read once
    present: dict[tuple[int, int], bool] = field(default_factory=dict)  # (match, person): looking at it
    log: list[dict[str, Any]] = field(default_factory=list)  # push_notifications rows not yet written


class PushDispatcher:
    """The push consumer's handler: new matches and messages become notifications. The consumer calls
    ``prepare`` with a transaction's events (their people's settings in one query, their presence in one
    Redis round trip) and ``finish`` after them (the log rows in one INSERT)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def prepare(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        batch = session.info[BATCH] = Batch()
        people: set[int] = set()
        looking: set[tuple[int, int]] = set()
        for envelope in envelopes:
            if envelope.subject == MatchCreatedV1.subject:
                people.update(MatchCreatedV1.model_validate(envelope.data).user_ids)
            elif envelope.subject == MessageCreatedV1.subject:
                message = MessageCreatedV1.model_validate(envelope.data)
                people.add(message.recipient_id)
                looking.add((message.match_id, message.recipient_id))
        batch.settings.update(await repository.settings_of(session, people))
        batch.present.update(await presence_of(self.runtime, looking))

    async def finish(self, session: AsyncSession) -> None:
        await self._write_log(session, session.info.pop(BATCH))

    async def __call__(self, session: AsyncSession, envelope: Envelope) -> None:
        alone = BATCH not in session.info  # called without the consumer's prepare and finish
        if alone:
            await self.prepare(session, [envelope])
        batch: Batch = session.info[BATCH]
        if envelope.subject == MatchCreatedV1.subject:
            created = MatchCreatedV1.model_validate(envelope.data)
            notes = rules.for_match(created.match_id, created.user_ids)
        elif envelope.subject == MessageCreatedV1.subject:
            message = MessageCreatedV1.model_validate(envelope.data)
            notes = rules.for_message(message.match_id, message.message_id, message.recipient_id, message.preview,
                                      show_preview=batch.settings[message.recipient_id]["message_previews"])
        else:
            notes = []
        failures: list[Exception] = []
        for note in notes:
            wanted = batch.settings[note.user_id]
            if not wanted["new_matches" if note.kind == "match" else "new_messages"]:
                status = "off"
            elif note.kind == "message" and batch.present[(note.match_id, note.user_id)]:
                status = "open"  # they are looking at the conversation
            elif note.kind == "message" and await self._pushed_recently(session, batch, note):
                status = "collapsed"  # the burst's first notification stands for it
            else:
                status = await self._deliver(session, envelope, note, failures)
            batch.log.append({"event_id": envelope.id, "user_id": note.user_id, "kind": note.kind,
                              "title": note.title, "body": note.body, "match_id": note.match_id, "status": status})
        if failures:
            raise PushFailed(f"{len(failures)} device(s) not reached: {failures[0]!r}")
        if alone:
            await self.finish(session)

    async def _pushed_recently(self, session: AsyncSession, batch: Batch, note: rules.PushNotification) -> bool:
        await self._write_log(session, batch)  # the burst may have begun earlier in this transaction
        return await repository.pushed_recently(session, user_id=note.user_id, match_id=note.match_id,
                                                since_seconds=self.runtime.settings.push_burst_seconds)

    @staticmethod
    async def _write_log(session: AsyncSession, batch: Batch) -> None:
        if batch.log:
            await repository.record_pushes(session, batch.log)
            batch.log.clear()

    async def _deliver(self, session: AsyncSession, envelope: Envelope, note: rules.PushNotification,
                       failures: list[Exception]) -> str:
        providers = providers_of(self.runtime)
        push = Push(user_id=note.user_id, title=note.title, body=note.body, collapse_key=note.collapse_key,
                    data=note.data)
        devices = await repository.devices_of(session, note.user_id)
        if not devices:
            await providers.fallback.send(None, push)
            PUSH_SENT.labels(note.kind).inc()
            return "logged"
        done = await repository.delivered_devices(session, envelope.id)
        for row in devices:
            if row["id"] in done:
                continue
            device = Device(id=row["id"], user_id=row["user_id"], platform=row["platform"], address=row["address"],
                            keys=row["keys"])
            provider = providers.for_platform(device.platform)
            try:
                await provider.send(device, push)
            except DeadToken as exc:
                log.info("dead push token removed", extra={"device_id": device.id, "provider": provider.name,
                                                           "reason": str(exc)})
                await self._committed(repository.delete_device, device_id=device.id)
                continue
            except Exception as exc:  # noqa: BLE001 - retried with the event
                PUSH_FAILED.labels(note.kind).inc()
                log.warning("push failed", extra={"device_id": device.id, "provider": provider.name,
                                                  "error": repr(exc)})
                failures.append(exc)
                continue
            PUSH_SENT.labels(note.kind).inc()
            await self._committed(repository.record_delivery, envelope.id, device.id)
        return "sent"

    async def _committed(self, write, *args, **kwargs) -> None:
        """Outside the event's transaction: it holds even if the event is retried."""
        async with self.runtime.sessions() as session, session.begin():
            await write(session, *args, **kwargs)


async def erase_person(session: AsyncSession, envelope: Envelope) -> None:
    """identity.user.deleted: their devices, settings and push log go with them."""
    await repository.erase_user(session, UserDeletedV1.model_validate(envelope.data).user_id)
