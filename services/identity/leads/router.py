"""Admin leads API (Loopin's lead tracking; the admin family, so errors are astro-mvp's): the list with
filters and pagination, CSV export (``?format=csv``: every lead the filter matches unless ``limit`` is
given), and verification by hand."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal
from numeros_common.deps import db_session
from numeros_common.families import ASTRO_MVP_VEDIC, family_router
from numeros_common.fields import CalendarDate
from numeros_common.ids import ResourceId
from numeros_common.responses import ASTRO_INVALID

from ..admin.router import require_admin
from . import service
from .repository import LeadFilter
from .schemas import COLUMNS, Lead, LeadPage

router = family_router("/api/v1/admin/leads", ASTRO_MVP_VEDIC, tags=["leads"], responses={
    **ASTRO_INVALID, 401: {"description": "Missing or invalid token"}, 403: {"description": "Not an admin"}})
DEFAULT_LIMIT = 50


def _lead(row: RowMapping) -> dict[str, Any]:
    return {"is_verified": row["verified_at"] is not None, **{c: row[c] for c in COLUMNS if c != "is_verified"}}


def _csv(rows: list[dict[str, Any]]) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="leads.csv"'})


@router.get("", response_model=LeadPage, summary="Leads, newest first; JSON or CSV",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "The page (JSON), or with format=csv every matching lead as CSV"}})
async def list_leads(
        verified: Annotated[bool | None, Query(description="true: converted leads only; false: not yet")] = None,
        date_from: Annotated[CalendarDate | None, Query(description="First day (UTC) a lead was created")] = None,
        date_to: Annotated[CalendarDate | None, Query(description="Last day (UTC), inclusive")] = None,
        limit: Annotated[int | None, Query(ge=1, le=500, description=f"Default {DEFAULT_LIMIT} (JSON); "
                                                                      "CSV: all")] = None,
        offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
        format: Annotated[Literal["json", "csv"], Query()] = "json",
        _: Principal = Depends(require_admin), session: AsyncSession = Depends(db_session)) -> Any:
    which = LeadFilter(verified=verified, created_from=_midnight(date_from),
                       created_before=_midnight(date_to + dt.timedelta(days=1)) if date_to else None)
    if format == "json" and limit is None:
        limit = DEFAULT_LIMIT
    rows, total = await service.page(session, which, limit=limit, offset=offset)
    leads = [_lead(r) for r in rows]
    if format == "csv":
        return _csv(leads)
    return LeadPage(leads=[Lead(**lead) for lead in leads], total=total, limit=limit or DEFAULT_LIMIT, offset=offset)


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), dt.UTC) if day else None


@router.post("/{lead_id}/verify", response_model=Lead, summary="Verify a lead by hand: it becomes an account",
             responses={404: {"description": "No such lead"}})
async def verify_lead(lead_id: Annotated[ResourceId, Path()], _: Principal = Depends(require_admin),
                      session: AsyncSession = Depends(db_session)) -> dict[str, Any]:
    return _lead(await service.verify_by_hand(session, lead_id))
