"""The real chart server (its worker processes started from this process, on free ports), called
through real grpc.aio channels."""
from __future__ import annotations

import asyncio
import json
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
from numeros_common.chart_client import ChartClient
from numeros_common.testing import eventually
from services.chart.api.grpc_server import CHART_SERVICE_NAME, FIELD_METADATA_KEY, ChartServicer
from services.chart.api.peers import WORKER_PID_METADATA_KEY
from services.chart.api.workers import ListenError, start_server
from services.chart.domain.numerology import calculate_numerology
from services.chart.settings import REPO_ROOT, ChartSettings
from services.chart.tests.grpc_support import HANG_GUARD_SECONDS, balancing_channel, started

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
    """A plain channel to the shared port (one connection: one worker), as health checks use it."""
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


async def answered_by(stub, request=None) -> str:
    call = stub.CalculateNumerology(request or numerology_request())
    await asyncio.wait_for(call, timeout=HANG_GUARD_SECONDS)
    return dict(await call.trailing_metadata())[WORKER_PID_METADATA_KEY]


async def test_calls_over_one_balancing_channel_take_turns_on_every_worker(server):
    workers = {str(pid) for pid in server.worker_pids}
    assert len(workers) == 2 and str(os.getpid()) not in workers  # computed in the workers, not here
    async with balancing_channel(server) as channel:
        stub = chart_pb2_grpc.ChartServiceStub(channel)
        seen: set[str] = set()

        async def every_worker_answered() -> bool:
            seen.add(await answered_by(stub))
            return seen == workers

        # round_robin sends calls to the connections that are ready; both are once they have connected.
        await eventually(every_worker_answered, what="a call answered by each worker")
        # From then on, call by call in turn: sequential calls from one channel use every core.
        turns = [await answered_by(stub) for _ in range(6)]
    assert sorted(turns.count(pid) for pid in workers) == [3, 3]
    assert all(a != b for a, b in zip(turns, turns[1:]))


async def test_a_worker_killed_mid_call_is_replaced_and_the_call_still_answers(ephe_dir):
    """One worker dies in the middle of a batch (SIGKILL): the others keep serving with the same pids,
    the caller's channel gets its answer (a chunk on the dead peer is redone, a call on the dead
    worker is retried by ChartClient's retry policy), and a new worker takes the dead one's port."""
    import psutil

    running = await started(ephe_dir, workers=2)
    client = ChartClient(running.worker_addresses, deadline_seconds=HANG_GUARD_SECONDS)
    try:
        victim, survivor = running.worker_pids
        charts = [chart_pb2.BirthData(birth_date=chart_pb2.Date(year=1950 + i % 60, month=1 + i % 12, day=1 + i % 28),
                                      birth_time="12:30", latitude=48.85, longitude=2.35, timezone="Europe/Paris")
                  for i in range(3000)]
        cpu_before = sum(psutil.Process(victim).cpu_times()[:2])
        batch = asyncio.ensure_future(client.call(client.stub.CalculateNatalCharts,
                                                  chart_pb2.NatalChartsRequest(charts=charts)))

        async def victim_computing() -> bool:  # its chunk of the batch is under way
            return sum(psutil.Process(victim).cpu_times()[:2]) - cpu_before > 0.05

        await eventually(victim_computing, what="the victim worker to compute")
        os.kill(victim, signal.SIGKILL)
        response = await batch
        assert len(response.chart_level) == 3000 and set(response.chart_level) == {4}

        async def replaced() -> bool:
            return victim not in running.worker_pids and None not in running.worker_pids

        await eventually(replaced, timeout=60, what="a replacement worker")
        assert survivor in running.worker_pids
        replacement = next(pid for pid in running.worker_pids if pid != survivor)
        seen: set[str] = set()

        async def both_answer() -> bool:
            seen.add(await answered_by(client.stub))
            return seen == {str(replacement), str(survivor)}

        await eventually(both_answer, what="the replacement and the survivor to answer on the same channel")
    finally:
        await client.close()
        await running.stop(grace=1)


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


@pytest.mark.parametrize("taken", ["shared", "worker"])
async def test_a_taken_port_is_refused(server, taken):
    settings = ChartSettings(grpc_host="127.0.0.1", grpc_port=server.port if taken == "shared" else 0,
                             grpc_worker_ports=[server.worker_ports[1]] if taken == "worker" else [],
                             chart_workers=1)
    taken_port = server.port if taken == "shared" else server.worker_ports[1]
    with pytest.raises(ListenError, match=f"cannot listen on 127.0.0.1:{taken_port}: address already in use"):
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


async def listening_line(process: asyncio.subprocess.Process) -> dict:
    while True:
        line = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=60))
        if line["message"] == "chart server listening":
            return line


async def test_main_exits_2_naming_the_settings_when_worker_ports_do_not_match_the_workers():
    process = await run_module(0, NUMEROS_CHART_WORKERS="2", NUMEROS_GRPC_WORKER_PORTS="50901")
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    assert stderr.decode().splitlines() == [
        "chart: invalid settings: NUMEROS_GRPC_WORKER_PORTS lists 1 ports for NUMEROS_CHART_WORKERS=2"]


async def test_main_serves_then_stops_cleanly_on_sigterm():
    process = await run_module(0, NUMEROS_CHART_WORKERS="2")
    try:
        listening = await listening_line(process)
        assert len(listening["worker_addresses"].split(",")) == 2
        for address in (listening["address"], *listening["worker_addresses"].split(",")):
            async with grpc.aio.insecure_channel(address) as channel:
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


async def test_a_call_whose_deadline_passed_while_it_waited_is_not_computed(server):
    servicer = ChartServicer(server.ephemeris)
    context = FakeContext(0.0)
    with pytest.raises(grpc.aio.AbortError, match="deadline exceeded before the work started"):
        await servicer.CalculateNumerology(numerology_request(), context)
    assert context.aborted_with == grpc.StatusCode.DEADLINE_EXCEEDED


async def test_metrics_port_counts_calls_and_logs_carry_the_callers_trace_id():
    """The subprocess is fresh, so its counters start at zero and the counts are exact."""
    from prometheus_client.parser import text_string_to_metric_families

    import httpx

    from devstack.processes import free_port

    metrics_port = free_port()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    process = await run_module(0, NUMEROS_METRICS_PORT=str(metrics_port))
    try:
        listening = await listening_line(process)
        async with grpc.aio.insecure_channel(listening["address"]) as channel:
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
    # One JSON log line per call, from the worker that computed it.
    assert [(line["method"], line["status"]) for line in rpc_lines] == [
        ("CalculateNumerology", "OK"), ("CalculateNumerology", "INVALID_ARGUMENT")]
    assert all(line["duration_ms"] >= 0 for line in rpc_lines)
    # The caller's trace continues in chart: its trace id is the request id of chart's log line.
    assert rpc_lines[0]["request_id"] == trace_id
    assert rpc_lines[1]["request_id"] not in (None, trace_id) and len(rpc_lines[1]["request_id"]) == 32
