from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from numeros_common.ratelimit import limit_item
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
    # Phone OTP (Loopin). The code is stored only as HMAC-SHA256 under otp_hmac_key (when unset, a key derived
    # from the JWT signing key, so a local run needs no extra secret).
    otp_code_length: int = Field(default=4, ge=4, le=8)
    otp_ttl_seconds: int = Field(default=600, gt=0)  # Loopin: 10 minutes
    otp_max_attempts: int = Field(default=5, ge=1)  # wrong tries before the code is locked
    otp_resend_cooldown_seconds: int = Field(default=30, ge=0)
    otp_hmac_key: SecretStr | None = None
    # Sending limits against SMS pumping (toll fraud), in the `limits` notation; NUMEROS_RATE_LIMITS=off lifts them.
    rate_limit_otp_per_number: str = "5/hour"
    rate_limit_otp_per_ip: str = "20/hour"
    # SMS: Twilio when the account SID, auth token and a sender (number or messaging service) are set;
    # otherwise the console provider writes "OTP for <number>: <code>" to the log (the local run).
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None

    @field_validator("rate_limit_otp_per_number", "rate_limit_otp_per_ip")
    @classmethod
    def _otp_limit_notation(cls, value: str) -> str:
        limit_item(value)  # a wrong notation fails at start-up, naming the setting
        return value
