"""astro-mvp: saved birth profiles, calculation snapshots, predictions; the daily forecast per date.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
SCHEMA = "identity"


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "astro_profiles",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("owner_user_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("gender", sa.String(10), nullable=False),
        sa.Column("dob", sa.Date, nullable=False),
        sa.Column("tob", sa.String(8), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("place", sa.String(100), nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("altitude_m", sa.Float, nullable=False, server_default="0"),
        sa.Column("uncertainty_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ayanamsa", sa.String(32), nullable=False, server_default="Lahiri"),
        sa.Column("house_system", sa.String(32), nullable=False, server_default="WholeSign"),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "astro_snapshots",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("owner_user_id", sa.BigInteger, nullable=False),
        sa.Column("profile_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.astro_profiles.id", ondelete="CASCADE"),
                  index=True),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("ruleset_version", sa.String(32), nullable=False),
        sa.Column("ephemeris_version", sa.String(64), nullable=False),
        sa.Column("ayanamsa", sa.String(32), nullable=False),
        sa.Column("house_system", sa.String(32), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("calc_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", postgresql.JSONB, nullable=False),
        _created_at(),
        sa.Column("invalidated_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index("uq_astro_snapshots_owner_hash_live", "astro_snapshots", ["owner_user_id", "input_hash"],
                    unique=True, schema=SCHEMA, postgresql_where=sa.text("invalidated_at IS NULL"))
    op.create_table(
        "astro_predictions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("owner_user_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("profile_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.astro_profiles.id", ondelete="CASCADE"),
                  index=True),
        sa.Column("snapshot_id", sa.BigInteger,
                  sa.ForeignKey(f"{SCHEMA}.astro_snapshots.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("time_horizon_months", sa.Integer, nullable=False),
        sa.Column("result", postgresql.JSONB, nullable=False),
        sa.Column("confidence_overall", sa.Float, nullable=False),
        sa.Column("llm_model", sa.String(64), nullable=False),
        _created_at(),
        schema=SCHEMA,
    )
    op.create_table(
        "daily_forecasts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("date", sa.Date, nullable=False, unique=True),
        sa.Column("universal_day_number", sa.Integer, nullable=False),
        sa.Column("forecast_data", postgresql.JSONB, nullable=False),
        _created_at(),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("daily_forecasts", schema=SCHEMA)
    op.drop_table("astro_predictions", schema=SCHEMA)
    op.drop_index("uq_astro_snapshots_owner_hash_live", "astro_snapshots", schema=SCHEMA)
    op.drop_table("astro_snapshots", schema=SCHEMA)
    op.drop_table("astro_profiles", schema=SCHEMA)
