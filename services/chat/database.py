"""The chat schema. Only this service reads or writes it; each domain declares its own tables
(``<domain>/tables.py``) on this metadata."""
from __future__ import annotations

from sqlalchemy import MetaData

from numeros_common.db import schema_base, with_domain_tables
from numeros_common.events.outbox import inbox_table, outbox_table

Base = schema_base("chat")
metadata = Base.metadata
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

DOMAINS = ("matches", "messages", "push")  # the packages with a tables.py


def full_metadata() -> MetaData:
    """The metadata with every domain's tables on it (what migrations compare against)."""
    return with_domain_tables(metadata, __package__, DOMAINS)
