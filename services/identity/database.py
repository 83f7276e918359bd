"""The identity schema: one MetaData that each domain's tables.py adds its tables to. Only this service
reads or writes it."""
from __future__ import annotations

from numeros_common.db import service_schema

# The domain packages with a tables.py.
SCHEMA = service_schema("identity", __package__,
                        domains=("accounts", "console", "forecast", "vedic", "numerology", "phone", "leads"))
metadata, outbox, inbox, full_metadata = SCHEMA.metadata, SCHEMA.outbox, SCHEMA.inbox, SCHEMA.full_metadata
