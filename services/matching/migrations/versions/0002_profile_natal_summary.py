"""Profiles gain the natal summary identity's events now carry: chart level, Sun / Moon / rising
signs and the five key longitudes fast synastry scores with. Older events lack them: the defaults
(level 1, nulls) mean "numerology only".

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
SCHEMA = "matching"


def upgrade() -> None:
    op.add_column("profiles", sa.Column("chart_level", sa.Integer, nullable=False, server_default=sa.text("1")),
                  schema=SCHEMA)
    op.add_column("profiles", sa.Column("sun_sign", sa.Text), schema=SCHEMA)
    op.add_column("profiles", sa.Column("moon_sign", sa.Text), schema=SCHEMA)
    op.add_column("profiles", sa.Column("rising_sign", sa.Text), schema=SCHEMA)
    op.add_column("profiles", sa.Column("key_longitudes", postgresql.JSONB), schema=SCHEMA)


def downgrade() -> None:
    for column in ("key_longitudes", "rising_sign", "moon_sign", "sun_sign", "chart_level"):
        op.drop_column("profiles", column, schema=SCHEMA)
