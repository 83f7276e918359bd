"""Worker processes for CPU-bound calls: each call may run on any core, one call per process at a time.

A pool (not threads) because the work holds the GIL and Swiss Ephemeris keeps process-wide state.
Workers start from a fork server, not by forking the serving process: gRPC is not fork-safe.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from services.chart.adapters.ephemeris import init_worker

T = TypeVar("T")

# Imported once in the forkserver, so every worker starts with them loaded.
_WORKER_MODULES = ["services.chart.adapters.worker_pool", "services.chart.domain.documents"]


@dataclass(frozen=True)
class WorkerOutcome(Generic[T]):
    value: T
    worker_pid: int


class WorkerCrashed(RuntimeError):
    """A worker process died during the call; the pool was replaced, so a retry may succeed."""


def _init_worker_process(ephe_path: str) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(ephe_path)
    # Load the time-zone polygons and the gazetteer now, not inside the first user's request.
    from services.chart.domain import birth_time, gazetteer

    birth_time.preload()
    gazetteer.preload()


def _call_in_worker(function: Callable[..., T], args: tuple[Any, ...]) -> WorkerOutcome[T]:
    return WorkerOutcome(function(*args), os.getpid())


def _hold_briefly() -> None:
    time.sleep(0.05)


class WorkerPool:
    """A process pool that replaces itself when a worker dies (a plain one stays broken forever)."""

    def __init__(self, workers: int, ephe_path: Path) -> None:
        self.workers = workers
        self._ephe_path = str(ephe_path)
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_WORKER_MODULES)
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_init_worker_process,
            initargs=(self._ephe_path,),
        )

    async def run(self, function: Callable[..., T], *args: Any) -> WorkerOutcome[T]:
        """Run ``function(*args)`` in a worker; ``function`` and its arguments must pickle."""
        executor = self._executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, _call_in_worker, function, args)
        except BrokenProcessPool as error:
            self._replace(executor)
            raise WorkerCrashed("a worker process died during the call") from error

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        # Every call in flight fails together; only the first one replaces the pool.
        if self._executor is broken:
            self._executor = self._new_executor()
            broken.shutdown(wait=False, cancel_futures=True)

    async def warm_up(self, attempts: int = 20) -> None:
        """Start every worker now, so the first calls do not pay for process start-up.

        Each probe holds its worker briefly, so one fast-starting worker cannot answer them all
        while the others are still loading."""
        for _ in range(attempts):
            outcomes = await asyncio.gather(*(self.run(_hold_briefly) for _ in range(self.workers)))
            if len({outcome.worker_pid for outcome in outcomes}) == self.workers:
                return

    async def shutdown(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
