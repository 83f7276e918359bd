"""The whole system as ``make run`` starts it: backing servers, migrations, the five services and
the gateway, in dependency order, stopped in reverse."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from services.gateway.render import file_provider_config
from services.gateway.routes import ERROR_PAGES, EdgePolicy

from .components import Nats, Postgres, Redis, Traefik
from .processes import Child, free_port, port_open, python, wait_until
from .supervisor import Policy, Supervisor, Unit

REPO = Path(__file__).resolve().parents[1]
HTTP_SERVICES = ("identity", "matching", "chat")


@dataclass
class Ports:
    gateway: int = 8000
    gateway_ping: int = 8089
    errorpages: int = 8088
    identity: int = 8101
    matching: int = 8102
    chat: int = 8103
    chart: int = 50051
    chart_metrics: int = 8104  # chart's Prometheus /metrics (it has no HTTP port otherwise)
    postgres: int = 55432
    redis: int = 56379
    nats: int = 54222
    nats_monitor: int = 58222

    @classmethod
    def from_env(cls) -> "Ports":
        ports = cls()
        for name in ports.__dataclass_fields__:
            value = os.environ.get(f"NUMEROS_{name.upper()}_PORT")
            if value:
                setattr(ports, name, int(value))
        return ports

    @classmethod
    def free(cls) -> "Ports":
        return cls(**{name: free_port() for name in cls.__dataclass_fields__})

    def taken(self) -> list[tuple[str, int]]:
        return [(name, port) for name, port in vars(self).items() if port_open(port)]


# Every service limit far above what a test sends (limits stay on, so their headers are there); a test of a
# limit sets that one setting (NUMEROS_RATE_LIMIT_<NAME>) lower. NUMEROS_RATE_LIMITS=off drops them all.
HIGH_RATE_LIMITS = {f"NUMEROS_RATE_LIMIT_{name}": "1000000/minute" for name in (
    "DEFAULT", "NUMEROLOGY", "NUMEROLOGY_PREMIUM", "ASTRO", "ASTRO_COMPUTE", "ASTRO_PREDICT", "HUMAN_DESIGN",
    "MEDIA")}


@dataclass
class Stack:
    root: Path
    ports: Ports = field(default_factory=Ports)
    echo: IO[str] | None = None
    chart_workers: int = 2
    # Chat behind the gateway as this many processes (replica n > 1 is the unit "chat-<n>" on a free port).
    chat_replicas: int = 1
    # Extra service environment (e.g. NUMEROS_RATE_LIMITS=off, NUMEROS_RATE_LIMIT_*); the process environment
    # reaches the services too. The gateway's edge limit is rendered from the same values.
    env: dict[str, str] = field(default_factory=dict)
    postgres: Postgres | None = None
    redis: Redis | None = None
    nats: Nats | None = None
    traefik: Traefik | None = None
    services: dict[str, Child] = field(default_factory=dict)
    supervisor: Supervisor | None = None
    replica_ports: dict[str, int] = field(default_factory=dict)
    # Each chart worker's own port (chosen at start): the services' chart client balances over all of them.
    chart_worker_ports: list[int] = field(default_factory=list)

    @property
    def chart_addr(self) -> str:
        """NUMEROS_CHART_ADDR: every chart worker, so one client channel spreads its calls over all of them."""
        return ",".join(f"127.0.0.1:{port}" for port in self.chart_worker_ports)

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway}"

    def service_env(self, name: str) -> dict[str, str]:
        if name in self.replica_ports:
            return {**self.service_env(name.split("-")[0]), "NUMEROS_HTTP_PORT": str(self.replica_ports[name])}
        assert self.postgres and self.redis and self.nats
        env = {
            "NUMEROS_LOG_LEVEL": os.environ.get("NUMEROS_LOG_LEVEL", "INFO"),
            "NUMEROS_DATABASE_URL": self.postgres.url, "NUMEROS_REDIS_URL": self.redis.url,
            "NUMEROS_NATS_URL": self.nats.url, "NUMEROS_CHART_ADDR": self.chart_addr,
            "NUMEROS_JWT_PUBLIC_KEY_FILE": str(self.secrets / "jwt_public.pem"),
            "NUMEROS_HTTP_HOST": "127.0.0.1",
        }
        if name == "identity":
            env["NUMEROS_JWT_PRIVATE_KEY_FILE"] = str(self.secrets / "jwt_private.pem")
            env["NUMEROS_MATCHING_URL"] = f"http://127.0.0.1:{self.ports.matching}"
            env["NUMEROS_CHAT_URL"] = f"http://127.0.0.1:{self.ports.chat}"
            env["NUMEROS_MEDIA_DIR"] = str(self.root / "data" / "media")  # profile photos
        if name == "matching":
            env["NUMEROS_IDENTITY_URL"] = f"http://127.0.0.1:{self.ports.identity}"
        if name in HTTP_SERVICES:
            env["NUMEROS_HTTP_PORT"] = str(getattr(self.ports, name))
        if name == "chat":
            env["NUMEROS_VAPID_PRIVATE_KEY_FILE"] = str(self.secrets / "vapid_private.pem")
        if name == ERROR_PAGES:
            env["NUMEROS_HTTP_PORT"] = str(self.ports.errorpages)
        if name == "chart":
            env["NUMEROS_GRPC_PORT"] = str(self.ports.chart)
            env["NUMEROS_GRPC_HOST"] = "127.0.0.1"
            env["NUMEROS_METRICS_PORT"] = str(self.ports.chart_metrics)
            env["NUMEROS_CHART_WORKERS"] = str(self.chart_workers)
            env["NUMEROS_GRPC_WORKER_PORTS"] = ",".join(map(str, self.chart_worker_ports))
            env["NUMEROS_EPHE_PATH"] = str(REPO / "ephe")
        return {**env, **self.env}

    def start(self) -> "Stack":
        taken = self.ports.taken()
        if taken:
            listing = ", ".join(f"{name} ({port})" for name, port in taken)
            raise PortTakenError(f"these ports are already in use: {listing}. Stop what holds them, or choose "
                                 f"others with NUMEROS_<NAME>_PORT, e.g. NUMEROS_GATEWAY_PORT=8001.")
        data = self.data
        self.chart_worker_ports = self.chart_worker_ports or [free_port() for _ in range(self.chart_workers)]
        subprocess.run([python(), "-m", "services.identity", "keygen", str(self.secrets)], check=True, cwd=REPO)
        subprocess.run([python(), "-m", "services.chat", "vapid-keygen", str(self.secrets)], check=True, cwd=REPO,
                       stdout=subprocess.DEVNULL)
        self.replica_ports = {f"chat-{n}": free_port() for n in range(2, self.chat_replicas + 1)}
        self.postgres = Postgres(data / "postgres", self.ports.postgres, echo=self.echo).start()
        self.redis = Redis(data / "redis", self.ports.redis, echo=self.echo).start()
        self.nats = Nats(data / "nats", self.ports.nats, self.ports.nats_monitor, echo=self.echo).start()
        for name in HTTP_SERVICES:
            subprocess.run([python(), "-m", f"services.{name}", "migrate"], check=True, cwd=REPO,
                           env={**os.environ, **self.service_env(name)}, stdout=subprocess.DEVNULL)
        self.start_service("chart")
        wait_until(lambda: self._service_up("chart"), 60, "chart")
        for name in (*HTTP_SERVICES, *self.replica_ports):
            self.start_service(name)
        for name in (*HTTP_SERVICES, *self.replica_ports):
            wait_until(lambda n=name: self._service_up(n), 60, name)
        self.start_service(ERROR_PAGES)
        wait_until(lambda: self._service_up(ERROR_PAGES), 30, ERROR_PAGES)
        backends: dict[str, str | list[str]] = {
            name: f"http://127.0.0.1:{getattr(self.ports, name)}" for name in (*HTTP_SERVICES, ERROR_PAGES)}
        if self.replica_ports:
            backends["chat"] = [str(backends["chat"]), *(f"http://127.0.0.1:{p}" for p in self.replica_ports.values())]
        routes = file_provider_config(backends, [f"127.0.0.1:{self.ports.redis}"],
                                      EdgePolicy.from_env({**os.environ, **self.env}))
        self.traefik = Traefik(self.root / "gateway", self.ports.gateway, self.ports.gateway_ping, routes,
                               echo=self.echo).start()
        wait_until(self.ready, 90, "the whole system to report ready at /readyz", interval=0.5)
        return self

    def start_service(self, name: str) -> Child:
        module = ["services.gateway", "errorpages"] if name == ERROR_PAGES else [f"services.{name.split('-')[0]}"]
        argv = [python(), "-m", *module]
        child = Child(name, argv, env=self.service_env(name), cwd=REPO,
                      log_file=self.root / "logs" / f"{name}.log", echo=self.echo)
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        self.services[name] = child.start()
        return child

    def _service_up(self, name: str) -> bool:
        child = self.services[name]
        if not child.running:
            code = child.proc.returncode if child.proc is not None else None  # negative: killed by that signal
            raise RuntimeError(f"{name} exited during start-up (exit code {code}); "
                               f"see {self.root / 'logs' / (name + '.log')}")
        if name == "chart":
            return all(_grpc_serving(port) for port in (self.ports.chart, *self.chart_worker_ports))
        port = self.replica_ports.get(name) or getattr(self.ports, name)
        if name not in HTTP_SERVICES and name not in self.replica_ports:
            return port_open(port)
        try:  # answering HTTP, not just an open port (which whatever squats on it would give)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                return reply.status == 200
        except OSError:
            return False

    def restart_service(self, name: str) -> None:
        self.start_service(name)
        wait_until(lambda: self._service_up(name), 60, name)

    def supervise(self, policy: Policy = Policy(), out: IO[str] | None = None) -> Supervisor:
        """Restart any process of the started stack that exits (see ``supervisor``)."""
        assert self.postgres and self.redis and self.nats and self.traefik
        units = [Unit(c.name, c.start, lambda c=c: c.child) for c in (self.postgres, self.redis, self.nats)]
        units += [Unit(name, lambda n=name: self.restart_service(n), lambda n=name: self.services.get(n))
                  for name in self.services]
        units.append(Unit(self.traefik.name, self.traefik.start, lambda: self.traefik.child))
        self.supervisor = Supervisor(units, policy, out).start()
        return self.supervisor

    def readiness(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"{self.gateway_url}/readyz", timeout=5) as reply:
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as err:
            body = err.read()
            try:
                return err.code, json.loads(body or b"{}")
            except ValueError:  # the gateway's own "Bad Gateway" while identity is down
                return err.code, {"error": body.decode(errors="replace")[:200]}
        except OSError as err:
            return 0, {"error": str(err)}

    def ready(self) -> bool:
        return self.readiness()[0] == 200

    def stop(self) -> None:
        if self.supervisor is None:
            return self._stop_processes()
        self.supervisor.close()
        self._stop_processes()
        self.supervisor.join()
        self._stop_processes()  # a restart that was under way when the stop began

    def _stop_processes(self) -> None:
        if self.traefik:
            self.traefik.stop()
        for child in reversed(list(self.services.values())):
            child.stop()
        for component in (self.nats, self.redis, self.postgres):
            if component:
                component.stop()


def _grpc_serving(port: int) -> bool:
    """Chart is up on ``port`` (shared or a worker's) when the health service there says SERVING."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


class PortTakenError(RuntimeError):
    pass


def print_banner(stack: Stack, out: IO[str] = sys.stdout) -> None:
    p = stack.ports
    out.write(
        "\nNumeros is up.\n"
        f"  API (gateway):      {stack.gateway_url}/api/v1\n"
        f"  WebSocket:          ws://127.0.0.1:{p.gateway}/ws/chat/<match_id>/\n"
        f"  Readiness:          {stack.gateway_url}/readyz\n"
        f"  identity OpenAPI:   http://127.0.0.1:{p.identity}/docs\n"
        f"  matching OpenAPI:   http://127.0.0.1:{p.matching}/docs\n"
        f"  chat OpenAPI:       http://127.0.0.1:{p.chat}/docs\n"
        f"  chart gRPC:         127.0.0.1:{p.chart} (reflection on)\n"
        f"  metrics:            /metrics on each service's port, chart's on {p.chart_metrics}, "
        f"Traefik's on {p.gateway_ping}\n"
        f"  data and logs:      {stack.root}\n"
        "Ctrl-C stops everything.\n\n")
    out.flush()
