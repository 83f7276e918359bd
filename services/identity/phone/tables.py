"""The one live code per phone number, the event interests, and the Loopin profile's own parts (the rest of
the profile is on ``users``)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, PrimaryKeyConstraint, String,
                        Table, Text, func, text)

from ..database import metadata

phone_codes = Table(
    "phone_codes", metadata,
    Column("phone_number", String(16), primary_key=True),  # E.164
    Column("code_hash", String(64), nullable=False),  # HMAC-SHA256(key, "<number>:<code>"), never the code
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),  # wrong tries on this code
    Column("sent_at", DateTime(timezone=True), nullable=False),
    # 0012: when the code signed in. A spent code's row stays (no longer a live code) for the retry window
    # (``otp_retry_grace_seconds``), so the same request sent again signs in again instead of failing.
    Column("verified_at", DateTime(timezone=True)),
)

event_interests = Table(
    "event_interests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

user_event_interests = Table(
    "user_event_interests", metadata,
    Column("user_id", BigInteger, ForeignKey("identity.users.id", ondelete="CASCADE"), nullable=False),
    Column("interest_id", Integer, ForeignKey("identity.event_interests.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("user_id", "interest_id"),
)

phone_profiles = Table(
    "phone_profiles", metadata,
    Column("user_id", BigInteger, ForeignKey("identity.users.id", ondelete="CASCADE"), primary_key=True),
    Column("location", String(100), nullable=False, server_default=""),  # Loopin's free-text location
    Column("completed_at", DateTime(timezone=True)),  # set by complete-profile: verify-login's flag
)
