"""The chat schema. Only this service reads or writes it."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, Identity, Index, String, Table, Text,
                        UniqueConstraint, Uuid, func)

from numeros_common.db import schema_base
from numeros_common.events.outbox import inbox_table, outbox_table

Base = schema_base("chat")
metadata = Base.metadata

# Read model of matching's matches, kept up to date from matching.match.created / .removed events.
matches = Table(
    "matches", metadata,
    Column("match_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user1_id", BigInteger, nullable=False),
    Column("user2_id", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
)

messages = Table(
    "messages", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("match_id", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("read_at", DateTime(timezone=True)),
    Index("ix_messages_match_id_id", "match_id", "id"),
)

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

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
