"""jioastro-numerology-api calculations: ``POST /numerology/calculate`` and ``/numerology/compare``.

Authenticated, as the seed requires (our JWT). Chart computes the seed's bodies; they pass through."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import runtime_of
from numeros_common.errors import AppError

from ..adapters.chart import renamed, today_utc
from .documents import NumerologyCalculateResponse, NumerologyCompareResponse
from .schemas import NumerologyCalculateRequest, NumerologyCompareRequest

router = APIRouter(prefix="/api/v1/numerology", tags=["numerology"])
COMPARE_NAMES_MIN, COMPARE_NAMES_MAX = 2, 5
_ERRORS = {401: {"description": "Missing or invalid token"},
           422: {"description": "Invalid input naming the field"},
           503: {"description": "Calculation service unavailable"}}


def _json(body: str) -> Response:
    return Response(body, media_type="application/json")


@router.post("/calculate", response_model=NumerologyCalculateResponse, summary="Calculate numerology without saving",
             description="Western (Pythagorean), Vedic and Chaldean numerology; `system` both = western + vedic. "
                         "Personal cycles are read for `as_of`, by default today's date in UTC.",
             responses=_ERRORS)
async def calculate(body: NumerologyCalculateRequest, request: Request,
                    _: Principal = Depends(require_principal)) -> Response:
    try:
        reply = await runtime_of(request).chart.numerology_report(
            body.full_name, body.birth_date, as_of=body.as_of or today_utc(), system=body.system,
            y_as_vowel=body.y_as_vowel or "")
    except AppError as error:
        raise renamed(error, {}) from error
    return _json(reply.json)


@router.post("/compare", response_model=NumerologyCompareResponse, summary="Compare 2-5 name variants side by side",
             responses={400: {"description": "Fewer than 2 or more than 5 names"}, **_ERRORS})
async def compare(body: NumerologyCompareRequest, request: Request,
                  _: Principal = Depends(require_principal)) -> Response:
    if not COMPARE_NAMES_MIN <= len(body.names) <= COMPARE_NAMES_MAX:
        raise AppError(400, "BAD_REQUEST", f"names: give {COMPARE_NAMES_MIN} to {COMPARE_NAMES_MAX} names "
                                           f"(got {len(body.names)})", field="names")
    try:
        reply = await runtime_of(request).chart.compare_names(body.names, body.birth_date, system=body.system,
                                                              y_as_vowel=body.y_as_vowel or "")
    except AppError as error:
        raise renamed(error, {}) from error
    return _json(reply.json)
