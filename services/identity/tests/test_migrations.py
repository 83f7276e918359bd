"""Migrations on a database of their own build exactly the schema the domains' tables.py declare, and
0003 (the Vedic and forecast tables) downgrades and upgrades again cleanly."""
from __future__ import annotations

from numeros_common.migrations import upgrade
from services.identity.database import full_metadata

from .conftest import MIGRATIONS
from .migrations_check import differences, downgrade, fresh_database, table_names

VEDIC_AND_FORECAST = {"astro_profiles", "astro_snapshots", "astro_predictions", "daily_forecasts"}


def test_migrations_build_the_declared_schema_and_0003_round_trips(infra) -> None:
    url = fresh_database(infra.database_url, "identity_migrations")
    metadata = full_metadata()
    upgrade(MIGRATIONS, url)
    assert {"users", "sessions", "outbox", "inbox"} | VEDIC_AND_FORECAST <= table_names(url, "identity")
    assert differences(url, metadata, "identity") == []

    downgrade(MIGRATIONS, url, "0002")
    assert not VEDIC_AND_FORECAST & table_names(url, "identity")
    missing = {d[1].name for d in differences(url, metadata, "identity") if d[0] == "add_table"}
    assert missing == VEDIC_AND_FORECAST  # the comparison above does see a drift
    upgrade(MIGRATIONS, url)
    assert differences(url, metadata, "identity") == []
