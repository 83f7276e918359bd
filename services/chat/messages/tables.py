"""Messages of a match."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, String, Table, Text, UniqueConstraint, func

from ..database import metadata

messages = Table(
    "messages", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("match_id", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("read_at", DateTime(timezone=True)),
    # The sender's own id for the message: a retried send finds the stored message instead of adding one.
    Column("client_message_id", String(64)),
    Index("ix_messages_match_id_id", "match_id", "id"),
    Index("ix_messages_sender_id", "sender_id"),
    UniqueConstraint("match_id", "sender_id", "client_message_id"),
)
