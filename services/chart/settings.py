"""Chart service configuration (environment variables with the ``NUMEROS_`` prefix)."""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field

from numeros_common.settings import ServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[2]


def usable_cpu_count() -> int:
    """CPUs this process may run on (honours affinity masks, e.g. ``taskset`` or container cpusets)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class ChartSettings(ServiceSettings):
    service_name: str = "chart"
    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    # Worker processes doing the CPU-bound work; one call at a time each.
    chart_workers: int = Field(default_factory=usable_cpu_count, ge=1)
    ephe_path: Path = REPO_ROOT / "ephe"
    grpc_shutdown_grace_seconds: float = Field(default=5.0, ge=0)
    # Prometheus /metrics on its own HTTP port (chart speaks only gRPC); 0 = not served.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Debug aid: add trailing metadata "numeros-worker-pid" naming the process that did the work.
    expose_worker_pid: bool = False
