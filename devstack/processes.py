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
PUMP_CHUNK_BYTES = 64 * 1024
PUMP_PAUSE_SECONDS = 0.02


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
                                     stderr=subprocess.STDOUT, bufsize=0, start_new_session=True,
                                     preexec_fn=self._before_exec)
        self._pump = threading.Thread(target=self._pump_output, daemon=True, name=f"log-{self.name}")
        self._pump.start()
        return self

    def _before_exec(self) -> None:
        if self.preexec_fn is not None:
            self.preexec_fn()  # may drop privileges, which clears the death signal: so set it after
        die_with_parent()

    def _pump_output(self) -> None:
        """Copy the child's output to its log file and the echo, whole lines only, as they arrive.

        Under load a service writes hundreds of lines a second (one per request), and a wake-up, a read, two
        writes and two flushes per line cost more CPU than some of the services' own work. So after each read
        the pump lets the pipe fill for ``PUMP_PAUSE_SECONDS`` and then copies whatever it holds (up to 64 KiB)
        with one write and one flush per destination. A line after a quiet spell is copied at once; the pipe
        (64 KiB) holds far more than a pause's worth of lines, so a writer is not held up."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        sink = self.log_file.open("ab") if self.log_file else None
        prefix = f"{self.name:<9}| "
        partial = b""
        try:
            while chunk := os.read(fd, PUMP_CHUNK_BYTES):
                cut = chunk.rfind(b"\n") + 1
                if not cut:
                    partial += chunk
                    continue
                self._copy(partial + chunk[:cut], sink, prefix)
                partial = chunk[cut:]
                if len(chunk) < PUMP_CHUNK_BYTES:
                    time.sleep(PUMP_PAUSE_SECONDS)
            if partial:
                self._copy(partial + b"\n", sink, prefix)
        finally:
            if sink:
                sink.close()

    def _copy(self, lines: bytes, sink: IO[bytes] | None, prefix: str) -> None:
        if sink:
            sink.write(lines)
            sink.flush()
        if self.echo:
            text = lines.decode("utf-8", "replace")
            self.echo.write(prefix + text[:-1].replace("\n", "\n" + prefix) + "\n")
            self.echo.flush()

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
