"""Resonances (like / pass), the matches they make, and the conversation activity chat reports."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, Identity, Index, Integer, String, Table, Text,
                        UniqueConstraint, func)
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

resonances = Table(
    "resonances", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("from_user_id", BigInteger, nullable=False),
    Column("to_user_id", BigInteger, nullable=False),
    Column("action", String(10), nullable=False),
    Column("compatibility_score", Integer),  # the pair's overall score when the action was taken
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
    Column("compatibility_score", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("removed_at", DateTime(timezone=True)),
    Column("removed_reason", String(20)),  # user_deleted, unmatched, blocked
    UniqueConstraint("user1_id", "user2_id"),
    CheckConstraint("user1_id < user2_id", name="user_order"),
    Index("ix_matches_user2_id", "user2_id"),
)

# chat.message.created, as much as a match list needs (the text itself stays in chat).
match_messages = Table(
    "match_messages", metadata,
    Column("message_id", BigInteger, primary_key=True, autoincrement=False),
    Column("match_id", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=False),
    Column("recipient_id", BigInteger, nullable=False),
    Column("preview", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_match_messages_match_id_message_id", "match_id", "message_id"),
)

# chat.message.read: how far each participant has read (only ever moves forward).
match_reads = Table(
    "match_reads", metadata,
    Column("match_id", BigInteger, primary_key=True, autoincrement=False),
    Column("reader_id", BigInteger, primary_key=True, autoincrement=False),
    Column("up_to_message_id", BigInteger, nullable=False),
)
