"""gRPC client for the chart service with a deadline on every call. Transport failures become a
503 the public API can answer with; the chart's validation failures become a 422 naming the field."""
from __future__ import annotations

import datetime as dt
import logging

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from numeros.chart.v1 import chart_pb2, chart_pb2_grpc

from .errors import AppError

log = logging.getLogger(__name__)
FIELD_METADATA_KEY = "numeros-field"
_UNAVAILABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.CANCELLED}


def to_app_error(exc: grpc.aio.AioRpcError) -> AppError:
    code = exc.code()
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        metadata = dict(exc.trailing_metadata() or ())
        field = metadata.get(FIELD_METADATA_KEY)
        message = exc.details() or "invalid input"
        return AppError(422, "VALIDATION_ERROR", message, field=str(field) if field else None)
    if code in _UNAVAILABLE:
        return AppError(503, "CHART_UNAVAILABLE", "The calculation service is unavailable; try again shortly.")
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return AppError(503, exc.details() or "CHART_UNAVAILABLE", "The calculation service cannot compute this now.")
    log.error("unexpected chart error", extra={"code": code.name, "details": exc.details()})
    return AppError(502, "CHART_ERROR", "The calculation service failed.")


class ChartClient:
    def __init__(self, address: str, deadline_seconds: float = 5.0) -> None:
        # One long-lived channel; the chart server spreads its calls over its worker processes.
        # With a dns:/// address (k8s headless Service) calls are spread round-robin over chart pods.
        self.channel = grpc.aio.insecure_channel(address, options=[("grpc.enable_retries", 1),
                                                                   ("grpc.lb_policy_name", "round_robin")])
        self.stub = chart_pb2_grpc.ChartServiceStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)
        self.deadline = deadline_seconds

    async def calculate_numerology(self, full_name: str, birth_date: dt.date) -> chart_pb2.CalculateNumerologyResponse:
        request = chart_pb2.CalculateNumerologyRequest(
            full_name=full_name,
            birth_date=chart_pb2.Date(year=birth_date.year, month=birth_date.month, day=birth_date.day))
        try:
            return await self.stub.CalculateNumerology(request, timeout=self.deadline)
        except grpc.aio.AioRpcError as exc:
            raise to_app_error(exc) from exc

    async def check_health(self) -> dict[str, str]:
        reply = await self.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        return {"ok": reply.status == health_pb2.HealthCheckResponse.SERVING, "status": status}

    async def close(self) -> None:
        await self.channel.close()
