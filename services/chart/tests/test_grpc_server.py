"""The real chart server, in-process on a free port, called through real grpc.aio channels."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from datetime import date

import grpc
import pytest
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from numeros.chart.v1 import chart_pb2, chart_pb2_grpc
from services.chart.api.grpc_server import (
    CHART_SERVICE_NAME,
    FIELD_METADATA_KEY,
    WORKER_PID_METADATA_KEY,
    ChartServicer,
    ListenError,
    start_server,
)
from services.chart.adapters.worker_pool import WorkerOutcome
from services.chart.domain.numerology import calculate_numerology
from services.chart.settings import REPO_ROOT, ChartSettings
from services.chart.tests.grpc_support import HANG_GUARD_SECONDS, started

pytestmark = pytest.mark.asyncio(loop_scope="module")
module_fixture = pytest_asyncio.fixture(loop_scope="module", scope="module")

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def numerology_request(full_name: str = "José Álvarez", year: int = 1990, month: int = 6, day: int = 15):
    return chart_pb2.CalculateNumerologyRequest(
        full_name=full_name, birth_date=chart_pb2.Date(year=year, month=month, day=day)
    )


@module_fixture
async def server(ephe_dir):
    running = await started(ephe_dir, workers=2)
    yield running
    await running.stop(grace=1)


@module_fixture
async def server_without_ephemeris(empty_ephe_dir):
    running = await started(empty_ephe_dir, workers=1)
    yield running
    await running.stop(grace=1)


@module_fixture
async def channel(server):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as opened:
        yield opened


@module_fixture
async def channel_without_ephemeris(server_without_ephemeris):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server_without_ephemeris.port}") as opened:
        yield opened


async def health_of(channel, service: str):
    response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service))
    return response.status


async def rejected(channel, request) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await chart_pb2_grpc.ChartServiceStub(channel).CalculateNumerology(request)
    return raised.value


async def test_numerology_answers_what_the_domain_computes(channel):
    response = await chart_pb2_grpc.ChartServiceStub(channel).CalculateNumerology(numerology_request())
    expected = calculate_numerology("José Álvarez", date(1990, 6, 15))
    assert response.normalized_name == "JOSEALVAREZ"
    assert (response.life_path, response.expression, response.soul_urge, response.personality) == (
        expected.life_path,
        expected.expression,
        expected.soul_urge,
        expected.personality,
    )
    breakdown = response.life_path_breakdown
    assert (breakdown.month, breakdown.day, breakdown.year, breakdown.total) == (6, 6, 1, 13)
    assert list(response.karmic_debts) == [13]
    assert response.ruleset_version == expected.ruleset_version
    assert response.calculation_hash == expected.calculation_hash


@pytest.mark.parametrize(
    ("request_", "field", "details"),
    [
        (numerology_request(full_name="J0hn"), "full_name", "full_name: '0' is not a Latin letter"),
        (numerology_request(full_name=" - "), "full_name", "full_name: must contain at least one letter"),
        (numerology_request(month=2, day=30), "birth_date", "birth_date: day is out of range for month"),
        (numerology_request(year=0), "birth_date", "birth_date: year 0 is out of range"),
        (chart_pb2.CalculateNumerologyRequest(full_name="Ana"), "birth_date", "birth_date: is required"),
    ],
)
async def test_bad_input_is_invalid_argument_naming_the_field(channel, request_, field, details):
    error = await rejected(channel, request_)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == details
    assert error.trailing_metadata()[FIELD_METADATA_KEY] == field


async def test_calls_over_one_channel_spread_over_worker_processes(channel):
    stub = chart_pb2_grpc.ChartServiceStub(channel)
    calls = [stub.CalculateNumerology(numerology_request()) for _ in range(20)]
    await asyncio.gather(*calls)
    worker_pids = {(await call.trailing_metadata())[WORKER_PID_METADATA_KEY] for call in calls}
    assert len(worker_pids) > 1
    assert str(os.getpid()) not in worker_pids


async def test_health_is_serving_with_the_ephemeris(channel):
    assert await health_of(channel, "") == SERVING
    assert await health_of(channel, CHART_SERVICE_NAME) == SERVING


async def test_without_ephemeris_health_is_not_serving_but_numerology_works(channel_without_ephemeris):
    assert await health_of(channel_without_ephemeris, "") == NOT_SERVING
    assert await health_of(channel_without_ephemeris, CHART_SERVICE_NAME) == NOT_SERVING
    response = await chart_pb2_grpc.ChartServiceStub(channel_without_ephemeris).CalculateNumerology(
        numerology_request()
    )
    assert response.life_path == 4


async def test_reflection_lists_the_chart_service(channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    listed = [response async for response in responses]
    assert CHART_SERVICE_NAME in {service.name for service in listed[0].list_services_response.service}


VEDIC, WESTERN = chart_pb2.CHART_FAMILY_VEDIC, chart_pb2.CHART_FAMILY_WESTERN


@pytest.mark.parametrize(
    ("family", "house_system", "ayanamsa", "expected"),
    [
        (VEDIC, "whole_sign", "lahiri", ("WholeSign", "Lahiri")),
        (VEDIC, "W", "KP", ("WholeSign", "Krishnamurti")),
        (VEDIC, "p", "fagan-bradley", ("Placidus", "FaganBradley")),
        (VEDIC, "E", "B.V. Raman", ("Equal", "Raman")),
        (VEDIC, "A", "True Chitrapaksha", ("Equal", "TrueChitrapaksha")),
        (VEDIC, "WholeSign", "Lahiri", ("WholeSign", "Lahiri")),
        (VEDIC, "", "", ("", "")),
        (VEDIC, "placidus", "", ("Placidus", "")),
        (WESTERN, "w", "", ("Whole Sign", "")),
        (WESTERN, "K", "", ("Koch", "")),
        (WESTERN, "regiomontanus", "chitrapaksha", ("Regiomontanus", "Lahiri")),
    ],
)
async def test_resolve_options_answers_canonical_names_without_a_worker(channel, family, house_system, ayanamsa,
                                                                          expected):
    call = chart_pb2_grpc.ChartServiceStub(channel).ResolveOptions(
        chart_pb2.ResolveOptionsRequest(family=family, house_system=house_system, ayanamsa=ayanamsa))
    response = await call
    assert (response.house_system, response.ayanamsa) == expected
    # The server names the worker of every call that used one (expose_worker_pid): none here.
    assert WORKER_PID_METADATA_KEY not in dict(await call.trailing_metadata())


@pytest.mark.parametrize(
    ("family", "house_system", "ayanamsa", "field", "details"),
    [
        (VEDIC, "bogus", "Lahiri", "house_system",
         "house_system: unknown house system 'bogus'; use one of WholeSign, Placidus, Equal"),
        # Koch is a Western house system the Vedic engine does not offer.
        (VEDIC, "Koch", "", "house_system",
         "house_system: unknown house system 'Koch'; use one of WholeSign, Placidus, Equal"),
        (VEDIC, "", "Sassanian", "ayanamsa",
         "ayanamsa: unknown ayanamsa 'Sassanian'; use one of Lahiri, Raman, Krishnamurti, FaganBradley, "
         "TrueChitrapaksha"),
        (WESTERN, "-", "", "house_system",
         "house_system: unknown house system '-'; use one of placidus, koch, whole_sign, equal, porphyry, "
         "regiomontanus, campanus"),
        (chart_pb2.CHART_FAMILY_UNSPECIFIED, "P", "", "family",
         "family: must be CHART_FAMILY_VEDIC or CHART_FAMILY_WESTERN"),
    ],
)
async def test_resolve_options_refuses_an_unknown_name_naming_the_field(channel, family, house_system, ayanamsa,
                                                                        field, details):
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await chart_pb2_grpc.ChartServiceStub(channel).ResolveOptions(
            chart_pb2.ResolveOptionsRequest(family=family, house_system=house_system, ayanamsa=ayanamsa))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == details
    assert raised.value.trailing_metadata()[FIELD_METADATA_KEY] == field


class _RpcLogged(logging.Handler):
    """Sets ``logged`` when the server writes its per-call "rpc" line."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.logged = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "rpc":
            self._loop.call_soon_threadsafe(self.logged.set)


async def test_one_json_log_line_per_call(channel, caplog):
    caplog.set_level(logging.INFO, logger="services.chart.api.grpc_server")
    server_logger = logging.getLogger("services.chart.api.grpc_server")
    signal = _RpcLogged()
    server_logger.addHandler(signal)
    try:
        await rejected(channel, numerology_request(full_name="J0hn"))
        # The server logs once it has answered, so the line may trail the client's result a little.
        await asyncio.wait_for(signal.logged.wait(), timeout=HANG_GUARD_SECONDS)
    finally:
        server_logger.removeHandler(signal)
    (record,) = [record for record in caplog.records if record.getMessage() == "rpc"]
    assert (record.method, record.status) == ("CalculateNumerology", "INVALID_ARGUMENT")
    assert record.duration_ms >= 0


async def test_a_taken_port_is_refused(server):
    settings = ChartSettings(grpc_host="127.0.0.1", grpc_port=server.port, chart_workers=1)
    with pytest.raises(ListenError, match="address already in use"):
        await start_server(settings)


async def run_module(port: int, **env: str) -> asyncio.subprocess.Process:
    environment = {**os.environ, "NUMEROS_GRPC_PORT": str(port), "NUMEROS_CHART_WORKERS": "1", **env}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.chart", cwd=REPO_ROOT, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_main_exits_2_with_one_line_when_the_port_is_taken(server):
    process = await run_module(server.port)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    assert stderr.decode().splitlines() == [f"chart: cannot listen on 127.0.0.1:{server.port}: address already in use"]


async def test_main_serves_then_stops_cleanly_on_sigterm():
    process = await run_module(0)
    try:
        listening = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=20))
        assert listening["message"] == "chart server listening"
        async with grpc.aio.insecure_channel(listening["address"]) as channel:
            assert await health_of(channel, CHART_SERVICE_NAME) == SERVING
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0


class FakeContext:
    """Just enough of a ServicerContext to drive the deadline handling."""

    def __init__(self, time_remaining: float | None) -> None:
        self._time_remaining = time_remaining
        self.aborted_with: grpc.StatusCode | None = None

    def time_remaining(self) -> float | None:
        return self._time_remaining

    def invocation_metadata(self) -> tuple:
        return ()

    def cancelled(self) -> bool:
        return False

    def code(self) -> grpc.StatusCode | None:
        return self.aborted_with

    async def abort(self, code: grpc.StatusCode, details: str = "", trailing_metadata=()) -> None:
        self.aborted_with = code
        raise grpc.aio.AbortError(details)


class SlowPool:
    def __init__(self) -> None:
        self.calls = 0

    async def run(self, function, *args) -> WorkerOutcome:
        self.calls += 1
        await asyncio.Event().wait()  # never answers: only the deadline ends the call
        return WorkerOutcome(function(*args), os.getpid())


@pytest.mark.parametrize(("time_remaining", "calls_started"), [(0.0, 0), (0.05, 1)])
async def test_deadlines_are_honoured(server, time_remaining, calls_started):
    pool = SlowPool()
    servicer = ChartServicer(pool, server.ephemeris)
    context = FakeContext(time_remaining)
    with pytest.raises(grpc.aio.AbortError):
        await servicer.CalculateNumerology(numerology_request(), context)
    assert context.aborted_with == grpc.StatusCode.DEADLINE_EXCEEDED
    assert pool.calls == calls_started


async def test_metrics_port_counts_calls_and_logs_carry_the_callers_trace_id():
    """The subprocess is fresh, so its counters start at zero and the counts are exact."""
    from prometheus_client.parser import text_string_to_metric_families

    import httpx

    from devstack.processes import free_port

    metrics_port = free_port()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    process = await run_module(0, NUMEROS_METRICS_PORT=str(metrics_port))
    try:
        lines = []
        while not lines or lines[-1]["message"] != "chart server listening":
            lines.append(json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=20)))
        async with grpc.aio.insecure_channel(lines[-1]["address"]) as channel:
            stub = chart_pb2_grpc.ChartServiceStub(channel)
            metadata = (("traceparent", f"00-{trace_id}-00f067aa0ba902b7-01"),)
            await stub.CalculateNumerology(numerology_request(), metadata=metadata)
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.CalculateNumerology(numerology_request(full_name="J0hn"))
        rpc_lines = []
        while len(rpc_lines) < 2:
            line = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=20))
            rpc_lines += [line] if line["message"] == "rpc" else []
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    calls = "numeros_grpc_server_calls_total"
    assert samples[calls, (("code", "OK"), ("method", "CalculateNumerology"))] == 1
    assert samples[calls, (("code", "INVALID_ARGUMENT"), ("method", "CalculateNumerology"))] == 1
    assert samples["numeros_grpc_server_call_duration_seconds_count", (("method", "CalculateNumerology"),)] == 2
    assert samples["numeros_chart_workers", ()] == 1
    assert samples["numeros_chart_workers_busy", ()] == 0
    assert samples["numeros_chart_worker_queue_depth", ()] == 0
    # The caller's trace continues in chart: its trace id is the request id of chart's log line.
    assert rpc_lines[0]["request_id"] == trace_id
    assert rpc_lines[1]["request_id"] not in (None, trace_id) and len(rpc_lines[1]["request_id"]) == 32
