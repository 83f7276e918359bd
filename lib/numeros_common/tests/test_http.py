"""The shared app shell: error dialects per API family, trailing slashes, request ids, X-Process-Time,
rate limits per family with their headers, health bodies."""
import types

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from redis.asyncio import Redis

from numeros_common.auth import Principal, TokenVerifier, account_tier_key, require_principal
from numeros_common.families import ASTRO_MVP_VEDIC, HUMAN_DESIGN_CHART, JIOASTRO_NUMEROLOGY, family_router
from numeros_common.http import create_service_app
from numeros_common.ratelimit import RateLimiter
from numeros_common.settings import ServiceSettings


class Body(BaseModel):
    birth_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class HumanDesignBody(BaseModel):
    birth_datetime: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T")


def _routes(router: APIRouter, body: type[BaseModel]) -> APIRouter:
    """The same four kinds of route under every family: validated body, authenticated, failing."""

    @router.post("/things")
    async def make_thing(payload: body) -> dict:  # type: ignore[valid-type]
        return {"ok": True}

    @router.get("/mine")
    async def mine(principal: Principal = Depends(require_principal)) -> dict:
        return {"user_id": principal.user_id}

    @router.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("unexpected")

    return router


ROUTERS = [_routes(APIRouter(prefix="/api/v1/dating"), Body),
           _routes(family_router("/api/v1/numerology", JIOASTRO_NUMEROLOGY), Body),
           _routes(family_router("/api/v1/astro", ASTRO_MVP_VEDIC), Body),
           _routes(family_router("/api/v1/human-design", HUMAN_DESIGN_CHART), HumanDesignBody)]
LIMITS = {"rate_limit_default": "5/minute", "rate_limit_numerology": "3/hour",
          "rate_limit_numerology_premium": "6/hour", "rate_limit_astro": "5/minute",
          "rate_limit_astro_compute": "2/minute", "rate_limit_astro_predict": "1/minute",
          "rate_limit_human_design": "4/minute"}


class FakeRuntime:
    """Only what the shell needs; the limiter and the token verifier are real (real Redis)."""

    def __init__(self, redis_url: str, public_pem: str, enabled: bool) -> None:
        defaults = ServiceSettings()
        self.redis = Redis.from_url(redis_url)
        self.settings = types.SimpleNamespace(**LIMITS)
        self.limiter = RateLimiter(redis_url, f"test-{id(self)}", enabled=enabled)
        self.verifier = TokenVerifier(public_pem, defaults.jwt_issuer, defaults.jwt_audience, self.redis)
        self.optional_checks = frozenset()

    async def start(self): ...

    async def stop(self):
        await self.limiter.close()
        await self.redis.aclose()

    def readiness_checks(self):
        async def redis():
            await self.redis.ping()
        return {"redis": redis}


@pytest.fixture
def make_client(infra, jwt_keys):
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def make(enabled: bool = True):
        app = create_service_app(lambda: FakeRuntime(infra.redis_url, jwt_keys.public_pem, enabled), title="test",
                                 description="", routers=ROUTERS)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app, raise_app_exceptions=False),
                                         base_url="http://t") as c:
                yield c

    return make


@pytest.fixture
async def client(make_client):
    async with make_client() as c:
        yield c


def ip(n: int) -> dict[str, str]:
    return {"X-Real-Ip": f"203.0.113.{n}"}


# --- one table per failure: what each family's client reads ------------------------------------------

BAD_BODY = {"dating": {"birth_date": "15/05/1990"}, "numerology": {"birth_date": "15/05/1990"},
            "astro": {"birth_date": "15/05/1990"}, "human-design": {"birth_datetime": "15/05/1990"}}


TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def traceparent(trace_id: str = TRACE_ID) -> dict[str, str]:
    """A caller's W3C trace context: the request id is its trace id (the caller's X-Request-ID is not)."""
    return {"traceparent": f"00-{trace_id}-b7ad6b7169203331-01", "X-Request-ID": "client-chosen"}


async def test_validation_errors_name_the_field_in_each_dialect(client):
    replies = {family: await client.post(f"/api/v1/{family}/things/", json=body, headers=traceparent())
               for family, body in BAD_BODY.items()}
    assert {f: r.headers["x-request-id"] for f, r in replies.items()} == dict.fromkeys(BAD_BODY, TRACE_ID)
    rid1 = TRACE_ID
    dating = replies["dating"]
    assert dating.status_code == 422
    assert dating.json()["error"]["fields"][0]["field"] == "birth_date"
    assert dating.json()["error"]["request_id"] == rid1
    jio = replies["numerology"]
    assert jio.status_code == 422
    assert [(e["loc"], e["type"]) for e in jio.json()["detail"]] == [
        (["body", "birth_date"], "string_pattern_mismatch")]
    astro = replies["astro"]
    assert astro.status_code == 400  # the seed lists no 422
    assert (astro.json()["error"], astro.json()["request_id"]) == ("VALIDATION_ERROR", rid1)
    assert [d["field"] for d in astro.json()["details"]] == ["birth_date"]
    hd = replies["human-design"]
    assert hd.status_code == 400
    assert (hd.json()["detail"]["code"], hd.json()["detail"]["field"]) == ("INVALID_DATE", "birth_datetime")


def dialect_code(family: str, body: dict) -> str:
    """Where each dialect puts its code (JioAstro: the whole ``detail`` text)."""
    return {"dating": lambda: body["error"]["code"], "numerology": lambda: body["detail"],
            "astro": lambda: body["error"], "human-design": lambda: body["detail"]["code"]}[family]()


@pytest.mark.parametrize("path, status, codes", [
    ("mine", 401, {"dating": "UNAUTHENTICATED", "numerology": "Not authenticated", "astro": "AUTHENTICATION_ERROR",
                   "human-design": "UNAUTHENTICATED"}),
    ("no-such-thing", 404, {"dating": "NOT_FOUND", "numerology": "Not Found", "astro": "NOT_FOUND_ERROR",
                            "human-design": "NOT_FOUND"}),
], ids=["missing token", "unmatched path under a family prefix"])
async def test_auth_and_unmatched_paths_answer_in_each_dialect(client, path, status, codes):
    replies = {f: await client.get(f"/api/v1/{f}/{path}") for f in BAD_BODY}
    assert {f: r.status_code for f, r in replies.items()} == dict.fromkeys(BAD_BODY, status)
    assert {f: dialect_code(f, r.json()) for f, r in replies.items()} == codes
    assert replies["numerology"].json() == {"detail": codes["numerology"]}  # nothing else in JioAstro's body


async def test_an_undeclared_method_is_405_in_the_family_dialect(client):
    wrong_method = await client.delete("/api/v1/astro/things")
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (405, "METHOD_NOT_ALLOWED_ERROR")


async def test_unexpected_errors_are_500s_with_the_request_id_in_each_dialect(client):
    ids = {"dating": "1" * 32, "numerology": "2" * 32, "astro": "3" * 32, "human-design": "4" * 32}
    replies = {f: await client.get(f"/api/v1/{f}/boom", headers=traceparent(ids[f])) for f in BAD_BODY}
    assert {f: r.status_code for f, r in replies.items()} == dict.fromkeys(BAD_BODY, 500)
    assert {f: r.headers["x-request-id"] for f, r in replies.items()} == ids
    assert replies["dating"].json()["error"] == {"code": "INTERNAL_ERROR",
                                                 "message": "Something went wrong on our side.",
                                                 "request_id": ids["dating"]}
    assert replies["numerology"].json() == {"detail": "Internal server error"}
    assert replies["astro"].json() == {"error": "INTERNAL_SERVER_ERROR", "message": "Something went wrong on our side.",
                                       "details": None, "request_id": ids["astro"]}
    assert replies["human-design"].json()["detail"]["code"] == "INTERNAL_ERROR"


async def test_every_response_carries_process_time(client):
    for reply in (await client.get("/healthz"), await client.get("/api/v1/astro/boom")):
        assert float(reply.headers["x-process-time"]) >= 0


async def _until_429(client, path: str, headers: dict[str, str], budget: int) -> list[httpx.Response]:
    return [await client.post(path, json={"birth_date": "1990-05-15"}, headers=headers) for _ in range(budget + 1)]


async def test_429_past_the_limit_in_each_dialect(client):
    dating = await _until_429(client, "/api/v1/dating/things", ip(1), 5)
    jio = await _until_429(client, "/api/v1/numerology/things", ip(1), 3)
    astro = await _until_429(client, "/api/v1/astro/things", ip(1), 5)
    hd = [await client.post("/api/v1/human-design/things", json={"birth_datetime": "1990-05-15T10:00"},
                            headers=ip(1)) for _ in range(5)]
    for replies in (dating, jio, astro, hd):
        assert [r.status_code for r in replies] == [200] * (len(replies) - 1) + [429]
        assert replies[-1].headers["x-ratelimit-remaining"] == "0"
        assert int(replies[-1].headers["retry-after"]) >= 1
    assert dating[-1].json()["error"]["code"] == "RATE_LIMITED"
    assert jio[-1].json()["retry_after"] == int(jio[-1].headers["retry-after"])
    assert jio[-1].json()["detail"] == f"Rate limit exceeded. Try again in {jio[-1].json()['retry_after']} seconds."
    assert (astro[-1].json()["error"], astro[-1].json()["message"]) == ("RATE_LIMIT_ERROR", "Rate limit exceeded")
    assert hd[-1].json()["detail"]["retry_after"] == int(hd[-1].headers["retry-after"])
    other = await client.post("/api/v1/dating/things", json={"birth_date": "1990-05-15"}, headers=ip(2))
    assert other.status_code == 200  # limits are per client


async def test_jioastro_limits_are_per_endpoint_and_premium_gets_more(client, mint_token, infra):
    standard, premium = 7001, 7002
    redis = Redis.from_url(infra.redis_url)
    await redis.set(account_tier_key(premium), "premium")
    await redis.aclose()

    async def statuses(user_id: int, path: str, n: int) -> list[int]:
        headers = {"Authorization": f"Bearer {mint_token(user_id)}"}
        return [(await client.get(path, headers=headers)).status_code for _ in range(n)]

    assert await statuses(standard, "/api/v1/numerology/mine", 4) == [200, 200, 200, 429]
    # another endpoint of the same family has its own budget
    assert await statuses(standard, "/api/v1/numerology/boom", 4) == [500, 500, 500, 429]
    assert await statuses(premium, "/api/v1/numerology/mine", 7) == [200] * 6 + [429]
    reply = await client.get("/api/v1/numerology/mine", headers={"Authorization": f"Bearer {mint_token(premium)}"})
    assert reply.headers["x-ratelimit-limit"] == "6"


async def test_astro_compute_and_predict_have_their_own_budgets(client):
    compute = [(await client.post("/api/v1/astro/compute", headers=ip(3))).status_code for _ in range(3)]
    predict = [(await client.post("/api/v1/astro/predict/question", headers=ip(3))).status_code for _ in range(2)]
    reading = await client.get("/api/v1/astro/predict/1", headers=ip(3))  # reading is a general request
    general = await client.get("/api/v1/astro/things", headers=ip(3))
    assert compute == [404, 404, 429] and predict == [404, 429]
    assert reading.headers["x-ratelimit-limit"] == "5" and reading.headers["x-ratelimit-remaining"] == "4"
    assert general.headers["x-ratelimit-remaining"] == "3"


async def test_human_design_counts_per_ip_even_with_a_token(client, mint_token):
    for user_id in (1, 2, 3, 4):
        await client.get("/api/v1/human-design/mine",
                         headers={**ip(4), "Authorization": f"Bearer {mint_token(user_id)}"})
    reply = await client.get("/api/v1/human-design/mine", headers={**ip(4), "Authorization": f"Bearer {mint_token(5)}"})
    assert reply.status_code == 429


async def test_limits_off_switch(make_client):
    async with make_client(enabled=False) as client:
        replies = [await client.post("/api/v1/astro/things", json={"birth_date": "1990-05-15"}, headers=ip(5))
                   for _ in range(8)]
    assert [r.status_code for r in replies] == [200] * 8
    assert "x-ratelimit-limit" not in replies[-1].headers


async def test_health_bodies_are_astro_mvps(client):
    live = (await client.get("/healthz")).json()
    ready = await client.get("/readyz")
    assert live["status"] == "healthy" and isinstance(live["timestamp"], float)
    assert ready.status_code == 200
    body = ready.json()
    assert (body["status"], body["redis"]) == ("ready", "healthy")
    assert body["checks"]["redis"]["ok"] is True


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """``name``'s samples in a /metrics body, keyed by their sorted labels."""
    from prometheus_client.parser import text_string_to_metric_families

    return {tuple(sorted(s.labels.items())): s.value for family in text_string_to_metric_families(text)
            for s in family.samples if s.name == name}


async def test_metrics_count_each_request_by_route_template_and_status(client):
    ok = (("method", "POST"), ("route", "/api/v1/astro/things"), ("service", "test"), ("status", "200"))
    missing = (("method", "GET"), ("route", "unmatched"), ("service", "test"), ("status", "404"))
    first = (await client.get("/metrics")).text
    before = _samples(first, "numeros_http_requests_total")
    assert (await client.post("/api/v1/astro/things/", json={"birth_date": "1990-05-15"},
                              headers=ip(9))).status_code == 200
    assert (await client.get("/api/v1/astro/things/7/nothing", headers=ip(9))).status_code == 404
    reply = await client.get("/metrics")
    assert reply.headers["content-type"].startswith("text/plain")
    after = _samples(reply.text, "numeros_http_requests_total")
    assert after[ok] - before.get(ok, 0) == 1
    assert after[missing] - before.get(missing, 0) == 1
    timed = (("method", "POST"), ("route", "/api/v1/astro/things"), ("service", "test"))
    count = "numeros_http_request_duration_seconds_count"
    assert _samples(reply.text, count)[timed] - _samples(first, count).get(timed, 0) == 1
