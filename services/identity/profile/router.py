"""The dating profile: the signed-in user's profile, and the anonymous numerology + chart preview."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.responses import CHART_UNAVAILABLE, INVALID, MALFORMED_BODY, RATE_LIMITED, UNAUTHENTICATED

from . import service
from .schemas import BIRTH_PLACE_DESCRIPTION, CalculateInput, CalculateResponse, MeResponse, profile_body

router = APIRouter(prefix="/api/v1/profile", tags=["profile"], responses=RATE_LIMITED)


async def signed_in_profile(principal: Principal = Depends(require_principal),
                            session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return JSONResponse(profile_body(await service.signed_in_user(session, principal.user_id)))


router.get("/me", response_model=MeResponse, summary="My profile with numerology and astrology",
           operation_id="get_my_profile", responses=UNAUTHENTICATED)(signed_in_profile)


@router.post("/calculate", response_model=CalculateResponse, summary="Numerology and natal chart without an account",
             description="Anonymous (rate-limited per IP). A local birth time before 0001-01-01T00:00Z (midnight of "
                         "1 January 1 east of Greenwich) is refused (422 naming `birth_date`). The numeros-backend-rebuild "
                         "CalculateResponse "
                         "`{numerology, astrology, chart_level}` with the native app's PlanetPosition / AnglePosition "
                         "shapes; `angles` and `houses` only at chart level 4. `astrology.birth` says which time zone "
                         "and UTC instant were used. Optional `timezone` and `house_system`. birth_place: "
                         + BIRTH_PLACE_DESCRIPTION,
             operation_id="calculate_profile", responses={**MALFORMED_BODY, **INVALID, **CHART_UNAVAILABLE})
async def calculate(body: CalculateInput, request: Request) -> Response:
    profile = await service.calculate_profile(runtime_of(request).chart, body.name, body, name_field="name")
    # chart's document is the response body; passed through as chart wrote it.
    return Response(profile.document_json, media_type="application/json")
