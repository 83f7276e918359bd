"""Chat's read model of matching's matches: who may talk in which conversation."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Table

from ..database import metadata

# Read model of matching's matches, kept up to date from matching.match.created / .removed events.
matches = Table(
    "matches", metadata,
    Column("match_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user1_id", BigInteger, nullable=False),
    Column("user2_id", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
)
