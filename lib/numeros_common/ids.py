"""The one id type of the public API: a positive integer up to 2**53 - 1. Row ids are Postgres BIGINTs,
and JSON numbers are doubles to most clients (the React Native app, generated TypeScript), which
represent integers exactly only up to 2**53 - 1; a larger id could not be sent back intact, and beyond
2**63 - 1 one would overflow the column and come back as a 500. So anything else (0, negatives, larger
values) is a 422 naming the field before it reaches the database. Used alike for path, query and body
values; the bounds are in the OpenAPI document, exactly representable in every JSON parser."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER; well inside Postgres BIGINT

ResourceId = Annotated[int, Field(ge=1, le=MAX_ID, description="A positive integer id (at most 2**53 - 1)")]


def resource_id(description: str) -> object:
    """``ResourceId`` with its own description (``Annotated[int, resource_id("...")]``)."""
    return Field(ge=1, le=MAX_ID, description=description)
