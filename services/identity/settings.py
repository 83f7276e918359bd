from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

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
