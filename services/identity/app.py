"""Identity service: accounts, tokens, profiles. Signs the JWTs every other service verifies."""
from __future__ import annotations

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.runtime import Runtime

from .adapters.tables import inbox, outbox
from .api import admin, astro, auth, forecast, human_design, numerology, profile, system
from .domain.predictions import engine_named
from .settings import IdentitySettings


def build_runtime() -> Runtime:
    settings = IdentitySettings()
    engine = engine_named(settings.prediction_engine)  # an unknown name fails here, before anything opens
    runtime = Runtime(settings, outbox=outbox, inbox=inbox, uses_chart=True)
    if settings.jwt_private_key_file is None:
        raise RuntimeError("NUMEROS_JWT_PRIVATE_KEY_FILE is not set")
    runtime.state["jwt_private_key"] = settings.jwt_private_key_file.read_text()
    runtime.state["prediction_engine"] = engine
    return runtime


def create_app() -> FastAPI:
    return create_service_app(build_runtime, title="identity",
                              description="Numeros accounts, tokens and profiles.",
                              routers=[auth.router, profile.router, numerology.router,
                                       human_design.router, astro.router, forecast.router,
                                       admin.router, system.router])
