from __future__ import annotations

import asyncio
import os

import pytest

from services.chart.adapters.worker_pool import WorkerCrashed, WorkerPool
from services.chart.domain.errors import InvalidInput
from services.chart.domain.numerology import normalize_name


@pytest.mark.asyncio
async def test_calls_run_in_another_process_and_errors_come_back(ephe_dir):
    pool = WorkerPool(workers=1, ephe_path=ephe_dir)
    try:
        outcome = await pool.run(normalize_name, "José")
        assert outcome.value == "JOSE"
        assert outcome.worker_pid != os.getpid()
        with pytest.raises(InvalidInput) as raised:
            await pool.run(normalize_name, "J0hn")
        assert raised.value.field == "full_name"
    finally:
        await pool.shutdown()


@pytest.mark.asyncio
async def test_pool_recovers_after_a_worker_dies(ephe_dir):
    pool = WorkerPool(workers=1, ephe_path=ephe_dir)
    try:
        with pytest.raises(WorkerCrashed):
            await pool.run(os._exit, 1)
        outcome = await pool.run(os.getpid)
        assert outcome.value == outcome.worker_pid
    finally:
        await pool.shutdown()


@pytest.mark.asyncio
async def test_gauges_show_busy_workers_and_queued_calls(ephe_dir, tmp_path):
    from prometheus_client import REGISTRY

    from services.chart.tests.grpc_support import open_gate, wait_at_gate

    def gauges() -> tuple[float, float, float]:
        return tuple(REGISTRY.get_sample_value(name) for name in (
            "numeros_chart_workers", "numeros_chart_workers_busy", "numeros_chart_worker_queue_depth"))

    gate = tmp_path / "gate"
    os.mkfifo(gate)
    pool = WorkerPool(workers=1, ephe_path=ephe_dir)
    try:
        await pool.warm_up()
        assert gauges() == (1, 0, 0)
        holding = asyncio.ensure_future(pool.run(wait_at_gate, str(gate)))
        queued = asyncio.ensure_future(pool.run(os.getpid))
        await asyncio.sleep(0)  # one loop turn: both calls submitted, the second queued behind the first
        assert gauges() == (1, 1, 1)
        await open_gate(gate)
        await holding
        await queued
        assert gauges() == (1, 0, 0)
    finally:
        await pool.shutdown()
