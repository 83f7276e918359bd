"""A spent sign-in code stays for the retry window: phone_codes.verified_at.

Revision ID: 0012_phone_code_retry
Revises: 0011_photo_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_phone_code_retry"
down_revision = "0011_photo_index"
SCHEMA = "identity"


def upgrade() -> None:
    op.add_column("phone_codes", sa.Column("verified_at", sa.DateTime(timezone=True)), schema=SCHEMA)


def downgrade() -> None:
    op.execute("DELETE FROM identity.phone_codes WHERE verified_at IS NOT NULL")  # spent: not live codes
    op.drop_column("phone_codes", "verified_at", schema=SCHEMA)
