"""The universal daily forecast, stored once per date (migration 0003)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Identity, Integer, Table, func
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

daily_forecasts = Table(
    "daily_forecasts", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("date", Date, nullable=False, unique=True),
    Column("universal_day_number", Integer, nullable=False),
    Column("forecast_data", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
