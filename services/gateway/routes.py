"""The public route table, declared once. Every environment's Traefik configuration (local file
provider, docker compose, Kubernetes IngressRoute) is rendered from it, so they cannot drift."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

API = "/api/v1"


@dataclass(frozen=True)
class Route:
    name: str
    service: str
    rule: str
    # Traefik orders routers by rule length unless told otherwise; overlapping rules get explicit priorities.
    priority: int = 10
    middlewares: tuple[str, ...] = ()
    websocket: bool = False  # upgrades must not pass body buffering or compression


def prefix(path: str) -> str:
    """Match a path and everything below it, but not a longer sibling (``/scan`` must not match ``/scanner``)."""
    return f"(Path(`{path}`) || PathPrefix(`{path}/`))"


ROUTES: tuple[Route, ...] = (
    # chat owns the messages below a match; matching owns the match itself: the regex must win.
    Route("chat-messages", "chat", f"PathRegexp(`^{API}/matches/[^/]+/messages(/read)?/?$`)", priority=100),
    Route("chat-unread", "chat", prefix(f"{API}/messages"), priority=50),
    Route("chat-ws-tickets", "chat", prefix(f"{API}/ws/tickets"), priority=50),
    Route("chat-devices", "chat", prefix(f"{API}/devices"), priority=50),
    Route("chat-notifications", "chat", prefix(f"{API}/notifications"), priority=50),
    Route("chat-websocket", "chat", "PathPrefix(`/ws/chat/`)", priority=100, websocket=True),
    Route("matching-matches", "matching", prefix(f"{API}/matches"), priority=50),
    Route("matching-scan", "matching", prefix(f"{API}/scan"), priority=50),
    Route("matching-resonance", "matching", prefix(f"{API}/resonance"), priority=50),
    Route("matching-blocks", "matching", prefix(f"{API}/blocks"), priority=50),
    Route("matching-reports", "matching", prefix(f"{API}/reports"), priority=50),
    # The review of reports lives with the reports; the rest of /admin is identity's: the longer path wins.
    Route("matching-admin-reports", "matching", prefix(f"{API}/admin/reports"), priority=60),
    Route("identity-auth", "identity", prefix(f"{API}/auth"), priority=50),
    Route("identity-profile", "identity", prefix(f"{API}/profile"), priority=50),
    # Profile photo files, public by unguessable URL (identity reads them from disk or S3).
    Route("identity-media", "identity", prefix(f"{API}/media"), priority=50),
    Route("identity-numerology", "identity", prefix(f"{API}/numerology"), priority=50),
    Route("identity-astro", "identity", prefix(f"{API}/astro"), priority=50),
    Route("identity-human-design", "identity", prefix(f"{API}/human-design"), priority=50),
    Route("identity-forecast", "identity", prefix(f"{API}/forecast"), priority=50),
    Route("identity-admin", "identity", prefix(f"{API}/admin"), priority=50),
    # The admin web console (HTML pages and forms, outside the API).
    Route("identity-console", "identity", prefix("/admin"), priority=50),
    # The merged OpenAPI document of every service and its Swagger UI (identity serves both).
    Route("identity-openapi", "identity", f"Path(`{API}/openapi.json`)", priority=50),
    Route("identity-api-docs", "identity", prefix("/api/docs"), priority=50),
    Route("system-healthz", "identity", "Path(`/healthz`)", priority=50),
    Route("system-readyz", "identity", "Path(`/readyz`)", priority=50, middlewares=("system-readyz",)),
    # Whatever no route above serves: the gateway's own JSON 404 (errorpages.py), not Traefik's plain text.
    Route("gateway-not-found", "errorpages", "PathPrefix(`/`)", priority=1, middlewares=("not-found-page",)),
)

SERVICES = ("identity", "matching", "chat")
ERROR_PAGES = "errorpages"  # the gateway's own error bodies (services/gateway/errorpages.py)
ERROR_PAGES_PORT = 8088
# Traefik's own failures to reach a service. No service answers 504; a service's own 502 (CHART_ERROR)
# is replaced too, as the middleware sees only the status.
GATEWAY_ERROR_STATUSES = ("502", "504")


# NUMEROS_RATE_LIMITS values that switch limits off (as pydantic reads them).
OFF = ("off", "false", "0", "no", "n", "f")


@dataclass(frozen=True)
class EdgePolicy:
    rate_average: int = 50          # requests per second per client IP, sustained (NUMEROS_EDGE_RATE_AVERAGE)
    rate_burst: int = 100           # NUMEROS_EDGE_RATE_BURST
    rate_limited: bool = True       # NUMEROS_RATE_LIMITS=off: no edge-ratelimit middleware at all
    cors_origins: tuple[str, ...] = ("https://numeros.app", "https://www.numeros.app")
    # Identity travels only inside the signed token; these must never reach a service from outside.
    stripped_request_headers: tuple[str, ...] = ("X-User-Id", "X-User-Email", "X-Forwarded-User",
                                                 "X-Auth-Request-User", "X-Numeros-User", "X-Numeros-Admin")
    body_limit_bytes: int = 10 * 1024 * 1024
    common_middlewares: tuple[str, ...] = field(default=("strip-identity-headers", "edge-ratelimit", "cors",
                                                         "body-limit", "compress", "gateway-errors"))
    websocket_middlewares: tuple[str, ...] = ("strip-identity-headers", "edge-ratelimit", "gateway-errors")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "EdgePolicy":
        """The edge limit as the environment sets it (the same switch as the services' limits)."""
        defaults = cls()
        return cls(rate_average=int(env.get("NUMEROS_EDGE_RATE_AVERAGE", defaults.rate_average)),
                   rate_burst=int(env.get("NUMEROS_EDGE_RATE_BURST", defaults.rate_burst)),
                   rate_limited=env.get("NUMEROS_RATE_LIMITS", "on").strip().lower() not in OFF)


def middleware_specs(policy: EdgePolicy, redis_endpoints: list[str]) -> dict[str, dict]:
    """Traefik middleware definitions (the same mapping serves file-provider YAML and CRD ``spec``)."""
    specs: dict[str, dict] = {
        "strip-identity-headers": {"headers": {"customRequestHeaders": {
            h: "" for h in policy.stripped_request_headers}}},
        "edge-ratelimit": {"rateLimit": {"average": policy.rate_average, "burst": policy.rate_burst, "period": "1s",
                                         "sourceCriterion": {"ipStrategy": {"depth": 0}},
                                         "redis": {"endpoints": redis_endpoints}}},
        "cors": {"headers": {"accessControlAllowOriginList": list(policy.cors_origins),
                             "accessControlAllowMethods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                             "accessControlAllowHeaders": ["Authorization", "Content-Type", "X-Request-ID"],
                             "accessControlExposeHeaders": ["X-Request-ID", "X-Process-Time", "X-RateLimit-Limit",
                                                            "X-RateLimit-Remaining", "X-RateLimit-Reset",
                                                            "Retry-After"],
                             "accessControlMaxAge": 600, "addVaryHeader": True}},
        "body-limit": {"buffering": {"maxRequestBodyBytes": policy.body_limit_bytes}},
        "compress": {"compress": {}},
        # The public summary; /system/readyz with each check's details stays on identity's port.
        "system-readyz": {"replacePath": {"path": "/system/public-readyz"}},
        "gateway-errors": {"errors": {"status": list(GATEWAY_ERROR_STATUSES), "service": ERROR_PAGES,
                                      "query": "/errors/{status}"}},
        "not-found-page": {"replacePath": {"path": "/errors/404"}},
    }
    if not policy.rate_limited:
        del specs["edge-ratelimit"]
    return specs
