"""Restart what exits, as an orchestrator would: each supervised process has a watcher thread that
restarts it with exponential backoff, logs each restart as one line, and gives up only on a crash loop.

One long-lived thread per process, not a thread per restart: Linux sends the parent-death signal
(``die_with_parent``) when the *thread* that forked a child ends, so a child started from a
short-lived thread would be killed as soon as that thread returned."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from .processes import Child


@dataclass(frozen=True)
class Policy:
    """Backoff doubles from ``first_delay`` to ``max_delay``; it starts over once a process stayed up
    ``stable_seconds``. ``crash_loop_exits`` exits within ``crash_loop_window`` seconds is a crash loop."""
    first_delay: float = 0.5
    max_delay: float = 8.0
    stable_seconds: float = 10.0
    crash_loop_exits: int = 5
    crash_loop_window: float = 60.0


@dataclass(eq=False)
class Unit:
    """One supervised process: ``start`` (re)starts it and returns once it serves (or raises);
    ``child`` is its current process."""
    name: str
    start: Callable[[], object]
    child: Callable[[], Child | None]
    restarts: int = 0
    gave_up: bool = False


@dataclass(frozen=True)
class Event:
    """What the supervisor did, for the log and for tests: kind is exited, restarted, restart-failed or gave-up."""
    unit: str
    kind: str
    line: str
    at: float = field(default_factory=time.monotonic)


def describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    def __init__(self, units: list[Unit], policy: Policy = Policy(), out: IO[str] | None = None) -> None:
        self.units = {unit.name: unit for unit in units}
        self.policy = policy
        self.out = out if out is not None else sys.stderr
        self.events: list[Event] = []
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> "Supervisor":
        for unit in self.units.values():
            self.watch(unit)
        return self

    def watch(self, unit: Unit) -> None:
        """Supervise one more process (already started by the caller)."""
        self.units[unit.name] = unit
        thread = threading.Thread(target=self._watch, args=(unit,), daemon=True, name=f"supervise-{unit.name}")
        self._threads.append(thread)
        thread.start()

    def close(self) -> None:
        """Restart nothing from now on (call before stopping the processes)."""
        self._closing.set()

    def join(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def events_of(self, name: str, kind: str | None = None) -> list[Event]:
        with self._lock:
            return [e for e in self.events if e.unit == name and (kind is None or e.kind == kind)]

    def _say(self, unit: Unit, kind: str, line: str) -> None:
        with self._lock:
            self.events.append(Event(unit.name, kind, line))
        self.out.write(f"devstack: {line}\n")
        self.out.flush()

    def _wait_for_exit(self, child: Child | None) -> int | None:
        """The exit code once the process ends, or None when the supervisor is closing first."""
        while not self._closing.is_set():
            if child is None or child.proc is None:
                return -1
            code = child.proc.poll()
            if code is not None:
                return code
            self._closing.wait(0.1)
        return None

    def _watch(self, unit: Unit) -> None:
        policy = self.policy
        delay = policy.first_delay
        exits: deque[float] = deque()
        while True:
            child = unit.child()
            code = self._wait_for_exit(child)
            if code is None:
                return
            now = time.monotonic()
            up_for = now - child.started_at if child is not None else 0.0
            _kill_group(child)  # what the process left behind (postgres backends, chart workers) goes too
            if up_for >= policy.stable_seconds:
                delay = policy.first_delay
            exits.append(now)
            while exits and now - exits[0] > policy.crash_loop_window:
                exits.popleft()
            if len(exits) >= policy.crash_loop_exits:
                unit.gave_up = True
                self._say(unit, "gave-up", f"{unit.name} is crash-looping ({len(exits)} exits within "
                          f"{policy.crash_loop_window:.0f} s, last: {describe_exit(code)}); giving up on it. "
                          "Everything else keeps running.")
                return
            self._say(unit, "exited", f"{unit.name} {describe_exit(code)} after {up_for:.1f} s up; "
                      f"restart #{unit.restarts + 1} in {delay:g} s")
            if self._closing.wait(delay):
                return
            unit.restarts += 1
            try:
                unit.start()
            except Exception as err:  # noqa: BLE001 - a failed restart is one more exit
                if self._closing.is_set():
                    return
                self._say(unit, "restart-failed", f"{unit.name} failed to come back: {err}")
                failed = unit.child()
                if failed is not None:
                    failed.kill()
            else:
                self._say(unit, "restarted", f"{unit.name} is back after "
                          f"{time.monotonic() - now:.1f} s (pid {_pid(unit.child())})")
            delay = min(delay * 2, policy.max_delay)


def _pid(child: Child | None) -> int | None:
    return child.proc.pid if child is not None and child.proc is not None else None


def _kill_group(child: Child | None) -> None:
    """Each child leads its own process group (start_new_session), whose id is its pid."""
    pid = _pid(child)
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
