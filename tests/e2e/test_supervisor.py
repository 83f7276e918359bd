"""`make run` supervises like an orchestrator: a process killed with SIGKILL is restarted and the system
answers through the gateway again, with its data; a crash loop is given up on while everything else keeps
running; SIGTERM still stops every process, restarted ones included. One runner for the whole module,
driven in file order."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid

import httpx
import psutil
import pytest

from devstack.processes import poll
from devstack.stack import REPO, Ports

pytestmark = pytest.mark.e2e


class Runner:
    """`python -m devstack run` as a child process, with every line it prints kept."""

    def __init__(self) -> None:
        self.ports = Ports.free()
        env = {**os.environ, "NUMEROS_DATA_DIR": tempfile.mkdtemp(prefix="numeros-supervise-"),
               **{f"NUMEROS_{name.upper()}_PORT": str(port) for name, port in vars(self.ports).items()},
               "NUMEROS_CHART_WORKERS": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "devstack", "run"], cwd=REPO, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.ports.gateway}", timeout=10)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def supervisor_lines(self, text: str) -> list[str]:
        return [line for line in self.lines if line.startswith("devstack: ") and text in line]

    def wait_for_line(self, text: str, timeout: float = 120) -> str:
        return poll(lambda: self.supervisor_lines(text) or (self.proc.poll() is not None and ["runner exited"]),
                    bool, timeout, f"the runner to print {text!r}", interval=0.1)[0]

    def process(self, marker: str) -> psutil.Process:
        """The runner's direct child whose command line contains ``marker`` (postgres: its postmaster)."""
        found = [p for p in psutil.Process(self.proc.pid).children() if marker in " ".join(p.cmdline())]
        assert len(found) == 1, f"{marker}: {found}"
        return found[0]

    def readiness(self) -> tuple[int, dict]:
        try:
            reply = self.http.get("/readyz")
        except httpx.TransportError as err:
            return 0, {"error": repr(err)}
        return reply.status_code, reply.json() if reply.headers.get("content-type") == "application/json" else {}


@pytest.fixture(scope="module")
def runner():
    started = Runner()
    try:
        poll(lambda: any("Numeros is up." in line for line in started.lines) or started.proc.poll() is not None,
             bool, 240, "`make run` to report the system up", interval=0.2)
        assert started.proc.poll() is None, "\n".join(started.lines[-40:])
        yield started
    finally:
        if started.proc.poll() is None:
            descendants = psutil.Process(started.proc.pid).children(recursive=True)
            started.proc.send_signal(signal.SIGTERM)
            started.proc.wait(60)
            psutil.wait_procs(descendants, timeout=15)


def register(client: httpx.Client) -> tuple[dict, dict]:
    credentials = {"email": f"ada-{uuid.uuid4().hex[:8]}@example.com", "password": "long-enough-pw"}
    reply = client.post("/api/v1/auth/register/", json={**credentials, "display_name": "Ada",
                                                         "birth_date": "1990-05-15"})
    assert reply.status_code == 201, reply.text
    return credentials, reply.json()


def test_a_killed_service_is_restarted_and_answers_through_the_gateway(runner):
    _, ada = register(runner.http)
    auth = {"Authorization": f"Bearer {ada['token']}"}
    matching = runner.process("services.matching")
    matching.send_signal(signal.SIGKILL)

    line = runner.wait_for_line("matching killed by SIGKILL")
    assert "restart #1" in line
    runner.wait_for_line("matching is back")
    assert runner.process("services.matching").pid != matching.pid
    assert poll(runner.readiness, lambda r: r[0] == 200, 60, "/readyz to recover")[0] == 200
    scan = runner.http.post("/api/v1/scan/", json={"limit": 5}, headers=auth)
    assert scan.status_code == 200, scan.text
    assert not runner.supervisor_lines("shutting down")


def test_a_killed_postgres_is_restarted_with_its_data(runner):
    credentials, ada = register(runner.http)
    postmaster = runner.process("postgres")
    postmaster.send_signal(signal.SIGKILL)

    runner.wait_for_line("postgres killed by SIGKILL")
    runner.wait_for_line("postgres is back")
    assert poll(runner.readiness, lambda r: r[0] == 200, 60, "/readyz to recover")[0] == 200
    # The account written before the crash is still there, and the pools found the new server.
    login = poll(lambda: runner.http.post("/api/v1/auth/login/", json=credentials),
                 lambda r: r.status_code == 200, 30, "a login after the restart")
    me = runner.http.get("/api/v1/auth/me/", headers={"Authorization": f"Bearer {login.json()['token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["user"]["id"] == ada["user"]["id"]
    _, bob = register(runner.http)
    assert bob["user"]["id"] > ada["user"]["id"]


def test_a_killed_redis_is_restarted_with_its_data(runner):
    # A logout is cached in Redis (the revoked-session key every service checks): still refused after the crash.
    _, ada = register(runner.http)
    auth = {"Authorization": f"Bearer {ada['token']}"}
    assert runner.http.post("/api/v1/auth/logout/", headers=auth).status_code == 200
    assert runner.http.get("/api/v1/auth/me/", headers=auth).json()["error"]["code"] == "SESSION_REVOKED"
    runner.process("redis-server").send_signal(signal.SIGKILL)

    runner.wait_for_line("redis killed by SIGKILL")
    runner.wait_for_line("redis is back")
    me = poll(lambda: runner.http.get("/api/v1/auth/me/", headers=auth), lambda r: r.status_code != 503, 30,
              "identity to reach Redis again")
    assert me.status_code == 401 and me.json()["error"]["code"] == "SESSION_REVOKED", me.text


def test_a_crash_loop_is_given_up_on_and_the_rest_keeps_running(runner):
    chat = runner.process("services.chat")
    # Whatever holds chat's port makes each restart exit at once ("port ... is already in use").
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    chat.send_signal(signal.SIGKILL)
    chat.wait(10)
    try:
        squatter.bind(("127.0.0.1", runner.ports.chat))
        squatter.listen()
        line = runner.wait_for_line("chat is crash-looping")
        assert "(5 exits within 60 s" in line and "giving up on it" in line, line
        assert "Everything else keeps running" in line
        assert len(runner.supervisor_lines("chat failed to come back")) == 4, runner.supervisor_lines("chat")
    finally:
        squatter.close()

    assert runner.proc.poll() is None

    def down() -> set[str]:
        status, body = runner.readiness()
        return {name for name, check in body.get("checks", {}).items() if not check["ok"]} if status == 503 else set()

    # Only chat, once every pool has dropped what the earlier kills left stale (redis-py fails the first
    # command on a pooled connection to a restarted Redis: see the report).
    assert poll(down, lambda names: names == {"chat"}, 30, "/readyz to name chat alone") == {"chat"}
    assert runner.http.post("/api/v1/auth/login/", json={"email": "nobody@example.com", "password": "x" * 12}
                            ).status_code == 401
    for marker in ("services.identity", "services.matching", "services.chart", "postgres", "redis-server",
                   "nats-server", "traefik"):
        assert runner.process(marker).is_running()


def test_sigterm_stops_every_process_restarted_ones_included(runner):
    restarted = runner.process("services.matching")
    descendants = psutil.Process(runner.proc.pid).children(recursive=True)
    assert restarted in descendants
    runner.proc.send_signal(signal.SIGTERM)
    assert runner.proc.wait(60) == 0
    _, alive = psutil.wait_procs(descendants, timeout=15)
    assert not alive, f"orphans left behind: {[(p.pid, p.name()) for p in alive]}"
