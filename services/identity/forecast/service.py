"""numeros-backend-rebuild daily forecast.

Anonymous callers get the universal forecast (universal day number with meaning and colours, the day's
Moon sign, major transits), computed by chart once per date and stored in ``identity.daily_forecasts``.
With a signed-in user the forecast is personalised for the user's birth data (personal day, transits to
the natal chart); those are cached in Redis (``forecast:personal:{user}:{date}:{birth digest}``, 24 h),
keyed by the birth data so an edited birth never serves a stale forecast."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.chart_client import birth_data
from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..accounts import repository as accounts_repository
from ..calculations import renamed
from . import repository
from .rules import universal_day_number

PERSONAL_TTL_SECONDS = 24 * 3600
PERSONAL_KEYS = "forecast:personal:*"


async def universal(runtime: Runtime, session: AsyncSession, day: dt.date) -> dict[str, Any]:
    stored = await repository.stored_forecast(session, day)
    if stored is not None:
        return stored["forecast_data"]
    try:
        reply = await runtime.chart.daily_forecast(day)
    except AppError as error:
        raise renamed(error, {"date": "date"}) from error
    document = json.loads(reply.json)
    number = document.get("universal_day_number")
    number = number if isinstance(number, int) else universal_day_number(day)
    await repository.store_forecast(session, day, number, document)
    await session.commit()
    return document


async def personal(runtime: Runtime, user: RowMapping, day: dt.date) -> dict[str, Any]:
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


async def forecast(runtime: Runtime, session: AsyncSession, day: dt.date, user_id: int | None) -> dict[str, Any]:
    """The day's forecast: universal, personalised when ``user_id`` is a signed-in user."""
    document = await universal(runtime, session, day)
    user = await accounts_repository.find_by_id(session, user_id) if user_id is not None else None
    if user is not None and user["birth_date"] is not None:  # no birth data yet: universal only
        try:
            document = await personal(runtime, user, day)
        except AppError as error:
            if error.status != 422:
                raise
            # The account's birth data cannot be charted (e.g. no usable place): universal only, and why.
            document = {**document, "personal": None, "personal_error": error.message}
    return document
