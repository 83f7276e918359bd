"""The FastAPI application every HTTP service is built from: error dialects per API family, request ids,
X-Process-Time, JSON access log, trailing-slash tolerance, rate limits per family, health, readiness and
metrics."""
from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry import propagate
from opentelemetry.trace import Span, SpanKind
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import Principal, account_tier_key, optional_principal
from .dialects import Problem
from .errors import INTERNAL, AppError, install_error_handlers
from .families import Family, FamilyMap, family_of
from .health import liveness_body, readiness_body, run_checks
from .logging import request_id_var
from .metrics import HTTP_LATENCY, HTTP_REQUESTS
from .runtime import Runtime
from .tracing import configure_tracing, continued_span

log = logging.getLogger("numeros.http")
# A request allocates a few thousand objects: at Python's default (700) the young generation was collected
# several times per request, each time walking every request in flight.
GC_YOUNG_THRESHOLD = 10_000
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/system/readyz",
                   "/system/public-readyz")


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
    """One server span per request (continuing the caller's ``traceparent``), its trace id as the request id
    (logs, ``X-Request-ID``, error bodies), one JSON log line per request, metrics by route template.

    A client's own ``X-Request-ID`` is not the request id (one id must find the request in every service's
    logs, and only the trace id travels on): it is kept as ``client_request_id`` in the log line and the span."""

    def __init__(self, app: ASGIApp, service: str, families: FamilyMap) -> None:
        self.app = app
        self.service = service
        self.families = families
        # The headers the trace context is read from (W3C traceparent, tracestate, baggage), decoded alone.
        self.trace_headers = frozenset(name.encode("latin-1") for name in propagate.get_global_textmap().fields)
        self.metrics: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        carrier: dict[str, str] = {}
        client_request_id = None
        for name, value in scope.get("headers") or ():
            if name in self.trace_headers:
                carrier[name.decode("latin-1")] = value.decode("latin-1")
            elif name == b"x-request-id":
                client_request_id = value[:64].decode("latin-1") or None
        method = scope.get("method", "WS")
        attributes = {"http.request.method": method, "url.path": scope["path"], "numeros.service": self.service}
        if client_request_id:
            attributes["numeros.client_request_id"] = client_request_id
        with continued_span(f"{method} {scope['path']}", carrier, kind=SpanKind.SERVER, attributes=attributes) as span:
            await self._traced(scope, receive, send, span, method, client_request_id)

    async def _traced(self, scope: Scope, receive: Receive, send: Send, span: Span, method: str,
                      client_request_id: str | None) -> None:
        request_id = request_id_var.get() or uuid.uuid4().hex
        started = time.perf_counter()
        status = 500
        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status != 101:
                status = message.get("code") or 1000  # refused before the handshake completed
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                process_time = f"{time.perf_counter() - started:.6f}"
                message["headers"] = list(message.get("headers", [])) + [
                    (b"x-request-id", request_id.encode()), (b"x-process-time", process_time.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Answered here, not by Starlette's outermost handler: the request id is still known.
            log.exception("unhandled error", exc_info=exc)
            span.record_exception(exc)
            if scope["type"] != "http" or started_response:
                raise
            dialect = self.families.for_path(scope["path"]).dialect
            await dialect.render(INTERNAL, request_id)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", status)
            if scope["path"] not in ("/healthz", "/readyz", "/metrics"):
                log.info("request", extra={"method": method, "path": scope["path"], "route": route, "status": status,
                                           "duration_ms": round(elapsed * 1000, 2),
                                           "client_request_id": client_request_id})
            children = self.metrics.get((method, route, status))
            if children is None:  # looked up once per method, route and status (labels() takes a lock)
                children = self.metrics[method, route, status] = (
                    HTTP_REQUESTS.labels(self.service, method, route, str(status)),
                    HTTP_LATENCY.labels(self.service, method, route))
            children[0].inc()
            children[1].observe(elapsed)


def route_template(scope: Scope) -> str:
    """The route's path template (``/api/v1/matches/{match_id}``), so a metric's labels stay few; ``unmatched``
    for a path no route serves."""
    route = scope.get("route")
    if route is None and scope["type"] == "http" and "app" in scope:
        route = _route_for(scope["app"], scope)
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"


def _route_for(app: FastAPI, scope: Scope) -> Any:
    """The route this request reaches (the first full match, as the router finds it), or None."""
    for route in app.router.routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def match_by_prefix(app: FastAPI) -> None:
    """FastAPI asks every route of every included router in turn (a regex each: ~80 in identity), so a path
    served near the end of the list paid for all of them (``/healthz``: a fifth of its CPU). An included
    router whose routes all lie under one prefix is now asked only about paths under it; the rest of the
    matching is FastAPI's own. A router whose routes do not share a prefix is left as it is."""
    for candidate in app.router.routes:
        context, router = getattr(candidate, "include_context", None), getattr(candidate, "original_router", None)
        if context is None or router is None or "matches" in vars(candidate):
            continue
        prefix = context.prefix + router.prefix
        paths = [route.path_format for route in candidate.effective_route_contexts()]
        if not prefix or not paths or not all(path.startswith(prefix) for path in paths):
            continue

        def matches(scope: Scope, _original=candidate.matches, _prefix=prefix) -> tuple[Match, Scope]:
            if not get_route_path(scope).startswith(_prefix):
                return Match.NONE, {}
            return _original(scope)

        candidate.matches = matches


def client_ip(request: Request) -> str:
    # Traefik sets X-Real-Ip from the TCP peer and discards client-sent forwarding headers.
    return request.headers.get("x-real-ip") or (request.client.host if request.client else "unknown")


def _endpoint(app: FastAPI, scope: Scope) -> str | None:
    """``METHOD /path/{template}`` of the route this request will reach, if any."""
    route = _route_for(app, scope)
    return None if route is None else f"{scope['method']} {getattr(route, 'path_format', scope['path'])}"


async def _tier(runtime: Runtime, principal: Principal) -> str:
    try:
        override = await runtime.redis.get(account_tier_key(principal.user_id))
    except RedisError:
        override = None
    return override.decode() if isinstance(override, bytes) else override or principal.tier


async def _bucket(request: Request, family: Family, principal: Principal | None) -> tuple[str, str]:
    """(bucket key, limit) for this request under ``family``'s policy."""
    runtime: Runtime = request.app.state.runtime
    policy, path = family.rate, request.url.path
    setting, bucket = policy.setting, policy.name
    for route, route_setting in policy.routes.items():
        method, _, route_prefix = route.partition(" ")
        if request.method == method and (path == route_prefix or path.startswith(route_prefix + "/")):
            setting, bucket = route_setting, f"{policy.name}:{route}"
    if policy.per_endpoint:
        bucket = f"{policy.name}:{_endpoint(request.app, request.scope) or 'unmatched'}"
    if principal is not None and policy.premium_setting and await _tier(runtime, principal) == "premium":
        setting = policy.premium_setting
    who = f"ip:{client_ip(request)}" if policy.by_ip or principal is None else f"user:{principal.user_id}"
    return f"{who}:{bucket}", getattr(runtime.settings, setting)


class RateLimitMiddleware:
    """The family's limit per caller (pure ASGI: no task or body stream per request, unlike ``app.middleware``);
    with limits off (``NUMEROS_RATE_LIMITS=off``) a request passes straight through."""

    def __init__(self, app: ASGIApp, families: FamilyMap) -> None:
        self.app = app
        self.families = families

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        runtime: Runtime = scope["app"].state.runtime
        path = scope["path"]
        if not runtime.limiter.enabled or path in UNLIMITED_PATHS or path.startswith("/docs"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            principal = await optional_principal(request)
        except AppError:
            principal = None  # the route itself answers 401
        family = self.families.for_path(path)
        subject, limit = await _bucket(request, family, principal)
        decision = await runtime.limiter.hit(subject, limit)
        if not decision.allowed:
            problem = Problem(429, "RATE_LIMITED", f"More than {limit} requests; slow down.",
                              headers=decision.headers(), retry_after=decision.retry_after)
            await family.dialect.render(problem, request_id_var.get())(scope, receive, send)
            return
        limit_headers = decision.headers()

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(limit_headers)
            await send(message)

        await self.app(scope, receive, send_with_limits)


def create_service_app(runtime_factory: Callable[[], Runtime], *, title: str, description: str,
                       routers: list[APIRouter], configure: Callable[[Runtime], None] | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runtime = runtime_factory()
        if configure is not None:
            configure(runtime)
        app.state.runtime = runtime
        await runtime.start()
        # Everything built so far (modules, routes, models, pools) lives as long as the process: out of the
        # collector's sight, a full collection walks only what requests left behind (walking all of it took
        # ~12 % of identity's CPU under load).
        gc.freeze()
        gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        try:
            yield
        finally:
            await runtime.stop()

    configure_tracing(title)
    # FastAPI's own telemetry off: RequestContextMiddleware opens the one server span per request (its trace id
    # is the request id) and Prometheus counts requests; two server spans would start two traces.
    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    families = FamilyMap({router.prefix: family for router in routers if (family := family_of(router)) is not None})
    install_error_handlers(app, families)
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", tags=["health"], summary="Liveness: the process is up (astro-mvp's body)")
    async def healthz() -> dict[str, Any]:
        return liveness_body()

    @app.get("/readyz", tags=["health"], summary="Readiness: every dependency answers (astro-mvp's body)",
             responses={503: {"description": "A required dependency is down (`not_ready`)"}})
    async def readyz(request: Request) -> JSONResponse:
        runtime = request.app.state.runtime
        ok, report = await run_checks(runtime.readiness_checks(), optional=runtime.optional_checks)
        return JSONResponse(readiness_body(ok, report), status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Plain ``def``: FastAPI runs it in a worker thread, so rendering every histogram (milliseconds with
        many routes) never holds up the event loop."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    match_by_prefix(app)
    app.add_middleware(RateLimitMiddleware, families=families)
    app.add_middleware(RequestContextMiddleware, service=title, families=families)
    app.add_middleware(TrailingSlashMiddleware)
    return app
