"""Chat service: messages between matched users over REST and WebSocket, and push notifications."""
from __future__ import annotations

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.methods import install_allow_header
from numeros_common.runtime import Runtime

from .admin.router import router as admin_router
from .database import inbox, outbox
from .matches import consumers as matches_consumer
from .messages import consumers as messages_consumer, router as messages, websocket as ws
from .messages.live import LiveHub
from .messages.service import LIVE
from .push import consumers as push_consumer, router as push
from .push.providers import Providers
from .push.service import PROVIDERS
from .settings import ChatSettings


def build_runtime() -> Runtime:
    settings = ChatSettings()
    runtime = Runtime(settings, outbox=outbox, inbox=inbox)
    runtime.state[LIVE] = LiveHub(settings.nats_url, settings.service_name)
    runtime.state[PROVIDERS] = Providers.from_settings(settings)
    runtime.consume(matches_consumer.MATCHES_CONSUMER, matches_consumer.MATCHES_SUBJECTS, matches_consumer.HANDLER)
    runtime.consume(push_consumer.PUSH_CONSUMER, push_consumer.PUSH_SUBJECTS, push_consumer.DISPATCHER(runtime),
                    max_deliver=settings.push_max_attempts, batched=True)
    runtime.consume(push_consumer.ERASURE_CONSUMER, push_consumer.ERASURE_SUBJECTS, push_consumer.ERASURE_HANDLER)
    runtime.consume(messages_consumer.ERASURE_CONSUMER, messages_consumer.ERASURE_SUBJECTS, messages_consumer.HANDLER)
    return runtime


def start_live_hub(runtime: Runtime) -> None:
    runtime.background(runtime.state[LIVE].run, "live-hub")


def create_app() -> FastAPI:
    app = create_service_app(build_runtime, title="chat",
                             description="Numeros messages between matched users (REST and WebSocket), read "
                                         "receipts, typing, push devices and notification settings.",
                             routers=[messages.router, push.router, ws.router, admin_router],
                             configure=start_live_hub)
    install_allow_header(app)
    return app
