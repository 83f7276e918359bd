"""Accounts: a rate-limit tier (JioAstro's premium users), and accounts without birth data (astro-mvp
registers with email and password alone; the dating profile and its chart come when birth data does).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
SCHEMA = "identity"
PROFILE_COLUMNS = ("display_name", "birth_date", "life_path", "expression", "soul_urge", "personality", "numerology")


def upgrade() -> None:
    op.add_column("users", sa.Column("tier", sa.String(16), nullable=False, server_default="standard"), schema=SCHEMA)
    op.create_check_constraint(op.f("ck_users_tier"), "users", "tier IN ('standard', 'premium')", schema=SCHEMA)
    for column in PROFILE_COLUMNS:
        op.alter_column("users", column, nullable=True, schema=SCHEMA)


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.users WHERE birth_date IS NULL")
    for column in PROFILE_COLUMNS:
        op.alter_column("users", column, nullable=False, schema=SCHEMA)
    op.drop_constraint(op.f("ck_users_tier"), "users", schema=SCHEMA)
    op.drop_column("users", "tier", schema=SCHEMA)
