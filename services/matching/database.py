"""The matching schema. Only this service reads or writes it; each domain declares its own tables
(``<domain>/tables.py``) on this metadata."""
from __future__ import annotations

from numeros_common.db import service_schema

# The domains: the packages with a tables.py.
SCHEMA = service_schema("matching", __package__, domains=("profiles", "matches", "discovery", "safety"))
metadata, outbox, inbox, full_metadata = SCHEMA.metadata, SCHEMA.outbox, SCHEMA.inbox, SCHEMA.full_metadata
