"""Matches read model, messages, push notification log and the event tables.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from numeros_common.migrations import create_event_tables
from services.chat.database import metadata

revision = "0001"
down_revision = None
SCHEMA = "chat"


def upgrade() -> None:
    op.create_table(
        "matches",
        sa.Column("match_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user1_id", sa.BigInteger, nullable=False),
        sa.Column("user2_id", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("match_id", sa.BigInteger, nullable=False),
        sa.Column("sender_id", sa.BigInteger, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index("ix_messages_match_id_id", "messages", ["match_id", "id"], schema=SCHEMA)
    op.create_table(
        "push_notifications",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("event_id", "user_id", name="uq_push_notifications_event_id_user_id"),
        sa.CheckConstraint("kind IN ('match', 'message')", name="ck_push_notifications_kind"),
        schema=SCHEMA,
    )
    create_event_tables(op, metadata)


def downgrade() -> None:
    for table in ("inbox", "outbox", "push_notifications", "messages", "matches"):
        op.drop_table(table, schema=SCHEMA)
