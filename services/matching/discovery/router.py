"""Discovery over HTTP: scan for people, compatibility with one of them."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from pydantic import ValidationError
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.responses import INVALID, MALFORMED_BODY, RATE_LIMITED, UNAUTHENTICATED

from ..compatibility import CandidateScore, chart_error
from . import service
from .rules import age_on, compatibility_body, shown_distance_km
from .schemas import (PAIR_ERRORS, Astrology, CompatibilityResponse, EvaluateRequest, Numerology, ScanCompatibility,
                      ScanProfile, ScanRequest, ScanResponse)

router = APIRouter(prefix="/api/v1", tags=["discovery"], responses=RATE_LIMITED)

SCAN_DESCRIPTION = """\
Everyone the caller may meet, **best compatibility first** over all of them (not within a page), one
page at a time.

- Shown: live, active people other than the caller whom the caller has not resonated with or declined,
  with no block either way, and **each someone the other wants to meet** (`interested_in` of both; an
  empty list means everyone; someone without a gender is shown only to people open to everyone).
- Every field is optional; `{}` (or no body) returns the first 10 profiles.
- `filters.age_min` / `filters.age_max` bound the age in completed years as of today's UTC date.
- `filters.distance_km` keeps people within that great-circle distance of the caller's location (both
  locations must be known); each profile carries `distance_km` (to 0.1 km; null when either location is
  unknown). When the caller has no location the filter cannot apply and is listed in `ignored_filters`.
- Order: the combined compatibility score (`compatibility.overall_score`), highest first; equal scores
  by higher user id first. Scores are precomputed per caller (built at the first scan, kept fresh as
  people join or change their birth data within about a second); who is shown is decided at request time.
- Page on with `cursor` = the previous page's `next_cursor` (opaque; null on the last page).
- Each profile carries `astrology` (chart level and Sun / Moon / rising signs, null until known) and
  `compatibility`: the caller's scores with that person (0-100 `overall_score`, `numerology_score`,
  `astrology_score`, and at most one `highlights` entry such as "Your Moons are in harmony"). `basis`
  says what they rest on: numerology and synastry of the Sun, Moon, Mercury, Venus and Mars when both
  people's charts are known; otherwise numerology alone, with `astrology_score` 0 and `overall_score` =
  `numerology_score`.
- When no ranking can be had, the same people come in user-id order, every `compatibility` is null and
  `compatibility_unavailable` says why: `PROFILE_PENDING` (the caller's own profile has not reached
  this service yet; it does within moments of registering; preferences cannot apply until then),
  `PROFILE_DELETED` (the caller's account was deleted), `PROFILE_INACTIVE` (deactivated or banned),
  `CHART_UNAVAILABLE` (the calculation service is down or too slow) or `CHART_ERROR` (it failed). When the
  ranking exists but the page's scores cannot be computed, the order stays and only the scores are null.
  Scores are never guessed. A cursor from the other order starts that order from the top.
"""


@router.post("/scan", response_model=ScanResponse, summary="Browse potential matches", operation_id="scan",
             description=SCAN_DESCRIPTION, responses={**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID})
async def scan(request: Request, body: Annotated[ScanRequest | None, Body()] = None,
               principal: Principal = Depends(require_principal),
               session: AsyncSession = Depends(db_session)) -> ScanResponse:
    body = body or ScanRequest()
    filters = body.filters
    today = dt.datetime.now(dt.UTC).date()
    page = await service.scan(session, runtime_of(request).chart, principal.user_id, today=today, cursor=body.cursor,
                              limit=body.limit, age_min=filters.age_min if filters else None,
                              age_max=filters.age_max if filters else None,
                              distance_km=filters.distance_km if filters else None)
    return ScanResponse(profiles=[scan_profile(r, today, page.scores.get(r["user_id"])) for r in page.profiles],
                        next_cursor=page.next_cursor, ignored_filters=page.ignored_filters,
                        compatibility_unavailable=page.unavailable)


@router.post("/scan/evaluate", response_model=CompatibilityResponse, summary="Compatibility with one user in detail",
             operation_id="evaluate_compatibility",
             description="The caller's compatibility with `target_user_id`, read from the caller's side: the "
                         "overall score, the numerology breakdown (life path, soul urge, expression and "
                         "personality harmony with strengths and challenges) and, when both people's charts "
                         "are known, the synastry aspects between their Sun, Moon, Mercury, Venus and Mars with "
                         "harmony and tension scores and an interpretation (`astrology` is null otherwise, and "
                         "`overall_score` is then the numerology score). Computed on request; nothing is stored.",
             responses={**PAIR_ERRORS, 502: {"description": "The calculation service failed (CHART_ERROR)"},
                        503: {"description": "The calculation service is unavailable (CHART_UNAVAILABLE); retry"}})
async def evaluate(body: EvaluateRequest, request: Request, principal: Principal = Depends(require_principal),
                   session: AsyncSession = Depends(db_session)) -> CompatibilityResponse:
    document = await service.evaluate(session, runtime_of(request).chart, principal.user_id, body.target_user_id)
    try:
        return CompatibilityResponse.model_validate(compatibility_body(document.body))
    except ValidationError as exc:  # the chart answered something that is not its documented shape
        raise chart_error() from exc


def astrology_of(row: RowMapping) -> Astrology:
    return Astrology(chart_level=row["chart_level"], sun_sign=row["sun_sign"], moon_sign=row["moon_sign"],
                     rising_sign=row["rising_sign"])


def scan_compatibility(score: CandidateScore) -> ScanCompatibility:
    return ScanCompatibility(overall_score=score.overall_score, numerology_score=score.numerology_score,
                             astrology_score=score.astrology_score,
                             highlights=[score.highlight] if score.highlight else [],
                             basis="numerology+astrology" if score.astrology_included else "numerology")


def scan_profile(row: RowMapping, today: dt.date, score: CandidateScore | None) -> ScanProfile:
    distance = row["distance_km"]
    return ScanProfile(id=row["user_id"], display_name=row["display_name"], age=age_on(row["birth_date"], today),
                       photos=row["photos"], bio=row["bio"],
                       distance_km=shown_distance_km(distance) if distance is not None else None,
                       compatibility=scan_compatibility(score) if score is not None else None,
                       numerology=Numerology.model_validate(row["numerology"]), astrology=astrology_of(row))
