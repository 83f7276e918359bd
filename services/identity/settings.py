from __future__ import annotations

from pathlib import Path

from numeros_common.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    service_name: str = "identity"
    http_port: int = 8101
    jwt_private_key_file: Path | None = None
    access_token_ttl_seconds: int = 30 * 60  # astro-mvp and Loopin: 30 minutes
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    matching_url: str = "http://127.0.0.1:8102"
    chat_url: str = "http://127.0.0.1:8103"
    # The prediction engine behind /astro/predict: "rules" (deterministic, numeros-rules-v1). An LLM-backed
    # engine registers itself in services.identity.vedic.predictions.ENGINES and is chosen here.
    prediction_engine: str = "rules"
    # The admin console (/admin/): idle timeout, absolute lifetime, and the cookie's Secure flag (browsers
    # keep Secure cookies for http://127.0.0.1 and localhost, so the local run needs no change).
    console_idle_seconds: int = 30 * 60
    console_max_age_seconds: int = 12 * 3600
    console_cookie_secure: bool = True
