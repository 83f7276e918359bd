"""Chat service: messages between matched users over REST and WebSocket, and push notifications."""
from __future__ import annotations

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.methods import install_allow_header
from numeros_common.runtime import Runtime

from .admin.router import router as admin_router
from .database import inbox, outbox
from .matches import consumers as matches_consumer
from .messages import router as messages, websocket as ws
from .push import consumers as push_consumer
from .settings import ChatSettings


def build_runtime() -> Runtime:
    runtime = Runtime(ChatSettings(), outbox=outbox, inbox=inbox)
    runtime.consume(matches_consumer.MATCHES_CONSUMER, matches_consumer.MATCHES_SUBJECTS, matches_consumer.HANDLER)
    runtime.consume(push_consumer.PUSH_CONSUMER, push_consumer.PUSH_SUBJECTS, push_consumer.HANDLER)
    return runtime


def create_app() -> FastAPI:
    app = create_service_app(build_runtime, title="chat",
                             description="Numeros messages between matched users (REST and WebSocket).",
                             routers=[messages.router, ws.router, admin_router])
    install_allow_header(app)
    return app
