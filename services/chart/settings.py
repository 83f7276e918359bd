"""Chart service configuration (environment variables with the ``NUMEROS_`` prefix)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

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
    # Every worker listens here (SO_REUSEPORT): the kernel spreads *connections* over them, so one client
    # channel (one connection) reaches one worker. Health checks and single-address clients use it.
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    # Worker processes, each serving gRPC itself and computing inline; one call at a time each.
    chart_workers: int = Field(default_factory=usable_cpu_count, ge=1)
    # Each worker's own port, one per worker ("50052,50053"); empty = free ports chosen at start. A client
    # given all of them (NUMEROS_CHART_ADDR="127.0.0.1:50052,127.0.0.1:50053") balances its calls over every
    # worker on one channel; a worker also hands batch chunks to its peers on these ports.
    grpc_worker_ports: Annotated[list[int], NoDecode] = Field(default_factory=list)
    ephe_path: Path = REPO_ROOT / "ephe"
    grpc_shutdown_grace_seconds: float = Field(default=5.0, ge=0)
    # Prometheus /metrics on its own HTTP port (chart speaks only gRPC); 0 = not served.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Debug aid: add trailing metadata "numeros-worker-pid" naming the process that did the work.
    expose_worker_pid: bool = False

    @field_validator("grpc_worker_ports", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("grpc_worker_ports")
    @classmethod
    def _valid_ports(cls, ports: list[int]) -> list[int]:
        if any(not 0 < port <= 65535 for port in ports):
            raise ValueError("ports must be 1-65535")
        if len(set(ports)) != len(ports):
            raise ValueError("each worker needs its own port")
        return ports

    @model_validator(mode="after")
    def _one_port_per_worker(self) -> "ChartSettings":
        if self.grpc_worker_ports and len(self.grpc_worker_ports) != self.chart_workers:
            raise ValueError(f"NUMEROS_GRPC_WORKER_PORTS lists {len(self.grpc_worker_ports)} ports for "
                             f"NUMEROS_CHART_WORKERS={self.chart_workers}")
        if self.grpc_port and self.grpc_port in self.grpc_worker_ports:
            raise ValueError("NUMEROS_GRPC_WORKER_PORTS must not include NUMEROS_GRPC_PORT")
        return self
