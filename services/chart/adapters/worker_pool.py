"""Worker processes for CPU-bound calls: each call may run on any core, one call per process at a time.

A pool (not threads) because the work holds the GIL and Swiss Ephemeris keeps process-wide state.
Workers start from a fork server, not by forking the serving process: gRPC is not fork-safe.

Each worker has its own pipe, watched by the event loop (``add_reader``): a call is pickled onto an
idle worker's pipe, or queued until one is idle, and its reply completes an asyncio future. No
helper threads, so a call costs two pipe writes and two wake-ups; ``ProcessPoolExecutor`` adds a
management thread, a queue feeder thread and their GIL hand-offs, several times that per call.
"""
from __future__ import annotations

import asyncio
import gc
import multiprocessing
import pickle
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, TypeVar

from numeros_common.metrics import CHART_BUSY_WORKERS, CHART_QUEUE_DEPTH, CHART_WORKERS
from services.chart.adapters.ephemeris import init_worker
from services.chart.adapters.places import load_places

T = TypeVar("T")

# Imported once in the forkserver, so every worker starts with them loaded.
_WORKER_MODULES = ["services.chart.adapters.worker_pool", "services.chart.api.payloads",
                   "services.chart.api.natal_batch"]
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_JOIN_SECONDS = 10.0


@dataclass(frozen=True)
class WorkerOutcome(Generic[T]):
    value: T
    worker_pid: int


class WorkerCrashed(RuntimeError):
    """A worker process died during the call; it was replaced, so a retry may succeed."""


class RemoteTraceback(Exception):
    """The worker-side traceback of an exception raised by a call (set as its ``__cause__``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


def _init_worker_process(ephe_path: str) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(ephe_path)
    # Load the time-zone polygons and the gazetteer now, not inside the first user's request.
    load_places()
    # What start-up loaded lives as long as the worker: keep the cyclic collector from rescanning
    # it (the zone polygons and the gazetteer) on every collection a batch of charts triggers.
    gc.freeze()


def _serve(connection: Connection, ephe_path: str) -> None:
    """A worker's life: one call at a time from its pipe, until the parent closes it."""
    _init_worker_process(ephe_path)
    while True:
        try:
            request = connection.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            function, args = pickle.loads(request)
            reply = pickle.dumps((True, function(*args), None), protocol=_PROTOCOL)
        except Exception as error:  # every failure goes back to the caller, never kills the worker
            reply = _error_reply(error)
        try:
            connection.send_bytes(reply)
        except OSError:  # the parent is gone or shutting down
            return


def _error_reply(error: Exception) -> bytes:
    remote = traceback.format_exc()
    try:
        return pickle.dumps((False, error, remote), protocol=_PROTOCOL)
    except Exception:  # an exception (or a result) that does not pickle
        return pickle.dumps((False, RuntimeError(f"worker call failed: {error!r}"), remote), protocol=_PROTOCOL)


def _hold_briefly() -> None:
    time.sleep(0.05)


class _Worker:
    __slots__ = ("process", "connection", "future")

    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.future: asyncio.Future[WorkerOutcome[Any]] | None = None  # the call it is running


class WorkerPool:
    """Worker processes fed over one pipe each; a worker that dies is replaced at once.

    Started lazily on the running event loop (the first ``run`` or ``warm_up``) and used from it
    alone. A call cancelled while queued never starts; one cancelled while running finishes in
    its worker and its result is dropped."""

    def __init__(self, workers: int, ephe_path: Path) -> None:
        self.workers = workers
        self._ephe_path = str(ephe_path)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_WORKER_MODULES)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._all: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._queue: deque[tuple[bytes, asyncio.Future[WorkerOutcome[Any]]]] = deque()
        self._closed = False

    async def run(self, function: Callable[..., T], *args: Any) -> WorkerOutcome[T]:
        """Run ``function(*args)`` in a worker; ``function`` and its arguments must pickle."""
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        self._start()
        payload = pickle.dumps((function, args), protocol=_PROTOCOL)
        future: asyncio.Future[WorkerOutcome[T]] = self._loop.create_future()  # type: ignore[union-attr]
        if self._idle:
            self._dispatch(self._idle.popleft(), payload, future)
        else:
            self._queue.append((payload, future))
        return await future

    async def warm_up(self, attempts: int = 20) -> None:
        """Start every worker now, so the first calls do not pay for process start-up.

        Each probe holds its worker briefly, so one fast-starting worker cannot answer them all
        while the others are still loading."""
        for _ in range(attempts):
            outcomes = await asyncio.gather(*(self.run(_hold_briefly) for _ in range(self.workers)))
            if len({outcome.worker_pid for outcome in outcomes}) == self.workers:
                return

    async def shutdown(self) -> None:
        """Cancel queued calls, let running ones finish, stop the workers."""
        self._closed = True
        for _, future in self._queue:
            future.cancel()
        self._queue.clear()
        self._idle.clear()
        workers, self._all = self._all, []
        for worker in workers:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(worker.connection.fileno())
            if worker.future is not None and not worker.future.done():
                worker.future.cancel()
            worker.connection.close()  # the worker sees end-of-file once its current call is done
        if workers:
            await asyncio.to_thread(_join, [worker.process for worker in workers])

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._observe()
            for _ in range(self.workers):
                self._spawn()
        elif loop is not self._loop:
            raise RuntimeError("a WorkerPool is bound to the event loop it started on")

    def _spawn(self) -> None:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(target=_serve, args=(child_end, self._ephe_path), name="chart-worker",
                                        daemon=True)
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self._all.append(worker)
        self._loop.add_reader(parent_end.fileno(), self._on_readable, worker)  # type: ignore[union-attr]
        self._release(worker)

    def _dispatch(self, worker: _Worker, payload: bytes, future: asyncio.Future[WorkerOutcome[Any]]) -> None:
        worker.future = future
        try:
            worker.connection.send_bytes(payload)
        except OSError:
            self._lost(worker)

    def _release(self, worker: _Worker) -> None:
        """Give an idle worker the oldest queued call that is still wanted."""
        while self._queue:
            payload, future = self._queue.popleft()
            if not future.done():
                self._dispatch(worker, payload, future)
                return
        self._idle.append(worker)

    def _observe(self) -> None:
        """The pool's gauges (queue depth, busy and live workers), read when chart's /metrics is scraped, so
        a call pays nothing for them."""
        CHART_QUEUE_DEPTH.set_function(lambda: len(self._queue))
        CHART_WORKERS.set_function(lambda: len(self._all))
        CHART_BUSY_WORKERS.set_function(lambda: len(self._all) - len(self._idle))

    def _on_readable(self, worker: _Worker) -> None:
        try:
            reply = worker.connection.recv_bytes()
        except (EOFError, OSError):
            self._lost(worker)
            return
        future, worker.future = worker.future, None
        try:
            ok, value, remote_traceback = pickle.loads(reply)
        except Exception as error:  # e.g. an exception class whose constructor does not round-trip
            ok, value, remote_traceback = False, RuntimeError(f"unreadable worker reply: {error!r}"), None
        if future is not None and not future.done():
            if ok:
                future.set_result(WorkerOutcome(value, worker.process.pid))
            else:
                if remote_traceback:
                    value.__cause__ = RemoteTraceback(remote_traceback)
                future.set_exception(value)
        self._release(worker)

    def _lost(self, worker: _Worker) -> None:
        """The worker died (its pipe closed): fail its call, reap it, start a replacement."""
        if worker not in self._all:
            return
        self._all.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        self._loop.remove_reader(worker.connection.fileno())  # type: ignore[union-attr]
        worker.connection.close()
        worker.process.join(timeout=1.0)
        if worker.process.is_alive():
            worker.process.kill()
        future, worker.future = worker.future, None
        if future is not None and not future.done():
            future.set_exception(WorkerCrashed("a worker process died during the call"))
        if not self._closed:
            self._spawn()


def _join(processes: list[multiprocessing.process.BaseProcess]) -> None:
    deadline = time.monotonic() + _JOIN_SECONDS
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(timeout=1.0)
    for process in processes:
        if not process.is_alive():
            process.close()
