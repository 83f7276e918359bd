"""The identity schema: one MetaData that each domain's tables.py adds its tables to. Only this service
reads or writes it."""
from __future__ import annotations

from sqlalchemy import MetaData

from numeros_common.db import schema_base
from numeros_common.events.outbox import inbox_table, outbox_table

Base = schema_base("identity")
metadata = Base.metadata
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


def full_metadata() -> MetaData:
    """``metadata`` with every domain's tables loaded (what migrations build and are compared with)."""
    from .accounts import tables as _accounts  # noqa: F401
    from .forecast import tables as _forecast  # noqa: F401
    from .vedic import tables as _vedic  # noqa: F401

    return metadata
