"""The supervisor on tiny real processes (no stack): backoff, the crash-loop verdict, and a close that
restarts nothing. The whole system under supervision is tests/e2e/test_supervisor.py."""
from __future__ import annotations

import io
import signal

from devstack.processes import Child, poll, python
from devstack.supervisor import Policy, Supervisor, Unit, describe_exit


class Program:
    """A unit whose (re)start runs ``python -c code``."""

    def __init__(self, name: str, code: str) -> None:
        self.name, self.code = name, code
        self.current: Child | None = None
        self.started = 0

    def start(self) -> None:
        self.started += 1
        self.current = Child(self.name, [python(), "-c", self.code]).start()

    def unit(self) -> Unit:
        return Unit(self.name, self.start, lambda: self.current)


def test_backoff_doubles_and_a_crash_loop_is_given_up_on_with_a_message():
    program = Program("flaky", "import sys; sys.exit(3)")
    program.start()
    out = io.StringIO()
    policy = Policy(first_delay=0.05, max_delay=0.1, crash_loop_exits=4, crash_loop_window=60)
    supervisor = Supervisor([program.unit()], policy, out).start()
    try:
        poll(lambda: supervisor.events_of("flaky", "gave-up"), bool, 30, "the supervisor to give up")
    finally:
        supervisor.close()
        supervisor.join()
    kinds = [event.kind for event in supervisor.events_of("flaky")]
    assert kinds == ["exited", "restarted"] * 3 + ["gave-up"]
    exits = [event.line for event in supervisor.events_of("flaky", "exited")]
    assert [line.split("; ")[1] for line in exits] == ["restart #1 in 0.05 s", "restart #2 in 0.1 s",
                                                       "restart #3 in 0.1 s"]
    assert all(line.startswith("flaky exit code 3 after ") for line in exits)
    assert supervisor.units["flaky"].gave_up and program.started == 4
    assert "devstack: flaky is crash-looping (4 exits within 60 s, last: exit code 3); giving up on it." \
        in out.getvalue()


def test_after_close_an_exit_is_not_restarted():
    program = Program("sleeper", "import time; time.sleep(60)")
    program.start()
    supervisor = Supervisor([program.unit()], Policy(first_delay=0.01), io.StringIO()).start()
    supervisor.close()
    supervisor.join()
    program.current.kill()
    assert supervisor.events == [] and program.started == 1 and not program.current.running


def test_exits_are_described_by_signal_name_or_code():
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(2) == "exit code 2"
