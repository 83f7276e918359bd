"""jioastro-numerology-api calculations: ``POST /numerology/calculate`` and ``/numerology/compare``.

Authenticated, as the seed requires (our JWT). Chart computes the seed's bodies; they pass through. Errors
and limits are the JioAstro family's (``{"detail": ...}``, 100 requests an hour per endpoint, 500 premium)."""
from __future__ import annotations

from fastapi import Depends, Request, Response

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import runtime_of
from numeros_common.families import JIOASTRO_NUMEROLOGY, family_router
from numeros_common.responses import (CHART_UNAVAILABLE, INVALID, MALFORMED_BODY, RATE_LIMITED,
                                      UNAUTHENTICATED)

from ..calculations import today_utc
from . import service
from .schemas import (NumerologyCalculateRequest, NumerologyCalculateResponse, NumerologyCompareRequest,
                      NumerologyCompareResponse)

router = family_router("/api/v1/numerology", JIOASTRO_NUMEROLOGY, tags=["numerology"], responses=RATE_LIMITED)
_ERRORS = {**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID, **CHART_UNAVAILABLE}


def _json(body: str) -> Response:
    return Response(body, media_type="application/json")


@router.post("/calculate", response_model=NumerologyCalculateResponse, summary="Calculate numerology without saving",
             description="Western (Pythagorean), Vedic and Chaldean numerology; `system` both = western + vedic. "
                         "Personal cycles are read for `as_of`, by default today's date in UTC; an `as_of` "
                         "before `birth_date` is refused (422 naming `as_of`).",
             operation_id="numerology_calculate", responses=_ERRORS)
async def calculate(body: NumerologyCalculateRequest, request: Request,
                    _: Principal = Depends(require_principal)) -> Response:
    return _json(await service.calculate(runtime_of(request).chart, body.full_name, body.birth_date,
                                         as_of=body.as_of or today_utc(), system=body.system,
                                         y_as_vowel=body.y_as_vowel or ""))


@router.post("/compare", response_model=NumerologyCompareResponse, summary="Compare 2-5 name variants side by side",
             operation_id="numerology_compare",
             responses={**_ERRORS, 400: {"description": "Not valid JSON, or fewer than 2 or more than 5 names"}})
async def compare(body: NumerologyCompareRequest, request: Request,
                  _: Principal = Depends(require_principal)) -> Response:
    return _json(await service.compare(runtime_of(request).chart, body.names, body.birth_date, system=body.system,
                                       y_as_vowel=body.y_as_vowel or ""))
