"""The full numerology and astrology profile on users: the documents chart computed, the natal
summary matching scores with, and the time zone the user gave.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
SCHEMA = "identity"
COLUMNS = ("numerology_profile", "astrology", "sun_sign", "moon_sign", "rising_sign", "key_longitudes", "timezone")


def upgrade() -> None:
    # All nullable: accounts made before this revision have no chart yet (their numbers stay valid).
    op.add_column("users", sa.Column("numerology_profile", postgresql.JSONB), schema=SCHEMA)
    op.add_column("users", sa.Column("astrology", postgresql.JSONB), schema=SCHEMA)
    op.add_column("users", sa.Column("sun_sign", sa.Text), schema=SCHEMA)
    op.add_column("users", sa.Column("moon_sign", sa.Text), schema=SCHEMA)
    op.add_column("users", sa.Column("rising_sign", sa.Text), schema=SCHEMA)
    op.add_column("users", sa.Column("key_longitudes", postgresql.JSONB), schema=SCHEMA)
    op.add_column("users", sa.Column("timezone", sa.Text), schema=SCHEMA)


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_column("users", column, schema=SCHEMA)
