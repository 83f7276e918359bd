"""Profiles read model, resonances, matches and the event tables.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from numeros_common.migrations import create_event_tables
from services.matching.database import metadata

revision = "0001"
down_revision = None
SCHEMA = "matching"


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("display_name", sa.String(100)),
        sa.Column("birth_date", sa.Date),
        sa.Column("photos", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("bio", sa.Text, nullable=False, server_default=""),
        sa.Column("numerology", postgresql.JSONB),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_table(
        "resonances",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("from_user_id", sa.BigInteger, nullable=False),
        sa.Column("to_user_id", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("compatibility_score", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("from_user_id", "to_user_id"),
        sa.CheckConstraint("action IN ('resonate', 'decline')", name="action"),
        schema=SCHEMA,
    )
    op.create_table(
        "matches",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("user1_id", sa.BigInteger, nullable=False),
        sa.Column("user2_id", sa.BigInteger, nullable=False),
        sa.Column("compatibility_data", postgresql.JSONB),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("user1_id", "user2_id"),
        sa.CheckConstraint("user1_id < user2_id", name="user_order"),
        schema=SCHEMA,
    )
    op.create_index("ix_matches_user2_id", "matches", ["user2_id"], schema=SCHEMA)
    create_event_tables(op, metadata)


def downgrade() -> None:
    for table in ("inbox", "outbox", "matches", "resonances", "profiles"):
        op.drop_table(table, schema=SCHEMA)
