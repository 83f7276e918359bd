"""Matching service: scan / discovery, compatibility, resonances and matches. Keeps a read model of
profiles fed by identity's events, scores compatibility through the chart service (gRPC), and
publishes matching.match.* events through its outbox."""
from __future__ import annotations

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.methods import install_allow_header
from numeros_common.runtime import Runtime

from .admin.router import router as admin_router
from .database import inbox, outbox
from .discovery import router as discovery
from .matches import router as matches
from .profiles.consumers import PROFILE_CONSUMER, PROFILE_SUBJECTS, profile_event_handler
from .settings import MatchingSettings


def build_runtime() -> Runtime:
    # Scan degrades to no compatibility without chart, so chart does not gate readiness here.
    return Runtime(MatchingSettings(), outbox=outbox, inbox=inbox, uses_chart=True, chart_required=False)


def configure(runtime: Runtime) -> None:
    runtime.consume(PROFILE_CONSUMER, PROFILE_SUBJECTS, profile_event_handler(runtime.settings.service_name))


def create_app() -> FastAPI:
    app = create_service_app(build_runtime, title="matching",
                             description="Numeros discovery: scan with compatibility scores, compatibility "
                                         "in detail, resonances (like / pass) and matches.",
                             routers=[discovery.router, matches.router, admin_router], configure=configure)
    install_allow_header(app)
    return app
