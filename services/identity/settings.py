from __future__ import annotations

from pathlib import Path

from limits import parse
from pydantic import Field, SecretStr, field_validator

from numeros_common.ratelimit import limit_item
from numeros_common.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    service_name: str = "identity"
    http_port: int = 8101
    jwt_private_key_file: Path | None = None
    access_token_ttl_seconds: int = 30 * 60  # astro-mvp and Loopin: 30 minutes
    refresh_token_ttl_seconds: int = 30 * 24 * 3600  # one refresh token's life; each rotation issues a new one
    # A refresh token rotated away this recently, and the last one rotated away, may be presented again: the
    # app's retry after a lost reply (weak connection) gets new tokens instead of ending the session.
    refresh_retry_grace_seconds: float = Field(default=30.0, ge=0)
    # A session's absolute lifetime from sign-in: rotation never carries it past this (sign in again).
    session_max_age_seconds: int = Field(default=30 * 24 * 3600, gt=0)
    # How often identity checks that Redis still holds the revocations (its marker key), and rewrites them
    # from Postgres when it does not (a Redis restart that lost data, or a write Redis missed).
    revocation_sync_seconds: float = Field(default=1.0, gt=0)
    # Failed logins per account (the email, known or not), besides the per-IP limit; `limits` notation.
    login_failure_limit: str = "10/15 minutes"
    # Password-reset requests mailed per email address (more are answered alike and dropped).
    password_reset_mail_limit: str = "5/hour"
    password_reset_ttl_seconds: int = Field(default=30 * 60, gt=0)
    # Where the reset link points (the app's page that takes the token); the token is appended.
    password_reset_url: str = "https://numeros.app/reset-password?token="
    # Mail: SMTP when smtp_host is set, otherwise the console provider (the identity log).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "Numeros <noreply@numeros.app>"
    # How often the mail worker looks for mails to send besides being woken by the request that queued one.
    mail_poll_seconds: float = Field(default=5.0, gt=0)
    # How long a sent (or abandoned) mail's row is kept, without its body: whether and when it went out.
    mail_retention_seconds: float = Field(default=7 * 86400.0, gt=0)
    matching_url: str = "http://127.0.0.1:8102"
    chat_url: str = "http://127.0.0.1:8103"
    # The prediction engine behind /astro/predict: "rules" (deterministic, numeros-rules-v1). An LLM-backed
    # engine registers itself in services.identity.vedic.predictions.ENGINES and is chosen here.
    prediction_engine: str = "rules"

    @field_validator("login_failure_limit", "password_reset_mail_limit")
    @classmethod
    def _account_limit_notation(cls, value: str) -> str:
        parse(value)
        return value

    # The admin console (/admin/): idle timeout, absolute lifetime, and the cookie's Secure flag (browsers
    # keep Secure cookies for http://127.0.0.1 and localhost, so the local run needs no change).
    console_idle_seconds: int = 30 * 60
    console_max_age_seconds: int = 12 * 3600
    console_cookie_secure: bool = True
    # Profile photos: on local disk under media_dir (devstack: <data dir>/data/media) unless a bucket is set,
    # then in S3-compatible storage (credentials from boto3's usual chain: AWS_* variables, profile, role).
    media_dir: Path = Path("var/media")
    photo_s3_bucket: str | None = None
    photo_s3_prefix: str = "photos/"
    photo_s3_endpoint_url: str | None = None  # MinIO, R2, Spaces ...; None = AWS
    photo_s3_region: str | None = None
    # Photo bytes served to scan cards, per client IP (a scan page shows many thumbnails at once).
    rate_limit_media: str = "1200/minute"

    @field_validator("rate_limit_media")
    @classmethod
    def _media_limit_notation(cls, value: str) -> str:
        return ServiceSettings._limit_notation(value)
    # Phone OTP (Loopin). The code is stored only as HMAC-SHA256 under otp_hmac_key (when unset, a key derived
    # from the JWT signing key, so a local run needs no extra secret).
    otp_code_length: int = Field(default=4, ge=4, le=8)
    otp_ttl_seconds: int = Field(default=600, gt=0)  # Loopin: 10 minutes
    otp_max_attempts: int = Field(default=5, ge=1)  # wrong tries before the code is locked
    otp_resend_cooldown_seconds: int = Field(default=30, ge=0)
    # A sign-in code presented again this soon after it signed in (the app retrying a request whose answer a
    # weak connection lost, or sent twice) signs in again: a fresh session for the same account.
    otp_retry_grace_seconds: float = Field(default=30.0, ge=0)
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
