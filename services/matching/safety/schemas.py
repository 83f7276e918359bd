"""Request and response bodies of blocks, reports and the admin review of reports."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from numeros_common.ids import ResourceId

from .rules import MAX_REPORT_DETAILS, REPORT_REASONS

ReportReason = Literal[REPORT_REASONS]  # type: ignore[valid-type]
ReportStatus = Literal["open", "dismissed", "banned"]


class BlockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: ResourceId


class BlockOut(BaseModel):
    user_id: int = Field(description="The blocked person")
    display_name: str | None = Field(default=None, description="Null once their account is deleted")
    created_at: dt.datetime


class BlocksResponse(BaseModel):
    blocks: list[BlockOut] = Field(description="Newest first")


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: ResourceId
    reason: ReportReason = Field(description="One of: " + ", ".join(REPORT_REASONS))
    details: str = Field(default="", max_length=MAX_REPORT_DETAILS, pattern=r"^[^\x00]*$",
                         description="What happened, in the reporter's words (optional)")


class ReportOut(BaseModel):
    id: int
    user_id: int = Field(description="The reported person")
    reason: ReportReason
    details: str
    status: ReportStatus = Field(description="`open` until an admin reviews it, then `dismissed` or `banned`")
    created_at: dt.datetime


class ReportedUser(BaseModel):
    id: int
    display_name: str | None
    active: bool | None = Field(description="False once deactivated or banned; null if unknown here")


class AdminReport(BaseModel):
    id: int
    reporter_id: int
    reported_user: ReportedUser
    reason: ReportReason
    details: str
    status: ReportStatus
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    reviewed_by: int | None


class AdminReportList(BaseModel):
    reports: list[AdminReport] = Field(description="Newest first")
    total: int
    limit: int
    offset: int
