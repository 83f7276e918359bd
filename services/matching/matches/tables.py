"""Resonances (like / pass) and the matches they make."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, Identity, Index, Integer, String, Table,
                        UniqueConstraint, func)
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

resonances = Table(
    "resonances", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("from_user_id", BigInteger, nullable=False),
    Column("to_user_id", BigInteger, nullable=False),
    Column("action", String(10), nullable=False),
    Column("compatibility_score", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("from_user_id", "to_user_id"),
    CheckConstraint("action IN ('resonate', 'decline')", name="action"),
)

matches = Table(
    "matches", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user1_id", BigInteger, nullable=False),
    Column("user2_id", BigInteger, nullable=False),
    Column("compatibility_data", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("removed_at", DateTime(timezone=True)),
    UniqueConstraint("user1_id", "user2_id"),
    CheckConstraint("user1_id < user2_id", name="user_order"),
    Index("ix_matches_user2_id", "user2_id"),
)
