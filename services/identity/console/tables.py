"""The audit log: one row per admin action, written in the transaction of the change it records; for an
action another service carries out, committed as ``pending`` before the call and then marked ``done`` or
``failed``."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, String, Table, func, text
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

admin_audit_log = Table(
    "admin_audit_log", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("admin_user_id", BigInteger, nullable=False),
    Column("admin_email", String(254), nullable=False),  # as it was then: the account may change or go
    Column("action", String(64), nullable=False),
    Column("target_type", String(32)),
    Column("target_id", String(64)),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    # 0013: pending (the other service was asked; a row left pending: no answer came), done or failed.
    Column("status", String(16), nullable=False, server_default="done"),
    Index("ix_admin_audit_log_created_at", "created_at"),
)
