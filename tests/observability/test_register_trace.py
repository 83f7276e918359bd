"""One id finds a register request everywhere: identity and matching run in this process (their spans land in
the SDK's in-memory exporter), chart is the real subprocess (its spans leave no trace here, so its log line is
read: the request id chart logs is the trace id it received in the gRPC metadata)."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from opentelemetry.trace import SpanKind, format_trace_id

from numeros_common.migrations import upgrade
from numeros_common.testing import app_client, captured_spans, eventually

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def migrated(infra) -> None:
    for service in ("identity", "matching"):
        upgrade(REPO / "services" / service / "migrations", infra.database_url)


def chart_log_lines(chart_server) -> list[dict]:
    lines = (chart_server.root / "chart.log").read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


async def test_a_register_request_is_one_trace_across_identity_chart_and_matchings_consumer(
        migrated, service_env, chart_server, monkeypatch):
    from services.identity.app import create_app as identity_app
    from services.matching.app import create_app as matching_app
    from services.matching.profiles.consumers import PROFILE_CONSUMER

    spans = captured_spans()
    for key, value in {**service_env("identity"), "NUMEROS_CHART_ADDR": chart_server.addr}.items():
        monkeypatch.setenv(key, value)
    async with app_client(identity_app, "http://identity") as identity:
        for key, value in {**service_env("matching"), "NUMEROS_CHART_ADDR": chart_server.addr}.items():
            monkeypatch.setenv(key, value)
        async with app_client(matching_app, "http://matching") as matching:
            await matching.app.state.runtime.nats.wait_ready()
            reply = await identity.post("/api/v1/auth/register/", json={
                "email": f"trace-{uuid.uuid4().hex[:10]}@example.com", "password": "long-enough-pw",
                "display_name": "Ada", "birth_date": "1990-05-15", "birth_time": "14:30",
                "latitude": 40.7128, "longitude": -74.006, "timezone": "America/New_York"})
            assert reply.status_code == 201, reply.text
            trace_id = reply.headers["x-request-id"]

            async def consumed() -> list:
                return [s for s in spans.get_finished_spans() if format_trace_id(s.context.trace_id) == trace_id
                        and s.attributes.get("numeros.consumer") == PROFILE_CONSUMER]

            (consumer,) = await eventually(consumed, what="matching's consumer span in the request's trace")

    trace = [s for s in spans.get_finished_spans() if format_trace_id(s.context.trace_id) == trace_id]
    (request,) = [s for s in trace if s.kind is SpanKind.SERVER]
    (chart_call,) = [s for s in trace if s.kind is SpanKind.CLIENT]
    assert (request.name, request.attributes["numeros.service"]) == ("POST /api/v1/auth/register", "identity")
    assert request.parent is None  # the trace starts at identity's edge
    assert chart_call.name == "chart/CalculateProfile" and chart_call.parent.span_id == request.context.span_id
    # The event was written inside the request's span and consumed, later, as its child.
    assert consumer.name == "consume identity.user.registered"
    assert consumer.parent.span_id == request.context.span_id
    rpc = await eventually(lambda: _async([line for line in chart_log_lines(chart_server)
                                           if line["message"] == "rpc" and line["request_id"] == trace_id]),
                           what="chart's log line for the call")
    assert [line["method"] for line in rpc] == ["CalculateProfile"]


async def _async(value):
    return value
