"""human-design-chart-api ``POST /api/calculate-chart`` as ``POST /api/v1/human-design/calculate-chart``.

The seed has no authentication, so neither has this route; it is limited to 60 requests a minute per IP,
as the seed recommends. Every error under ``/human-design``, request validation and 429 included, comes in
the seed's body ``{"detail": {code, message, message_de, field, retry_after}}`` (the Human Design dialect in
``numeros_common.dialects``, declared once by the router's family):

* 400 ``INVALID_DATE`` / ``INVALID_TIMEZONE`` / ``INVALID_LOCATION`` / ``INVALID_NAME`` for a missing or
  wrongly typed field (by the field: birth_datetime, birth_timezone, birth_latitude/birth_longitude, name)
  and for out-of-range values (worded by the engine);
* 400 ``INVALID_REQUEST`` (ours) when the body is not a JSON object (malformed JSON included);
* 500 ``EPHEMERIS_UNAVAILABLE`` (with ``retry_after`` and ``Retry-After``) / ``CALCULATION_FAILED``, as the seed;
* 503 ``SERVICE_UNAVAILABLE`` (ours, with ``retry_after``) when the calculation service cannot be reached;
* 429 ``RATE_LIMITED`` (ours, with ``retry_after``) past the limit.
"""
from __future__ import annotations

from fastapi import Request, Response

from numeros_common.deps import runtime_of
from numeros_common.families import HUMAN_DESIGN_CHART, family_router

from . import service
from .schemas import HumanDesignError, HumanDesignRequest, HumanDesignResponse

router = family_router("/api/v1/human-design", HUMAN_DESIGN_CHART, tags=["human design"])


@router.post("/calculate-chart", response_model=HumanDesignResponse, summary="Calculate a Human Design chart",
             description=__doc__, operation_id="human_design_calculate_chart",
             responses={400: {"model": HumanDesignError, "description": "Invalid input (the seed's error body)"},
                        500: {"model": HumanDesignError, "description": "EPHEMERIS_UNAVAILABLE / CALCULATION_FAILED"},
                        503: {"model": HumanDesignError, "description": "SERVICE_UNAVAILABLE"},
                        # Also keeps FastAPI from advertising a 422 this route never sends.
                        "4XX": {"model": HumanDesignError, "description": "429 RATE_LIMITED (with retry_after)"}})
async def calculate_chart(body: HumanDesignRequest, request: Request) -> Response:
    chart = await service.calculate_chart(runtime_of(request).chart, body.birth_datetime, body.birth_timezone,
                                          body.birth_latitude, body.birth_longitude, body.name)
    return Response(chart, media_type="application/json")
