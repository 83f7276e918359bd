"""The editable dating profile (gender came with 0005): who they want to meet, where they are now; ``photos`` holds the
uploaded photos as objects ({"id", "width", "height"}, in the user's order) instead of URL strings (no
account had any: photo upload did not exist before).

Revision ID: 0007_profile_photos
Revises: 0006_sessions
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007_profile_photos"
down_revision = "0006_sessions"
SCHEMA = "identity"


def upgrade() -> None:
    op.add_column("users", sa.Column("interested_in", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
                  schema=SCHEMA)
    op.add_column("users", sa.Column("location_latitude", sa.Float), schema=SCHEMA)
    op.add_column("users", sa.Column("location_longitude", sa.Float), schema=SCHEMA)
    op.add_column("users", sa.Column("location_place", sa.String(200)), schema=SCHEMA)


def downgrade() -> None:
    op.execute(f"UPDATE {SCHEMA}.users SET photos = '[]'::jsonb")  # the files' URLs are not kept
    for column in ("location_place", "location_longitude", "location_latitude", "interested_in"):
        op.drop_column("users", column, schema=SCHEMA)
