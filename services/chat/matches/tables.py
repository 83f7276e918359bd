"""Chat's read model of matching's matches: who may talk in which conversation."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Table

from ..database import metadata

# Read model of matching's matches, kept up to date from matching.match.* and matching.block.created.
matches = Table(
    "matches", metadata,
    Column("match_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user1_id", BigInteger, nullable=False),
    Column("user2_id", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
    # The newest message's id, written under the row lock that orders a conversation's messages: each
    # live frame names its predecessor, so a socket can tell a gap from a duplicate.
    Column("last_message_id", BigInteger),
    Index("ix_matches_user1_id", "user1_id"),
    Index("ix_matches_user2_id", "user2_id"),
)
