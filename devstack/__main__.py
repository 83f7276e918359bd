"""``python -m devstack run``: start the whole system in the foreground until Ctrl-C or SIGTERM."""
from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from .stack import REPO, PortTakenError, Ports, Stack, print_banner


def run() -> int:
    root = Path(os.environ.get("NUMEROS_DATA_DIR", REPO / "var")).resolve()
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
        print_banner(stack)
        while not stop.wait(1):
            dead = [name for name, child in stack.services.items() if not child.running]
            if dead:
                sys.stderr.write(f"devstack: {', '.join(dead)} stopped unexpectedly; shutting down.\n")
                return 1
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


if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["run"]):
        sys.exit("usage: python -m devstack run")
    sys.exit(run())
