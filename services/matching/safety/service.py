"""Use-cases of safety: block (which also unmatches), unblock, report, and the admin review of
reports (dismiss, or ban: identity deactivates the account)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.events.outbox import OutboxRelay, add_event
from numeros_common.events.schemas import BlockCreatedV1

from ..database import outbox
from ..matches import service as matches_service
from ..profiles import repository as profiles_repo
from ..profiles import service as profiles_service
from ..profiles.rules import is_live
from . import repository
from .accounts import IdentityAdmin
from .rules import BANNED, BLOCKED_REASON, DISMISSED


@dataclass(frozen=True)
class Events:
    producer: str
    relay: OutboxRelay | None = None


def _self(field: str, message: str) -> AppError:
    return AppError(409, "SELF_TARGET", message, field=field)


async def _require_known(session: AsyncSession, user_id: int) -> None:
    """The other person must be someone this service knows (deactivated people included)."""
    if not is_live((await profiles_repo.get_profiles(session, [user_id])).get(user_id)):
        raise AppError(404, "USER_NOT_FOUND", "No such user.", field="user_id")


async def block(session: AsyncSession, events: Events, blocker: int, blocked: int) -> tuple[RowMapping, bool]:
    """Block ``blocked`` (idempotent): their match ends (matching.match.removed), matching.block.created
    tells chat to close the conversation, and neither sees the other again. Returns the block and
    whether it is new. Under the pair's lock, so a resonance at the same instant cannot match them."""
    if blocker == blocked:
        raise _self("user_id", "You cannot block yourself.")
    async with session.begin():
        await matches_service.lock_pair(session, blocker, blocked)
        await _require_known(session, blocked)
        row = await repository.insert_block(session, blocker, blocked)
        if row is None:
            return await repository.get_block(session, blocker, blocked), False
        match_id = await matches_service.end_pair_match(session, blocker, blocked, BLOCKED_REASON, events.producer)
        await add_event(session, outbox, events.producer,
                        BlockCreatedV1(blocker_id=blocker, blocked_id=blocked, match_id=match_id))
    if events.relay is not None:
        events.relay.wake()
    return row, True


async def list_blocks(session: AsyncSession, blocker: int) -> list[RowMapping]:
    async with session.begin():
        return await repository.list_blocks(session, blocker)


async def unblock(session: AsyncSession, blocker: int, blocked: int) -> None:
    """Lift a block. An ended match stays ended, and a person resonated with stays out of scan."""
    async with session.begin():
        if not await repository.delete_block(session, blocker, blocked):
            raise AppError(404, "BLOCK_NOT_FOUND", "You have not blocked this user.", field="user_id")


async def report(session: AsyncSession, reporter: int, reported: int, reason: str, details: str) -> RowMapping:
    """A new report; the same report again while it is open (a retried request) is that report, not a
    second one in the moderators' queue. Under the pair's lock, so two at once cannot both insert."""
    if reporter == reported:
        raise _self("user_id", "You cannot report yourself.")
    async with session.begin():
        await matches_service.lock_pair(session, reporter, reported)
        await _require_known(session, reported)
        found = await repository.open_report(session, reporter, reported, reason, details)
        return found or await repository.insert_report(session, reporter, reported, reason, details)


def _report_not_found() -> AppError:
    return AppError(404, "REPORT_NOT_FOUND", "No such report.", field="report_id")


async def list_reports(session: AsyncSession, *, status: str | None, limit: int,
                       offset: int) -> tuple[list[RowMapping], int]:
    async with session.begin():
        return await repository.list_reports(session, status=status, limit=limit, offset=offset)


async def get_report(session: AsyncSession, report_id: int) -> RowMapping:
    async with session.begin():
        row = await repository.get_report(session, report_id)
    if row is None:
        raise _report_not_found()
    return row


async def dismiss(session: AsyncSession, report_id: int, admin_id: int) -> RowMapping:
    await get_report(session, report_id)
    async with session.begin():
        await repository.review(session, report_id, DISMISSED, admin_id)
    return await get_report(session, report_id)


async def ban(session: AsyncSession, identity: IdentityAdmin, report_id: int, admin_id: int, authorization: str,
              request_id: str | None = None) -> RowMapping:
    """Deactivate the reported account in identity (with the admin's own token), then settle every open
    report about them. The person leaves scan and match lists at once here; identity's
    identity.user.updated (active=false) confirms it and reaches the other services."""
    reported = (await get_report(session, report_id))["reported_id"]
    await identity.deactivate(reported, authorization, request_id)
    async with session.begin():
        await repository.review(session, report_id, BANNED, admin_id)
        await repository.ban_open_reports(session, reported, admin_id)
        await profiles_service.deactivate(session, reported)
    return await get_report(session, report_id)
