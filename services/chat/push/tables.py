"""Devices that receive pushes, each person's notification settings, and what was pushed."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, DateTime, Identity, Index, String, Table, Text,
                        UniqueConstraint, Uuid, func, text)
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

# A phone's FCM registration token, or a browser's Web Push subscription (endpoint + keys). The address
# (token or endpoint) is unique: a phone that changes hands to another account moves with it.
devices = Table(
    "devices", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("platform", String(10), nullable=False),
    Column("address", Text, nullable=False),
    Column("keys", JSONB),  # Web Push: {"p256dh": ..., "auth": ...}
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("address"),
    Index("ix_devices_user_id", "user_id"),
    CheckConstraint("platform IN ('ios', 'android', 'web')", name="platform"),
)

# Absent row = the defaults (everything on).
notification_settings = Table(
    "notification_settings", metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("new_matches", Boolean, nullable=False, server_default=text("true")),
    Column("new_messages", Boolean, nullable=False, server_default=text("true")),
    Column("message_previews", Boolean, nullable=False, server_default=text("true")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One row per (event, person) the push consumer decided about: sent, or why not.
push_notifications = Table(
    "push_notifications", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("match_id", BigInteger),
    Column("status", String(20), nullable=False, server_default="sent"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("event_id", "user_id"),
    Index("ix_push_notifications_user_id_match_id", "user_id", "match_id"),
    CheckConstraint("kind IN ('match', 'message')", name="kind"),
)

# Devices an event already reached: a retry after a partial failure skips them (committed per device).
push_deliveries = Table(
    "push_deliveries", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("device_id", BigInteger, primary_key=True, autoincrement=False),
    Column("delivered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
