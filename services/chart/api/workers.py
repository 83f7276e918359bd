"""The chart server: ``chart_workers`` processes, each serving gRPC itself, under one supervising parent.

Each worker initialises Swiss Ephemeris and the places once, then runs its own grpc.aio server and
computes every call inline (no hop to another process). Every worker listens on the shared port
(``grpc_port``, SO_REUSEPORT: the kernel spreads *connections*) and on its own port
(``grpc_worker_ports``): a client that lists the worker ports balances *calls* over all of them on
one channel (round_robin), which one connection to the shared port cannot do.

The parent only supervises: it reserves the ports, starts the workers from a fork server (gRPC is not
fork-safe, and the parent may hold gRPC objects, e.g. in tests), restarts a worker that dies on the
same port, forwards a stop as SIGTERM, and serves ``/metrics`` for all of them (prometheus_client's
multiprocess mode). A worker whose parent is gone stops too.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

import uvloop

from numeros_common.listening import CannotListen, check_free, passive_address
from numeros_common.logging import configure_logging
from numeros_common.metrics import CHART_WORKERS
from services.chart.adapters.ephemeris import EphemerisStatus, check_ephemeris
from services.chart.settings import ChartSettings

logger = logging.getLogger(__name__)

# Imported once in the fork server, so every worker (and every replacement) starts with them loaded.
_WORKER_MODULES = ["services.chart.api.workers", "services.chart.api.grpc_server", "services.chart.api.payloads",
                   "services.chart.api.natal_batch"]
_START_SECONDS = 60.0
_KILL_AFTER_SECONDS = 5.0  # past the grace period, a worker that has not stopped is killed
_RESTART_DELAY_SECONDS = 1.0  # between attempts to replace a worker that cannot start
BIND_FAILED = 2
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class ListenError(RuntimeError):
    """The server cannot listen on the configured address (e.g. the port is taken)."""


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


# ------------------------------------------------------------------------------------------ worker


def _worker_main(settings: ChartSettings, index: int, shared_port: int, worker_ports: list[int],
                 report: Connection) -> None:
    """A worker's life (in its own process): load once, serve until SIGTERM or the parent is gone."""
    # Ctrl-C reaches the whole process group; the parent alone decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(settings.service_name, settings.log_level)
    from services.chart.adapters.places import load_places

    ephemeris = check_ephemeris(settings.ephe_path)
    # Load the time-zone polygons and the gazetteer now, not inside the first user's request.
    load_places()
    # What start-up loaded lives as long as the worker: keep the cyclic collector from rescanning
    # it (the zone polygons and the gazetteer) on every collection a batch of charts triggers.
    gc.freeze()
    try:
        # uvloop: a C event loop, less CPU per call in the loop than asyncio's own.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(_serve_worker(settings, index, shared_port, worker_ports, ephemeris, report))
    except ListenError as error:
        report.send(("error", str(error)))
        sys.exit(BIND_FAILED)


async def _serve_worker(settings: ChartSettings, index: int, shared_port: int, worker_ports: list[int],
                        ephemeris: EphemerisStatus, report: Connection) -> None:
    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection

    from numeros.chart.v1 import chart_pb2_grpc
    from numeros_common.tracing import configure_tracing
    from services.chart.api.grpc_server import CHART_SERVICE_NAME, ChartServicer
    from services.chart.api.peers import Peers, chunk_handler

    configure_tracing(settings.service_name)
    host = settings.grpc_host
    # SO_REUSEPORT lets every worker listen on the shared port, and a replacement take over a dead
    # worker's port at once; the parent made sure nobody else held them (``_reserve``).
    server = grpc.aio.server(options=[("grpc.so_reuseport", 1)])
    for port in (shared_port, worker_ports[index]):
        try:
            server.add_insecure_port(address(host, port))
        except RuntimeError as error:
            raise ListenError(f"cannot listen on {address(host, port)}: {error}") from None
    # Peers are on this machine: a wildcard listen address is reached through the loopback.
    peer_host = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}.get(host, host)
    peers = Peers([address(peer_host, port) for i, port in enumerate(worker_ports) if i != index],
                  settings.ephe_path)
    health_servicer = health.aio.HealthServicer()
    # Overall and ChartService health: SERVING only when the ephemeris is usable.
    status = health_pb2.HealthCheckResponse.SERVING if ephemeris.available else \
        health_pb2.HealthCheckResponse.NOT_SERVING
    for service in (health.OVERALL_HEALTH, CHART_SERVICE_NAME):
        await health_servicer.set(service, status)
    chart_pb2_grpc.add_ChartServiceServicer_to_server(
        ChartServicer(ephemeris, peers, settings.expose_worker_pid), server)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server.add_generic_rpc_handlers((chunk_handler(settings.expose_worker_pid),))
    reflection.enable_server_reflection((CHART_SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    await server.start()
    CHART_WORKERS.set(1)  # summed over the live workers by /metrics
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    # The parent never writes to this pipe: it turns readable (end of file) only when the parent is gone.
    loop.add_reader(report.fileno(), stop.set)
    report.send(("ready", os.getpid()))
    await stop.wait()
    loop.remove_reader(report.fileno())
    # NOT_SERVING first, then let calls in flight finish within the grace period.
    await health_servicer.enter_graceful_shutdown()
    await server.stop(settings.grpc_shutdown_grace_seconds)
    await peers.close()


# ------------------------------------------------------------------------------------------ parent


@dataclass
class _Slot:
    """One worker position: its own port survives the process that serves it."""

    index: int
    port: int
    process: multiprocessing.process.BaseProcess | None = None
    report: Connection | None = None


@dataclass
class RunningServer:
    """Started chart workers and their supervisor; ``stop`` stops them all."""

    settings: ChartSettings
    port: int  # the shared port
    ephemeris: EphemerisStatus
    _slots: list[_Slot]
    _reservations: list[socket.socket]
    _context: multiprocessing.context.BaseContext
    _stopping: bool = False
    _restarts: set[asyncio.Task] = field(default_factory=set)

    @property
    def worker_ports(self) -> list[int]:
        return [slot.port for slot in self._slots]

    @property
    def worker_addresses(self) -> str:
        """Every worker's own address, comma-separated: a ``NUMEROS_CHART_ADDR`` for a balancing client."""
        return ",".join(address(self.settings.grpc_host, port) for port in self.worker_ports)

    @property
    def worker_pids(self) -> list[int | None]:
        return [slot.process.pid if slot.process is not None else None for slot in self._slots]

    async def _start(self, slot: _Slot) -> None:
        """Start ``slot``'s worker and wait until it serves; ListenError when it cannot bind."""
        # The worker writes its one report (ready, or why not); the parent only reads.
        reader, writer = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_worker_main, name=f"chart-worker-{slot.index}",
            args=(self.settings, slot.index, self.port, self.worker_ports, writer))
        process.start()
        writer.close()
        slot.process, slot.report = process, reader
        kind, detail = await asyncio.to_thread(_first_report, reader, process)
        if kind != "ready":
            self._forget(slot)
            raise ListenError(detail) if kind == "error" else RuntimeError(detail)
        asyncio.get_running_loop().add_reader(process.sentinel, self._exited, slot, process)

    def _exited(self, slot: _Slot, process: multiprocessing.process.BaseProcess) -> None:
        """A worker died (it was not asked to stop): start another on its port."""
        asyncio.get_running_loop().remove_reader(process.sentinel)
        if slot.process is not process or self._stopping:
            return
        process.join(0)
        logger.warning("chart worker exited, restarting it",
                       extra={"worker": slot.index, "pid": process.pid, "exitcode": process.exitcode})
        self._forget(slot)
        task = asyncio.get_running_loop().create_task(self._replace(slot))
        self._restarts.add(task)
        task.add_done_callback(self._restarts.discard)

    async def _replace(self, slot: _Slot) -> None:
        while not self._stopping:
            try:
                await self._start(slot)
                return
            except (ListenError, RuntimeError) as error:
                logger.error("chart worker did not start", extra={"worker": slot.index, "detail": str(error)})
            await asyncio.sleep(_RESTART_DELAY_SECONDS)

    def _forget(self, slot: _Slot) -> None:
        if slot.process is not None:
            _mark_dead(slot.process.pid)
        if slot.report is not None:
            slot.report.close()
        slot.process, slot.report = None, None

    async def stop(self, grace: float | None = None) -> None:
        """SIGTERM every worker (each reports NOT_SERVING and finishes its calls within its grace
        period), kill what is still running after it, release the ports."""
        self._stopping = True
        for task in list(self._restarts):
            task.cancel()
        loop = asyncio.get_running_loop()
        processes = [slot.process for slot in self._slots if slot.process is not None]
        for process in processes:
            loop.remove_reader(process.sentinel)
            if process.is_alive():
                process.terminate()
        wait_seconds = (self.settings.grpc_shutdown_grace_seconds if grace is None else grace) + _KILL_AFTER_SECONDS
        await asyncio.to_thread(_join, processes, wait_seconds)
        for slot in self._slots:
            self._forget(slot)
        for reservation in self._reservations:
            reservation.close()


def _first_report(reader: Connection, process: multiprocessing.process.BaseProcess) -> tuple[str, str]:
    ready = wait([reader, process.sentinel], timeout=_START_SECONDS)
    if reader in ready:
        try:
            kind, detail = reader.recv()
            return kind, str(detail)
        except EOFError:
            pass
    if not ready:
        process.kill()
        return "timeout", f"chart worker did not start within {_START_SECONDS:.0f} s"
    process.join(1.0)
    return "died", f"chart worker exited during start-up (exit code {process.exitcode})"


def _join(processes: list[multiprocessing.process.BaseProcess], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(timeout=1.0)


def _mark_dead(pid: int | None) -> None:
    """Drop a dead worker's live gauges from /metrics (its counters stay: they are history)."""
    if pid is not None and os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


async def start_server(settings: ChartSettings) -> RunningServer:
    """Reserve the ports, start every worker and wait until all serve. Port 0 (shared or a worker's)
    takes a free port, see ``RunningServer.port`` and ``worker_ports``."""
    host = settings.grpc_host
    reservations: list[socket.socket] = []
    try:
        shared = _reserve(host, settings.grpc_port, reservations)
        ports = [_reserve(host, port, reservations)
                 for port in settings.grpc_worker_ports or [0] * settings.chart_workers]
    except BaseException:
        for reservation in reservations:
            reservation.close()
        raise
    ephemeris = check_ephemeris(settings.ephe_path)
    if not ephemeris.available:
        logger.warning("ephemeris unavailable, astrology disabled",
                       extra={"ephe_path": ephemeris.path, "detail": ephemeris.detail})
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_WORKER_MODULES)
    running = RunningServer(settings, shared, ephemeris, [_Slot(i, port) for i, port in enumerate(ports)],
                            reservations, context)
    try:
        await asyncio.gather(*(running._start(slot) for slot in running._slots))
    except BaseException:
        await running.stop(0)
        raise
    logger.info("chart server listening", extra={
        "address": address(host, shared), "worker_addresses": running.worker_addresses,
        "workers": settings.chart_workers, "ephemeris": ephemeris.available})
    return running


def _reserve(host: str, port: int, reservations: list[socket.socket]) -> int:
    """Hold ``port`` (a free one for 0) for the workers: bound with SO_REUSEPORT, never listening, so the
    workers can share it and nobody else can take it, even while a dead worker is being replaced.

    A port anybody already holds is refused first, with one clear message (gRPC core would log its own
    multi-line bind error, or with SO_REUSEPORT silently share the port with another server)."""
    where = address(host, port)
    try:
        passive = passive_address(host, port)
        if port:
            check_free(passive)
    except CannotListen as error:
        raise ListenError(f"cannot listen on {where}: {error}") from None
    reservation = socket.socket(passive.family, passive.kind, passive.protocol)
    try:
        reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        reservation.bind(passive.address)
    except OSError as error:
        reservation.close()
        raise ListenError(f"cannot listen on {where}: {error.strerror}") from None
    reservations.append(reservation)
    return reservation.getsockname()[1]


async def serve(settings: ChartSettings) -> None:
    """Run the workers until SIGTERM or SIGINT, then stop them gracefully."""
    metrics_dir = _serve_metrics(settings) if settings.metrics_port else None
    try:
        running = await start_server(settings)
        stop_requested = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, stop_requested.set)
        await stop_requested.wait()
        logger.info("chart server stopping", extra={"grace_seconds": settings.grpc_shutdown_grace_seconds})
        await running.stop(settings.grpc_shutdown_grace_seconds)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _serve_metrics(settings: ChartSettings) -> Path:
    """/metrics of every worker, from the parent: the workers write their values to files in a directory
    (prometheus_client's multiprocess mode, chosen before the fork server starts), the parent sums them."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    directory = Path(tempfile.mkdtemp(prefix="numeros-chart-metrics-"))
    os.environ[MULTIPROC_ENV] = str(directory)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    start_http_server(settings.metrics_port, addr=settings.metrics_host, registry=registry)
    logger.info("metrics listening", extra={"address": address(settings.metrics_host, settings.metrics_port)})
    return directory
