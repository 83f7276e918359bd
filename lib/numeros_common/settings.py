"""Service configuration from environment variables (prefix ``NUMEROS_``)."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .events.streams import DUPLICATE_WINDOW_SECONDS


class ServiceSettings(BaseSettings):
    """Settings common to every service; services subclass it to add their own."""

    model_config = SettingsConfigDict(env_prefix="NUMEROS_", extra="ignore")

    service_name: str = "numeros"
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # uvicorn worker processes sharing the port (each its own event loop, pools and background loops, like a
    # replica); 0 = one per usable core. k8s sets it from the container's CPU limit.
    http_workers: int = Field(default=1, ge=0)
    database_url: str = "postgresql+asyncpg://numeros:numeros@127.0.0.1:5432/numeros"
    redis_url: str = "redis://127.0.0.1:6379/0"
    nats_url: str = "nats://127.0.0.1:4222"
    chart_addr: str = "127.0.0.1:50051"
    chart_deadline_seconds: float = 5.0
    jwt_public_key_file: Path | None = None
    jwt_public_key: str | None = Field(default=None, description="PEM text; overrides the file")
    jwt_issuer: str = "numeros-identity"
    jwt_audience: str = "numeros"
    # Rate limits per user (per IP when anonymous), in the `limits` notation ("100/hour", "20/minute").
    # rate_limits=off switches every limit off at once (load tests); the gateway's edge limit reads it too.
    rate_limits: bool = True
    rate_limit_default: str = "120/minute"  # the dating app's routes, per user
    # The sister products' families (served by identity), as their seeds set them.
    rate_limit_numerology: str = "100/hour"  # JioAstro: per endpoint per user
    rate_limit_numerology_premium: str = "500/hour"  # JioAstro premium tier
    rate_limit_astro: str = "100/minute"  # astro-mvp general (incl. /admin)
    rate_limit_astro_compute: str = "20/minute"
    rate_limit_astro_predict: str = "10/minute"
    rate_limit_human_design: str = "60/minute"  # per IP, as the Human Design seed recommends
    outbox_poll_seconds: float = 0.5
    # WebSocket protocol pings (uvicorn): a client that answers none within the timeout is dropped, since
    # the gateway keeps an idle upstream connection open however dead its client is.
    ws_ping_interval_seconds: float = Field(default=20.0, gt=0)
    ws_ping_timeout_seconds: float = Field(default=20.0, gt=0)
    # The periodic deletion of published outbox rows and applied inbox rows (events/cleanup.py). Neither
    # retention may be shorter than JetStream's duplicate window; the inbox keeps a day by default because
    # past the window it is the only guard against a re-published event (see cleanup.py).
    events_cleanup_interval_seconds: float = Field(default=60.0, gt=0)
    outbox_retention_seconds: float = DUPLICATE_WINDOW_SECONDS
    inbox_retention_seconds: float = 86400.0

    @field_validator("rate_limit_default", "rate_limit_numerology", "rate_limit_numerology_premium",
                     "rate_limit_astro", "rate_limit_astro_compute", "rate_limit_astro_predict",
                     "rate_limit_human_design")
    @classmethod
    def _limit_notation(cls, value: str) -> str:
        parse(value)  # ValueError names the setting at start-up, not at the first request
        return value

    @field_validator("outbox_retention_seconds", "inbox_retention_seconds")
    @classmethod
    def _not_inside_duplicate_window(cls, value: float) -> float:
        if value < DUPLICATE_WINDOW_SECONDS:
            raise ValueError(f"must be at least JetStream's duplicate window ({DUPLICATE_WINDOW_SECONDS:g} s)")
        return value

    @cached_property
    def jwt_public_key_pem(self) -> str:
        if self.jwt_public_key:
            return self.jwt_public_key
        if self.jwt_public_key_file is None:
            raise RuntimeError("NUMEROS_JWT_PUBLIC_KEY_FILE (or NUMEROS_JWT_PUBLIC_KEY) is not set")
        return self.jwt_public_key_file.read_text()
