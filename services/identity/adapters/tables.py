"""The identity schema. Only this service reads or writes it."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Identity, Index, Integer,
                        String, Table, Text, Time, Uuid, func, text)
from sqlalchemy.dialects.postgresql import JSONB

from numeros_common.db import schema_base
from numeros_common.events.outbox import inbox_table, outbox_table

Base = schema_base("identity")
metadata = Base.metadata

users = Table(
    "users", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("birth_time", Time),
    Column("birth_place", String(200)),
    Column("birth_latitude", Float),
    Column("birth_longitude", Float),
    Column("life_path", Integer, nullable=False),
    Column("expression", Integer, nullable=False),
    Column("soul_urge", Integer, nullable=False),
    Column("personality", Integer, nullable=False),
    Column("numerology", JSONB, nullable=False),
    Column("chart_level", Integer, nullable=False, server_default="1"),
    Column("bio", Text, nullable=False, server_default=""),
    Column("photos", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("is_verified", Boolean, nullable=False, server_default=text("false")),
    Column("is_admin", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_active", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # 0002: the full profile chart computed (documents as chart returned them) and the natal summary.
    Column("numerology_profile", JSONB),
    Column("astrology", JSONB),
    Column("sun_sign", Text),
    Column("moon_sign", Text),
    Column("rising_sign", Text),
    Column("key_longitudes", JSONB),  # {"sun", "moon", "mercury", "venus", "mars"} tropical degrees
    Column("timezone", Text),  # the IANA zone the user gave (the zone chart used is in astrology.birth)
    Index("uq_users_email_lower", func.lower(text("email")), unique=True),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("refresh_token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# 0003: astro-mvp's saved birth profiles, calculation snapshots and predictions; daily forecasts.
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

daily_forecasts = Table(
    "daily_forecasts", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("date", Date, nullable=False, unique=True),
    Column("universal_day_number", Integer, nullable=False),
    Column("forecast_data", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
