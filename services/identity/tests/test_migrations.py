"""Migrations on a database of their own build exactly the schema the domains' tables.py declare, and
0003 (the Vedic and forecast tables), 0006 (sessions) and 0008 (saved numerology) downgrade and upgrade
again cleanly."""
from __future__ import annotations

from sqlalchemy import inspect

from numeros_common.migrations import downgrade, upgrade
from numeros_common.testing import inspect_sync, migrated_fresh_database, schema_differences
from services.identity.database import full_metadata

from .conftest import MIGRATIONS

VEDIC_AND_FORECAST = {"astro_profiles", "astro_snapshots", "astro_predictions", "daily_forecasts"}
SESSION_TABLES = {"retired_refresh_tokens", "password_reset_tokens"}  # 0006
SAVED_NUMEROLOGY = {"numerology_profiles", "numerology_name_trials"}  # 0008


def table_names(url: str) -> set[str]:
    return inspect_sync(url, lambda connection: set(inspect(connection).get_table_names(schema="identity")))


def test_migrations_build_the_declared_schema_and_round_trip(infra) -> None:
    metadata = full_metadata()
    url = migrated_fresh_database(infra.database_url, MIGRATIONS, metadata)
    assert {"users", "sessions", "outbox", "inbox"} | VEDIC_AND_FORECAST | SAVED_NUMEROLOGY <= table_names(url)
    assert schema_differences(url, metadata) == []

    downgrade(MIGRATIONS, url, "0004")
    assert not SAVED_NUMEROLOGY & table_names(url)
    upgrade(MIGRATIONS, url)
    assert schema_differences(url, metadata) == []

    downgrade(MIGRATIONS, url, "0002")
    assert not (VEDIC_AND_FORECAST | SAVED_NUMEROLOGY) & table_names(url)
    missing = {d[1].name for d in schema_differences(url, metadata) if d[0] == "add_table"}
    assert missing == VEDIC_AND_FORECAST | SESSION_TABLES | SAVED_NUMEROLOGY | {"admin_audit_log"}  # sees a drift
    upgrade(MIGRATIONS, url)
    assert schema_differences(url, metadata) == []
    downgrade(MIGRATIONS, url, "0004")
    assert not (SESSION_TABLES | SAVED_NUMEROLOGY | {"admin_audit_log"}) & table_names(url)
    upgrade(MIGRATIONS, url)
    assert schema_differences(url, metadata) == []
    upgrade(MIGRATIONS, url)
    assert schema_differences(url, metadata) == []
