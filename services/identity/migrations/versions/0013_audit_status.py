"""Audit rows of actions another service carries out are committed as pending before the call.

Revision ID: 0013_audit_status
Revises: 0012_phone_code_retry
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_audit_status"
down_revision = "0012_phone_code_retry"
SCHEMA = "identity"


def upgrade() -> None:
    op.add_column("admin_audit_log", sa.Column("status", sa.String(16), nullable=False, server_default="done"),
                  schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("admin_audit_log", "status", schema=SCHEMA)
