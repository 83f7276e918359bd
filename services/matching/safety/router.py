"""Blocks and reports over HTTP (the dating app's envelope), and the admin review of reports under
/api/v1/admin/reports (astro-mvp's admin dialect, like the rest of /admin)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_admin, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.families import ASTRO_MVP_VEDIC, family_router
from numeros_common.ids import resource_id
from numeros_common.logging import request_id_var
from numeros_common.responses import ASTRO_INVALID, INVALID, MALFORMED_BODY, RATE_LIMITED, UNAUTHENTICATED

from . import service
from .schemas import (AdminReport, AdminReportList, BlockOut, BlockRequest, BlocksResponse, ReportedUser, ReportOut,
                      ReportRequest, ReportStatus)

router = APIRouter(prefix="/api/v1", tags=["safety"], responses=RATE_LIMITED)
admin_router = family_router("/api/v1/admin", ASTRO_MVP_VEDIC, tags=["admin"])
UNKNOWN_USER = {404: {"description": "No such user (USER_NOT_FOUND)"},
                409: {"description": "The user is the caller (SELF_TARGET)"}}
UserId = Annotated[int, resource_id("The blocked person's user id")]
ReportId = Annotated[int, resource_id("A report id")]
ADMIN = {401: {"description": "Missing or invalid token"}, 403: {"description": "Not an admin"}}
REPORT_ERRORS = {**ADMIN, **ASTRO_INVALID, 404: {"description": "No such report"}}


def _events(request: Request) -> service.Events:
    runtime = runtime_of(request)
    return service.Events(producer=runtime.settings.service_name, relay=runtime.relay)


@router.post("/blocks", status_code=201, response_model=BlockOut, summary="Block a user", operation_id="block",
             description="Blocks `user_id`: their match with the caller ends (the chat closes) and neither is shown "
                         "to the other in scan, matches or chat again; they are not told. Blocking again changes "
                         "nothing and answers 200 with the existing block.",
             responses={**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID, **UNKNOWN_USER,
                        200: {"description": "Already blocked", "model": BlockOut}})
async def block(body: BlockRequest, request: Request, response: Response,
                principal: Principal = Depends(require_principal),
                session: AsyncSession = Depends(db_session)) -> BlockOut:
    row, created = await service.block(session, _events(request), principal.user_id, body.user_id)
    if not created:
        response.status_code = 200
    return BlockOut(user_id=row["blocked_id"], display_name=None, created_at=row["created_at"])


@router.get("/blocks", response_model=BlocksResponse, summary="List the people I blocked", operation_id="list_blocks",
            responses=UNAUTHENTICATED)
async def list_blocks(principal: Principal = Depends(require_principal),
                      session: AsyncSession = Depends(db_session)) -> BlocksResponse:
    rows = await service.list_blocks(session, principal.user_id)
    return BlocksResponse(blocks=[BlockOut(user_id=r["blocked_id"], display_name=r["display_name"],
                                           created_at=r["created_at"]) for r in rows])


@router.delete("/blocks/{user_id}", status_code=204, summary="Unblock a user", operation_id="unblock",
               description="Lifts the caller's block. An ended match stays ended.",
               responses={**UNAUTHENTICATED, 404: {"description": "The caller has not blocked this user"},
                          422: {"description": "`user_id` is not a valid id"}})
async def unblock(user_id: UserId, principal: Principal = Depends(require_principal),
                  session: AsyncSession = Depends(db_session)) -> Response:
    await service.unblock(session, principal.user_id, user_id)
    return Response(status_code=204)


@router.post("/reports", status_code=201, response_model=ReportOut, summary="Report a user", operation_id="report",
             description="Reports `user_id` to the moderators with a `reason` from a fixed list and optional "
                         "`details`. Admins review reports at `/api/v1/admin/reports` and may ban the account. "
                         "Reporting does not block; block as well to stop seeing them. The same report (reason and "
                         "details) again while it is open answers that report: a retried request files it once.",
             responses={**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID, **UNKNOWN_USER})
async def report(body: ReportRequest, principal: Principal = Depends(require_principal),
                 session: AsyncSession = Depends(db_session)) -> ReportOut:
    row = await service.report(session, principal.user_id, body.user_id, body.reason, body.details)
    return ReportOut(id=row["id"], user_id=row["reported_id"], reason=row["reason"], details=row["details"],
                     status=row["status"], created_at=row["created_at"])


def admin_report(row: RowMapping) -> AdminReport:
    return AdminReport(id=row["id"], reporter_id=row["reporter_id"],
                       reported_user=ReportedUser(id=row["reported_id"], display_name=row["reported_display_name"],
                                                  active=row["reported_active"]),
                       reason=row["reason"], details=row["details"], status=row["status"],
                       created_at=row["created_at"], reviewed_at=row["reviewed_at"], reviewed_by=row["reviewed_by"])


@admin_router.get("/reports", response_model=AdminReportList, summary="Reports to review, newest first",
                  operation_id="admin_list_reports", responses={**ADMIN, **ASTRO_INVALID})
async def admin_list_reports(status: Annotated[ReportStatus | None, Query(description="Only this status")] = None,
                             limit: Annotated[int, Query(ge=1, le=200)] = 50,
                             offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                             _: Principal = Depends(require_admin),
                             session: AsyncSession = Depends(db_session)) -> AdminReportList:
    rows, total = await service.list_reports(session, status=status, limit=limit, offset=offset)
    return AdminReportList(reports=[admin_report(r) for r in rows], total=total, limit=limit, offset=offset)


@admin_router.get("/reports/{report_id}", response_model=AdminReport, summary="One report",
                  operation_id="admin_get_report", responses=REPORT_ERRORS)
async def admin_get_report(report_id: ReportId, _: Principal = Depends(require_admin),
                           session: AsyncSession = Depends(db_session)) -> AdminReport:
    return admin_report(await service.get_report(session, report_id))


@admin_router.post("/reports/{report_id}/dismiss", response_model=AdminReport, summary="Dismiss a report",
                   operation_id="admin_dismiss_report", responses=REPORT_ERRORS)
async def admin_dismiss_report(report_id: ReportId, principal: Principal = Depends(require_admin),
                               session: AsyncSession = Depends(db_session)) -> AdminReport:
    return admin_report(await service.dismiss(session, report_id, principal.user_id))


@admin_router.post("/reports/{report_id}/ban", response_model=AdminReport, summary="Ban the reported user",
                   description="Deactivates the reported account in identity (with the caller's admin token) and "
                               "settles every open report about them as `banned`. They leave scan and match "
                               "lists at once; identity revokes their sessions.",
                   operation_id="admin_ban_reported_user",
                   responses={**REPORT_ERRORS, 502: {"description": "identity failed (IDENTITY_ERROR)"},
                              503: {"description": "identity is unavailable (IDENTITY_UNAVAILABLE)"}})
async def admin_ban(report_id: ReportId, request: Request, principal: Principal = Depends(require_admin),
                    session: AsyncSession = Depends(db_session)) -> AdminReport:
    row = await service.ban(session, runtime_of(request).state["identity_admin"], report_id, principal.user_id,
                            request.headers["Authorization"], request_id_var.get())
    return admin_report(row)
