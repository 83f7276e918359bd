"""Matching service: scan / discovery, compatibility, resonances and matches, blocks and reports.
Keeps a read model of profiles fed by identity's events and of conversation activity fed by chat's,
ranks scan by compatibility scored through the chart service (gRPC), and publishes matching.* events
through its outbox."""
from __future__ import annotations

import asyncio
import datetime as dt

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.methods import install_allow_header
from numeros_common.runtime import Runtime

from .admin.router import router as admin_router
from .database import inbox, outbox
from .discovery import router as discovery
from .discovery.ranking import RankingMaintainer
from .matches import router as matches
from .matches.consumers import ACTIVITY_CONSUMER, ACTIVITY_SUBJECTS, handle_activity
from .profiles.consumers import PROFILE_CONSUMER, PROFILE_SUBJECTS, profile_event_handler
from .safety import router as safety
from .safety.accounts import IdentityAdmin
from .settings import MatchingSettings


def build_runtime() -> Runtime:
    # Scan degrades to no compatibility without chart, so chart does not gate readiness here.
    return Runtime(MatchingSettings(), outbox=outbox, inbox=inbox, uses_chart=True, chart_required=False)


def configure(runtime: Runtime) -> None:
    settings: MatchingSettings = runtime.settings  # type: ignore[assignment]
    runtime.consume(PROFILE_CONSUMER, PROFILE_SUBJECTS, profile_event_handler(settings.service_name))
    runtime.consume(ACTIVITY_CONSUMER, ACTIVITY_SUBJECTS, handle_activity)
    maintainer = RankingMaintainer(runtime.sessions, runtime.chart, poll_seconds=settings.ranking_poll_seconds,
                                   unused_for=dt.timedelta(days=settings.ranking_unused_days))
    runtime.background(maintainer.run, "ranking-maintainer")
    identity = runtime.state["identity_admin"] = IdentityAdmin(settings.identity_url)

    async def close_identity_client_on_stop() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await identity.close()

    runtime.background(close_identity_client_on_stop, "identity-admin-client")


def create_app() -> FastAPI:
    app = create_service_app(build_runtime, title="matching",
                             description="Numeros discovery: scan ranked by compatibility, compatibility in detail, "
                                         "resonances (like / pass), matches and unmatch, blocks and reports, and "
                                         "the admin review of reports.",
                             routers=[discovery.router, matches.router, safety.router, safety.admin_router,
                                      admin_router],
                             configure=configure)
    install_allow_header(app)
    return app
