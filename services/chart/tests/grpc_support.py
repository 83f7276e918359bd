"""Helpers for tests that talk to a real chart server over a real grpc.aio channel."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import grpc
import pytest

from numeros.chart.v1 import chart_pb2, chart_pb2_grpc
from numeros_common.chart_channel import CHANNEL_OPTIONS, channel_target
from services.chart.api.grpc_server import FIELD_METADATA_KEY
from services.chart.api.workers import RunningServer, start_server
from services.chart.settings import ChartSettings

HANG_GUARD_SECONDS = 30  # a broken server fails the test instead of hanging the suite
MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # batch RPCs (5,000 charts) exceed gRPC's 4 MB default


async def started(ephe_path: Path, workers: int) -> RunningServer:
    # Worker pids in the trailing metadata let tests see how calls and chunks spread over workers.
    settings = ChartSettings(grpc_host="127.0.0.1", grpc_port=0, chart_workers=workers, ephe_path=ephe_path,
                             expose_worker_pid=True)
    return await start_server(settings)


@asynccontextmanager
async def serving_stub(ephe_path: Path, workers: int) -> AsyncIterator[chart_pb2_grpc.ChartServiceStub]:
    """A started server and a stub on one long-lived channel to it, balancing over every worker as
    ``ChartClient`` does; both stopped afterwards."""
    running = await started(ephe_path, workers)
    try:
        async with balancing_channel(running) as channel:
            yield chart_pb2_grpc.ChartServiceStub(channel)
    finally:
        await running.stop(grace=1)


def balancing_channel(running: RunningServer) -> grpc.aio.Channel:
    """One channel to every worker's own port, with ChartClient's options (round_robin, retries)."""
    options = [*CHANNEL_OPTIONS, ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
               ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]
    return grpc.aio.insecure_channel(channel_target(running.worker_addresses), options=options)


async def call(method, request, *, guard_seconds: float = HANG_GUARD_SECONDS, **kwargs):
    return await asyncio.wait_for(method(request, **kwargs), timeout=guard_seconds)


async def rejected(method, request, **kwargs) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(method, request, **kwargs)
    return raised.value


def assert_invalid(error: grpc.aio.AioRpcError, field: str) -> None:
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert error.details().startswith(f"{field}: "), error.details()
    assert error.trailing_metadata()[FIELD_METADATA_KEY] == field


def pb_date(value: date) -> chart_pb2.Date:
    return chart_pb2.Date(year=value.year, month=value.month, day=value.day)
