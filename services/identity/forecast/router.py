"""numeros-backend-rebuild daily forecast: ``GET /forecast/today`` and ``GET /forecast/{date}``; anonymous
callers get the universal forecast, a token personalises it (see ``service``)."""
from __future__ import annotations

import datetime as dt
import re

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, optional_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError
from numeros_common.fields import CALENDAR_DATE
from numeros_common.responses import CHART_UNAVAILABLE, RATE_LIMITED, UNAUTHENTICATED

from ..calculations import today_utc
from . import service

router = APIRouter(prefix="/api/v1/forecast", tags=["forecast"], responses=RATE_LIMITED)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RESPONSES = {**UNAUTHENTICATED, **CHART_UNAVAILABLE,
              422: {"description": "`date` is not a valid YYYY-MM-DD date (or outside 0001-01-01..3000-12-31)"}}


async def _forecast(request: Request, day: dt.date, principal: Principal | None,
                    session: AsyncSession) -> JSONResponse:
    user_id = principal.user_id if principal is not None else None
    return JSONResponse(await service.forecast(runtime_of(request), session, day, user_id))


def parse_date(value: str) -> dt.date:
    try:
        if not _DATE.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise AppError(422, "VALIDATION_ERROR", f"date: {value!r} is not a date in YYYY-MM-DD form",
                       field="date") from None


@router.get("/today", summary="Today's forecast (UTC date); personalised with a token", operation_id="forecast_today",
            responses=_RESPONSES)
async def today(request: Request, principal: Principal | None = Depends(optional_principal),
                session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return await _forecast(request, today_utc(), principal, session)


@router.get("/{date}", summary="The forecast for a date (YYYY-MM-DD); personalised with a token",
            operation_id="forecast_on_date", responses=_RESPONSES)
async def on_date(request: Request, date: str = Path(json_schema_extra={"format": "date", "pattern": CALENDAR_DATE},
                                                    description="YYYY-MM-DD, years 1 to 3000"),
                  principal: Principal | None = Depends(optional_principal),
                  session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return await _forecast(request, parse_date(date), principal, session)
