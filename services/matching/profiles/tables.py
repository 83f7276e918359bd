"""The profiles read model: identity's users as matching sees them."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, String, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

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
