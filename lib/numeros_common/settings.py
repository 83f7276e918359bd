"""Service configuration from environment variables (prefix ``NUMEROS_``)."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings common to every service; services subclass it to add their own."""

    model_config = SettingsConfigDict(env_prefix="NUMEROS_", extra="ignore")

    service_name: str = "numeros"
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    database_url: str = "postgresql+asyncpg://numeros:numeros@127.0.0.1:5432/numeros"
    redis_url: str = "redis://127.0.0.1:6379/0"
    nats_url: str = "nats://127.0.0.1:4222"
    chart_addr: str = "127.0.0.1:50051"
    chart_deadline_seconds: float = 5.0
    jwt_public_key_file: Path | None = None
    jwt_public_key: str | None = Field(default=None, description="PEM text; overrides the file")
    jwt_issuer: str = "numeros-identity"
    jwt_audience: str = "numeros"
    # Per-user (or per-IP when anonymous) request budget enforced by the service itself.
    rate_limit_per_minute: int = 120
    outbox_poll_seconds: float = 0.5

    @cached_property
    def jwt_public_key_pem(self) -> str:
        if self.jwt_public_key:
            return self.jwt_public_key
        if self.jwt_public_key_file is None:
            raise RuntimeError("NUMEROS_JWT_PUBLIC_KEY_FILE (or NUMEROS_JWT_PUBLIC_KEY) is not set")
        return self.jwt_public_key_file.read_text()
