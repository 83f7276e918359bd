"""Migrations on a database of their own build exactly the schema the domains' tables.py declare."""
from __future__ import annotations

from numeros_common.testing import migrated_fresh_database, schema_differences
from services.chat.database import full_metadata

from .conftest import MIGRATIONS


def test_migrations_build_the_declared_schema(infra) -> None:
    metadata = full_metadata()
    assert set(metadata.tables) == {f"chat.{t}" for t in ("matches", "messages", "push_notifications", "devices",
                                                           "notification_settings", "push_deliveries", "outbox",
                                                           "inbox")}
    url = migrated_fresh_database(infra.database_url, MIGRATIONS, metadata)
    assert schema_differences(url, metadata) == []
