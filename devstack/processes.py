"""Child processes with prefixed, streamed logs and a clean stop (no orphans)."""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")


PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def _pauses(timeout: float, interval: float) -> Iterator[float]:
    """How long to wait before each try: none before the first, then `interval` until `timeout` has passed."""
    deadline = time.monotonic() + timeout
    yield 0.0
    while time.monotonic() < deadline:
        yield interval


def poll(fetch: Callable[[], T], accept: Callable[[T], object], timeout: float, what: str,
         interval: float = 0.1) -> T:
    """The first value of fetch() that accept() takes; TimeoutError (naming the last value) past timeout."""
    for pause in _pauses(timeout, interval):
        time.sleep(pause)
        if accept(value := fetch()):
            return value
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}; last value: {value!r}")


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    poll(predicate, bool, timeout, what, interval)


@dataclass(eq=False)
class Child:
    """One supervised process, in its own process group so a stop takes its children too."""

    name: str
    argv: list[str]
    _: KW_ONLY
    env: dict[str, str] | None = None
    cwd: Path | None = None
    log_file: Path | None = None
    echo: IO[str] | None = None
    preexec_fn: Callable[[], None] | None = None
    proc: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)
    started_at: float = field(default=0.0, init=False, repr=False)  # time.monotonic()
    _pump: threading.Thread | None = field(default=None, init=False, repr=False)

    def start(self) -> "Child":
        env = {**os.environ, **(self.env or {})}
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, env=env, cwd=self.cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1, start_new_session=True,
                                     preexec_fn=self._before_exec)
        self._pump = threading.Thread(target=self._pump_output, daemon=True, name=f"log-{self.name}")
        self._pump.start()
        return self

    def _before_exec(self) -> None:
        if self.preexec_fn is not None:
            self.preexec_fn()  # may drop privileges, which clears the death signal: so set it after
        die_with_parent()

    def _pump_output(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        sink = self.log_file.open("a") if self.log_file else None
        try:
            for line in self.proc.stdout:
                if sink:
                    sink.write(line)
                    sink.flush()
                if self.echo:
                    self.echo.write(f"{self.name:<9}| {line}")
                    self.echo.flush()
        finally:
            if sink:
                sink.close()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig: int) -> None:
        if self.running:
            assert self.proc is not None
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = 10.0, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        self.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            self.proc.wait(5)
        if self._pump:
            self._pump.join(2)

    def kill(self) -> None:
        """A crash, for fault tests: SIGKILL with no chance to clean up."""
        self.stop(timeout=5, sig=signal.SIGKILL)


def die_with_parent() -> None:
    """Ask Linux to SIGTERM this process when its parent dies, so even a killed runner leaves no orphans."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def python() -> str:
    return sys.executable
