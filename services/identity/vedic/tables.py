"""astro-mvp's saved birth profiles, calculation snapshots and predictions (migration 0003)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Date, DateTime, Float, ForeignKey, Identity, Index, Integer, String, Table,
                        func, text)
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

astro_profiles = Table(
    "astro_profiles", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("owner_user_id", BigInteger, nullable=False, index=True),
    Column("name", String(50), nullable=False),
    Column("gender", String(10), nullable=False),
    Column("dob", Date, nullable=False),
    Column("tob", String(8), nullable=False),  # "HH:MM" or "HH:MM:SS" as given
    Column("tz", String(64), nullable=False),
    Column("place", String(100), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("altitude_m", Float, nullable=False, server_default="0"),
    Column("uncertainty_minutes", Integer, nullable=False, server_default="0"),
    Column("ayanamsa", String(32), nullable=False, server_default="Lahiri"),
    Column("house_system", String(32), nullable=False, server_default="WholeSign"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

astro_snapshots = Table(
    "astro_snapshots", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("owner_user_id", BigInteger, nullable=False),
    Column("profile_id", BigInteger, ForeignKey("identity.astro_profiles.id", ondelete="CASCADE"), index=True),
    Column("input_hash", String(64), nullable=False),
    Column("ruleset_version", String(32), nullable=False),
    Column("ephemeris_version", String(64), nullable=False),
    Column("ayanamsa", String(32), nullable=False),
    Column("house_system", String(32), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("calc_timestamp", DateTime(timezone=True), nullable=False),
    Column("data", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Set by an admin cache reset: the row stays (history, predictions) but no longer answers computes.
    Column("invalidated_at", DateTime(timezone=True)),
    Index("uq_astro_snapshots_owner_hash_live", "owner_user_id", "input_hash", unique=True,
          postgresql_where=text("invalidated_at IS NULL")),
)

astro_predictions = Table(
    "astro_predictions", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("owner_user_id", BigInteger, nullable=False, index=True),
    Column("profile_id", BigInteger, ForeignKey("identity.astro_profiles.id", ondelete="CASCADE"), index=True),
    Column("snapshot_id", BigInteger, ForeignKey("identity.astro_snapshots.id", ondelete="CASCADE"),
           nullable=False),
    Column("question", String(500), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("time_horizon_months", Integer, nullable=False),
    Column("result", JSONB, nullable=False),
    Column("confidence_overall", Float, nullable=False),
    Column("llm_model", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
