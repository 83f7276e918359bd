"""Outgoing mails: the reset mail is written with its token and sent by the mail worker.

Revision ID: 0010_outgoing_mails
Revises: 0009_admin_console
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_outgoing_mails"
down_revision = "0009_admin_console"
SCHEMA = "identity"


def upgrade() -> None:
    op.create_table(
        "outgoing_mails",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("send_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("abandoned_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index("ix_outgoing_mails_due", "outgoing_mails", ["next_attempt_at"], schema=SCHEMA,
                    postgresql_where=sa.text("sent_at IS NULL AND abandoned_at IS NULL"))


def downgrade() -> None:
    op.drop_table("outgoing_mails", schema=SCHEMA)
