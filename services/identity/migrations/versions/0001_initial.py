"""Users, sessions and the event tables.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from numeros_common.migrations import create_event_tables
from services.identity.database import metadata

revision = "0001"
down_revision = None
SCHEMA = "identity"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("birth_time", sa.Time),
        sa.Column("birth_place", sa.String(200)),
        sa.Column("birth_latitude", sa.Float),
        sa.Column("birth_longitude", sa.Float),
        sa.Column("life_path", sa.Integer, nullable=False),
        sa.Column("expression", sa.Integer, nullable=False),
        sa.Column("soul_urge", sa.Integer, nullable=False),
        sa.Column("personality", sa.Integer, nullable=False),
        sa.Column("numerology", postgresql.JSONB, nullable=False),
        sa.Column("chart_level", sa.Integer, nullable=False, server_default="1"),
        sa.Column("bio", sa.Text, nullable=False, server_default=""),
        sa.Column("photos", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("is_verified", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_active", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True, schema=SCHEMA)
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("refresh_token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    create_event_tables(op, metadata)


def downgrade() -> None:
    for table in ("inbox", "outbox", "sessions", "users"):
        op.drop_table(table, schema=SCHEMA)
