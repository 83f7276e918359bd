from __future__ import annotations

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
