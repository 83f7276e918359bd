"""numeros-backend-rebuild daily forecast: ``GET /forecast/today`` and ``GET /forecast/{date}``.

Anonymous callers get the universal forecast (universal day number with meaning and colours, the day's
Moon sign, major transits), computed by chart once per date and stored in ``identity.daily_forecasts``.
With a token the forecast is personalised for the user's birth data (personal day, transits to the natal
chart); those are cached in Redis (``forecast:personal:{user}:{date}:{birth digest}``, 24 h), keyed by the
birth data so an edited birth never serves a stale forecast."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, optional_principal
from numeros_common.chart_client import birth_data
from numeros_common.deps import db_session, runtime_of
from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..adapters import astro_repo, users_repo
from ..adapters.chart import renamed, today_utc
from ..domain.astro import universal_day_number

router = APIRouter(prefix="/api/v1/forecast", tags=["forecast"])
PERSONAL_TTL_SECONDS = 24 * 3600
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RESPONSES = {422: {"description": "`date` is not a valid YYYY-MM-DD date (or outside 1800-2399)"},
              503: {"description": "Calculation service unavailable"}}


async def universal(runtime: Runtime, session: AsyncSession, day: dt.date) -> dict[str, Any]:
    stored = await astro_repo.stored_forecast(session, day)
    if stored is not None:
        return stored["forecast_data"]
    try:
        reply = await runtime.chart.daily_forecast(day)
    except AppError as error:
        raise renamed(error, {"date": "date"}) from error
    document = json.loads(reply.json)
    number = document.get("universal_day_number")
    number = number if isinstance(number, int) else universal_day_number(day)
    await astro_repo.store_forecast(session, day, number, document)
    await session.commit()
    return document


async def personal(runtime: Runtime, user: Any, day: dt.date) -> dict[str, Any]:
    natal = birth_data(user["display_name"], user["birth_date"], birth_time=user["birth_time"],
                       birth_place=None if user["birth_latitude"] is not None else user["birth_place"],
                       latitude=user["birth_latitude"], longitude=user["birth_longitude"],
                       timezone=user["timezone"])
    digest = hashlib.sha256(natal.SerializeToString(deterministic=True)).hexdigest()[:32]
    key = f"forecast:personal:{user['id']}:{day.isoformat()}:{digest}"
    raw = await runtime.redis.get(key)
    if raw:
        return json.loads(raw)
    try:
        reply = await runtime.chart.daily_forecast(day, natal)
    except AppError as error:
        raise renamed(error, {"date": "date", "natal": "birth_date"}) from error
    await runtime.redis.set(key, reply.json, ex=PERSONAL_TTL_SECONDS)
    return json.loads(reply.json)


async def _forecast(request: Request, day: dt.date, principal: Principal | None,
                    session: AsyncSession) -> JSONResponse:
    runtime = runtime_of(request)
    document = await universal(runtime, session, day)
    if principal is not None:
        user = await users_repo.find_by_id(session, principal.user_id)
        if user is not None:
            try:
                document = await personal(runtime, user, day)
            except AppError as error:
                if error.status != 422:
                    raise
                # The account's birth data cannot be charted (e.g. no usable place): universal only, and why.
                document = {**document, "personal": None, "personal_error": error.message}
    return JSONResponse(document)


def parse_date(value: str) -> dt.date:
    try:
        if not _DATE.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise AppError(422, "VALIDATION_ERROR", f"date: {value!r} is not a date in YYYY-MM-DD form",
                       field="date") from None


@router.get("/today", summary="Today's forecast (UTC date); personalised with a token", responses=_RESPONSES)
async def today(request: Request, principal: Principal | None = Depends(optional_principal),
                session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return await _forecast(request, today_utc(), principal, session)


@router.get("/{date}", summary="The forecast for a date (YYYY-MM-DD); personalised with a token",
            responses=_RESPONSES)
async def on_date(date: str, request: Request, principal: Principal | None = Depends(optional_principal),
                  session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return await _forecast(request, parse_date(date), principal, session)
