"""The chart service's gRPC server: validates requests, runs each call in a worker process.

The event loop only decodes, dispatches and encodes; every calculation is handed to the process
pool per call, so a single long-lived client channel still spreads its calls over all cores.
"""
from __future__ import annotations

import asyncio
import errno
import functools
import logging
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from numeros.chart.v1 import chart_pb2, chart_pb2_grpc
from numeros_common.logging import request_id_var
from services.chart.adapters.ephemeris import EphemerisStatus, check_ephemeris
from services.chart.adapters.worker_pool import WorkerCrashed, WorkerPool
from services.chart.domain import numerology
from services.chart.domain.errors import InvalidInput
from services.chart.settings import ChartSettings

CHART_SERVICE_NAME = chart_pb2.DESCRIPTOR.services_by_name["ChartService"].full_name
FIELD_METADATA_KEY = "numeros-field"
WORKER_PID_METADATA_KEY = "numeros-worker-pid"
REQUEST_ID_METADATA_KEY = "x-request-id"

T = TypeVar("T")
Handler = Callable[[Any, Any, grpc.aio.ServicerContext], Awaitable[Any]]

logger = logging.getLogger(__name__)


class ListenError(RuntimeError):
    """The server cannot listen on the configured address (e.g. the port is taken)."""


def rpc_method(handler: Handler) -> Handler:
    """Turn domain errors into gRPC statuses and log one line per call."""
    method = handler.__name__

    @functools.wraps(handler)
    async def observed(servicer: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        started = time.perf_counter()
        request_id = request_id_var.set(_metadata_value(context, REQUEST_ID_METADATA_KEY))
        try:
            return await _answer(handler, servicer, request, context)
        finally:
            status = "CANCELLED" if context.cancelled() else (context.code() or grpc.StatusCode.OK).name
            duration_ms = round((time.perf_counter() - started) * 1000, 3)
            logger.info("rpc", extra={"method": method, "duration_ms": duration_ms, "status": status})
            request_id_var.reset(request_id)

    return observed


async def _answer(handler: Handler, servicer: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
    try:
        return await handler(servicer, request, context)
    except InvalidInput as error:
        await context.abort(
            grpc.StatusCode.INVALID_ARGUMENT, str(error), trailing_metadata=((FIELD_METADATA_KEY, error.field),)
        )
    except WorkerCrashed as error:
        await context.abort(grpc.StatusCode.UNAVAILABLE, str(error))
    except grpc.aio.AbortError:
        raise
    except Exception:
        logger.exception("unexpected error in %s", handler.__name__)
        await context.abort(grpc.StatusCode.INTERNAL, "internal error")


class ChartServicer(chart_pb2_grpc.ChartServiceServicer):
    def __init__(self, pool: WorkerPool, ephemeris: EphemerisStatus, expose_worker_pid: bool = False) -> None:
        self._pool = pool
        # Astrology RPCs answer FAILED_PRECONDITION "EPHEMERIS_UNAVAILABLE" unless this is available.
        self.ephemeris = ephemeris
        self._expose_worker_pid = expose_worker_pid

    @rpc_method
    async def CalculateNumerology(
        self, request: chart_pb2.CalculateNumerologyRequest, context: grpc.aio.ServicerContext
    ) -> chart_pb2.CalculateNumerologyResponse:
        birth_date = _birth_date(request)
        result = await self._run_in_worker(context, numerology.calculate_numerology, request.full_name, birth_date)
        # The result's field names are the proto's, by design.
        return chart_pb2.CalculateNumerologyResponse(**asdict(result))

    async def _run_in_worker(self, context: grpc.aio.ServicerContext, function: Callable[..., T], *args: Any) -> T:
        """Run one calculation in a worker process, within the caller's deadline."""
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the work started")
        try:
            outcome = await asyncio.wait_for(self._pool.run(function, *args), timeout=remaining)
        except TimeoutError:
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded")
        if self._expose_worker_pid:
            context.set_trailing_metadata(((WORKER_PID_METADATA_KEY, str(outcome.worker_pid)),))
        return outcome.value


def _birth_date(request: chart_pb2.CalculateNumerologyRequest) -> date:
    if not request.HasField("birth_date"):
        raise InvalidInput("birth_date", "is required")
    parts = request.birth_date
    return numerology.birth_date_from_parts(parts.year, parts.month, parts.day)


def _metadata_value(context: grpc.aio.ServicerContext, key: str) -> str | None:
    return next((value for name, value in context.invocation_metadata() or () if name == key), None)


@dataclass
class RunningServer:
    """A started chart server and everything that must be stopped with it."""

    server: grpc.aio.Server
    port: int
    pool: WorkerPool
    health: health.aio.HealthServicer
    ephemeris: EphemerisStatus

    async def stop(self, grace: float | None = None) -> None:
        """Report NOT_SERVING, let calls in flight finish within ``grace`` seconds, stop the workers."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        await self.pool.shutdown()


async def start_server(settings: ChartSettings) -> RunningServer:
    """Bind, start the workers and serve; port 0 binds a free port (see ``RunningServer.port``)."""
    # SO_REUSEPORT (gRPC's default on Linux) would let a second server share a taken port silently.
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    port = _bind(server, settings.grpc_host, settings.grpc_port)
    ephemeris = check_ephemeris(settings.ephe_path)
    if not ephemeris.available:
        logger.warning(
            "ephemeris unavailable, astrology disabled",
            extra={"ephe_path": ephemeris.path, "detail": ephemeris.detail},
        )
    pool = WorkerPool(settings.chart_workers, settings.ephe_path)
    try:
        await pool.warm_up()
        health_servicer = await _health_servicer(serving=ephemeris.available)
        chart_pb2_grpc.add_ChartServiceServicer_to_server(
            ChartServicer(pool, ephemeris, settings.expose_worker_pid), server
        )
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        reflection.enable_server_reflection((CHART_SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
        await server.start()
    except BaseException:
        await server.stop(None)
        await pool.shutdown()
        raise
    logger.info(
        "chart server listening",
        extra={
            "address": _address(settings.grpc_host, port),
            "workers": pool.workers,
            "ephemeris": ephemeris.available,
        },
    )
    return RunningServer(server=server, port=port, pool=pool, health=health_servicer, ephemeris=ephemeris)


async def serve(settings: ChartSettings) -> None:
    """Run the server until SIGTERM or SIGINT, then shut down gracefully."""
    running = await start_server(settings)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop_requested.set)
    await stop_requested.wait()
    logger.info("chart server stopping", extra={"grace_seconds": settings.grpc_shutdown_grace_seconds})
    await running.stop(settings.grpc_shutdown_grace_seconds)


async def _health_servicer(serving: bool) -> health.aio.HealthServicer:
    """Overall and ChartService health: SERVING only when the ephemeris is usable."""
    servicer = health.aio.HealthServicer()
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    for service in (health.OVERALL_HEALTH, CHART_SERVICE_NAME):
        await servicer.set(service, status)
    return servicer


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def _bind(server: grpc.aio.Server, host: str, port: int) -> int:
    address = _address(host, port)
    if port:
        _ensure_port_free(host.strip("[]"), port, address)
    try:
        return server.add_insecure_port(address)
    except RuntimeError as error:
        raise ListenError(f"cannot listen on {address}: {error}") from None


def _ensure_port_free(host: str, port: int, address: str) -> None:
    """Fail with one clear message before gRPC core logs its own multi-line bind error.

    Only "in use" is decided here; any other bind problem is left for gRPC to report.
    """
    try:
        candidates = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ListenError(f"cannot listen on {address}: {error.strerror}") from None
    for family, kind, protocol, _, socket_address in candidates:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(socket_address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    raise ListenError(f"cannot listen on {address}: address already in use") from None
