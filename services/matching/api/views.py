"""Rows to response bodies."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import RowMapping

from ..domain.discovery import age_on
from .schemas import MatchDetail, MatchOut, Numerology, OtherUser, ScanProfile


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def scan_profile(row: RowMapping, today: dt.date) -> ScanProfile:
    return ScanProfile(id=row["user_id"], display_name=row["display_name"], age=age_on(row["birth_date"], today),
                       photos=row["photos"], numerology=Numerology.model_validate(row["numerology"]))


def match_out(row: RowMapping, today: dt.date) -> MatchOut:
    return MatchOut(id=row["id"], user_ids=[row["user1_id"], row["user2_id"]], created_at=row["created_at"],
                    other_user=OtherUser(id=row["other_id"], display_name=row["other_display_name"],
                                         photos=row["other_photos"], age=age_on(row["other_birth_date"], today)))


def match_detail(row: RowMapping, today: dt.date) -> MatchDetail:
    return MatchDetail(**match_out(row, today).model_dump(), compatibility_data=row["compatibility_data"],
                       messages_url=f"/api/v1/matches/{row['id']}/messages")
