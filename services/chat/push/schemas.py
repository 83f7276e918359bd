"""Devices and notification settings (seed: Sprint 4, push notification hooks)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

Platform = Literal["ios", "android", "web"]


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(min_length=1, max_length=200, pattern="^[A-Za-z0-9_-]+=*$",
                        description="The browser's P-256 public key (base64url), from PushSubscription.toJSON()")
    auth: str = Field(min_length=1, max_length=100, pattern="^[A-Za-z0-9_-]+=*$",
                      description="The browser's auth secret (base64url)")


class WebPushSubscription(BaseModel):
    endpoint: str = Field(min_length=1, max_length=2000, pattern="^https?://[^\\s]+$",
                          description="The push service URL from PushSubscription.toJSON()")
    keys: SubscriptionKeys


class DeviceIn(BaseModel):
    """ios and android send `token` (an FCM registration token) and no `subscription`; web sends
    `subscription` (a Web Push subscription) and no `token`. Anything else is a 422 naming the body."""

    platform: Platform
    token: str | None = Field(default=None, min_length=1, max_length=4096, pattern="^[^\\s]+$",
                              description="ios/android: the FCM registration token")
    subscription: WebPushSubscription | None = Field(default=None,
                                                     description="web: the browser's Web Push subscription")

    @model_validator(mode="after")
    def _one_address(self) -> "DeviceIn":
        if self.platform == "web" and (self.subscription is None or self.token is not None):
            raise ValueError("web: send a subscription (and no token)")
        if self.platform != "web" and (self.token is None or self.subscription is not None):
            raise ValueError(f"{self.platform}: send an FCM token (and no subscription)")
        return self


class DeviceOut(BaseModel):
    id: int
    platform: Platform
    created_at: dt.datetime


class NotificationSettings(BaseModel):
    new_matches: bool = Field(description="Notify me of new matches")
    new_messages: bool = Field(description="Notify me of new messages")
    message_previews: bool = Field(description="Show the message's first words in the notification")


class NotificationSettingsPatch(BaseModel):
    """Only the settings sent change (null or absent: unchanged); true and false only, never 0 or "yes"."""

    new_matches: StrictBool | None = None
    new_messages: StrictBool | None = None
    message_previews: StrictBool | None = None


class WebPushKey(BaseModel):
    public_key: str = Field(description="The VAPID applicationServerKey for PushManager.subscribe() (base64url)")
