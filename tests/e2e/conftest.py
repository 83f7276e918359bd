"""The whole system as ``make run`` starts it (``python -m devstack run`` drives the same ``Stack``), on its
own free ports and a fresh data directory: one stack per test module, so modules never see each other's data."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from devstack.stack import Ports, Stack


@contextmanager
def running_stack(env: Mapping[str, str | None] | None = None, chat_replicas: int = 1) -> Iterator[Stack]:
    """A started stack. ``env`` reaches every service and the gateway's rendered config (e.g. limits); a
    None value removes that variable from the environment the services would otherwise inherit."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            if value is None:
                patch.delenv(name, raising=False)
        extra = {name: value for name, value in (env or {}).items() if value is not None}
        root = Path(tempfile.mkdtemp(prefix="numeros-e2e-"))
        system = Stack(root=root, ports=Ports.free(), chart_workers=2, env=extra, chat_replicas=chat_replicas)
        try:
            system.start()
            yield system
        finally:
            pids = [c.proc.pid for c in system.services.values() if c.proc]
            system.stop()
            assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"], \
                "service processes outlived the stack"


@pytest.fixture(scope="module")
def stack():
    with running_stack() as system:
        yield system
