from __future__ import annotations

from numeros_common.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = "matching"
    http_port: int = 8102
