"""Chat service: messages between matched users over REST and WebSocket, and push notifications."""
from __future__ import annotations

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.runtime import Runtime

from . import consumers
from .adapters.tables import inbox, outbox
from .api import messages, ws
from .settings import ChatSettings


def build_runtime() -> Runtime:
    runtime = Runtime(ChatSettings(), outbox=outbox, inbox=inbox)
    runtime.consume(consumers.MATCHES_CONSUMER, consumers.MATCHES_SUBJECTS, consumers.apply_match_event)
    runtime.consume(consumers.PUSH_CONSUMER, consumers.PUSH_SUBJECTS, consumers.push_for_event)
    return runtime


def create_app() -> FastAPI:
    return create_service_app(build_runtime, title="chat",
                              description="Numeros messages between matched users (REST and WebSocket).",
                              routers=[messages.router, ws.router])
