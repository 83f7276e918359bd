"""Admin console: the audit log of admin actions.

Revision ID: 0009_admin_console
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_admin_console"
down_revision = "0008_numerology_profiles"
SCHEMA = "identity"


def upgrade() -> None:
    op.create_table(
        "admin_audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("admin_user_id", sa.BigInteger, nullable=False),
        sa.Column("admin_email", sa.String(254), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32)),
        sa.Column("target_id", sa.String(64)),
        sa.Column("details", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        schema=SCHEMA,
    )
    op.create_index("ix_admin_audit_log_created_at", "admin_audit_log", ["created_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("admin_audit_log", schema=SCHEMA)
