"""What the benchmarks share: the repository on ``sys.path`` (they run as plain scripts) and the chart
service as they run it, a child started exactly as in production (``python -m services.chart``) on a
free port with the worker count under test. Import this module before the project's own."""
from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EPHE_PATH = REPO_ROOT / "ephe"
for extra in (REPO_ROOT, REPO_ROOT / "lib", REPO_ROOT / "gen"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import grpc  # noqa: E402
import psutil  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

from devstack.processes import free_port  # noqa: E402
from numeros_common.chart_channel import CHANNEL_OPTIONS, channel_target  # noqa: E402


class ChartService:
    def __init__(self, workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.worker_ports = [free_port() for _ in range(workers)]
        self.workers = workers
        self._log = log_path.open("wb")
        environment = {**os.environ, "NUMEROS_GRPC_HOST": "127.0.0.1", "NUMEROS_GRPC_PORT": str(self.port),
                       "NUMEROS_CHART_WORKERS": str(workers),
                       "NUMEROS_GRPC_WORKER_PORTS": ",".join(map(str, self.worker_ports))}
        self.process = subprocess.Popen([sys.executable, "-m", "services.chart"], cwd=REPO_ROOT, env=environment,
                                        stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def address(self) -> str:
        """Every worker's own port, as the services' ChartClient is given them (use with ``options``)."""
        return channel_target(",".join(f"127.0.0.1:{port}" for port in self.worker_ports))

    # ChartClient's channel options: round_robin over the workers, retries.
    options = CHANNEL_OPTIONS

    async def wait_ready(self, channel: grpc.aio.Channel, timeout: float = 60.0) -> None:
        """Until the health service says SERVING (the workers are warm and the ephemeris is read)."""
        deadline = time.monotonic() + timeout
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"chart service exited with {self.process.returncode}")
            try:
                response = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                if response.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.1)
        raise SystemExit("chart service did not become ready")

    def cpu_seconds(self) -> tuple[float, float]:
        """(parent process, worker processes) user+system CPU seconds so far; the workers serve the calls."""
        main = psutil.Process(self.process.pid)
        times = main.cpu_times()
        children = 0.0
        for child in main.children(recursive=True):
            try:
                t = child.cpu_times()
            except psutil.NoSuchProcess:
                continue
            children += t.user + t.system
        return times.user + times.system, children

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> dict:
    """Where and when a benchmark ran: Python, platform, CPU, cores, load, date."""
    from services.chart.settings import usable_cpu_count

    cpuinfo = Path("/proc/cpuinfo")
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?") \
        if cpuinfo.exists() else platform.processor()
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
        "usable_cores": usable_cpu_count(), "logical_cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
