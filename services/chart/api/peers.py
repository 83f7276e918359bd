"""A large batch on every core: the worker that receives a CalculateNatalCharts call computes one
chunk itself and hands each other chunk to a peer worker on that worker's own port.

A chunk travels as raw bytes on a private method (``ChartWorker/NatalChartsChunk``, not in the
public proto): the serialized request goes out with the chunk's bounds in the metadata, and the
serialized columns (``natal_batch.compute_chunk``) come back, so a chunk costs the peer what a pool
call cost before, and nothing is parsed or built twice.

A peer that cannot take its chunk (dead, restarting) does not fail the call: its chunk is computed
here instead.

The own chunk runs on one helper thread, so the event loop keeps sending and receiving the peers'
chunks meanwhile. Swiss Ephemeris keeps its settings per thread, so that thread sets its own
ephemeris path when it starts.
"""
from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc

from services.chart.adapters.ephemeris import init_worker
from services.chart.api import natal_batch

WORKER_PID_METADATA_KEY = "numeros-worker-pid"
CHUNK_METADATA_KEY = "numeros-chunk"
WORKER_SERVICE = "numeros.chart.v1.ChartWorker"
CHUNK_METHOD = "NatalChartsChunk"
_SEND_TURNS = 3  # event-loop turns grpc.aio takes to hand a started call to its transport
_MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a 5,000-chart request and its columns, with room to spare


def chunk_handler(expose_worker_pid: bool) -> grpc.GenericRpcHandler:
    """The private method a peer calls: charts [start, stop) of a serialized request, computed here."""
    pid = str(os.getpid())

    async def natal_charts_chunk(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        start, stop = map(int, dict(context.invocation_metadata())[CHUNK_METADATA_KEY].split(":"))
        columns = natal_batch.compute_chunk(request, start, stop)
        if expose_worker_pid:
            context.set_trailing_metadata(((WORKER_PID_METADATA_KEY, pid),))
        return columns

    # No (de)serializers: bytes in, bytes out.
    return grpc.method_handlers_generic_handler(
        WORKER_SERVICE, {CHUNK_METHOD: grpc.unary_unary_rpc_method_handler(natal_charts_chunk)})


class Peers:
    """The other workers of this server, one lazily opened channel each."""

    def __init__(self, addresses: list[str], ephe_path: Path | None = None) -> None:
        self._addresses = addresses
        self._ephe_path = ephe_path
        self._thread: ThreadPoolExecutor | None = None
        self._methods: list[grpc.aio.UnaryUnaryMultiCallable | None] = [None] * len(addresses)
        self._channels: list[grpc.aio.Channel] = []

    @property
    def workers(self) -> int:
        """This worker and its peers."""
        return len(self._addresses) + 1

    async def compute_chunks(self, serialized: bytes, bounds: list[tuple[int, int]], timeout: float | None
                             ) -> tuple[list[bytes], list[str]]:
        """Each chunk's columns in chunk order, and the pid of the worker that computed each."""
        pid = str(os.getpid())
        if len(bounds) == 1:
            return [natal_batch.compute_chunk(serialized, *bounds[0])], [pid]
        remote = [asyncio.ensure_future(self._on_peer(i, serialized, chunk, timeout))
                  for i, chunk in enumerate(bounds[1:])]
        # Let the peers' calls go out before this worker's own chunk takes the GIL: started together,
        # a peer got its chunk up to ~12 ms (the interpreter's switch interval and more) after this
        # worker began, and the whole call waited that long at the end.
        for _ in range(_SEND_TURNS):
            await asyncio.sleep(0)
        try:
            own = await self._here(serialized, bounds[0])
        except BaseException:
            for call in remote:
                call.cancel()
            raise
        outcomes = await asyncio.gather(*remote)
        return [own, *(part for part, _ in outcomes)], [pid, *(worker for _, worker in outcomes)]

    async def _on_peer(self, index: int, serialized: bytes, chunk: tuple[int, int], timeout: float | None
                       ) -> tuple[bytes, str]:
        try:
            call = self._method(index)(serialized, timeout=timeout,
                                       metadata=((CHUNK_METADATA_KEY, f"{chunk[0]}:{chunk[1]}"),))
            part = await call
            worker = dict(await call.trailing_metadata() or ()).get(WORKER_PID_METADATA_KEY, "")
            return part, str(worker)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE:
                raise
        return await self._here(serialized, chunk), str(os.getpid())

    async def _here(self, serialized: bytes, chunk: tuple[int, int]) -> bytes:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, "chart-chunk", initializer=init_worker, initargs=(self._ephe_path,))
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, natal_batch.compute_chunk, serialized, *chunk)

    def _method(self, index: int) -> grpc.aio.UnaryUnaryMultiCallable:
        method = self._methods[index]
        if method is None:
            channel = grpc.aio.insecure_channel(self._addresses[index], options=[
                ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES)])
            self._channels.append(channel)
            method = self._methods[index] = channel.unary_unary(f"/{WORKER_SERVICE}/{CHUNK_METHOD}")
        return method

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
        if self._thread is not None:
            self._thread.shutdown(wait=False)
