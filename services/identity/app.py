"""Identity service: accounts, tokens, profiles and the calculation products served to users. Signs the
JWTs every other service verifies."""
from __future__ import annotations

from fastapi import FastAPI

from numeros_common.http import create_service_app
from numeros_common.methods import install_allow_header
from numeros_common.runtime import Runtime

from .accounts.mail import MailQueue, mail_provider
from .accounts.revocations import RevocationCache
from .accounts.router import router as accounts_router
from .admin.router import router as admin_router
from .admin.router import system_router
from .console import router as console
from .database import inbox, outbox
from .docs.router import router as docs_router
from .forecast.router import router as forecast_router
from .human_design.router import router as human_design_router
from .leads.router import router as leads_router
from .numerology.router import router as numerology_router
from .profile.router import media_router
from .phone import codes as phone_codes
from .phone.router import router as phone_router
from .profile.router import router as profile_router
from .profile.storage import photo_storage
from .settings import IdentitySettings
from .vedic.predictions import engine_named
from .vedic.router import router as vedic_router


def build_runtime() -> Runtime:
    settings = IdentitySettings()
    engine = engine_named(settings.prediction_engine)  # an unknown name fails here, before anything opens
    runtime = Runtime(settings, outbox=outbox, inbox=inbox, uses_chart=True)
    if settings.jwt_private_key_file is None:
        raise RuntimeError("NUMEROS_JWT_PRIVATE_KEY_FILE is not set")
    runtime.state["jwt_private_key"] = settings.jwt_private_key_file.read_text()
    runtime.state["prediction_engine"] = engine
    runtime.state["mail"] = mail_provider(settings)
    runtime.state["mail_queue"] = MailQueue(runtime)
    revocations = runtime.state["revocations"] = RevocationCache(runtime)
    runtime.verifier.fallback = revocations.revoked_in_record  # identity can ask the record itself
    runtime.state["photo_storage"] = photo_storage(settings)
    phone_codes.configure(runtime)
    return runtime


def configure(runtime: Runtime) -> None:
    runtime.background(runtime.state["revocations"].run, "revocation-sync")
    runtime.background(runtime.state["mail_queue"].run, "mail-queue")


def create_app() -> FastAPI:
    app = create_service_app(build_runtime, title="identity",
                             description="Numeros accounts, tokens and profiles.",
                             routers=[accounts_router, phone_router, profile_router, media_router, numerology_router,
                                      human_design_router, vedic_router, forecast_router, admin_router, leads_router,
                                      system_router, docs_router, console.router],
                             configure=configure)
    console.install(app)
    install_allow_header(app)
    return app
