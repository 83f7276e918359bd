"""Precomputed compatibility for ranking scan: one ranking per viewer who scans, kept fresh as people
join or change (docs/architecture.md, "Discovery ranking")."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, SmallInteger, String, Table, func

from ..database import metadata

# A viewer's ranking exists from its first scan; state 'building' until every candidate is scored.
rankings = Table(
    "rankings", metadata,
    Column("viewer_id", BigInteger, primary_key=True, autoincrement=False),
    Column("state", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("used_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The viewer's overall compatibility score with each candidate (symmetric: chart scores a pair the same
# from either side). Scan walks (viewer_id, score, candidate_id) backwards: best first, ties by higher id.
scan_scores = Table(
    "scan_scores", metadata,
    Column("viewer_id", BigInteger, primary_key=True, autoincrement=False),
    Column("candidate_id", BigInteger, primary_key=True, autoincrement=False),
    Column("score", SmallInteger, nullable=False),
    Index("ix_scan_scores_viewer_id_score_candidate_id", "viewer_id", "score", "candidate_id"),
)

# People whose scoring inputs (numerology, chart) are new or changed and not yet in every ranking.
ranking_changes = Table(
    "ranking_changes", metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("queued_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
