"""The FastAPI application every HTTP service is built from: error envelope, request ids, JSON
access log, trailing-slash tolerance, per-user rate limits, health, readiness and metrics."""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import optional_principal
from .errors import AppError, error_body, install_error_handlers
from .health import run_checks
from .logging import request_id_var
from .runtime import Runtime

log = logging.getLogger("numeros.http")
REQUESTS = Counter("numeros_http_requests_total", "HTTP requests", ["service", "method", "status"])
LATENCY = Histogram("numeros_http_request_seconds", "HTTP request latency", ["service", "method"])
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/system/readyz")


class TrailingSlashMiddleware:
    """``/auth/register/`` and ``/auth/register`` are the same route (the mobile client sends the first)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope, path=path.rstrip("/") or "/", raw_path=None)
        await self.app(scope, receive, send)


class RequestContextMiddleware:
    """Request id in, request id out, one JSON log line per request, metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming if incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status != 101:
                status = message.get("code") or 1000  # refused before the handshake completed
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = scope.get("method", "WS")
            if scope["path"] not in ("/healthz", "/readyz", "/metrics"):
                log.info("request", extra={"method": method, "path": scope["path"], "status": status,
                                           "duration_ms": round(elapsed * 1000, 2)})
            REQUESTS.labels(self.service, method, str(status)).inc()
            LATENCY.labels(self.service, method).observe(elapsed)
            request_id_var.reset(token)


def client_ip(request: Request) -> str:
    # Traefik sets X-Real-Ip from the TCP peer and discards client-sent forwarding headers.
    return request.headers.get("x-real-ip") or (request.client.host if request.client else "unknown")


def _rate_limit_middleware(app: FastAPI) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path in UNLIMITED_PATHS or request.url.path.startswith("/docs"):
            return await call_next(request)
        runtime: Runtime = app.state.runtime
        try:
            principal = await optional_principal(request)
        except AppError:
            principal = None  # the route itself answers 401
        subject = f"user:{principal.user_id}" if principal else f"ip:{client_ip(request)}"
        limit = runtime.settings.rate_limit_per_minute
        decision = await runtime.limiter.hit(subject, limit)
        if not decision.allowed:
            return JSONResponse(error_body("RATE_LIMITED", f"More than {limit} requests a minute; slow down."),
                                status_code=429, headers=decision.headers())
        response = await call_next(request)
        response.headers.update(decision.headers())
        return response

    return middleware


def create_service_app(runtime_factory: Callable[[], Runtime], *, title: str, description: str,
                       routers: list[APIRouter], configure: Callable[[Runtime], None] | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runtime = runtime_factory()
        if configure is not None:
            configure(runtime)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", tags=["health"], summary="Liveness: the process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Readiness: every dependency answers")
    async def readyz(request: Request) -> JSONResponse:
        runtime = request.app.state.runtime
        ok, report = await run_checks(runtime.readiness_checks(), optional=runtime.optional_checks)
        return JSONResponse({"status": "ready" if ok else "unready", "checks": report}, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.middleware("http")(_rate_limit_middleware(app))
    app.add_middleware(RequestContextMiddleware, service=title)
    app.add_middleware(TrailingSlashMiddleware)
    return app
