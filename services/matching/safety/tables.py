"""Blocks and reports."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, Identity, Index, String, Table, Text, func)

from ..database import metadata

blocks = Table(
    "blocks", metadata,
    Column("blocker_id", BigInteger, primary_key=True, autoincrement=False),
    Column("blocked_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_blocks_blocked_id", "blocked_id"),
)

reports = Table(
    "reports", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("reporter_id", BigInteger, nullable=False),
    Column("reported_id", BigInteger, nullable=False),
    Column("reason", String(30), nullable=False),
    Column("details", Text, nullable=False, server_default=""),
    Column("status", String(10), nullable=False, server_default="open"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("reviewed_by", BigInteger),
    CheckConstraint("status IN ('open', 'dismissed', 'banned')", name="status"),
    Index("ix_reports_created_at", "created_at"),
)
