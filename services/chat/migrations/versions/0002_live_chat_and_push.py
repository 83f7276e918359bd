"""Idempotent sends, predecessor links for gap-free live delivery, devices, notification settings.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
SCHEMA = "chat"


def upgrade() -> None:
    op.add_column("matches", sa.Column("last_message_id", sa.BigInteger), schema=SCHEMA)
    op.create_index("ix_matches_user1_id", "matches", ["user1_id"], schema=SCHEMA)
    op.create_index("ix_matches_user2_id", "matches", ["user2_id"], schema=SCHEMA)
    op.execute("UPDATE chat.matches m SET last_message_id = "
               "(SELECT max(id) FROM chat.messages WHERE match_id = m.match_id)")
    op.add_column("messages", sa.Column("client_message_id", sa.String(64)), schema=SCHEMA)
    op.create_unique_constraint("uq_messages_match_id_sender_id_client_message_id", "messages",
                                ["match_id", "sender_id", "client_message_id"], schema=SCHEMA)
    op.create_index("ix_messages_sender_id", "messages", ["sender_id"], schema=SCHEMA)
    op.add_column("push_notifications", sa.Column("match_id", sa.BigInteger), schema=SCHEMA)
    op.add_column("push_notifications", sa.Column("status", sa.String(20), nullable=False, server_default="sent"),
                  schema=SCHEMA)
    op.create_index("ix_push_notifications_user_id_match_id", "push_notifications", ["user_id", "match_id"],
                    schema=SCHEMA)
    op.create_table(
        "devices",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("platform", sa.String(10), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("keys", JSONB),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("address", name="uq_devices_address"),
        sa.CheckConstraint("platform IN ('ios', 'android', 'web')", name="ck_devices_platform"),
        schema=SCHEMA,
    )
    op.create_index("ix_devices_user_id", "devices", ["user_id"], schema=SCHEMA)
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("new_matches", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("new_messages", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("message_previews", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "push_deliveries",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("device_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("push_deliveries", "notification_settings", "devices"):
        op.drop_table(table, schema=SCHEMA)
    op.drop_index("ix_push_notifications_user_id_match_id", "push_notifications", schema=SCHEMA)
    op.drop_column("push_notifications", "status", schema=SCHEMA)
    op.drop_column("push_notifications", "match_id", schema=SCHEMA)
    op.drop_index("ix_messages_sender_id", "messages", schema=SCHEMA)
    op.drop_constraint("uq_messages_match_id_sender_id_client_message_id", "messages", schema=SCHEMA)
    op.drop_column("messages", "client_message_id", schema=SCHEMA)
    op.drop_index("ix_matches_user2_id", "matches", schema=SCHEMA)
    op.drop_index("ix_matches_user1_id", "matches", schema=SCHEMA)
    op.drop_column("matches", "last_message_id", schema=SCHEMA)
