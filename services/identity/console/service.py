"""The console's use-cases. Each admin action writes its audit row in the transaction of the change
(added before the action commits), so a change is never stored without its record. An action another
service carries out cannot share its transaction: its row is committed as pending before the call, then
settled (``elsewhere``), so a crash while the other service acts leaves the intent on record."""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..accounts import repository as accounts_repository
from ..accounts import service as accounts_service
from ..admin import service as admin_service
from ..vedic import repository as vedic_repository
from . import repository, sources
from .sources import Caller, Unavailable

ACTIVITY_DAYS = 7


@dataclass(frozen=True)
class Admin:
    id: int
    email: str


def refused() -> AppError:
    return AppError(401, "INVALID_CREDENTIALS", "Email or password is wrong, or the account is not an admin.")


async def sign_in(runtime: Runtime, session: AsyncSession, email: str, password: str) -> Admin:
    """Admins only, and active ones; one message for every refusal, so the form does not tell which. Failed
    passwords spend the account's budget of the API's login (429 when it is spent), so the console is no
    way around it."""
    user = await accounts_repository.find_by_email(session, email)
    ok = await accounts_service.check_password(runtime, email, user["password_hash"] if user else None, password)
    if user is None or not ok or not user["is_admin"] or not user["is_active"]:
        raise refused()
    await accounts_service.forget_failures(runtime, email)
    return Admin(user["id"], user["email"])


async def current_admin(session: AsyncSession, user_id: int) -> Admin | None:
    """The signed-in admin while still an active admin: a revoked role or a deactivation ends the console
    session at its next request."""
    user = await accounts_repository.find_by_id(session, user_id)
    if user is None or not user["is_admin"] or not user["is_active"]:
        return None
    return Admin(user["id"], user["email"])


async def record(session: AsyncSession, admin: Admin, action: str, target_type: str | None = None,
                 target_id: Any = None, **details: Any) -> None:
    await repository.record(session, admin_user_id=admin.id, admin_email=admin.email, action=action,
                            target_type=target_type, target_id=target_id, details=details)


async def record_now(session: AsyncSession, admin: Admin, action: str, **details: Any) -> None:
    """Sign-in and sign-out: an action with nothing else to commit."""
    await record(session, admin, action, "admin", admin.id, **details)
    await session.commit()


async def _gather(label: str, work) -> tuple[str, Any]:
    try:
        return label, await work
    except Unavailable as exc:
        return label, {"unavailable": str(exc)}


async def overview(runtime: Runtime, session: AsyncSession, caller: Caller) -> dict[str, Any]:
    """Each number from its owner: identity's own tables, the leads and reports admin APIs, matching's and
    chat's ``/system/activity``, and the whole-system readiness."""
    people = await repository.registrations(session, dt.datetime.now(dt.UTC).date())
    remote = dict(await asyncio.gather(
        _gather("leads", sources.lead_summary(caller)),
        _gather("reports", sources.list_reports(caller, limit=1, offset=0, status="open")),
        _gather("matching", sources.activity(caller, "matching", ACTIVITY_DAYS)),
        _gather("chat", sources.activity(caller, "chat", ACTIVITY_DAYS)),
    ))
    reports = remote["reports"]
    if isinstance(reports, sources.Page):
        remote["reports"] = {"open": reports.total if reports.total is not None else len(reports.items)}
    ok, readiness = await admin_service.system_readiness(runtime)
    return {"people": people, **remote, "ready": ok, "readiness": readiness}


async def users(session: AsyncSession, query: str, *, limit: int, offset: int) -> tuple[list[RowMapping], int]:
    return await repository.search_users(session, query.strip(), limit=limit, offset=offset)


async def user_detail(session: AsyncSession, caller: Caller, user_id: int) -> dict[str, Any]:
    user = await accounts_repository.find_by_id(session, user_id)
    if user is None:
        raise AppError(404, "USER_NOT_FOUND", "No such user.")
    profiles, _ = await vedic_repository.list_profiles(session, user_id, page=1, per_page=50)
    try:
        reports: Any = await sources.reports_about(caller, user_id)
    except Unavailable as exc:
        reports = {"unavailable": str(exc)}
    return {"user": user, "sessions": await repository.user_sessions(session, user_id),
            "vedic_profiles": profiles, "reports": reports}


async def set_active(runtime: Runtime, session: AsyncSession, admin: Admin, user_id: int, active: bool) -> None:
    """Deactivation ends every session of theirs (their tokens stop working at once)."""
    if user_id == admin.id and not active:
        raise AppError(409, "SELF_DEACTIVATION", "You cannot deactivate your own account here.")
    await record(session, admin, "user.reactivated" if active else "user.deactivated", "user", user_id)
    await sources.update_user(runtime, session, user_id, {"is_active": active})


async def set_admin(runtime: Runtime, session: AsyncSession, admin: Admin, user_id: int, is_admin: bool) -> None:
    if user_id == admin.id and not is_admin:
        raise AppError(409, "SELF_DEMOTION", "You cannot revoke your own admin role.")
    await record(session, admin, "admin.granted" if is_admin else "admin.revoked", "user", user_id)
    await sources.update_user(runtime, session, user_id, {"is_admin": is_admin})


async def set_premium(runtime: Runtime, session: AsyncSession, admin: Admin, user_id: int, premium: bool) -> None:
    await record(session, admin, "premium.granted" if premium else "premium.revoked", "user", user_id)
    await sources.update_user(runtime, session, user_id, {"tier": "premium" if premium else "standard"})


async def reset_cache(runtime: Runtime, session: AsyncSession, admin: Admin, profile_id: int | None) -> tuple[int, int]:
    """One profile's Vedic cache or all of it, through the admin domain's resets (which commit this row)."""
    if profile_id is None:
        await record(session, admin, "cache.reset_all", "cache", "all")
        return await admin_service.reset_all(runtime, session)
    await record(session, admin, "cache.reset_profile", "vedic_profile", profile_id)
    return await admin_service.reset_profile(runtime, session, profile_id)


async def leads(caller: Caller, *, verified: bool | None, since: dt.date | None, until: dt.date | None,
                limit: int, offset: int) -> sources.Page:
    return await sources.list_leads(caller, verified=verified, since=since, until=until, limit=limit, offset=offset)


async def leads_csv(caller: Caller, *, verified: bool | None, since: dt.date | None, until: dt.date | None) -> str:
    return await sources.leads_csv(caller, verified=verified, since=since, until=until)


async def reports(caller: Caller, *, limit: int, offset: int) -> sources.Page:
    """Matching's queue, newest first."""
    return await sources.list_reports(caller, limit=limit, offset=offset)


async def report(session: AsyncSession, caller: Caller, report_id: int) -> dict[str, Any]:
    """The report and both people's accounts."""
    found = await sources.get_report(caller, report_id)
    people = {role: await accounts_repository.find_by_id(session, found[key])
              for role, key in (("reporter", "reporter_id"), ("reported", "reported_id"))
              if isinstance(found.get(key), int)}
    return {"report": found, "people": people}


async def elsewhere(session: AsyncSession, admin: Admin, action: str, target_type: str, target_id: int,
                    call: Callable[[], Awaitable[dict[str, Any]]],
                    learned: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Runs ``call`` (another service's action) between its audit row committed as pending and that row
    settled: done with what ``learned`` takes from the answer, or failed with the error. Cancelled (the
    process stopping), the row stays pending: asked, outcome unknown."""
    record_id = await repository.record(session, admin_user_id=admin.id, admin_email=admin.email, action=action,
                                        target_type=target_type, target_id=target_id, status="pending")
    await session.commit()
    try:
        answer = await call()
    except Exception as exc:
        await repository.settle(session, record_id, "failed", {"error": getattr(exc, "message", None) or str(exc)})
        await session.commit()
        raise
    await repository.settle(session, record_id, "done", learned(answer))
    await session.commit()
    return answer


async def verify_lead(session: AsyncSession, caller: Caller, admin: Admin, lead_id: int) -> dict[str, Any]:
    return await elsewhere(session, admin, "lead.verified", "lead", lead_id,
                           lambda: sources.verify_lead(caller, lead_id),
                           lambda lead: {"phone_number": lead.get("phone_number")})


async def dismiss_report(session: AsyncSession, caller: Caller, admin: Admin, report_id: int) -> None:
    await elsewhere(session, admin, "report.dismissed", "report", report_id,
                    lambda: sources.dismiss_report(caller, report_id), lambda _: {})


async def ban(session: AsyncSession, caller: Caller, admin: Admin, report_id: int) -> dict[str, Any]:
    """Matching settles the report (and every open one about the person) as banned, and has identity
    deactivate them: their sessions end, and they leave scan and match lists."""
    return await elsewhere(session, admin, "report.banned", "report", report_id,
                           lambda: sources.ban_reported(caller, report_id),
                           lambda report: {"reported_id": report.get("reported_id")})


async def audit_log(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[RowMapping], int]:
    return await repository.audit_page(session, limit=limit, offset=offset)
