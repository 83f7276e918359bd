"""Push providers behind one interface: FCM (firebase-admin) for phones, Web Push (pywebpush, VAPID) for
browsers, and a log provider for whatever has no configured provider (the local run): it writes
``PUSH to user <id>: <title>`` to the chat log."""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

log = logging.getLogger("numeros.chat.push")


@dataclass(frozen=True)
class Device:
    id: int
    user_id: int
    platform: str  # ios | android | web
    address: str  # FCM registration token, or the Web Push endpoint
    keys: dict[str, str] | None = None  # Web Push: p256dh, auth


@dataclass(frozen=True)
class Push:
    user_id: int
    title: str
    body: str
    collapse_key: str  # one visible notification per conversation burst
    data: dict[str, str] = field(default_factory=dict)


class DeadToken(Exception):
    """The provider says this device will never receive again (unregistered / subscription gone)."""


class PushProvider(Protocol):
    name: str

    async def send(self, device: Device, push: Push) -> None:
        """Delivered, or DeadToken, or any other exception for a failure worth retrying."""


class LogProvider:
    name = "log"

    async def send(self, device: Device | None, push: Push) -> None:
        log.info(f"PUSH to user {push.user_id}: {push.title}",
                 extra={"user_id": push.user_id, "device_id": device.id if device else None,
                        "collapse_key": push.collapse_key, "body": push.body})


class FcmProvider:
    """Firebase Cloud Messaging with a service account; the collapse key maps to Android's collapse_key,
    APNs' apns-collapse-id and the notification tag, so a burst shows as one notification."""

    name = "fcm"

    def __init__(self, credentials_file: Path, timeout: float) -> None:
        import firebase_admin
        from firebase_admin import credentials

        self.app = firebase_admin.initialize_app(credentials.Certificate(str(credentials_file)),
                                                 {"httpTimeout": timeout}, name="numeros-chat")

    @staticmethod
    def message(device: Device, push: Push) -> Any:
        from firebase_admin import messaging

        return messaging.Message(
            token=device.address, data=push.data,
            notification=messaging.Notification(title=push.title, body=push.body),
            android=messaging.AndroidConfig(collapse_key=push.collapse_key,
                                            notification=messaging.AndroidNotification(tag=push.collapse_key)),
            apns=messaging.APNSConfig(headers={"apns-collapse-id": push.collapse_key},
                                      payload=messaging.APNSPayload(aps=messaging.Aps(thread_id=push.collapse_key))))

    async def send(self, device: Device, push: Push) -> None:
        from firebase_admin import exceptions, messaging

        try:
            await asyncio.to_thread(messaging.send, self.message(device, push), app=self.app)
        except (messaging.UnregisteredError, messaging.SenderIdMismatchError) as exc:
            raise DeadToken(str(exc)) from exc
        except exceptions.InvalidArgumentError as exc:
            if "registration token" in str(exc).lower():
                raise DeadToken(str(exc)) from exc
            raise


class WebPushProvider:
    """RFC 8030 Web Push with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291)."""

    name = "webpush"

    def __init__(self, private_key_file: Path, subject: str, timeout: float) -> None:
        self.private_key_file = str(private_key_file)
        self.subject = subject
        self.timeout = timeout

    @staticmethod
    def payload(push: Push) -> str:
        return json.dumps({"title": push.title, "body": push.body, "tag": push.collapse_key, "data": push.data},
                          ensure_ascii=False)

    async def send(self, device: Device, push: Push) -> None:
        from pywebpush import WebPushException, webpush

        try:
            await asyncio.to_thread(
                webpush, subscription_info={"endpoint": device.address, "keys": device.keys or {}},
                data=self.payload(push), vapid_private_key=self.private_key_file,
                vapid_claims={"sub": self.subject}, ttl=86400, timeout=self.timeout,
                headers={"Topic": push.collapse_key[:32], "Urgency": "normal"})
        except WebPushException as exc:
            if exc.response is not None and exc.response.status_code in (404, 410):
                raise DeadToken(f"subscription gone ({exc.response.status_code})") from exc
            raise


def generate_vapid_key(path: Path) -> Path:
    """The setup's VAPID key pair: a P-256 private key as PEM (the public key derives from it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return path


def vapid_public_key(private_key_file: Path) -> str:
    """The applicationServerKey a browser subscribes with: the uncompressed point, base64url without padding."""
    key = serialization.load_pem_private_key(private_key_file.read_bytes(), password=None)
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


@dataclass
class Providers:
    """Which provider serves which platform; anything unconfigured goes to the log."""

    mobile: PushProvider
    web: PushProvider
    fallback: LogProvider = field(default_factory=LogProvider)
    web_push_key: str | None = None

    def for_platform(self, platform: str) -> PushProvider:
        return self.web if platform == "web" else self.mobile

    @classmethod
    def from_settings(cls, settings: Any) -> "Providers":
        fallback = LogProvider()
        mobile: PushProvider = fallback
        web: PushProvider = fallback
        key = None
        if settings.fcm_credentials_file:
            mobile = FcmProvider(settings.fcm_credentials_file, settings.push_timeout_seconds)
        if settings.vapid_private_key_file:
            web = WebPushProvider(settings.vapid_private_key_file, settings.vapid_subject,
                                  settings.push_timeout_seconds)
            key = vapid_public_key(settings.vapid_private_key_file)
        return cls(mobile=mobile, web=web, fallback=fallback, web_push_key=key)
