"""Rows to response bodies."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import RowMapping

from ..adapters.compatibility import CandidateScore, chart_error
from ..domain.discovery import age_on
from .schemas import (Astrology, CompatibilityResponse, MatchDetail, MatchOut, Numerology, OtherUser,
                      ScanCompatibility, ScanProfile)


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def astrology_of(row: RowMapping) -> Astrology:
    return Astrology(chart_level=row["chart_level"], sun_sign=row["sun_sign"], moon_sign=row["moon_sign"],
                     rising_sign=row["rising_sign"])


def scan_compatibility(score: CandidateScore) -> ScanCompatibility:
    return ScanCompatibility(overall_score=score.overall_score, numerology_score=score.numerology_score,
                             astrology_score=score.astrology_score,
                             highlights=[score.highlight] if score.highlight else [],
                             basis="numerology+astrology" if score.astrology_included else "numerology")


def scan_profile(row: RowMapping, today: dt.date, score: CandidateScore | None) -> ScanProfile:
    return ScanProfile(id=row["user_id"], display_name=row["display_name"], age=age_on(row["birth_date"], today),
                       photos=row["photos"], compatibility=scan_compatibility(score) if score is not None else None,
                       numerology=Numerology.model_validate(row["numerology"]), astrology=astrology_of(row))


def compatibility_body(document: Mapping[str, Any]) -> dict[str, Any]:
    """The chart's EvaluateCompatibility document in our public shape: `astrology` always present (null
    without both charts) and `basis` saying what the scores rest on."""
    astrology = document.get("astrology")
    return {**document, "astrology": astrology, "highlights": document.get("highlights", []),
            "basis": "numerology+astrology" if astrology else "numerology"}


def compatibility_response(document: Mapping[str, Any]) -> CompatibilityResponse:
    try:
        return CompatibilityResponse.model_validate(compatibility_body(document))
    except ValidationError as exc:  # the chart answered something that is not its documented shape
        raise chart_error() from exc


def match_out(row: RowMapping, today: dt.date) -> MatchOut:
    return MatchOut(id=row["id"], user_ids=[row["user1_id"], row["user2_id"]], created_at=row["created_at"],
                    other_user=OtherUser(id=row["other_id"], display_name=row["other_display_name"],
                                         photos=row["other_photos"], age=age_on(row["other_birth_date"], today)))


def viewer_compatibility(data: Mapping[str, Any] | None, viewer_id: int) -> dict[str, Any] | None:
    """The viewer's side of a match's stored compatibility_data (see matches_repo.compatibility_data)."""
    if not data:
        return None
    document = (data.get("perspectives") or {}).get(str(viewer_id))
    return compatibility_body(document) if isinstance(document, Mapping) else None


def match_detail(row: RowMapping, today: dt.date, viewer_id: int) -> MatchDetail:
    return MatchDetail(**match_out(row, today).model_dump(),
                       compatibility_data=viewer_compatibility(row["compatibility_data"], viewer_id),
                       messages_url=f"/api/v1/matches/{row['id']}/messages")
