"""Matching service: scan / discovery, resonances and matches. Keeps a read model of profiles fed by
identity's events, and publishes matching.match.* events through its outbox."""
from __future__ import annotations

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.runtime import Runtime

from .adapters.tables import inbox, outbox
from .api import discovery, matches
from .consumers import PROFILE_CONSUMER, PROFILE_SUBJECTS, profile_event_handler
from .settings import MatchingSettings


def build_runtime() -> Runtime:
    return Runtime(MatchingSettings(), outbox=outbox, inbox=inbox)


def configure(runtime: Runtime) -> None:
    runtime.consume(PROFILE_CONSUMER, PROFILE_SUBJECTS, profile_event_handler(runtime.settings.service_name))


def create_app() -> FastAPI:
    return create_service_app(build_runtime, title="matching",
                              description="Numeros discovery: scan, resonances (like / pass) and matches.",
                              routers=[discovery.router, matches.router], configure=configure)
