"""Phone OTP (Loopin): accounts by phone number (email and password become optional), the one live code per
number (stored as a keyed hash), leads, the event interests (the seed's ten) and the Loopin profile's parts.

Revision ID: 0005_phone_otp
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_phone_otp"
down_revision = "0004"
SCHEMA = "identity"
# Loopin's README, "Load Event Interests Data": the ten interests a client offers at complete-profile.
INTERESTS = ("Music & Concerts", "Sports & Fitness", "Food & Dining", "Art & Culture", "Technology",
             "Travel & Adventure", "Business & Networking", "Health & Wellness", "Education & Learning",
             "Entertainment")


def _now(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, server_default=sa.func.now())


def upgrade() -> None:
    op.alter_column("users", "email", nullable=True, schema=SCHEMA)
    op.alter_column("users", "password_hash", nullable=True, schema=SCHEMA)
    op.add_column("users", sa.Column("phone_number", sa.String(16)), schema=SCHEMA)
    op.add_column("users", sa.Column("gender", sa.String(16)), schema=SCHEMA)
    op.create_unique_constraint(op.f("uq_users_phone_number"), "users", ["phone_number"], schema=SCHEMA)
    op.create_check_constraint(op.f("ck_users_gender"), "users", "gender IN ('male', 'female', 'non_binary')",
                               schema=SCHEMA)
    op.create_check_constraint(op.f("ck_users_email_or_phone"), "users",
                               "email IS NOT NULL OR phone_number IS NOT NULL", schema=SCHEMA)
    op.create_table(
        "phone_codes",
        sa.Column("phone_number", sa.String(16), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    interests = op.create_table(
        "event_interests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        _now("created_at"),
        _now("updated_at"),
        schema=SCHEMA,
    )
    op.bulk_insert(interests, [{"name": name} for name in INTERESTS])  # ids 1-10 in this order
    op.create_table(
        "user_event_interests",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("interest_id", sa.Integer, sa.ForeignKey(f"{SCHEMA}.event_interests.id", ondelete="CASCADE"),
                  nullable=False),
        sa.PrimaryKeyConstraint("user_id", "interest_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "phone_profiles",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("location", sa.String(100), nullable=False, server_default=""),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("phone_number", sa.String(16), nullable=False, unique=True),
        sa.Column("region", sa.String(2)),
        _now("created_at"),
        sa.Column("last_code_sent_at", sa.DateTime(timezone=True)),
        sa.Column("codes_sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("otp_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("verified_at", sa.DateTime(timezone=True)),
        sa.Column("verified_by", sa.String(8)),
        sa.Column("user_id", sa.BigInteger),
        sa.CheckConstraint("verified_by IN ('otp', 'admin')", name=op.f("ck_leads_verified_by")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_leads_created_at"), "leads", ["created_at"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("leads", "phone_profiles", "user_event_interests", "event_interests", "phone_codes"):
        op.drop_table(table, schema=SCHEMA)
    op.execute(f"DELETE FROM {SCHEMA}.users WHERE email IS NULL")  # phone accounts cannot exist before 0005
    op.drop_constraint(op.f("ck_users_email_or_phone"), "users", schema=SCHEMA)
    op.drop_constraint(op.f("ck_users_gender"), "users", schema=SCHEMA)
    op.drop_constraint(op.f("uq_users_phone_number"), "users", schema=SCHEMA)
    op.drop_column("users", "gender", schema=SCHEMA)
    op.drop_column("users", "phone_number", schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.users SET password_hash = '' WHERE password_hash IS NULL")
    op.alter_column("users", "password_hash", nullable=False, schema=SCHEMA)
    op.alter_column("users", "email", nullable=False, schema=SCHEMA)
