"""OpenAPI declarations of the answers the shared layers give on any route, one copy for every router,
so that every status code a route can answer is documented (``responses=`` on a router or a route)."""
from __future__ import annotations

from typing import Any

Responses = dict[int | str, dict[str, Any]]

# The per-user (per-IP when anonymous) limit of every service, ahead of every route.
RATE_LIMITED: Responses = {429: {"description": "Too many requests; retry after `Retry-After` seconds"}}
UNAUTHENTICATED: Responses = {401: {"description": "Missing, invalid, expired or logged-out access token"}}
# A JSON body that does not parse (MALFORMED_JSON), on every route that reads one.
MALFORMED_BODY: Responses = {400: {"description": "The body is not valid JSON"}}
# astro-mvp's status list has no 422: its family answers invalid input, malformed JSON included, with 400.
ASTRO_INVALID: Responses = {400: {"description": "Invalid input (VALIDATION_ERROR); `details` names each field at "
                                                 "fault"}}
INVALID: Responses = {422: {"description": "Invalid input; the error names each field at fault"}}
NOT_YOURS: Responses = {404: {"description": "No such resource among the caller's (another user's is not found "
                                            "either)"}}
CHART_UNAVAILABLE: Responses = {503: {"description": "The calculation service is unavailable; retry shortly"}}

