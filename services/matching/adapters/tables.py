"""The matching schema. Only this service reads or writes it."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, Date, DateTime, Identity, Index, Integer, String, Table,
                        Text, UniqueConstraint, func, text)
from sqlalchemy.dialects.postgresql import JSONB

from numeros_common.db import schema_base
from numeros_common.events.outbox import inbox_table, outbox_table

Base = schema_base("matching")
metadata = Base.metadata

# Read model of identity's users, fed by identity.user.* events. display_name, birth_date and
# numerology are null only for a tombstone: a user whose deletion arrived before their registration.
# The natal summary (chart_level .. key_longitudes, migration 0002) keeps its defaults for events
# that do not carry it; key_longitudes is {sun, moon, mercury, venus, mars} in tropical degrees.
profiles = Table(
    "profiles", metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("display_name", String(100)),
    Column("birth_date", Date),
    Column("photos", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("bio", Text, nullable=False, server_default=""),
    Column("numerology", JSONB),
    Column("chart_level", Integer, nullable=False, server_default=text("1")),
    Column("sun_sign", Text),
    Column("moon_sign", Text),
    Column("rising_sign", Text),
    Column("key_longitudes", JSONB),
    Column("updated_at", DateTime(timezone=True), nullable=False),  # occurred_at of the event applied last
    Column("deleted_at", DateTime(timezone=True)),
)

resonances = Table(
    "resonances", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("from_user_id", BigInteger, nullable=False),
    Column("to_user_id", BigInteger, nullable=False),
    Column("action", String(10), nullable=False),
    Column("compatibility_score", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("from_user_id", "to_user_id"),
    CheckConstraint("action IN ('resonate', 'decline')", name="action"),
)

matches = Table(
    "matches", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user1_id", BigInteger, nullable=False),
    Column("user2_id", BigInteger, nullable=False),
    Column("compatibility_data", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("removed_at", DateTime(timezone=True)),
    UniqueConstraint("user1_id", "user2_id"),
    CheckConstraint("user1_id < user2_id", name="user_order"),
    Index("ix_matches_user2_id", "user2_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
