"""The admin leads API's bodies."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

COLUMNS = ("id", "phone_number", "region", "created_at", "last_code_sent_at", "codes_sent", "otp_attempts",
           "is_verified", "verified_at", "verified_by", "user_id")  # the JSON item's and the CSV's columns


class Lead(BaseModel):
    id: int
    phone_number: str = Field(description="E.164")
    region: str | None = Field(description="ISO 3166 country of the number")
    created_at: dt.datetime = Field(description="When the number first asked for a code")
    last_code_sent_at: dt.datetime | None
    codes_sent: int
    otp_attempts: int = Field(description="Wrong codes entered, over every code sent")
    is_verified: bool
    verified_at: dt.datetime | None
    verified_by: str | None = Field(description="otp (the person entered a code) or admin (verified by hand)")
    user_id: int | None = Field(description="The account the lead became")


class LeadPage(BaseModel):
    leads: list[Lead]
    total: int = Field(description="Leads matching the filter, over all pages")
    limit: int
    offset: int
