"""The console's HTTP edge: HTML pages and plain forms at ``/admin/`` (outside ``/api/v1``, not in the
OpenAPI document). Every POST carries the session's CSRF token; every page needs a live console session of
an active admin; each action answers with a redirect to a page that shows its outcome (POST-redirect-GET)."""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError

from . import service, signin
from .service import Admin
from .signin import ConsoleSession
from .sources import Caller, Unavailable

HERE = Path(__file__).parent
PAGE_SIZE = 25
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix=signin.PATH, include_in_schema=False)
SECURITY_HEADERS = {
    "Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https: data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


class SignInRequired(Exception):
    """No live console session (or no longer an admin): to the sign-in page."""


class BadInput(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Forbidden(Exception):
    """A form without the session's CSRF token."""



class Console:
    """One request's console: the admin, their session, the database session and the other services."""

    def __init__(self, request: Request, db: AsyncSession, session: ConsoleSession, admin: Admin) -> None:
        self.request, self.db, self.session, self.admin = request, db, session, admin
        self.runtime = runtime_of(request)
        self.caller = Caller(self.runtime, request.app, admin.id, session.id)
        self.form: dict[str, Any] = {}

    async def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        flash = await signin.take_flash(self.runtime.redis, self.session.id)
        return render(self.request, template, status, admin=self.admin, csrf=self.session.csrf, flash=flash,
                      **context)

    async def done(self, text: str, to: str, kind: str = "ok") -> RedirectResponse:
        await signin.flash(self.runtime.redis, self.session.id, text, kind)
        return RedirectResponse(to, 303, headers=SECURITY_HEADERS)

    async def act(self, work, text: str, to: str) -> RedirectResponse:
        """Run an action; its outcome, or why it failed, is shown on the page it returns to."""
        try:
            await work
        except AppError as exc:
            return await self.done(exc.message, to, "error")
        except Unavailable as exc:
            return await self.done(f"Not done: {exc}", to, "error")
        return await self.done(text, to)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"page": template.removesuffix(".html"), **context},
                                      status_code=status, headers=SECURITY_HEADERS)


async def signed_in(request: Request, db: AsyncSession = Depends(db_session)) -> Console:
    runtime = runtime_of(request)
    settings = runtime.settings
    token = request.cookies.get(signin.COOKIE)
    session = await signin.load(runtime.redis, token, settings.console_idle_seconds, settings.console_max_age_seconds)
    admin = await service.current_admin(db, session.user_id) if session else None
    if session is None or admin is None:
        await signin.end(runtime.redis, token)
        raise SignInRequired()
    return Console(request, db, session, admin)


async def acting(request: Request, console: Console = Depends(signed_in)) -> Console:
    """A form post: only with the session's CSRF token (a page of another site cannot read it)."""
    form = await request.form()
    if not signin.same_token(console.session.csrf, form.get("csrf_token")):
        raise Forbidden()
    console.form = {key: value for key, value in form.items() if isinstance(value, str)}
    return console


DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", which int() refuses


def number(value: str | None, field: str, *, default: int | None = None, minimum: int = 1) -> int:
    if value is None or value == "":
        if default is None:
            raise BadInput(field, f"{field} is required.")
        return default
    if not DIGITS.fullmatch(value.strip()) or not minimum <= int(value) <= 2**63 - 1:
        raise BadInput(field, f"{field} must be a whole number of at least {minimum}.")
    return int(value)


def day(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(field, f"{field} must be a date (YYYY-MM-DD).") from None


def pages(request: Request, total: int | None, page: int, shown: int) -> dict[str, Any]:
    """Links to the previous and next page that keep the other query parameters."""
    def link(n: int) -> str:
        return "?" + urlencode({**request.query_params, "page": n})

    last = math.ceil(total / PAGE_SIZE) if total is not None else None
    more = (page < last) if last is not None else shown == PAGE_SIZE
    return {"page": page, "last": last, "total": total, "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if more else None}


def safe_next(value: str | None) -> str:
    """Only back into the console (never another site)."""
    if value and value.startswith(signin.PATH) and not value.startswith("//") and "\\" not in value:
        return value
    return f"{signin.PATH}/"


# Sign-in and sign-out.

@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    token = signin.new_token()
    response = render(request, "login.html", signin_token=token, next=safe_next(next))
    _cookie(request, response, signin.LOGIN_COOKIE, token, max_age=3600)
    return response


@router.post("/login")
async def login(request: Request, db: AsyncSession = Depends(db_session)) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    if not signin.same_token(request.cookies.get(signin.LOGIN_COOKIE), str(form.get("csrf_token", ""))):
        raise Forbidden()
    runtime = runtime_of(request)
    try:
        if not email or not password:
            raise AppError(400, "MISSING", "Enter your email and password.")
        admin = await service.sign_in(runtime, db, email, password)
    except AppError as exc:
        response = render(request, "login.html", exc.status, error=exc.message, email=email,
                          signin_token=request.cookies.get(signin.LOGIN_COOKIE), next=target)
        return response
    token, session = await signin.start(runtime.redis, admin.id, runtime.settings.console_idle_seconds)
    await service.record_now(db, admin, "sign_in")
    response = RedirectResponse(target, 303, headers=SECURITY_HEADERS)
    _cookie(request, response, signin.COOKIE, token)
    response.delete_cookie(signin.LOGIN_COOKIE, path=signin.PATH)
    return response


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=signin.PATH, httponly=True, samesite="strict",
                        secure=runtime_of(request).settings.console_cookie_secure)


@router.post("/logout")
async def logout(console: Console = Depends(acting)) -> Response:
    await signin.end(console.runtime.redis, console.request.cookies.get(signin.COOKIE))
    await service.record_now(console.db, console.admin, "sign_out")
    response = RedirectResponse(f"{signin.PATH}/login", 303, headers=SECURITY_HEADERS)
    response.delete_cookie(signin.COOKIE, path=signin.PATH)
    return response


@router.get("/static/console.css")
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "console.css", media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})


# Overview.

@router.get("")
async def overview(console: Console = Depends(signed_in)) -> HTMLResponse:
    return await console.page("overview.html", numbers=await service.overview(console.runtime, console.db,
                                                                              console.caller))


# Users.

@router.get("/users")
async def users(console: Console = Depends(signed_in), q: str = "", page: str | None = None) -> HTMLResponse:
    n = number(page, "page", default=1)
    rows, total = await service.users(console.db, q, limit=PAGE_SIZE, offset=(n - 1) * PAGE_SIZE)
    return await console.page("users.html", q=q, rows=rows, paging=pages(console.request, total, n, len(rows)))


@router.get("/users/{user_id}")
async def user(user_id: str, console: Console = Depends(signed_in)) -> HTMLResponse:
    detail = await service.user_detail(console.db, console.caller, number(user_id, "user_id"))
    return await console.page("user.html", **detail)


def _switch(console: Console) -> bool:
    value = console.form.get("value")
    if value not in ("on", "off"):
        raise BadInput("value", "value must be on or off.")
    return value == "on"


@router.post("/users/{user_id}/active")
async def user_active(user_id: str, console: Console = Depends(acting)) -> Response:
    uid, on = number(user_id, "user_id"), _switch(console)
    return await console.act(service.set_active(console.runtime, console.db, console.admin, uid, on),
                             f"User {uid} {'reactivated' if on else 'deactivated; their sessions are ended'}.",
                             f"{signin.PATH}/users/{uid}")


@router.post("/users/{user_id}/admin")
async def user_admin(user_id: str, console: Console = Depends(acting)) -> Response:
    uid, on = number(user_id, "user_id"), _switch(console)
    return await console.act(service.set_admin(console.runtime, console.db, console.admin, uid, on),
                             f"User {uid}: admin role {'granted' if on else 'revoked'}.", f"{signin.PATH}/users/{uid}")


@router.post("/users/{user_id}/premium")
async def user_premium(user_id: str, console: Console = Depends(acting)) -> Response:
    uid, on = number(user_id, "user_id"), _switch(console)
    return await console.act(service.set_premium(console.runtime, console.db, console.admin, uid, on),
                             f"User {uid}: premium {'granted' if on else 'revoked'}.", f"{signin.PATH}/users/{uid}")


# Leads.

def _lead_filter(verified: str | None, since: str | None, until: str | None) -> dict[str, Any]:
    if verified not in (None, "", "yes", "no"):
        raise BadInput("verified", "verified must be yes, no or empty.")
    return {"verified": None if not verified else verified == "yes", "since": day(since, "since"),
            "until": day(until, "until")}


@router.get("/leads")
async def leads(console: Console = Depends(signed_in), verified: str | None = None, since: str | None = None,
                until: str | None = None, page: str | None = None) -> HTMLResponse:
    n, chosen = number(page, "page", default=1), _lead_filter(verified, since, until)
    form = {"verified": verified or "", "since": since or "", "until": until or ""}
    try:
        found = await service.leads(console.caller, **chosen, limit=PAGE_SIZE, offset=(n - 1) * PAGE_SIZE)
    except Unavailable as exc:
        return await console.page("leads.html", unavailable=str(exc), rows=[], form=form, csv_query="", paging=None)
    return await console.page("leads.html", rows=found.items, form=form, csv_query=urlencode(form),
                              paging=pages(console.request, found.total, n, len(found.items)))


@router.get("/leads.csv")
async def leads_csv(console: Console = Depends(signed_in), verified: str | None = None, since: str | None = None,
                    until: str | None = None) -> Response:
    text = await service.leads_csv(console.caller, **_lead_filter(verified, since, until))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="leads.csv"'})


@router.post("/leads/{lead_id}/verify")
async def lead_verify(lead_id: str, console: Console = Depends(acting)) -> Response:
    lid = number(lead_id, "lead_id")
    return await console.act(service.verify_lead(console.db, console.caller, console.admin, lid),
                             f"Lead {lid} verified: they are now a user.",
                             safe_next(console.form.get("back")) if console.form.get("back")
                             else f"{signin.PATH}/leads")


# Reports.

@router.get("/reports")
async def reports(console: Console = Depends(signed_in), page: str | None = None) -> HTMLResponse:
    n = number(page, "page", default=1)
    try:
        found = await service.reports(console.caller, limit=PAGE_SIZE, offset=(n - 1) * PAGE_SIZE)
    except Unavailable as exc:
        return await console.page("reports.html", unavailable=str(exc), rows=[], paging=None)
    return await console.page("reports.html", rows=found.items, paging=pages(console.request, found.total, n,
                                                                          len(found.items)))


@router.get("/reports/{report_id}")
async def report(report_id: str, console: Console = Depends(signed_in)) -> HTMLResponse:
    return await console.page("report.html", **await service.report(console.db, console.caller,
                                                                      number(report_id, "report_id")))


@router.post("/reports/{report_id}/dismiss")
async def report_dismiss(report_id: str, console: Console = Depends(acting)) -> Response:
    rid = number(report_id, "report_id")
    return await console.act(service.dismiss_report(console.db, console.caller, console.admin, rid),
                             f"Report {rid} dismissed.", f"{signin.PATH}/reports")


@router.post("/reports/{report_id}/ban")
async def report_ban(report_id: str, console: Console = Depends(acting)) -> Response:
    rid = number(report_id, "report_id")
    return await console.act(service.ban(console.db, console.caller, console.admin, rid),
                             f"Report {rid}: the reported person is banned and signed out everywhere.",
                             f"{signin.PATH}/reports")


# Vedic cache.

@router.get("/cache")
async def cache(console: Console = Depends(signed_in)) -> HTMLResponse:
    return await console.page("cache.html")


@router.post("/cache/reset")
async def cache_reset(console: Console = Depends(acting)) -> Response:
    scope = console.form.get("scope")
    if scope not in ("all", "profile"):
        raise BadInput("scope", "scope must be all or profile.")
    profile_id = number(console.form.get("profile_id"), "profile_id") if scope == "profile" else None
    back = safe_next(console.form.get("back")) if console.form.get("back") else f"{signin.PATH}/cache"
    try:
        cleared, invalidated = await service.reset_cache(console.runtime, console.db, console.admin, profile_id)
    except AppError as exc:
        return await console.done(f"Profile {profile_id}: {exc.message}", back, "error")
    what = "every profile" if profile_id is None else f"profile {profile_id}"
    return await console.done(f"Vedic cache cleared for {what}: {cleared} cached entries removed, "
                              f"{invalidated} snapshots invalidated.", back)


# Audit log.

@router.get("/audit")
async def audit(console: Console = Depends(signed_in), page: str | None = None) -> HTMLResponse:
    n = number(page, "page", default=1)
    rows, total = await service.audit_log(console.db, limit=PAGE_SIZE, offset=(n - 1) * PAGE_SIZE)
    return await console.page("audit.html", rows=rows, paging=pages(console.request, total, n, len(rows)))


# Failures as pages (console paths only; the APIs keep their dialects).

def install(app: FastAPI) -> None:
    api_app_error = app.exception_handlers[AppError]

    async def sign_in_required(request: Request, _: Exception) -> Response:
        target = request.url.path if request.method == "GET" else None
        query = ("?" + urlencode({"next": target + (f"?{request.url.query}" if request.url.query else "")})
                 if target else "")
        return RedirectResponse(f"{signin.PATH}/login{query}", 303, headers=SECURITY_HEADERS)

    async def forbidden(request: Request, _: Exception) -> Response:
        return render(request, "error.html", 403, title="Refused",
                      message="This form was not sent from a console page (its CSRF token is missing or wrong). "
                              "Reload the page and try again.")

    async def bad_input(request: Request, exc: BadInput) -> Response:
        return render(request, "error.html", 400, title="Bad input", message=exc.message, field=exc.field)

    async def app_error(request: Request, exc: AppError) -> Response:
        if not request.url.path.startswith(signin.PATH + "/") and request.url.path != signin.PATH:
            return await api_app_error(request, exc)
        return render(request, "error.html", exc.status, title="Not done", message=exc.message)

    async def unavailable(request: Request, exc: Unavailable) -> Response:
        return render(request, "error.html", 503, title="Not available", message=str(exc))

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(BadInput, bad_input)  # type: ignore[arg-type]
    app.add_exception_handler(AppError, app_error)  # type: ignore[arg-type]
    app.add_exception_handler(Unavailable, unavailable)  # type: ignore[arg-type]
