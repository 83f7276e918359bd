"""Pytest fixtures on real servers: Postgres, Redis and NATS started once per test session on free
loopback ports, JWT keys, and helpers to configure a service against them."""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .components import Nats, Postgres, Redis
from .stack import HIGH_RATE_LIMITS
from .processes import free_port


@dataclass
class Infra:
    postgres: Postgres
    redis: Redis
    nats: Nats

    @property
    def database_url(self) -> str:
        return self.postgres.url

    @property
    def redis_url(self) -> str:
        return self.redis.url

    @property
    def nats_url(self) -> str:
        return self.nats.url


@dataclass
class JwtKeys:
    private_pem: str
    public_pem: str
    private_path: Path
    public_path: Path


def mark_revocations_loaded(redis_url: str) -> None:
    """What identity does at start-up: the services' tests run without it, on a database with no revoked
    session, of which an empty Redis is a complete copy (see numeros_common.auth)."""
    import redis as redis_sync

    from numeros_common.auth import REVOCATIONS_LOADED_KEY

    with redis_sync.Redis.from_url(redis_url) as client:
        client.set(REVOCATIONS_LOADED_KEY, "1")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    # Not under pytest's basetemp: pytest keeps that 0700, and postgres runs as another user when we are root.
    root = Path(tempfile.mkdtemp(prefix="numeros-infra-"))
    started: list = []
    try:
        postgres = Postgres(root / "postgres", free_port()).start()
        started.append(postgres)
        redis = Redis(root / "redis", free_port()).start()
        started.append(redis)
        mark_revocations_loaded(redis.url)
        nats = Nats(root / "nats", free_port(), free_port()).start()
        started.append(nats)
        yield Infra(postgres, redis, nats)
    finally:
        for component in reversed(started):
            component.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def jwt_keys(tmp_path_factory: pytest.TempPathFactory) -> JwtKeys:
    from services.identity.accounts.tokens import generate_keypair

    folder = tmp_path_factory.mktemp("keys")
    private, public = generate_keypair()
    (folder / "jwt_private.pem").write_text(private)
    (folder / "jwt_public.pem").write_text(public)
    return JwtKeys(private, public, folder / "jwt_private.pem", folder / "jwt_public.pem")


@pytest.fixture
def mint_token(jwt_keys: JwtKeys) -> Callable[..., str]:
    from numeros_common.settings import ServiceSettings
    from services.identity.accounts.tokens import issue_access_token

    defaults = ServiceSettings()

    def mint(user_id: int, is_admin: bool = False, ttl_seconds: int = 900) -> str:
        return issue_access_token(jwt_keys.private_pem, user_id=user_id, session_id=uuid.uuid4().hex,
                                  is_admin=is_admin, now=dt.datetime.now(dt.UTC), ttl_seconds=ttl_seconds,
                                  issuer=defaults.jwt_issuer, audience=defaults.jwt_audience)

    return mint


@pytest.fixture(scope="session")
def service_env(infra: Infra, jwt_keys: JwtKeys,
                tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, str]]:
    media = tmp_path_factory.mktemp("media")

    def env(service: str) -> dict[str, str]:
        values = {
            "NUMEROS_DATABASE_URL": infra.database_url, "NUMEROS_REDIS_URL": infra.redis_url,
            "NUMEROS_NATS_URL": infra.nats_url, "NUMEROS_JWT_PUBLIC_KEY_FILE": str(jwt_keys.public_path),
            "NUMEROS_OUTBOX_POLL_SECONDS": "0.2", **HIGH_RATE_LIMITS,
        }
        if service == "identity":
            values["NUMEROS_JWT_PRIVATE_KEY_FILE"] = str(jwt_keys.private_path)
            values["NUMEROS_MEDIA_DIR"] = str(media)
        return values

    return env


class ChartProcess:
    """The real chart gRPC server as a child process (stoppable, for the 'chart is down' tests)."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.worker_ports = [free_port(), free_port()]
        self.root = root
        self.child = None

    @property
    def addr(self) -> str:
        """Every worker's own address: the services' chart client balances its calls over them."""
        return ",".join(f"127.0.0.1:{port}" for port in self.worker_ports)

    def start(self) -> "ChartProcess":
        from .processes import Child, port_open, python, wait_until
        from .stack import REPO

        env = {"NUMEROS_GRPC_HOST": "127.0.0.1", "NUMEROS_GRPC_PORT": str(self.port), "NUMEROS_CHART_WORKERS": "2",
               "NUMEROS_GRPC_WORKER_PORTS": ",".join(map(str, self.worker_ports)),
               "NUMEROS_EPHE_PATH": str(REPO / "ephe")}
        self.child = Child("chart", [python(), "-m", "services.chart"], env=env, cwd=REPO,
                           log_file=self.root / "chart.log").start()
        wait_until(lambda: all(port_open(port) for port in (self.port, *self.worker_ports)), 60, "chart")
        return self

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()
            self.child = None


@pytest.fixture(scope="session")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChartProcess]:
    chart = ChartProcess(tmp_path_factory.mktemp("chart")).start()
    yield chart
    chart.stop()
