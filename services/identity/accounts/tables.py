"""Accounts and their dating profile (``users``) and login sessions."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Identity,
                        Index, Integer, String, Table, Text, Time, Uuid, func, text)
from sqlalchemy.dialects.postgresql import JSONB

from ..database import metadata

users = Table(
    "users", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("email", String(254)),  # 0005: null for an account made by phone OTP
    Column("password_hash", String(200)),
    Column("display_name", String(100)),
    Column("birth_date", Date),
    Column("birth_time", Time),
    Column("birth_place", String(200)),
    Column("birth_latitude", Float),
    Column("birth_longitude", Float),
    Column("life_path", Integer),
    Column("expression", Integer),
    Column("soul_urge", Integer),
    Column("personality", Integer),
    Column("numerology", JSONB),
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
    # 0004: the rate-limit tier (JioAstro premium), set by an admin. The profile columns above are null for
    # an account registered with email and password alone (astro-mvp) until it gives birth data.
    Column("tier", String(16), nullable=False, server_default="standard"),
    CheckConstraint("tier IN ('standard', 'premium')", name="tier"),
    # 0005: phone accounts (Loopin): the verified E.164 number, and the gender given at complete-profile or
    # PATCH /profile/me, in the events' vocabulary (Loopin's "other" is "non_binary").
    Column("phone_number", String(16), unique=True),
    Column("gender", String(16)),
    CheckConstraint("gender IN ('male', 'female', 'non_binary')", name="gender"),
    CheckConstraint("email IS NOT NULL OR phone_number IS NOT NULL", name="email_or_phone"),
    # 0007: who they want to meet, where they are now (discovery measures distance from it), and
    # ``photos`` (above) holds the uploaded photos in the user's order: [{"id", "width", "height"}].
    Column("interested_in", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("location_latitude", Float),
    Column("location_longitude", Float),
    Column("location_place", String(200)),
    Index("uq_users_email_lower", func.lower(text("email")), unique=True),
    # 0011: which profile lists a photo id (``photos @> '[{"id": ...}]'``): a photo file is served only then.
    Index("ix_users_photos", "photos", postgresql_using="gin", postgresql_ops={"photos": "jsonb_path_ops"}),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("refresh_token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),  # the current refresh token's lapse
    # The record of revocation (Redis only caches it); reason as in identity.session.revoked.
    Column("revoked_at", DateTime(timezone=True)),
    # 0006: a session ends this long after sign-in whatever its rotations (expires_at never passes it).
    Column("absolute_expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_reason", String(32)),
    Index("ix_sessions_revoked_at", "revoked_at", postgresql_where=text("revoked_at IS NOT NULL")),
)

# Refresh tokens a session has rotated away: presenting one again is a replay, which ends the session.
retired_refresh_tokens = Table(
    "retired_refresh_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("retired_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One-time password-reset tokens, stored only as their SHA-256.
password_reset_tokens = Table(
    "password_reset_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# 0010: mails to send (the reset link), each written in the transaction that makes what it tells of, so a crash
# after the answer loses none; the mail worker (``mail.MailQueue``) sends it, retrying with backoff until
# ``send_before`` (the link's own end), and clears ``body`` (it holds the link) once the row is closed.
outgoing_mails = Table(
    "outgoing_mails", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("send_before", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("sent_at", DateTime(timezone=True)),
    Column("abandoned_at", DateTime(timezone=True)),
    Index("ix_outgoing_mails_due", "next_attempt_at",
          postgresql_where=text("sent_at IS NULL AND abandoned_at IS NULL")),
)
