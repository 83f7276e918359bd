"""JioAstro saved numerology: profiles and their name trials, gone with their account (and trials with
their profile); a linked astro-mvp birth profile is unlinked when it is deleted.

Revision ID: 0008_numerology_profiles
Revises: 0004 (0004_account_tier.py)
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_numerology_profiles"
down_revision = "0007_profile_photos"
SCHEMA = "identity"


def _times() -> list[sa.Column]:
    return [sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
            for name in ("created_at", "updated_at")]


def _owner() -> sa.Column:
    return sa.Column("user_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "numerology_profiles",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        _owner(),
        sa.Column("profile_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.astro_profiles.id", ondelete="SET NULL"),
                  index=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("common_name", sa.String(200)),
        sa.Column("name_at_birth", sa.String(200)),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("system", sa.String(16), nullable=False),
        sa.Column("y_as_vowel", sa.String(8), nullable=False, server_default="auto"),
        sa.Column("western_data", postgresql.JSON),
        sa.Column("vedic_data", postgresql.JSON),
        sa.Column("chaldean_data", postgresql.JSON),
        sa.Column("cycles", postgresql.JSON),
        sa.Column("calculation_hash", sa.String(64), nullable=False),
        sa.Column("calculated_at", sa.DateTime(timezone=True), nullable=False),
        *_times(),
        sa.CheckConstraint("system IN ('western', 'vedic', 'chaldean', 'both')",
                           name=op.f("ck_numerology_profiles_system")),
        sa.CheckConstraint("y_as_vowel IN ('auto', 'always', 'never')",
                           name=op.f("ck_numerology_profiles_y_as_vowel")),
        schema=SCHEMA,
    )
    op.create_table(
        "numerology_name_trials",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("numerology_profile_id", sa.BigInteger,
                  sa.ForeignKey(f"{SCHEMA}.numerology_profiles.id", ondelete="CASCADE"), nullable=False, index=True),
        _owner(),
        sa.Column("trial_name", sa.String(200), nullable=False),
        sa.Column("system", sa.String(16), nullable=False),
        sa.Column("calculated_values", postgresql.JSON, nullable=False),
        sa.Column("notes", sa.String(1000)),
        sa.Column("is_preferred", sa.Boolean, nullable=False, server_default=sa.text("false")),
        *_times(),
        sa.CheckConstraint("system IN ('western', 'vedic', 'chaldean')", name=op.f("ck_numerology_name_trials_system")),
        schema=SCHEMA,
    )
    op.create_index("uq_numerology_name_trials_preferred", "numerology_name_trials", ["numerology_profile_id"],
                    unique=True, schema=SCHEMA, postgresql_where=sa.text("is_preferred"))


def downgrade() -> None:
    op.drop_table("numerology_name_trials", schema=SCHEMA)
    op.drop_table("numerology_profiles", schema=SCHEMA)
