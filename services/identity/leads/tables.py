"""Leads: one row per phone number that asked for a code (Loopin's lead tracking)."""
from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, Identity, Integer, String, Table, func

from ..database import metadata

leads = Table(
    "leads", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("phone_number", String(16), nullable=False, unique=True),  # E.164
    Column("region", String(2)),  # ISO 3166 country of the number, when phonenumbers knows it
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
    Column("last_code_sent_at", DateTime(timezone=True)),
    Column("codes_sent", Integer, nullable=False, server_default="0"),
    Column("otp_attempts", Integer, nullable=False, server_default="0"),  # wrong codes entered, all codes
    Column("verified_at", DateTime(timezone=True)),
    Column("verified_by", String(8)),  # "otp" (the person) or "admin" (by hand)
    Column("user_id", BigInteger),
    CheckConstraint("verified_by IN ('otp', 'admin')", name="verified_by"),
)
