"""Push notifications sent."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, Identity, String, Table, Text, UniqueConstraint,
                        Uuid, func)

from ..database import metadata

# What the push consumer sent (real push providers come later; today this table is the log).
push_notifications = Table(
    "push_notifications", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("event_id", "user_id"),
    CheckConstraint("kind IN ('match', 'message')", name="kind"),
)
