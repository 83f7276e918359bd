"""Migrations on a database of their own: they build exactly the schema tables.py declares, and
0002 (the natal summary) and 0003 (discovery, safety, activity) downgrade and upgrade again cleanly."""
from __future__ import annotations

from numeros_common.migrations import downgrade, upgrade
from numeros_common.testing import columns, migrated_fresh_database, schema_differences
from services.matching.database import full_metadata

from .conftest import MIGRATIONS

NATAL = {"chart_level", "sun_sign", "moon_sign", "rising_sign", "key_longitudes"}
DISCOVERY = {"gender", "interested_in", "latitude", "longitude", "active", "last_active_at"}
NEW_TABLES = {"rankings", "scan_scores", "ranking_changes", "match_messages", "match_reads", "blocks", "reports"}


def test_migrations_build_the_declared_schema_and_round_trip(infra) -> None:
    metadata = full_metadata()
    url = migrated_fresh_database(infra.database_url, MIGRATIONS, metadata)
    assert NATAL <= columns(url, "matching", "profiles")
    assert schema_differences(url, metadata) == []

    downgrade(MIGRATIONS, url, "0002")
    missing = {d[3].name for d in schema_differences(url, metadata) if d[0] == "add_column"}
    assert missing == DISCOVERY | {"compatibility_score", "removed_reason"}  # profiles' and matches' new columns
    assert {d[1].name for d in schema_differences(url, metadata) if d[0] == "add_table"} == NEW_TABLES
    downgrade(MIGRATIONS, url, "0001")
    assert not NATAL & columns(url, "matching", "profiles")
    missing = {d[3].name for d in schema_differences(url, metadata) if d[0] == "add_column"}
    assert missing == NATAL | DISCOVERY | {"compatibility_score", "removed_reason"}  # the comparison sees a drift
    upgrade(MIGRATIONS, url)
    assert NATAL | DISCOVERY <= columns(url, "matching", "profiles")
    assert schema_differences(url, metadata) == []
