"""The identity schema: one MetaData that each domain's tables.py adds its tables to. Only this service
reads or writes it."""
from __future__ import annotations

from sqlalchemy import MetaData

from numeros_common.db import schema_base, with_domain_tables
from numeros_common.events.outbox import inbox_table, outbox_table

Base = schema_base("identity")
metadata = Base.metadata
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


DOMAINS = ("accounts", "forecast", "vedic")  # the packages with a tables.py


def full_metadata() -> MetaData:
    """The metadata with every domain's tables on it (what migrations compare against)."""
    return with_domain_tables(metadata, __package__, DOMAINS)
