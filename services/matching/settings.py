from __future__ import annotations

from pydantic import Field

from numeros_common.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = "matching"
    http_port: int = 8102
    identity_url: str = "http://127.0.0.1:8101"  # identity's admin API: a ban deactivates the account there
    # How often the ranking maintainer looks for people who joined or changed (the upper bound, with the
    # fan-out itself, on how long a newcomer takes to appear in others' ranked scans).
    ranking_poll_seconds: float = Field(default=0.2, gt=0)
    ranking_unused_days: float = Field(default=7.0, gt=0)  # a ranking nobody scanned with this long is dropped
