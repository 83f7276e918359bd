"""The profiles read model: identity's users as matching sees them."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, Float, Index, Integer, String, Table, Text, text)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from ..database import metadata

# Read model of identity's users, fed by identity.user.* events. display_name, birth_date and
# numerology are null only for a tombstone: a user whose deletion arrived before their registration.
# The natal summary (chart_level .. key_longitudes, migration 0002) keeps its defaults for events
# that do not carry it; key_longitudes is {sun, moon, mercury, venus, mars} in tropical degrees.
# Discovery's fields (migration 0003): gender and interested_in (empty = everyone), location (WGS84
# degrees; the latitude index serves the distance filter's bounding box), active (false once
# deactivated or banned) and last_active_at.
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
    Column("gender", Text),
    Column("interested_in", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("last_active_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),  # occurred_at of the event applied last
    Column("deleted_at", DateTime(timezone=True)),
    Index("ix_profiles_latitude_longitude", "latitude", "longitude"),
)
