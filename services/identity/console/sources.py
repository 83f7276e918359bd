"""The console's one seam to everything it does not own: leads and OTP (identity's leads admin API),
reports (matching's admin API), activity and dead letters (each service's ``/system/activity``), and
account changes (the admin API's use-case), so the console's pages never reach into another domain.

Other services are called over HTTP as the signed-in admin, with a one-minute admin token minted for that
admin, so their own checks apply. Leads are read through identity's own admin API, in-process."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..accounts.tokens import issue_access_token
from ..admin import service as admin_service

LEADS = "/api/v1/admin/leads"
REPORTS = "/api/v1/admin/reports"
ACTIVITY = "/system/activity"
TOKEN_SECONDS = 60


class Unavailable(Exception):
    """A source is not there (not deployed yet, down, or refusing): the page says so and shows the rest."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int | None


@dataclass
class Caller:
    runtime: Runtime
    identity_app: Any  # identity's own ASGI app: its leads admin API, called in-process
    admin_id: int
    console_session_id: str

    def _headers(self) -> dict[str, str]:
        settings = self.runtime.settings
        token = issue_access_token(self.runtime.state["jwt_private_key"], user_id=self.admin_id,
                                   session_id=f"console-{self.console_session_id[:32]}", is_admin=True,
                                   now=dt.datetime.now(dt.UTC), ttl_seconds=TOKEN_SECONDS,
                                   issuer=settings.jwt_issuer, audience=settings.jwt_audience)
        return {"Authorization": f"Bearer {token}"}

    def _client(self, service: str) -> httpx.AsyncClient:
        if service == "identity":
            return httpx.AsyncClient(transport=httpx.ASGITransport(self.identity_app), base_url="http://identity",
                                     timeout=5.0)
        return httpx.AsyncClient(base_url=getattr(self.runtime.settings, f"{service}_url"), timeout=5.0)

    async def call(self, service: str, method: str, path: str, *, params: dict[str, Any] | None = None,
                   missing: str = "unavailable", accept: str = "application/json") -> httpx.Response:
        """The reply when it succeeded; ``missing="not_found"`` turns a 404 into an unknown-item 404."""
        try:
            async with self._client(service) as client:
                reply = await client.request(method, path, params={k: v for k, v in (params or {}).items()
                                                                   if v is not None},
                                             headers={**self._headers(), "Accept": accept})
        except httpx.HTTPError as exc:
            raise Unavailable(f"{service} did not answer ({type(exc).__name__})") from exc
        if reply.status_code == 404 and missing == "not_found":
            raise AppError(404, "NOT_FOUND", "No such item.")
        if reply.status_code >= 400:
            raise Unavailable(f"{service} {method} {path} answered {reply.status_code}")
        return reply


def _items(body: Any) -> Page:
    """A list reply, whichever of the usual shapes it has: a bare list or ``{items|leads|reports|results}``."""
    if isinstance(body, list):
        return Page(body, None)
    for key in ("items", "leads", "reports", "results", "data"):
        if isinstance(body.get(key), list):
            total = body.get("total", body.get("count"))
            return Page(body[key], total if isinstance(total, int) else None)
    return Page([], None)


# Leads and OTP (identity's leads domain).

def _lead_params(verified: bool | None, since: dt.date | None, until: dt.date | None) -> dict[str, Any]:
    return {"verified": None if verified is None else str(verified).lower(),
            "date_from": since.isoformat() if since else None, "date_to": until.isoformat() if until else None}


async def list_leads(caller: Caller, *, verified: bool | None, since: dt.date | None, until: dt.date | None,
                     limit: int, offset: int) -> Page:
    reply = await caller.call("identity", "GET", LEADS, params={**_lead_params(verified, since, until),
                                                                "limit": limit, "offset": offset})
    return _items(reply.json())


async def leads_csv(caller: Caller, *, verified: bool | None, since: dt.date | None, until: dt.date | None) -> str:
    reply = await caller.call("identity", "GET", LEADS, params={**_lead_params(verified, since, until),
                                                                "format": "csv"}, accept="text/csv")
    return reply.text


async def verify_lead(caller: Caller, lead_id: int) -> dict[str, Any]:
    return (await caller.call("identity", "POST", f"{LEADS}/{lead_id}/verify", missing="not_found")).json()


async def lead_summary(caller: Caller) -> dict[str, Any]:
    """Leads in all, converted (verified), and the OTP verification rate they give."""
    everyone = await list_leads(caller, verified=None, since=None, until=None, limit=1, offset=0)
    verified = await list_leads(caller, verified=True, since=None, until=None, limit=1, offset=0)
    total, converted = everyone.total, verified.total
    rate = (converted / total) if total and converted is not None else None
    return {"leads": total, "converted": converted, "verification_rate": rate}


# Reports (matching's admin API: reports newest first, each with ``reporter_id`` and ``reported_user``).

def _report(raw: dict[str, Any]) -> dict[str, Any]:
    reported = raw.get("reported_user") or {}
    return {**raw, "reported_id": raw.get("reported_id", reported.get("id"))}


async def list_reports(caller: Caller, *, limit: int, offset: int, status: str | None = None) -> Page:
    reply = await caller.call("matching", "GET", REPORTS, params={"limit": limit, "offset": offset, "status": status})
    page = _items(reply.json())
    return Page([_report(r) for r in page.items], page.total)


async def reports_about(caller: Caller, user_id: int, newest: int = 200) -> list[dict[str, Any]]:
    """Reports by or about one person among the newest ``newest``."""
    page = await list_reports(caller, limit=newest, offset=0)
    return [r for r in page.items if user_id in (r.get("reported_id"), r.get("reporter_id"))]


async def get_report(caller: Caller, report_id: int) -> dict[str, Any]:
    return _report((await caller.call("matching", "GET", f"{REPORTS}/{report_id}", missing="not_found")).json())


async def dismiss_report(caller: Caller, report_id: int) -> dict[str, Any]:
    reply = await caller.call("matching", "POST", f"{REPORTS}/{report_id}/dismiss", missing="not_found")
    return _report(reply.json())


async def ban_reported(caller: Caller, report_id: int) -> dict[str, Any]:
    """Matching settles the report and has identity deactivate the person (with this admin's token)."""
    reply = await caller.call("matching", "POST", f"{REPORTS}/{report_id}/ban", missing="not_found")
    return _report(reply.json())


# Activity and dead letters (each service's own /system/activity).

async def activity(caller: Caller, service: str, days: int) -> dict[str, Any]:
    return (await caller.call(service, "GET", ACTIVITY, params={"days": days})).json()


# Account changes: the admin API's own use-case (deactivation revokes every session and tells discovery).

async def update_user(runtime: Runtime, session: AsyncSession, user_id: int, changes: dict[str, Any]) -> None:
    """Commits, with whatever the caller added to the transaction (the audit row); 404 for no such user."""
    await admin_service.update_user(runtime, session, user_id, changes)
