"""``python -m devstack run``: start the whole system in the foreground, restarting any process that exits,
until Ctrl-C or SIGTERM. ``python -m devstack chaos``: the same system under load while each process is killed.
``python -m devstack admin create --email E --password P`` (``make admin``): identity's admin bootstrap on the
local run's database, which it starts for the moment when the run is not up."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .components import Postgres
from .processes import port_open, python
from .stack import REPO, PortTakenError, Ports, Stack, print_banner


def data_root() -> Path:
    return Path(os.environ.get("NUMEROS_DATA_DIR", REPO / "var")).resolve()


def admin(argv: list[str]) -> int:
    ports = Ports.from_env()
    postgres = None
    if not port_open(ports.postgres):
        postgres = Postgres(Stack(root=data_root()).data / "postgres", ports.postgres).start()
    env = {**os.environ, "NUMEROS_DATABASE_URL": Postgres.url_format.format(port=ports.postgres)}
    try:
        if postgres is not None:  # a first run: the tables do not exist yet
            subprocess.run([python(), "-m", "services.identity", "migrate"], check=True, cwd=REPO, env=env,
                           stdout=subprocess.DEVNULL)
        return subprocess.run([python(), "-m", "services.identity", "admin", *argv], cwd=REPO, env=env).returncode
    finally:
        if postgres is not None:
            postgres.stop()


def run() -> int:
    root = data_root()
    stack = Stack(root=root, ports=Ports.from_env(), echo=sys.stdout,
                  chart_workers=int(os.environ.get("NUMEROS_CHART_WORKERS", os.cpu_count() or 2)))
    stop = threading.Event()
    started = False

    def on_signal(*_: object) -> None:
        stop.set()
        if not started:
            raise KeyboardInterrupt  # abandon a start-up in progress; `finally` stops what began

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    try:
        stack.start()
        started = True
        stack.supervise(out=sys.stdout)
        print_banner(stack)
        while not stop.wait(1):
            pass
        return 0
    except PortTakenError as err:
        sys.stderr.write(f"devstack: {err}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except (RuntimeError, TimeoutError) as err:
        sys.stderr.write(f"devstack: start-up failed: {err}\n")
        return 1
    finally:
        sys.stdout.write("devstack: stopping all processes...\n")
        stack.stop()


USAGE = ("usage: python -m devstack run | python -m devstack chaos [--seconds-per-victim N] [--rate R] | "
         "python -m devstack admin create --email E [--password P]")

if __name__ == "__main__":
    if sys.argv[1:] in ([], ["run"]):
        sys.exit(run())
    if sys.argv[1] == "chaos":
        from .chaos import main as chaos_main

        sys.exit(chaos_main(sys.argv[2:]))
    if sys.argv[1] == "admin":
        sys.exit(admin(sys.argv[2:]))
    sys.exit(USAGE)
