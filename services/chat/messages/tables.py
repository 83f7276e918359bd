"""Messages of a match."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, Table, Text, func

from ..database import metadata

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
