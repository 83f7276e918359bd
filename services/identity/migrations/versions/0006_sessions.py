"""Sessions you can trust: an absolute lifetime rotation cannot extend, the reason of a revocation, the
refresh tokens a session rotated away (a replay ends the session) and one-time password-reset tokens.

Revision ID: 0006_sessions
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_sessions"
down_revision = "0005_phone_otp"
SCHEMA = "identity"


def upgrade() -> None:
    op.add_column("sessions", sa.Column("absolute_expires_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    # Sessions from before: their lifetime ends where their current refresh token does.
    op.execute(f"UPDATE {SCHEMA}.sessions SET absolute_expires_at = expires_at")
    op.alter_column("sessions", "absolute_expires_at", nullable=False, schema=SCHEMA)
    op.add_column("sessions", sa.Column("revoked_reason", sa.String(32)), schema=SCHEMA)
    op.create_index("ix_sessions_revoked_at", "sessions", ["revoked_at"], schema=SCHEMA,
                    postgresql_where=sa.text("revoked_at IS NOT NULL"))
    op.create_table(
        "retired_refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.sessions.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "password_reset_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("password_reset_tokens", schema=SCHEMA)
    op.drop_table("retired_refresh_tokens", schema=SCHEMA)
    op.drop_index("ix_sessions_revoked_at", "sessions", schema=SCHEMA)
    op.drop_column("sessions", "revoked_reason", schema=SCHEMA)
    op.drop_column("sessions", "absolute_expires_at", schema=SCHEMA)
