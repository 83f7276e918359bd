"""Discovery (gender, preferences, location, active on profiles; precomputed rankings), safety (blocks,
reports), the compatibility score stored with a match, unmatch reasons, and the conversation activity
chat's events report.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
SCHEMA = "matching"


def upgrade() -> None:
    op.add_column("profiles", sa.Column("gender", sa.Text), schema=SCHEMA)
    op.add_column("profiles", sa.Column("interested_in", postgresql.ARRAY(sa.Text), nullable=False,
                                        server_default=sa.text("'{}'::text[]")), schema=SCHEMA)
    op.add_column("profiles", sa.Column("latitude", sa.Float), schema=SCHEMA)
    op.add_column("profiles", sa.Column("longitude", sa.Float), schema=SCHEMA)
    op.add_column("profiles", sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
                  schema=SCHEMA)
    op.add_column("profiles", sa.Column("last_active_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.create_index("ix_profiles_latitude_longitude", "profiles", ["latitude", "longitude"], schema=SCHEMA)

    op.create_table(
        "rankings",
        sa.Column("viewer_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "scan_scores",
        sa.Column("viewer_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("candidate_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("score", sa.SmallInteger, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_scan_scores_viewer_id_score_candidate_id", "scan_scores",
                    ["viewer_id", "score", "candidate_id"], schema=SCHEMA)
    op.create_table(
        "ranking_changes",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    # Everyone already known must reach the rankings built from now on: they are built from the
    # profiles themselves, so nothing needs queueing here.

    op.add_column("matches", sa.Column("compatibility_score", sa.Integer), schema=SCHEMA)
    op.add_column("matches", sa.Column("removed_reason", sa.String(20)), schema=SCHEMA)
    op.create_table(
        "match_messages",
        sa.Column("message_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("match_id", sa.BigInteger, nullable=False),
        sa.Column("sender_id", sa.BigInteger, nullable=False),
        sa.Column("recipient_id", sa.BigInteger, nullable=False),
        sa.Column("preview", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_match_messages_match_id_message_id", "match_messages", ["match_id", "message_id"],
                    schema=SCHEMA)
    op.create_table(
        "match_reads",
        sa.Column("match_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("reader_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("up_to_message_id", sa.BigInteger, nullable=False),
        schema=SCHEMA,
    )

    op.create_table(
        "blocks",
        sa.Column("blocker_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("blocked_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"], schema=SCHEMA)
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("reporter_id", sa.BigInteger, nullable=False),
        sa.Column("reported_id", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("details", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(10), nullable=False, server_default="open"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("reviewed_by", sa.BigInteger),
        sa.CheckConstraint("status IN ('open', 'dismissed', 'banned')", name="status"),
        schema=SCHEMA,
    )
    op.create_index("ix_reports_created_at", "reports", ["created_at"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("reports", "blocks", "match_reads", "match_messages", "ranking_changes", "scan_scores",
                  "rankings"):
        op.drop_table(table, schema=SCHEMA)
    for column in ("removed_reason", "compatibility_score"):
        op.drop_column("matches", column, schema=SCHEMA)
    op.drop_index("ix_profiles_latitude_longitude", "profiles", schema=SCHEMA)
    for column in ("last_active_at", "active", "longitude", "latitude", "interested_in", "gender"):
        op.drop_column("profiles", column, schema=SCHEMA)
