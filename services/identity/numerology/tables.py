"""JioAstro's saved numerology profiles and their name trials (migration 0008). Both go with their
owner's account (ON DELETE CASCADE on users.id) and trials with their profile; a linked birth profile
(astro-mvp's) may be deleted on its own, which unlinks it."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Identity, Index,
                        String, Table, func, text)
from sqlalchemy.dialects.postgresql import JSON

from ..database import metadata

SYSTEMS = ("western", "vedic", "chaldean", "both")
TRIAL_SYSTEMS = ("western", "vedic", "chaldean")
Y_RULES = ("auto", "always", "never")
NAME_LENGTH, NOTES_LENGTH = 200, 1000


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


numerology_profiles = Table(
    "numerology_profiles", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("identity.users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("profile_id", BigInteger, ForeignKey("identity.astro_profiles.id", ondelete="SET NULL"), index=True),
    Column("full_name", String(NAME_LENGTH), nullable=False),
    Column("common_name", String(NAME_LENGTH)),
    Column("name_at_birth", String(NAME_LENGTH)),
    Column("birth_date", Date, nullable=False),
    Column("system", String(16), nullable=False),
    Column("y_as_vowel", String(8), nullable=False, server_default="auto"),
    # The /calculate sections as chart computed them, and the western section's current cycles (json, not
    # jsonb: answered in chart's key order, as /calculate answers them; never queried inside).
    Column("western_data", JSON),
    Column("vedic_data", JSON),
    Column("chaldean_data", JSON),
    Column("cycles", JSON),
    Column("calculation_hash", String(64), nullable=False),
    Column("calculated_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(_one_of("system", SYSTEMS), name="system"),
    CheckConstraint(_one_of("y_as_vowel", Y_RULES), name="y_as_vowel"),
)

numerology_name_trials = Table(
    "numerology_name_trials", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("numerology_profile_id", BigInteger, ForeignKey("identity.numerology_profiles.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("user_id", BigInteger, ForeignKey("identity.users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("trial_name", String(NAME_LENGTH), nullable=False),
    Column("system", String(16), nullable=False),
    Column("calculated_values", JSON, nullable=False),
    Column("notes", String(NOTES_LENGTH)),
    Column("is_preferred", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(_one_of("system", TRIAL_SYSTEMS), name="system"),
    # A profile has at most one preferred name.
    Index("uq_numerology_name_trials_preferred", "numerology_profile_id", unique=True,
          postgresql_where=text("is_preferred")),
)
