"""The photo ids profiles list, indexed: a photo file is served only while a profile lists it.

Revision ID: 0011_photo_index
Revises: 0010_outgoing_mails
"""
from alembic import op

revision = "0011_photo_index"
down_revision = "0010_outgoing_mails"
SCHEMA = "identity"


def upgrade() -> None:
    op.create_index("ix_users_photos", "users", ["photos"], schema=SCHEMA, postgresql_using="gin",
                    postgresql_ops={"photos": "jsonb_path_ops"})


def downgrade() -> None:
    op.drop_index("ix_users_photos", "users", schema=SCHEMA)
